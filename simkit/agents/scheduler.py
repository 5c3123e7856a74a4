"""A scheduler model: places each pod on a node that has room for it.

A node has room when it runs fewer pods than its max pods (derived from its ENI limits, or
set by the scenario) and, when the pod requests CPU or memory, enough of both is left. Nodes
are tried round-robin from where the last placement stopped, which spreads pods evenly. Pods
that fit nowhere wait, first come first served, until a pod ends.

Which nodes can take a pod is kept as one byte per node, so finding the next candidate is a
C-level ``bytearray.find`` rather than a Python loop over the fleet: a full fleet costs the same
per pod at 500 nodes as at 2,000.

IP-aware scheduling (``SchedulerConfig.ip_aware``, ACK Pro's kube-scheduler: ACK "Schedule
pods based on idle vSwitch IP addresses") adds two things the real scheduler reads from the
node:

- the ``SufficientIP`` node condition, which Terway's daemon sets false when an allocation
  fails because the vSwitch has no addresses (``pkg/eni/manager.go``: ``SetIPExhaustive``) and
  true again after ``ipExhaustiveConditionPeriod`` (10 minutes) or as soon as a pod's address is
  released on the node (``UnsetIPExhaustive``). Here the agent reports it (``NodeAgent.
  on_vswitch_short``): when it gives up on InvalidVSwitchId.IpNotEnough, QuotaExceeded.
  PrivateIpAddress (or the prefix codes), and when a pod placed on it must wait while that holds
  it. Meanwhile the node takes no pod: its byte is 0, so placement stays a ``find``;
- the ``k8s.aliyun.com/max-available-ip`` annotation, the addresses the node's ENIs can hold
  (``NodeAgent.capacity``, Terway's formula): a node takes no more pods than that, whatever
  ``fleet[].max_pods`` says.

A pod that finds no node because of the condition waits for one, put down to
``WaitReason.FLEET_ADDRESSES``; when the condition lapses, the waiting pods are placed again
(``on_room``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterator

from simkit.agents.base import NodeAgent
from simkit.agents.pods import Pod, PodState, WaitReason

__all__ = ["Scheduler", "SchedulerConfig"]

_ROOM = 1


@dataclass(frozen=True)
class SchedulerConfig:
    """How the scheduler places pods (the scenario's ``scheduler:`` block).

    ip_aware: skip nodes whose agent reported the vSwitch out of addresses, and place no more
      pods on a node than its ENIs address (ACK Pro's IP-aware scheduling; off by default in
      simkit, on by default on ACK Pro).
    ip_condition_period: how long such a node is skipped unless a pod's address is released on
      it first (Terway's daemon: ``ipExhaustiveConditionPeriod``, 10 minutes).
    """

    ip_aware: bool = False
    ip_condition_period: float = 600.0

    def __post_init__(self) -> None:
        if not isinstance(self.ip_aware, bool):
            raise ValueError(f"scheduler.ip_aware must be true or false, got {self.ip_aware!r}")
        v = self.ip_condition_period
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
            raise ValueError(f"scheduler.ip_condition_period must be a number >= 0, got {v!r}")


class Scheduler:
    """Places pods on ``agents``' nodes (see the module docstring)."""

    def __init__(self, agents: list[NodeAgent], config: SchedulerConfig = SchedulerConfig()):
        self.agents = agents
        self.config = config
        self.ip_aware = config.ip_aware
        self.cursor = 0
        self.pods = [0] * len(agents)  # pods placed (waiting for an address or running)
        self.cpu = [0] * len(agents)
        self.mem = [0] * len(agents)
        # Pods that fit nowhere, in arrival order. A pod that ends while waiting here is left in
        # place and skipped later (removing it from the middle would cost O(queue)).
        self._queue: deque[Pod] = deque()
        self.n_unscheduled = 0
        if self.ip_aware:  # the max-available-ip annotation caps each node at what its ENIs address
            self.max_pods = [min(a.node.max_pods, a.capacity) for a in agents]
        else:
            self.max_pods = [a.node.max_pods for a in agents]
        # 1 where the node can take a pod: it runs fewer pods than its max pods (and, when
        # ip_aware, its SufficientIP condition is not false).
        self.room = bytearray(_ROOM if m > 0 else 0 for m in self.max_pods)
        # ip_aware only: 1 where the node's SufficientIP condition is false (``short``), and
        # where it is so but the node runs fewer pods than its max pods (``short_room``: the
        # nodes the condition alone keeps from taking a pod).
        self.short = bytearray(len(agents))
        self.short_room = bytearray(len(agents))
        self._epoch = [0] * len(agents)  # which setting of the condition a lapse belongs to
        self._index = {id(a): i for i, a in enumerate(agents)}
        #: Called when a node can take pods again without a pod ending (the condition lapsed);
        #: the pod flow places the waiting pods then.
        self.on_room: Callable[[], None] | None = None
        if self.ip_aware:
            for a in agents:
                a.on_vswitch_short = self._vswitch_short

    def add(self, agent: NodeAgent) -> None:
        """A node joins the fleet (a scale-out); the pods waiting for a node are placed on it as
        the pod flow's ``on_room`` places them."""
        i = len(self.agents)
        self.agents.append(agent)
        self.pods.append(0)
        self.cpu.append(0)
        self.mem.append(0)
        m = min(agent.node.max_pods, agent.capacity) if self.ip_aware else agent.node.max_pods
        self.max_pods.append(m)
        self.room.append(_ROOM if m > 0 else 0)
        self.short.append(0)
        self.short_room.append(0)
        self._epoch.append(0)
        self._index[id(agent)] = i
        if self.ip_aware:
            agent.on_vswitch_short = self._vswitch_short
        if m > 0 and self.n_unscheduled and self.on_room is not None:
            self.on_room()

    def fits(self, i: int, pod: Pod) -> bool:
        """Whether node ``i`` has room for ``pod`` (pods, CPU and memory)."""
        node = self.agents[i].node
        return (self.pods[i] < self.max_pods[i]
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
        """Why no node fits ``pod``: a node would, but its SufficientIP condition is false
        (ip_aware); else every node at its max pods; else CPU (when a node with room for one
        more pod lacks the CPU it requests); else memory."""
        room = self.room
        below = (room,)
        if self.ip_aware:
            short_room = self.short_room
            plain = not pod.cpu_milli and not pod.memory_mib
            i = short_room.find(_ROOM)
            while i >= 0:
                if plain or self.fits(i, pod):
                    return WaitReason.FLEET_ADDRESSES
                i = short_room.find(_ROOM, i + 1)
            below = (room, short_room)
        if all(index.find(_ROOM) < 0 for index in below):
            return WaitReason.FLEET_PODS
        for index in below:
            i = index.find(_ROOM)
            while i >= 0:
                if self.cpu[i] + pod.cpu_milli > self.agents[i].node.cpu_milli:
                    return WaitReason.FLEET_CPU
                i = index.find(_ROOM, i + 1)
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
        if self.short[i]:
            if pod.state is PodState.RUNNING:
                self._sufficient(i)  # its address is released on the node: Terway's UnsetIPExhaustive
            else:
                self.short_room[i] = _ROOM
        else:
            self.room[i] = _ROOM
        self.cpu[i] -= pod.cpu_milli
        self.mem[i] -= pod.memory_mib

    # ---------------------------------------------------------------- the SufficientIP condition

    def _vswitch_short(self, agent: NodeAgent) -> None:
        """``agent`` reports its vSwitch out of addresses: its node's SufficientIP condition goes
        false for ``ip_condition_period`` (not extended while it already is, as Terway's
        ``SetIPExhaustive``)."""
        i = self._index[id(agent)]
        if self.short[i]:
            return
        self.short[i] = 1
        self.short_room[i] = self.room[i]
        self.room[i] = 0
        self._epoch[i] += 1
        agent.ctx.after(self.config.ip_condition_period, self._lapse, (i, self._epoch[i]))

    def _lapse(self, which: tuple[int, int]) -> None:
        i, epoch = which
        if self.short[i] and self._epoch[i] == epoch:
            self._sufficient(i)
            if self.room[i] and self.n_unscheduled and self.on_room is not None:
                self.on_room()

    def _sufficient(self, i: int) -> None:
        """Node ``i``'s SufficientIP condition is true again."""
        self.short[i] = 0
        self.short_room[i] = 0
        if self.pods[i] < self.max_pods[i]:
            self.room[i] = _ROOM

    @property
    def unscheduled(self) -> list[Pod]:
        """The pods waiting for a node, in arrival order."""
        return [p for p in self._queue if p.state is PodState.UNSCHEDULED]

    def retry_unscheduled(self) -> Iterator[tuple[Pod, NodeAgent]]:
        """Place waiting pods, in arrival order, while the first of them fits somewhere: yields
        each pod with its agent, and places the next only once the caller has handed it over
        (so that an agent that reports its vSwitch out of addresses on that pod's start is
        skipped for the next, as for pods that arrive one by one). Consume it to the end."""
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
            yield pod, agent
        if not self.n_unscheduled:
            queue.clear()  # only ended pods can be left
