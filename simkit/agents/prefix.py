"""Prefix mode: /28 IPv4 prefixes on secondary ENIs, 16 pod addresses each, as Terway's
controller keeps them (``simkit.agents.ipam.PrefixTarget``): a fixed ``agent.prefix_count`` a
node, at most 10 a call, at most (EniPrivateIpAddressQuantity - 1) on each secondary ENI (one
slot kept for the ENI's primary IP), never given back (pool.go ``syncPrefixAllocation``,
docs/ip-prefix.md; alibaba-facts §5).
"""

from __future__ import annotations

from simkit.agents.base import AgentEni, EniPhase, NodeAgent
from simkit.ecs.requests import AssignPrivateIpAddresses, CreateNetworkInterface
from simkit.ecs.resources import Eni
from simkit.ecs.results import AssignResult
from simkit.net import BLOCK

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
        """The addresses of the node's ``agent.prefix_count`` prefixes (16 each): what Terway
        reports as the node's max available IPs in prefix mode."""
        count = self.config.prefix_count
        return (count if count is not None else self.max_enis * self.per_eni_prefixes) * BLOCK

    def prefixes_held(self) -> int:
        """Prefixes on this node's ENIs (attached or not)."""
        return len(self.prefix_owner)

    def attaching(self) -> int:
        """Prefixes asked with ENIs still attaching."""
        return sum(len(e.prefixes) for e in self.enis if e.phase is EniPhase.ATTACHING)

    def grow_prefixes(self, missing: int, can_create: bool) -> bool:
        """One call towards ``missing`` more prefixes: on the attached ENI with free slots
        (IPv4PerAdapter less its addresses and prefixes), else a new ENI with up to
        IPv4PerAdapter - 1; at most 10 a call. False when neither can be made."""
        node = self.node
        for eni in self.enis:
            room = self.per_eni - eni.slots
            if eni.phase is EniPhase.READY and room > 0:
                self.send(AssignPrivateIpAddresses(node.region_id, eni.id,
                                                   ipv4_prefix_count=min(missing, room, PREFIXES_PER_CALL),
                                                   client_token=self.token()), self._assigned)
                return True
        if len(self.enis) < self.max_enis and can_create:
            n = min(missing, self.per_eni_prefixes, PREFIXES_PER_CALL)
            self.send(CreateNetworkInterface(node.region_id, node.vswitch_id, security_group_id=node.security_group_id,
                                             ipv4_prefix_count=n, client_token=self.token()), self._created)
            return True
        return False

    def grow(self, need: int, can_use, can_create: bool) -> bool:
        """Prefix mode grows towards its prefix count, not a demand (``grow_prefixes``)."""
        return False

    def release(self, surplus: int, deletes):
        """Prefixes are never given back in Terway's prefix mode."""
        return None

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
        self.ipam.settled()

    def _add_prefixes(self, eni: AgentEni, prefixes: list[int]) -> None:
        eni.prefixes.extend(prefixes)
        eni.slots += len(prefixes)
        for p in prefixes:
            self.prefix_owner[p] = eni

    def _created(self, request: CreateNetworkInterface, created: Eni) -> None:
        eni = AgentEni(created.id, created.primary_ip, [], [], request.vswitch_id)
        self._add_prefixes(eni, list(created.prefixes))
        self.adopt(eni)

