"""``run(scenario) -> Result``: check the scenario, replay it, hand back the result."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Callable, Mapping

from simkit.engine import LayoutError, Replay
from simkit.engine.plan import fleet_pods
from simkit.scenario.default import DEFAULT_SCENARIO
from simkit.scenario.errors import ScenarioError
from simkit.scenario.offered import OfferedLoadWarning
from simkit.scenario.plan import build_plan
from simkit.scenario.progress import progress_bar
from simkit.scenario.result import Result
from simkit.workloads import WorkloadError

__all__ = ["check_scenario", "run", "warn_offered_load"]


def run(scenario: str | Path | Mapping | None = None, *, progress: bool | None = None) -> Result:
    """Replay a scenario (a YAML path, a dict, or a ``LoadedScenario``: a file's scenario changed
    in memory; the embedded default when None).

    ``progress``: show a progress bar (None: only in a terminal or a notebook).
    Raises ScenarioError for a scenario that cannot be run.

    >>> r = run({**DEFAULT_SCENARIO, "duration": "1h"}, progress=False)
    >>> r.summary["pods_arrived"] == sum(r.summary["pod_outcomes"].values())
    True
    """
    plan = build_plan(DEFAULT_SCENARIO if scenario is None else scenario)
    warn_offered_load(plan, stacklevel=2)  # at run's caller
    bar = progress_bar(plan.duration, progress)
    on_progress: Callable[[float], None] | None = None
    if bar is not None:
        def on_progress(t: float) -> None:
            bar.update(round(t) - bar.n)
    try:
        try:
            replay = Replay(plan)
        except LayoutError as exc:
            # The layout itself does not fit (a fleet larger than its vSwitch, say).
            why = ("; setup_meets_faults is true, so faults and throttling apply to building it too"
                   if plan.setup_meets_faults and exc.code in _injected(plan) else "")
            raise ScenarioError(plan.source, exc.path, f"building the scenario failed: {exc}{why}") from None
        try:
            result = replay.run(on_progress)
        except WorkloadError as exc:
            # A trace or log is read lazily during the run; a bad row further down shows up here.
            raise ScenarioError(plan.source, "workload", str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    return Result(result)


def check_scenario(scenario: str | Path | Mapping | None = None):
    """Check a scenario as ``run`` would, without replaying it: build its plan, then read every
    record of its workload once (a log's records and a trace's rows are otherwise read during
    the run), and warn as ``run`` warns. Returns the ``Plan``; raises ScenarioError with the
    line ``run`` would give for the first problem."""
    plan = build_plan(DEFAULT_SCENARIO if scenario is None else scenario)
    warn_offered_load(plan, stacklevel=2)
    try:
        for records in (plan.pods, plan.api_calls):
            if records is not None:
                for _ in records():
                    pass
    except WorkloadError as exc:
        raise ScenarioError(plan.source, "workload", str(exc)) from None
    return plan


def warn_offered_load(plan, stacklevel: int = 1) -> None:
    """Warn (OfferedLoadWarning) when ``plan``'s workload offers more pods at once than its
    fleet holds: pods will wait for nodes whatever the address space does. ``stacklevel``: as
    ``warnings.warn`` counts it from the caller (1: the caller's line)."""
    capacity = fleet_pods(plan)
    if plan.offered_pods is not None and plan.offered_pods > capacity:
        warnings.warn(OfferedLoadWarning(
            f"{plan.source}: the workload offers ~{plan.offered_pods:,.0f} pods at once and the fleet holds "
            f"{capacity:,}: pods will wait for nodes (add nodes, or set fleet[].max_pods)"), stacklevel=stacklevel + 1)


def _injected(plan) -> set[str]:
    """The codes the plan's faults and throttling can give a call."""
    settings = plan.settings
    codes = {code for table in settings.faults.values() for code, _rate in table}
    return codes | ({"Throttling"} if settings.throttle_per_minute else set())
