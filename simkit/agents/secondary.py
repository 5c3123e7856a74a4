"""Terway-like shared-ENI multi-IP mode: single secondary IPs on secondary ENIs.

Addresses are asked in batches from the attached ENI with the most addresses and room (Terway's
``most_ips`` ENI priority); when no attached ENI can take more, a new ENI is created with up to
``batch`` addresses, its primary included, and attached, up to the instance type's ENI count
less the primary. Every address of a secondary ENI serves pods, its primary IP included, which
is how Terway counts max pods: (EniQuantity - 1) x EniPrivateIpAddressQuantity (alibaba-facts
§5). Idle addresses go back from the ENI with the fewest first; an ENI none of whose addresses
is in use goes back whole (detached and deleted) when the IPAM's rule says so.
"""

from __future__ import annotations

from typing import Callable

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

    def grow(self, need: int, can_use: Callable[[AgentEni], bool], can_create: bool) -> bool:
        """One call towards ``need`` more addresses: on the fullest attached ENI with room that
        ``can_use`` allows, or a new ENI if ``can_create``. False when neither can be made."""
        batch = self.config.batch
        node = self.node
        best = None
        for eni in self.enis:
            if eni.phase is EniPhase.READY and eni.slots < self.per_eni and can_use(eni):
                if best is None or eni.slots > best.slots:
                    best = eni
        if best is not None:
            n = min(need, self.per_eni - best.slots, batch)
            self.send(AssignPrivateIpAddresses(node.region_id, best.id, secondary_private_ip_address_count=n,
                                               client_token=self.token()), self._assigned)
            return True
        if len(self.enis) < self.max_enis:
            vswitch = self.ipam.pick_vswitch() if can_create else None
            if vswitch is None:
                return False
            # Terway asks for at most ``batch`` (10) addresses with a new ENI, its primary included
            # (SecondaryPrivateIpAddressCount = IPCount - 1; pool.go, local.go, options.go).
            k = min(need, self.per_eni, batch)
            self.send(CreateNetworkInterface(node.region_id, vswitch, security_group_id=node.security_group_id,
                                             secondary_private_ip_address_count=k - 1 if k > 1 else None,
                                             client_token=self.token()), self._created)
            return True
        if all(e.phase is EniPhase.READY for e in self.enis) and all(e.slots >= self.per_eni for e in self.enis):
            # Every ENI the instance type allows is full: pods wait for others to end.
            self.held_by(WaitReason.ENI_LIMIT)
        return False

    def release(self, surplus: int, deletes: Callable[[AgentEni, int], bool]):
        """Plan one call giving back up to ``surplus`` idle addresses, from the attached ENI
        with the fewest addresses first: the whole ENI (detached and deleted) when none of its
        addresses is in use and ``deletes(eni, surplus)``, else its idle secondaries (primaries
        cannot be unassigned), at most ``batch`` of them. Returns (how many go back, the call),
        or None."""
        idle = set(self.idle)
        for eni in sorted((e for e in self.enis if e.phase is EniPhase.READY), key=lambda e: e.slots):
            free = [ip for ip in eni.addresses if ip in idle]
            whole = eni.primary in idle and len(free) == len(eni.addresses)
            if whole and deletes(eni, surplus):
                return eni.slots, (lambda e=eni: self.delete_eni(e))
            if free:
                ips = free[-min(surplus, self.config.batch, len(free)):]

                def unassign(eni=eni, ips=ips) -> None:
                    gone = set(ips)
                    self.idle = [ip for ip in self.idle if ip not in gone]
                    self.send(UnassignPrivateIpAddresses(self.node.region_id, eni.id, private_ip_address=ips),
                              self._unassigned, self._kept)

                return len(ips), unassign
        return None

    def eni_holding(self, address: int) -> str:
        """The id of this node's ENI that holds ``address`` ("" when none does)."""
        eni = self.owner.get(address)
        return eni.id if eni is not None else super().eni_holding(address)

    def usable(self, eni: AgentEni) -> list[int]:
        """Every address of the ENI, its primary included."""
        return [eni.primary, *eni.addresses]

    def forget(self, eni: AgentEni) -> None:
        """A deleted ENI's secondaries are no longer this node's."""
        for ip in eni.addresses:
            self.owner.pop(ip, None)

    def _assigned(self, request: AssignPrivateIpAddresses, result: AssignResult) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        ips = result.addresses
        eni.slots += len(ips)
        eni.addresses.update(dict.fromkeys(ips))
        owner = self.owner
        for ip in ips:
            owner[ip] = eni
        self.idle.extend(ips)
        self.ipam.settled()

    def _created(self, request: CreateNetworkInterface, created: Eni) -> None:
        eni = AgentEni(created.id, created.primary_ip, list(created.secondaries), [], request.vswitch_id)
        for ip in eni.addresses:
            self.owner[ip] = eni
        self.adopt(eni)

    def _unassigned(self, request: UnassignPrivateIpAddresses, result: None) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        ips = request.private_ip_address
        addresses, owner = eni.addresses, self.owner
        for ip in ips:
            del addresses[ip]
            del owner[ip]
        eni.slots -= len(ips)
        self.ipam.settled()

    def _kept(self, request: UnassignPrivateIpAddresses) -> None:
        self.idle.extend(request.private_ip_address)  # given up: the addresses are still ours
