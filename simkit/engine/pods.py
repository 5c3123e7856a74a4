"""The pods of a workload through a replay: streamed from the workload one ahead, placed by the
scheduler, handed to their node's agent, and ended; with the counts of pods running and the
record of what happened to each (``PodRecords``)."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Iterator

from simkit.agents import Pod, PodState, Scheduler, WaitReason
from simkit.clock import FIRST, NORMAL, Clock
from simkit.engine.pod_records import PodOutcome
from simkit.engine.recorder import Recorder
from simkit.engine.stream import next_due

if TYPE_CHECKING:
    from simkit.agents import NodeAgent

_WHEN = attrgetter("start")  # when an item is due, from the start of the workload

__all__ = ["PodFlow"]


class PodFlow:
    """Pods from ``specs`` (PodSpec-like, times from the start of the workload) between ``t0``
    and ``end`` (clock times). ``node_id(agent)`` is the recorder's id of an agent's node."""

    def __init__(self, clock: Clock, scheduler: Scheduler, recorder: Recorder, specs: Iterator[Any], t0: float, end: float,
                 node_id: Callable[["NodeAgent"], int]):
        self.clock = clock
        self.scheduler = scheduler
        self.recorder = recorder
        self.records = recorder.pods
        self.specs = specs
        self.t0 = t0
        self.end = end
        self.node_id = node_id
        self.arrived = 0
        self.running = 0
        self.peak_running = 0
        scheduler.on_room = self._place_waiting

    def start(self) -> None:
        """Schedule the first pod (each schedules the next: the workload streams)."""
        self._next()

    def _next(self) -> None:
        due = next_due(self.specs, _WHEN, self.t0, self.end)
        if due is None:
            return
        spec, start = due
        pod = Pod(spec.name, start, None if spec.end is None else self.t0 + spec.end, spec.cpu_milli, spec.memory_mib)
        clock = self.clock
        clock.at(max(start, clock.now), self._start, pod, NORMAL)

    def _start(self, pod: Pod) -> None:
        self._next()  # one pod of look-ahead: the workload streams
        self.arrived += 1
        clock = self.clock
        now = clock.now
        pod.asked_at = now
        pod.index = self.records.arrive(now - self.t0)
        agent = self.scheduler.place(pod)
        if agent is None:
            self.recorder.exhausted("node_pods", now - self.t0, "fleet", "")
        else:
            self.records.placed(pod.index, now - self.t0, self.node_id(agent))
            agent.pod_start(pod)
        if pod.end is not None and pod.end <= self.end:
            clock.at(max(pod.end, now), self._end, pod, FIRST)

    def _end(self, pod: Pod) -> None:
        state = pod.state
        if state is PodState.RUNNING:
            # Counted out before its address can go to a waiting pod, so that pods running never
            # exceed the addresses held.
            self.running -= 1
        elif state is PodState.WAITING or state is PodState.UNSCHEDULED:
            self.records.unserved(pod.index, PodOutcome.EXPIRED, self._reason(pod), self.clock.now - self.t0)
        self.scheduler.remove(pod)
        if pod.node is not None and state is not PodState.UNSCHEDULED:
            pod.node.pod_end(pod)
        pod.state = PodState.DONE
        if self.scheduler.n_unscheduled:
            self._place_waiting()

    def _place_waiting(self) -> None:
        """Place the pods waiting for a node, while the first of them fits somewhere."""
        now = self.clock.now - self.t0
        for waiting, agent in self.scheduler.retry_unscheduled():
            self.records.placed(waiting.index, now, self.node_id(agent))
            agent.pod_start(waiting)

    def _reason(self, pod: Pod) -> int:
        # A pod that waited with nothing holding it waited for calls in flight.
        if pod.reason:
            return pod.reason
        return WaitReason.IN_FLIGHT if self.clock.now > pod.asked_at else WaitReason.NONE

    def ready(self, pod: Pod) -> None:
        """A pod got its address."""
        now = self.clock.now
        agent = pod.node
        self.records.served(pod.index, now - self.t0, pod.ip, self.recorder.enis(agent.eni_holding(pod.ip)), self._reason(pod))
        self.running += 1
        if self.running > self.peak_running:
            self.peak_running = self.running

    def finish(self, agents: list["NodeAgent"]) -> None:
        """The run ended: the pods still waiting are decided (WAITING on a node, UNSCHEDULED)."""
        records = self.records
        for agent in agents:
            for pod in agent.waiting:
                records.unserved(pod.index, PodOutcome.WAITING, self._reason(pod))
        for pod in self.scheduler.unscheduled:
            records.unserved(pod.index, PodOutcome.UNSCHEDULED, self._reason(pod))
