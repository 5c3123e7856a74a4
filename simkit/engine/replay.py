"""Replay: a workload against the simulated cloud, with node agents and a scheduler.

``Replay(plan).run()`` builds the plan's layout in the model (``layout``), lets reservations
get assigned and instances start, then plays the workload on the one clock: pod lifecycles
through the scheduler and the node agents (``pods``, ``host``), or logged API calls
(``logged``), with periodic samples (``sampler``). Every call goes through the model's one
door and is recorded; the summary is computed from the records afterwards (``summary``). No
I/O, no plotting; the same plan and seed give the same result.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any, Callable

from simkit.agents import NodeAgent, Scheduler, make_agent
from simkit.clock import NORMAL, Clock
from simkit.ecs import Account
from simkit.engine.host import AgentHost
from simkit.engine.layout import build_layout, launch
from simkit.engine.recorder import LIMIT_OF_CODE
from simkit.errors import ApiError
from simkit.engine.logged import LoggedCalls
from simkit.engine.plan import Plan
from simkit.engine.pods import PodFlow
from simkit.engine.recorder import Recorder
from simkit.engine.sampler import Sampler
from simkit.engine.summary import summarize

__all__ = ["Replay", "RunResult"]


@dataclass
class RunResult:
    """What a replay recorded; ``simkit.Result`` wraps it with DataFrames."""

    plan: Plan
    recorder: Recorder
    summary: dict[str, Any]
    vswitch_ids: dict[str, str]  # scenario name -> simulated id
    node_ids: dict[str, str] = field(default_factory=dict)  # node name -> simulated instance id
    node_vswitches: dict[str, str] = field(default_factory=dict)  # node name -> its vSwitch's scenario name
    reservations: dict[str, list[str]] = field(default_factory=dict)  # vSwitch name -> its reservations' CIDRs


class Replay:
    """One run of a plan (see the module docstring). Raises ApiError while building the layout
    when it does not fit."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.clock = Clock(seed=plan.seed)
        self.model = Account(seed=plan.seed, settings=plan.settings, clock=self.clock)
        # The scenario's faults and throttling are the workload's: building its layout meets neither,
        # unless the scenario asks for it (setup_meets_faults).
        if plan.setup_meets_faults:
            self.layout = build_layout(self.model, plan)
        else:
            with self.model.gateway.exempt():
                self.layout = build_layout(self.model, plan)
        self.recorder = Recorder(many_nodes=len(self.layout.nodes) >= 2**15)
        # Let reservations get assigned and instances start before the workload begins.
        settings = plan.settings
        self.clock.run(until=self.clock.now + max(settings.reservation_assign_seconds, settings.instance_start_seconds))
        self.t0 = self.clock.now
        self.host = AgentHost(self.clock, self.model, self.recorder, self.t0)
        self.host.vswitch_names = {vsw: name for name, vsw in self.layout.vswitch_ids.items()}
        self.agents: list[NodeAgent] = [make_agent(self.host, node, plan.agent, settings.eni_attach_seconds)
                                         for node in self.layout.nodes]
        self.scheduler = Scheduler(self.agents, plan.scheduler)

    def _scale_out(self, step: tuple[int, int]) -> None:
        """``fleet[index].scale``: launch ``count`` more nodes of the group. A refused launch
        (the vSwitch out of addresses for the nodes' primaries, a limit) launches the nodes that
        fit, one at a time after the first refusal, and records the limit as exhausted."""
        index, count = step
        plan, layout = self.plan, self.layout
        made: list = []
        gateway = self.model.gateway
        batch = 100
        while count:
            amount = min(count, batch)
            try:
                # The scenario's faults and throttling are the workload's: as for the layout.
                if plan.setup_meets_faults:
                    nodes = launch(self.model, plan, layout, index, amount)
                else:
                    with gateway.exempt():
                        nodes = launch(self.model, plan, layout, index, amount)
            except ApiError as exc:
                if amount > 1:
                    batch = 1  # all or nothing per call: try the rest one by one
                    continue
                limit = exc.limit or LIMIT_OF_CODE.get(exc.code, "fleet_scale")
                self.recorder.exhausted(limit, self.clock.now - self.t0, plan.fleet[index].vswitch, exc.code)
                break
            layout.nodes.extend(nodes)
            made.extend(nodes)
            count -= amount
        if made:
            self.clock.after(plan.settings.instance_start_seconds, self._join, made)

    def _join(self, nodes: list) -> None:
        for node in nodes:
            agent = make_agent(self.host, node, self.plan.agent, self.plan.settings.eni_attach_seconds)
            agent.start()
            self._sampler.add(agent)
            self.scheduler.add(agent)  # the scheduler's list of agents is self.agents

    @property
    def vswitch_ids(self) -> dict[str, str]:
        """Scenario vSwitch name -> simulated id."""
        return self.layout.vswitch_ids

    def run(self, on_progress: Callable[[float], None] | None = None,
            after_each_event: Callable[[float], None] | None = None) -> RunResult:
        """Play the workload to the end of the plan's duration. ``on_progress(t)`` is called now
        and then with the simulated seconds done; ``after_each_event(t)``, if given, after every
        event (for invariant checks: it slows the run down)."""
        plan, clock, t0 = self.plan, self.clock, self.t0
        end = t0 + plan.duration
        pods = PodFlow(clock, self.scheduler, self.recorder, iter(plan.pods()) if plan.pods is not None else iter(()), t0, end,
                       self.host.node_id)
        self.host.pods = pods
        calls = LoggedCalls(clock, self.model, self.recorder, self.layout, plan.region,
                            iter(plan.api_calls()) if plan.api_calls is not None else iter(()), t0, end)
        sampler = Sampler(clock, self.model, plan.region, self.layout.vswitch_ids, self.agents, self.scheduler,
                          self.recorder, t0, plan.sample_every, end)
        pods.start()
        calls.start()
        sampler.start()
        for agent in self.agents:
            agent.start()
        self._sampler = sampler
        for index, f in enumerate(plan.fleet):
            for at, count in f.scale:
                if at < plan.duration:
                    clock.at(t0 + at, self._scale_out, (index, count), NORMAL)
        progress = None if on_progress is None else (lambda t: on_progress(t - t0))
        # A run allocates millions of short-lived objects and few cycles: collecting the young
        # generation less often saves about a sixth of the run time (bench/replay.py).
        threshold = gc.get_threshold()
        gc.set_threshold(100_000, threshold[1], threshold[2])
        try:
            if after_each_event is None:
                clock.run(end, on_step=progress)
            else:
                clock.run(end, on_step=after_each_event, every=1)
        finally:
            gc.set_threshold(*threshold)
        if on_progress is not None:
            on_progress(plan.duration)
        pods.finish(self.agents)
        summary = summarize(self.recorder, plan, pods.arrived, pods.peak_running)
        return RunResult(plan, self.recorder, summary, dict(self.layout.vswitch_ids),
                         {a.node.name: a.node.instance_id for a in self.agents},
                         {a.node.name: a.node.vswitch_name for a in self.agents},
                         {name: list(cidrs) for name, cidrs in self.layout.reservations.items()})
