"""The pods of a workload through a replay: streamed from the workload one ahead, placed by the
scheduler, handed to their node's agent, and ended; with the counts of pods running."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Iterator

from simkit.agents import Pod, PodState, Scheduler
from simkit.clock import FIRST, NORMAL, Clock
from simkit.engine.recorder import Recorder
from simkit.engine.stream import next_due

_WHEN = attrgetter("start")  # when an item is due, from the start of the workload

__all__ = ["PodFlow"]


class PodFlow:
    """Pods from ``specs`` (PodSpec-like, times from the start of the workload) between ``t0``
    and ``end`` (clock times)."""

    def __init__(self, clock: Clock, scheduler: Scheduler, recorder: Recorder, specs: Iterator[Any], t0: float, end: float):
        self.clock = clock
        self.scheduler = scheduler
        self.recorder = recorder
        self.specs = specs
        self.t0 = t0
        self.end = end
        self.arrived = 0
        self.running = 0
        self.peak_running = 0

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
        pod.asked_at = clock.now
        agent = self.scheduler.place(pod)
        if agent is None:
            self.recorder.exhausted("node_pods", clock.now - self.t0, "fleet", "")
        else:
            agent.pod_start(pod)
        if pod.end is not None and pod.end <= self.end:
            clock.at(max(pod.end, clock.now), self._end, pod, FIRST)

    def _end(self, pod: Pod) -> None:
        if pod.state is PodState.RUNNING:
            # Counted out before its address can go to a waiting pod, so that pods running never
            # exceed the addresses held.
            self.running -= 1
        self.scheduler.remove(pod)
        if pod.node is not None and pod.state is not PodState.UNSCHEDULED:
            pod.node.pod_end(pod)
        pod.state = PodState.DONE
        for waiting, agent in self.scheduler.retry_unscheduled():
            agent.pod_start(waiting)

    def ready(self, pod: Pod) -> None:
        """A pod got its address."""
        self.recorder.pod_waits.append(self.clock.now - pod.asked_at)
        self.running += 1
        if self.running > self.peak_running:
            self.peak_running = self.running
