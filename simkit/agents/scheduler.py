"""A scheduler model: places each pod on a node that has room for it.

A node has room when it runs fewer pods than its max pods (derived from its ENI limits, or
set by the scenario) and, when the pod requests CPU or memory, enough of both is left. Nodes
are tried round-robin from where the last placement stopped, which spreads pods evenly and
costs O(1) per pod while the fleet is not full. Pods that fit nowhere wait, first come first
served, until a pod ends.
"""

from __future__ import annotations

from collections import deque

from simkit.agents.base import NodeAgent
from simkit.agents.pods import Pod, PodState

__all__ = ["Scheduler"]


class Scheduler:
    def __init__(self, agents: list[NodeAgent]):
        self.agents = agents
        self.cursor = 0
        self.pods = [0] * len(agents)  # pods placed (waiting for an address or running)
        self.cpu = [0] * len(agents)
        self.mem = [0] * len(agents)
        self.unscheduled: deque[Pod] = deque()
        self.max_pods = [a.node.max_pods for a in agents]
        self._index = {id(a): i for i, a in enumerate(agents)}

    def fits(self, i: int, pod: Pod) -> bool:
        node = self.agents[i].node
        return (self.pods[i] < node.max_pods
                and self.cpu[i] + pod.cpu_milli <= node.cpu_milli
                and self.mem[i] + pod.memory_mib <= node.memory_mib)

    def place(self, pod: Pod) -> NodeAgent | None:
        """The agent the pod was placed on, or None (the pod then waits, unscheduled)."""
        n = len(self.agents)
        start = self.cursor
        pods, limits = self.pods, self.max_pods
        plain = not pod.cpu_milli and not pod.memory_mib
        for step in range(n):
            i = start + step
            if i >= n:
                i -= n
            if pods[i] < limits[i] and (plain or self.fits(i, pod)):
                self.cursor = i + 1 if i + 1 < n else 0
                pods[i] += 1
                self.cpu[i] += pod.cpu_milli
                self.mem[i] += pod.memory_mib
                return self.agents[i]
        pod.state = PodState.UNSCHEDULED
        self.unscheduled.append(pod)
        return None

    def remove(self, pod: Pod) -> None:
        """The pod ended: free its place (or drop it from the unscheduled queue)."""
        if pod.state is PodState.UNSCHEDULED:
            self.unscheduled.remove(pod)
            return
        i = self._index[id(pod.node)]
        self.pods[i] -= 1
        self.cpu[i] -= pod.cpu_milli
        self.mem[i] -= pod.memory_mib

    def retry_unscheduled(self) -> list[tuple[Pod, NodeAgent]]:
        """Place waiting pods, in arrival order, while the first of them fits somewhere."""
        placed = []
        while self.unscheduled:
            pod = self.unscheduled.popleft()
            agent = self.place(pod)
            if agent is None:  # place() put it back at the end; keep the order
                self.unscheduled.rotate(1)
                break
            placed.append((pod, agent))
        return placed
