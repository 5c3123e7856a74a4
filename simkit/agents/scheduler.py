"""A scheduler model: places each pod on a node that has room for it.

A node has room when it runs fewer pods than its max pods (derived from its ENI limits, or
set by the scenario) and, when the pod requests CPU or memory, enough of both is left. Nodes
are tried round-robin from where the last placement stopped, which spreads pods evenly. Pods
that fit nowhere wait, first come first served, until a pod ends.

Which nodes are below their max pods is kept as one byte per node, so finding the next
candidate is a C-level ``bytearray.find`` rather than a Python loop over the fleet: a full
fleet costs the same per pod at 500 nodes as at 2,000.
"""

from __future__ import annotations

from collections import deque

from simkit.agents.base import NodeAgent
from simkit.agents.pods import Pod, PodState, WaitReason

__all__ = ["Scheduler"]

_ROOM = 1


class Scheduler:
    """Places pods on ``agents``' nodes (see the module docstring)."""

    def __init__(self, agents: list[NodeAgent]):
        self.agents = agents
        self.cursor = 0
        self.pods = [0] * len(agents)  # pods placed (waiting for an address or running)
        self.cpu = [0] * len(agents)
        self.mem = [0] * len(agents)
        # Pods that fit nowhere, in arrival order. A pod that ends while waiting here is left in
        # place and skipped later (removing it from the middle would cost O(queue)).
        self._queue: deque[Pod] = deque()
        self.n_unscheduled = 0
        self.max_pods = [a.node.max_pods for a in agents]
        # 1 where the node runs fewer pods than its max pods.
        self.room = bytearray(_ROOM if m > 0 else 0 for m in self.max_pods)
        self._index = {id(a): i for i, a in enumerate(agents)}

    def fits(self, i: int, pod: Pod) -> bool:
        """Whether node ``i`` has room for ``pod`` (pods, CPU and memory)."""
        node = self.agents[i].node
        return (self.pods[i] < node.max_pods
                and self.cpu[i] + pod.cpu_milli <= node.cpu_milli
                and self.mem[i] + pod.memory_mib <= node.memory_mib)

    def _next_with_room(self, pod: Pod) -> int:
        """The first node from the cursor on, round the fleet, that fits ``pod``; -1 if none."""
        room, cursor = self.room, self.cursor
        plain = not pod.cpu_milli and not pod.memory_mib
        for lo, hi in ((cursor, len(room)), (0, cursor)):
            i = room.find(_ROOM, lo, hi)
            while i >= 0:
                if plain or self.fits(i, pod):
                    return i
                i = room.find(_ROOM, i + 1, hi)
        return -1

    def _why_full(self, pod: Pod) -> WaitReason:
        """Why no node fits ``pod``: every node at its max pods, or else CPU (when a node with
        room for one more pod lacks the CPU it requests), or else memory."""
        room = self.room
        i = room.find(_ROOM)
        if i < 0:
            return WaitReason.FLEET_PODS
        while i >= 0:
            if self.cpu[i] + pod.cpu_milli > self.agents[i].node.cpu_milli:
                return WaitReason.FLEET_CPU
            i = room.find(_ROOM, i + 1)
        return WaitReason.FLEET_MEMORY

    def place(self, pod: Pod) -> NodeAgent | None:
        """The agent the pod was placed on, or None (the pod then waits, unscheduled)."""
        i = self._next_with_room(pod)
        if i < 0:
            if not pod.reason:
                pod.reason = self._why_full(pod)
            pod.state = PodState.UNSCHEDULED
            self._queue.append(pod)
            self.n_unscheduled += 1
            return None
        n = len(self.agents)
        self.cursor = i + 1 if i + 1 < n else 0
        pods = self.pods[i] + 1
        self.pods[i] = pods
        if pods >= self.max_pods[i]:
            self.room[i] = 0
        self.cpu[i] += pod.cpu_milli
        self.mem[i] += pod.memory_mib
        return self.agents[i]

    def remove(self, pod: Pod) -> None:
        """The pod ended: free its place (or drop it from the unscheduled queue)."""
        if pod.state is PodState.UNSCHEDULED:
            self.n_unscheduled -= 1  # left in the queue; skipped when reached
            return
        i = self._index[id(pod.node)]
        self.pods[i] -= 1
        self.room[i] = _ROOM
        self.cpu[i] -= pod.cpu_milli
        self.mem[i] -= pod.memory_mib

    @property
    def unscheduled(self) -> list[Pod]:
        """The pods waiting for a node, in arrival order."""
        return [p for p in self._queue if p.state is PodState.UNSCHEDULED]

    def retry_unscheduled(self) -> list[tuple[Pod, NodeAgent]]:
        """Place waiting pods, in arrival order, while the first of them fits somewhere."""
        placed = []
        queue = self._queue
        while self.n_unscheduled:
            pod = queue.popleft()
            if pod.state is not PodState.UNSCHEDULED:
                continue  # ended while it waited
            self.n_unscheduled -= 1
            agent = self.place(pod)
            if agent is None:  # place() put it back at the end; keep the order
                queue.rotate(1)
                break
            placed.append((pod, agent))
        if not self.n_unscheduled:
            queue.clear()  # only ended pods can be left
        return placed
