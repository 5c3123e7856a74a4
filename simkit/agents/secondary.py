"""Terway-like shared-ENI multi-IP mode: single secondary IPs on secondary ENIs.

An idle pool between ``min_idle`` and ``max_idle``; addresses are asked in batches from the
attached ENI with room; when every attached ENI is full, a new ENI is created (with the
secondaries it can carry) and attached, up to the instance type's ENI count less the primary.
Every address of a secondary ENI serves pods, its primary IP included, which is how Terway
counts max pods: (EniQuantity - 1) x EniPrivateIpAddressQuantity (alibaba-facts §5).
"""

from __future__ import annotations

from simkit.agents.base import AgentEni, EniPhase, NodeAgent
from simkit.agents.pods import WaitReason
from simkit.ecs.requests import AssignPrivateIpAddresses, CreateNetworkInterface, UnassignPrivateIpAddresses
from simkit.ecs.resources import Eni
from simkit.ecs.results import AssignResult

__all__ = ["SecondaryIpAgent"]


class SecondaryIpAgent(NodeAgent):
    """Shared-ENI multi-IP mode (see the module docstring)."""

    def __init__(self, ctx, node, config, attach_seconds):
        super().__init__(ctx, node, config, attach_seconds)
        self.owner: dict[int, AgentEni] = {}  # secondary IP -> its ENI (primaries cannot be given back)

    @property
    def capacity(self) -> int:
        """(EniQuantity - 1) x EniPrivateIpAddressQuantity: every address of each secondary ENI."""
        return self.max_enis * self.per_eni

    def grow(self, need: int) -> None:
        """One call towards ``need`` more addresses: on an ENI with room, or a new ENI."""
        batch = self.config.batch
        node = self.node
        for eni in self.enis:
            if eni.phase is EniPhase.READY and eni.slots < self.per_eni:
                n = min(need, self.per_eni - eni.slots, batch)
                self.send(AssignPrivateIpAddresses(node.region_id, eni.id, secondary_private_ip_address_count=n,
                                                   client_token=self.token()), self._assigned)
                return
        if len(self.enis) < self.max_enis:
            k = min(need, self.per_eni, batch + 1)  # addresses, the new ENI's primary included
            self.send(CreateNetworkInterface(node.region_id, node.vswitch_id, security_group_id=node.security_group_id,
                                             secondary_private_ip_address_count=k - 1 if k > 1 else None,
                                             client_token=self.token()), self._created)
        elif all(e.phase is EniPhase.READY for e in self.enis):
            # Every ENI the instance type allows is full: pods wait for others to end.
            self.held_by(WaitReason.ENI_LIMIT)

    def shrink(self) -> None:
        """Give back idle secondaries past ``max_idle``, most recently idled first."""
        surplus = len(self.idle) - self.config.max_idle
        if surplus > 0:
            self._trim(surplus)

    def eni_holding(self, address: int) -> str:
        """The id of this node's ENI that holds ``address`` ("" when none does)."""
        eni = self.owner.get(address)
        return eni.id if eni is not None else super().eni_holding(address)

    def usable(self, eni: AgentEni) -> list[int]:
        """Every address of the ENI, its primary included."""
        return [eni.primary, *eni.addresses]

    def _assigned(self, request: AssignPrivateIpAddresses, result: AssignResult) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        ips = result.addresses
        eni.slots += len(ips)
        eni.addresses.update(dict.fromkeys(ips))
        owner = self.owner
        for ip in ips:
            owner[ip] = eni
        self.idle.extend(ips)
        self.serve()
        self.work_if_needed()

    def _created(self, request: CreateNetworkInterface, created: Eni) -> None:
        eni = AgentEni(created.id, created.primary_ip, list(created.secondaries), [])
        for ip in eni.addresses:
            self.owner[ip] = eni
        self.adopt(eni)

    def _trim(self, surplus: int) -> None:
        # Give back the most recently idled secondaries, all of one ENI (one call); primaries
        # stay, they cannot be unassigned.
        owner = self.owner
        idle = self.idle
        if surplus == 1 and idle[-1] in owner:  # the common case: the address a pod just freed
            ip = idle.pop()
            self._unassign(owner[ip], [ip])
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
        self._unassign(eni, ips)

    def _unassign(self, eni: AgentEni, ips: list[int]) -> None:
        self.send(UnassignPrivateIpAddresses(self.node.region_id, eni.id, private_ip_address=ips),
                  self._unassigned, self._kept)

    def _unassigned(self, request: UnassignPrivateIpAddresses, result: None) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        ips = request.private_ip_address
        addresses, owner = eni.addresses, self.owner
        for ip in ips:
            del addresses[ip]
            del owner[ip]
        eni.slots -= len(ips)
        self.work_if_needed()

    def _kept(self, request: UnassignPrivateIpAddresses) -> None:
        self.idle.extend(request.private_ip_address)  # given up: the addresses are still ours
