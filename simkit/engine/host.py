"""The agents' side of the engine (``simkit.agents.AgentContext``): the clock, the model's one
door, and the recording of every call an agent makes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from simkit.agents.ipam import VSwitchBlocks
from simkit.clock import NORMAL, Clock
from simkit.ecs import Account
from simkit.engine.outcome import Outcome, measure_for
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
        #: the cluster's vSwitch cache: a centralized controller's blocks hold for every node
        self.vswitches = VSwitchBlocks()
        #: simulated vSwitch id -> the scenario's name (set by the replay once its layout exists)
        self.vswitch_names: dict[str, str] = {}
        # Interned once for the recorder, in the order they first call.
        self._kinds: dict[type, tuple[int, Callable[[Any, Any, bool], Outcome]]] = {}  # -> (action, measure)
        self._node_ids: dict[int, tuple[int, int]] = {}  # id(agent) -> (node, vSwitch)

    @property
    def now(self) -> float:
        """Simulated seconds (the clock's)."""
        return self.clock.now

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """Run ``fn(arg)`` ``delay`` seconds from now, among the requests of that instant."""
        clock = self.clock
        clock.at(clock.now + delay, fn, arg, NORMAL)

    def jitter(self) -> float:
        """A uniform draw in [0, 1) from the clock's generator."""
        return self.clock.rng.random()

    def call(self, agent: "NodeAgent", request: Any, attempt: int) -> Any:
        """Hand ``request`` to the model and record the outcome. Raises the model's ApiError."""
        rec = self.recorder
        kind = type(request)
        known = self._kinds.get(kind)
        if known is None:
            known = self._kinds[kind] = (rec.actions(kind.__name__), measure_for(kind))
        action_id, how = known
        ids = self._node_ids.get(id(agent))
        if ids is None:
            ids = self._ids_of(agent)
        node, vsw = ids
        if agent.node.pod_vswitches:
            # Pod ENIs may sit on another vSwitch than the node's: the call is that vSwitch's.
            vsw = self._vswitch_index(agent.vswitch_of(request), vsw)
        t = self.clock.now - self.t0
        try:
            result = self.handle(request)
        except ApiError as exc:
            out = how(request, None, False)
            rec.record(t, action_id, node, out.eni, vsw, out.asked, out.granted, exc.code, attempt, exc.limit)
            raise
        out = how(request, result, True)
        rec.record(t, action_id, node, out.eni, vsw, out.asked, out.granted, "", attempt)
        return result

    def _vswitch_index(self, vswitch_id: str, default: int) -> int:
        """The recorder's index of the vSwitch ``vswitch_id`` (by its scenario name)."""
        name = self.vswitch_names.get(vswitch_id)
        return default if name is None else self.recorder.vswitches(name)

    def _ids_of(self, agent: "NodeAgent") -> tuple[int, int]:
        rec = self.recorder
        ids = self._node_ids[id(agent)] = (rec.nodes(agent.node.name), rec.vswitches(agent.node.vswitch_name))
        return ids

    def node_id(self, agent: "NodeAgent") -> int:
        """The recorder's id of ``agent``'s node (interned the first time it is asked)."""
        ids = self._node_ids.get(id(agent))
        return (ids if ids is not None else self._ids_of(agent))[0]

    def pod_ready(self, pod: "Pod") -> None:
        """``pod`` got its address (counted by the pod flow)."""
        self.pods.ready(pod)
