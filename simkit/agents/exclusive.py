"""Terway's exclusive-ENI mode: every pod gets a secondary ENI of its own, created with no
secondary address and attached to its node; the pod's address is the ENI's primary, from the
node's vSwitch. A node runs at most EniQuantity - 1 pods (``pkg/aliyun/client/limit.go``
``ExclusiveENIPod``; ACK "Manage pod capacity on nodes"). The node's daemon runs it with its
pool forced to 0 (``daemon/config.go``; the multi-IP controller skips these nodes): an ENI freed
by its pod waits idle for the pool's next sync, which detaches and deletes it.
"""

from __future__ import annotations

from typing import Callable

from simkit.agents.base import AgentEni, EniPhase, NodeAgent
from simkit.agents.pods import WaitReason
from simkit.ecs.requests import CreateNetworkInterface
from simkit.ecs.resources import Eni

__all__ = ["ExclusiveEniAgent"]


class ExclusiveEniAgent(NodeAgent):
    """Exclusive-ENI mode (see the module docstring)."""

    #: Each ENI is a slot of its own in the daemon (``local.go``): several may be created and
    #: attached at once.
    one_eni_at_a_time = False

    @property
    def capacity(self) -> int:
        """EniQuantity - 1: one pod on each secondary ENI."""
        return self.max_enis

    def grow(self, need: int, can_use: Callable[[AgentEni], bool], can_create: bool) -> bool:
        """One CreateNetworkInterface (no secondary address) for a pod that waits; False when
        the node has as many ENIs as its type allows."""
        if len(self.enis) >= self.max_enis:
            if all(e.phase is EniPhase.READY for e in self.enis):
                self.held_by(WaitReason.ENI_LIMIT)
            return False
        vswitch = self.ipam.pick_vswitch() if can_create else None
        if vswitch is None:
            return False
        node = self.node
        self.send(CreateNetworkInterface(node.region_id, vswitch, security_group_id=node.security_group_id,
                                         client_token=self.token()), self._created)
        return True

    def release(self, surplus: int, deletes):
        """Plan to delete one ENI whose pod has ended (its primary idle): (1, the call), or None."""
        idle = set(self.idle)
        for eni in self.enis:
            if eni.phase is EniPhase.READY and eni.primary in idle and deletes(eni, surplus):
                return 1, (lambda e=eni: self.delete_eni(e))
        return None

    def usable(self, eni: AgentEni) -> list[int]:
        """The ENI's primary address: its pod's."""
        return [eni.primary]

    def attaching(self) -> int:
        """ENIs still attaching, one pod each."""
        return sum(1 for e in self.enis if e.phase is EniPhase.ATTACHING)

    def _created(self, request: CreateNetworkInterface, created: Eni) -> None:
        self.adopt(AgentEni(created.id, created.primary_ip, [], [], request.vswitch_id))
