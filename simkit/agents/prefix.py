"""Prefix mode: /28 IPv4 prefixes on secondary ENIs, 16 pod addresses each.

At most 10 prefixes per call and at most (EniPrivateIpAddressQuantity - 1) per ENI, one slot
kept for the ENI's primary IP, as Terway does (alibaba-facts §5). A prefix is given back when
all 16 of its addresses are idle and the pool stays at or above ``max_idle`` without it.
"""

from __future__ import annotations

from collections import Counter

from simkit.agents.base import AgentEni, EniPhase, NodeAgent
from simkit.agents.pods import WaitReason
from simkit.ecs.requests import AssignPrivateIpAddresses, CreateNetworkInterface, UnassignPrivateIpAddresses
from simkit.ecs.resources import Eni
from simkit.ecs.results import AssignResult
from simkit.net import BLOCK, PREFIX_LEN, Cidr

__all__ = ["PREFIXES_PER_CALL", "PrefixAgent"]

#: Terway asks at most 10 prefixes a call, the API's own limit (facts §2.2).
PREFIXES_PER_CALL = 10
_HOST_MASK = ~(BLOCK - 1)


class PrefixAgent(NodeAgent):
    """Prefix mode (see the module docstring)."""

    def __init__(self, ctx, node, config, attach_seconds):
        super().__init__(ctx, node, config, attach_seconds)
        self.per_eni_prefixes = self.per_eni - 1
        self.prefix_owner: dict[int, AgentEni] = {}

    @property
    def capacity(self) -> int:
        """(EniQuantity - 1) x (EniPrivateIpAddressQuantity - 1) x 16: each secondary ENI's
        prefixes, one slot kept for its primary IP."""
        return self.max_enis * self.per_eni_prefixes * BLOCK

    def grow(self, need: int) -> None:
        """One call towards ``need`` more addresses: prefixes on an ENI with room, or a new ENI."""
        k = -(-need // BLOCK)  # prefixes for ``need`` addresses
        node = self.node
        for eni in self.enis:
            room = self.per_eni_prefixes - len(eni.prefixes)
            if eni.phase is EniPhase.READY and room > 0:
                self.send(AssignPrivateIpAddresses(node.region_id, eni.id, ipv4_prefix_count=min(k, room, PREFIXES_PER_CALL),
                                                   client_token=self.token()), self._assigned)
                return
        if len(self.enis) < self.max_enis:
            n = min(k, self.per_eni_prefixes, PREFIXES_PER_CALL)
            self.send(CreateNetworkInterface(node.region_id, node.vswitch_id, security_group_id=node.security_group_id,
                                             ipv4_prefix_count=n, client_token=self.token()), self._created)
        elif all(e.phase is EniPhase.READY for e in self.enis):
            # Every ENI the instance type allows is full of prefixes: pods wait for others to end.
            self.held_by(WaitReason.ENI_LIMIT)

    def shrink(self) -> None:
        """Give back one whole idle prefix while the pool stays at or above ``max_idle`` without it."""
        if len(self.idle) - BLOCK >= self.config.max_idle:
            self._trim_prefix()

    def eni_holding(self, address: int) -> str:
        """The id of this node's ENI that holds ``address`` ("" when none does)."""
        eni = self.prefix_owner.get(address & _HOST_MASK)
        return eni.id if eni is not None else super().eni_holding(address)

    def usable(self, eni: AgentEni) -> list[int]:
        """The 16 addresses of each of the ENI's prefixes (its primary serves no pod)."""
        return [a for p in eni.prefixes for a in range(p, p + BLOCK)]

    def _assigned(self, request: AssignPrivateIpAddresses, result: AssignResult) -> None:
        self._add_prefixes(self.eni_by_id[request.network_interface_id], result.prefixes)
        self.idle.extend(a for p in result.prefixes for a in range(p, p + BLOCK))
        self.serve()
        self.work()

    def _add_prefixes(self, eni: AgentEni, prefixes: list[int]) -> None:
        eni.prefixes.extend(prefixes)
        eni.slots += len(prefixes)
        for p in prefixes:
            self.prefix_owner[p] = eni

    def _created(self, request: CreateNetworkInterface, created: Eni) -> None:
        eni = AgentEni(created.id, created.primary_ip, [], [])
        self._add_prefixes(eni, list(created.prefixes))
        self.adopt(eni)

    def _trim_prefix(self) -> None:
        counts = Counter(ip & _HOST_MASK for ip in self.idle)
        whole = [p for p, c in counts.items() if c == BLOCK and p in self.prefix_owner]
        if not whole:
            return
        prefix = max(whole)
        self.idle = [ip for ip in self.idle if ip & _HOST_MASK != prefix]
        eni = self.prefix_owner[prefix]
        self.send(UnassignPrivateIpAddresses(self.node.region_id, eni.id, ipv4_prefix=[Cidr(prefix, PREFIX_LEN)]),
                  self._unassigned, self._kept)

    def _unassigned(self, request: UnassignPrivateIpAddresses, result: None) -> None:
        prefix = request.ipv4_prefix[0].base
        eni = self.prefix_owner.pop(prefix)
        eni.prefixes.remove(prefix)
        eni.slots -= 1
        self.work()

    def _kept(self, request: UnassignPrivateIpAddresses) -> None:
        prefix = request.ipv4_prefix[0].base
        self.idle.extend(range(prefix, prefix + BLOCK))  # given up: the prefix is still ours
