"""Prefix mode: /28 IPv4 prefixes on secondary ENIs, 16 pod addresses each.

At most 10 prefixes per call and at most (EniPrivateIpAddressQuantity - 1) per ENI, one slot
kept for the ENI's primary IP, as Terway does (alibaba-facts §5). A prefix is given back when
all 16 of its addresses are idle and the pool stays at or above ``max_idle`` without it.
"""

from __future__ import annotations

from collections import Counter
from simkit.agents.base import FAILED
from simkit.agents.secondary import AgentEni, SecondaryIpAgent

__all__ = ["PrefixAgent"]

PER_CALL = 10
BLOCK = 16


class PrefixAgent(SecondaryIpAgent):
    """Prefix mode (see the module docstring)."""

    def __init__(self, ctx, node, config, attach_seconds):
        super().__init__(ctx, node, config, attach_seconds)
        self.per_eni_prefixes = self.per_eni - 1
        self.prefix_owner: dict[int, AgentEni] = {}

    def _grow(self, need: int) -> None:
        k = -(-need // BLOCK)  # prefixes for ``need`` addresses
        for eni in self.enis:
            room = self.per_eni_prefixes - len(eni.prefixes)
            if eni.state == "ready" and room > 0:
                self._assign_prefixes(eni, min(k, room, PER_CALL), self.token(), 1)
                return
        if len(self.enis) < self.max_enis:
            self._create_with_prefixes(min(k, self.per_eni_prefixes, PER_CALL), self.token(), 1)

    def _shrink(self) -> None:
        if len(self.idle) - BLOCK >= self.config.max_idle:
            self._trim_prefix()

    def _assign_prefixes(self, eni: AgentEni, n: int, token: str, attempt: int) -> None:
        self.busy = True
        node = self.node
        result = self.call(
            "AssignPrivateIpAddresses",
            {"region_id": node.region_id, "network_interface_id": eni.id, "ipv4_prefix_count": n, "client_token": token},
            eni.id, n, (self._assign_prefixes, (eni, n, token)), attempt,
        )
        if result is FAILED:
            return
        self.busy = False
        self._add_prefixes(eni, result[2])
        self.idle.extend(a for p in result[2] for a in range(p, p + BLOCK))
        self._serve()
        self.work()

    def _add_prefixes(self, eni: AgentEni, prefixes: list[int]) -> None:
        eni.prefixes.extend(prefixes)
        eni.slots += len(prefixes)
        for p in prefixes:
            self.prefix_owner[p] = eni

    def _create_with_prefixes(self, n: int, token: str, attempt: int) -> None:
        self.busy = True
        node = self.node
        args = {"region_id": node.region_id, "vswitch_id": node.vswitch_id,
                "security_group_id": node.security_group_id, "ipv4_prefix_count": n, "client_token": token}
        created = self.call("CreateNetworkInterface", args, "", n, (self._create_with_prefixes, (n, token)), attempt)
        if created is FAILED:
            return
        eni = AgentEni(created.id, created.primary_ip, [], [])
        self._add_prefixes(eni, list(created.prefixes))
        self.enis.append(eni)
        self._attach(eni, 1)

    def _usable(self, eni: AgentEni) -> list[int]:
        return [a for p in eni.prefixes for a in range(p, p + BLOCK)]

    def _trim_prefix(self) -> None:
        counts = Counter(ip & ~(BLOCK - 1) for ip in self.idle)
        whole = [p for p, c in counts.items() if c == BLOCK and p in self.prefix_owner]
        if not whole:
            return
        prefix = max(whole)
        self.idle = [ip for ip in self.idle if ip & ~(BLOCK - 1) != prefix]
        self._unassign_prefix(self.prefix_owner[prefix], prefix, 1)

    def _unassign_prefix(self, eni: AgentEni, prefix: int, attempt: int) -> None:
        from simkit.net import Cidr

        self.busy = True
        node = self.node
        result = self.call(
            "UnassignPrivateIpAddresses",
            {"region_id": node.region_id, "network_interface_id": eni.id, "ipv4_prefix": [Cidr(prefix, 28)]},
            eni.id, 1, (self._unassign_prefix, (eni, prefix)), attempt,
        )
        if result is FAILED:
            if not self.busy:
                self.idle.extend(range(prefix, prefix + BLOCK))
            return
        self.busy = False
        eni.prefixes.remove(prefix)
        eni.slots -= 1
        del self.prefix_owner[prefix]
        self.work()
