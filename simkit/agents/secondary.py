"""Terway-like shared-ENI multi-IP mode: single secondary IPs on secondary ENIs.

An idle pool between ``min_idle`` and ``max_idle``; addresses are asked in batches from the
attached ENI with room; when every attached ENI is full, a new ENI is created (with the
secondaries it can carry) and attached, up to the instance type's ENI count less the primary.
Every address of a secondary ENI serves pods, its primary IP included, which is how Terway
counts max pods: (EniQuantity - 1) x EniPrivateIpAddressQuantity (alibaba-facts §5).
"""

from __future__ import annotations

from simkit.agents.base import FAILED, NodeAgent

__all__ = ["SecondaryIpAgent", "AgentEni"]


class AgentEni:
    """What an agent knows of one of its secondary ENIs."""

    __slots__ = ("id", "state", "slots", "primary", "addresses", "prefixes")

    def __init__(self, eni_id: str, primary: int, addresses: list[int], prefixes: list[int]):
        # addresses: an insertion-ordered set (dict), so giving one back is O(1)
        self.id = eni_id
        self.state = "created"  # created -> attaching -> ready
        self.primary = primary
        self.addresses = dict.fromkeys(addresses)  # secondary IPs
        self.prefixes = prefixes  # /28 bases (prefix mode)
        self.slots = 1 + len(addresses) + len(prefixes)  # private IPv4 slots in use, primary included


class SecondaryIpAgent(NodeAgent):
    """Shared-ENI multi-IP mode (see the module docstring)."""

    def __init__(self, ctx, node, config, attach_seconds):
        super().__init__(ctx, node, config, attach_seconds)
        self.enis: list[AgentEni] = []
        self.per_eni = node.itype.private_ipv4_per_eni
        self.max_enis = node.itype.eni_quantity - 1
        self.owner: dict[int, AgentEni] = {}  # secondary IP -> its ENI (primaries cannot be given back)

    def work(self) -> None:
        if self.busy or (self.blocked_until and self.ctx.now < self.blocked_until):
            return
        need = len(self.waiting) + self.config.min_idle - len(self.idle)
        if need > 0:
            for eni in self.enis:
                if eni.state == "created":  # an attach that failed earlier: try it again first
                    self._attach(eni, 1)
                    return
            self._grow(need)
        else:
            self._shrink()

    def _grow(self, need: int) -> None:
        """One call towards ``need`` more addresses: on an ENI with room, or a new ENI."""
        batch = self.config.batch
        for eni in self.enis:
            if eni.state == "ready" and eni.slots < self.per_eni:
                self._assign(eni, min(need, self.per_eni - eni.slots, batch), self.token(), 1)
                return
        if len(self.enis) < self.max_enis:
            self._create(min(need, self.per_eni, batch + 1), self.token(), 1)
        # else every ENI is full: pods wait for others to end

    def _shrink(self) -> None:
        surplus = len(self.idle) - self.config.max_idle
        if surplus > 0:
            self._trim(surplus)

    def _assign(self, eni: AgentEni, n: int, token: str, attempt: int) -> None:
        self.busy = True
        node = self.node
        result = self.call(
            "AssignPrivateIpAddresses",
            {"region_id": node.region_id, "network_interface_id": eni.id,
             "secondary_private_ip_address_count": n, "client_token": token},
            eni.id, n, (self._assign, (eni, n, token)), attempt,
        )
        if result is FAILED:
            return
        self.busy = False
        ips = result[1]
        eni.slots += len(ips)
        eni.addresses.update(dict.fromkeys(ips))
        owner = self.owner
        for ip in ips:
            owner[ip] = eni
        self.idle.extend(ips)
        self._serve()
        self.work_if_needed()

    def _create(self, k: int, token: str, attempt: int) -> None:
        self.busy = True
        node = self.node
        args = {"region_id": node.region_id, "vswitch_id": node.vswitch_id,
                "security_group_id": node.security_group_id, "client_token": token}
        if k > 1:
            args["secondary_private_ip_address_count"] = k - 1
        created = self.call("CreateNetworkInterface", args, "", k, (self._create, (k, token)), attempt)
        if created is FAILED:
            return
        eni = AgentEni(created.id, created.primary_ip, list(created.secondaries), [])
        for ip in eni.addresses:
            self.owner[ip] = eni
        self.enis.append(eni)
        self._attach(eni, 1)

    def _attach(self, eni: AgentEni, attempt: int) -> None:
        self.busy = True
        node = self.node
        result = self.call(
            "AttachNetworkInterface",
            {"region_id": node.region_id, "network_interface_id": eni.id, "instance_id": node.instance_id},
            eni.id, 0, (self._attach, (eni,)), attempt,
        )
        if result is FAILED:
            return
        eni.state = "attaching"
        self.ctx.after(self.attach_seconds, self._attached, eni)

    def _attached(self, eni: AgentEni) -> None:
        # Terway polls until the ENI is InUse; the attach takes settings.eni_attach_seconds.
        eni.state = "ready"
        self.busy = False
        self.idle.extend(self._usable(eni))
        self._serve()
        self.work()

    def _usable(self, eni: AgentEni) -> list[int]:
        return [eni.primary, *eni.addresses]

    def _trim(self, surplus: int) -> None:
        # Give back the most recently idled secondaries, all of one ENI (one call); primaries
        # stay, they cannot be unassigned.
        owner = self.owner
        idle = self.idle
        if surplus == 1 and idle[-1] in owner:  # the common case: the address a pod just freed
            ip = idle.pop()
            self._unassign(owner[ip], [ip], 1)
            return
        eni = None
        ips: list[int] = []
        limit = min(surplus, self.config.batch)
        for ip in reversed(idle):
            e = owner.get(ip)
            if e is None or (eni is not None and e is not eni):
                continue
            eni = e
            ips.append(ip)
            if len(ips) == limit:
                break
        if eni is None:
            return
        gone = set(ips)
        self.idle = [ip for ip in idle if ip not in gone]
        self._unassign(eni, ips, 1)

    def _unassign(self, eni: AgentEni, ips: list[int], attempt: int) -> None:
        self.busy = True
        node = self.node
        result = self.call(
            "UnassignPrivateIpAddresses",
            {"region_id": node.region_id, "network_interface_id": eni.id, "private_ip_address": ips},
            eni.id, len(ips), (self._unassign, (eni, ips)), attempt,
        )
        if result is FAILED:
            if not self.busy:  # given up: the addresses are still ours
                self.idle.extend(ips)
            return
        self.busy = False
        addresses, owner = eni.addresses, self.owner
        for ip in ips:
            del addresses[ip]
            del owner[ip]
        eni.slots -= len(ips)
        self.work_if_needed()
