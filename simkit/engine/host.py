"""The agents' side of the engine (``simkit.agents.AgentContext``): the clock, the model's one
door, and the recording of every call an agent makes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from simkit.clock import NORMAL, Clock
from simkit.ecs import Account
from simkit.engine.outcome import asked, eni_of, granted
from simkit.engine.recorder import Recorder
from simkit.errors import ApiError

if TYPE_CHECKING:
    from simkit.agents import NodeAgent, Pod
    from simkit.engine.pods import PodFlow

__all__ = ["AgentHost"]


class AgentHost:
    """What the agents of one replay call: ``now``, ``after``, ``jitter``, ``call`` and
    ``pod_ready``. Times are recorded from ``t0``, the start of the workload."""

    def __init__(self, clock: Clock, model: Account, recorder: Recorder, t0: float):
        self.clock = clock
        self.handle = model.handle
        self.recorder = recorder
        self.t0 = t0
        self.pods: "PodFlow | None" = None  # set once the pod flow exists

    @property
    def now(self) -> float:
        return self.clock.now

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        clock = self.clock
        clock.at(clock.now + delay, fn, arg, NORMAL)

    def jitter(self) -> float:
        return self.clock.rng.random()

    def call(self, agent: "NodeAgent", request: Any, attempt: int) -> Any:
        """Hand ``request`` to the model and record the outcome. Raises the model's ApiError."""
        node = agent.node
        t = self.clock.now - self.t0
        try:
            result = self.handle(request)
        except ApiError as exc:
            self.recorder.call(t, type(request).__name__, node.name, eni_of(request, None), node.vswitch_id, asked(request),
                               0, exc.code, exc.http_status, attempt)
            raise
        self.recorder.call(t, type(request).__name__, node.name, eni_of(request, result), node.vswitch_id, asked(request),
                           granted(request, result), "", 200, attempt)
        return result

    def pod_ready(self, pod: "Pod") -> None:
        self.pods.ready(pod)
