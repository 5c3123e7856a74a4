"""The verdict: a run (or a sweep's runs) judged against the scenario's SLO targets, one check per
target (docs/scenario.md, "The verdict"): the pod failure rate, the 99th percentile of pod waits
and the API error rate, each met when its figure is at most its target.

For one run a check is met or not. Over a sweep's seeds a check states its confidence as
``simkit.size`` does: met when the exact upper bound on the share of runs that miss is at most
``risk`` (``miss_bound``), so a handful of seeds cannot claim what 59 can.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, NamedTuple

from simkit.analysis.size import miss_bound

__all__ = ["FIGURES", "Check", "SweepCheck", "describe_target", "run_verdict", "sweep_verdict"]

#: The figures the verdict judges, in the order it lists them, with their names in words.
FIGURES = {"pod_failure_rate": "pod failure rate", "pod_wait_p99": "pod wait p99", "api_error_rate": "API error rate"}


class Check(NamedTuple):
    """One target of one run: its figure, the value found, the target and whether it was met
    (``value <= target``), and ``text``, the same in words."""

    figure: str
    label: str
    value: float
    target: float
    met: bool
    text: str


class SweepCheck(NamedTuple):
    """One target over the runs of one grid point: how many runs, how many missed (a run that
    failed counts as a miss), the upper bound on the share that would miss at ``confidence``, and
    whether that bound is at most ``risk`` (``met``); ``text`` says it in words."""

    figure: str
    label: str
    target: float
    runs: int
    misses: int
    miss_bound: float
    met: bool
    text: str


def _show(figure: str, value: float) -> str:
    """A figure's value as the report prints it: a share in per cent, a wait in seconds."""
    if figure == "pod_wait_p99":
        return f"{value:,.1f} s"
    return f"{value:.2%}" if value >= 0.0001 or value == 0 else f"{value:.4%}"


def describe_target(figure: str, target: float) -> str:
    """``"pod failure rate at most 0.10%"``."""
    return f"{FIGURES.get(figure, figure)} at most {_show(figure, target)}"


def _value(summary: Mapping[str, Any], figure: str) -> float:
    if figure == "pod_wait_p99":
        return float(summary["pod_wait_seconds"]["p99"])
    return float(summary[figure])


def run_verdict(summary: Mapping[str, Any], targets: Mapping[str, float]) -> list[Check]:
    """One Check per target of ``targets`` (``Result.slo``) that ``FIGURES`` names, in that
    order, from a run's ``summary``.

    >>> [c.met for c in run_verdict({"pod_failure_rate": 0.0, "api_error_rate": 0.02,
    ...                              "pod_wait_seconds": {"p99": 3.0}},
    ...                             {"pod_failure_rate": 0.001, "pod_wait_p99": 30, "api_error_rate": 0.01})]
    [True, True, False]
    """
    checks = []
    for figure, label in FIGURES.items():
        if figure not in targets:
            continue
        value, target = _value(summary, figure), float(targets[figure])
        met = value <= target
        text = f"{label} {_show(figure, value)} {'≤' if met else '>'} target {_show(figure, target)}"
        checks.append(Check(figure, label, value, target, met, text))
    return checks


def sweep_verdict(values: Any, targets: Mapping[str, float], confidence: float = 0.95,
                  risk: float = 0.05) -> list[SweepCheck]:
    """One SweepCheck per target, over the runs of one grid point: ``values`` maps each figure
    to its values, one per run (a sweep table's rows for the point, or a dict of lists); a
    missing value (NaN: the run failed) counts as a miss."""
    checks = []
    for figure, label in FIGURES.items():
        if figure not in targets:
            continue
        target = float(targets[figure])
        found = [float(v) for v in values[figure]]
        misses = sum(1 for v in found if math.isnan(v) or v > target)
        runs = len(found)
        bound = miss_bound(misses, runs, confidence) if runs else 1.0
        met = runs > 0 and bound <= risk
        needed = math.ceil(math.log(1 - confidence) / math.log(1 - risk))
        text = (f"{label}: {runs - misses} of {runs} runs met {_show(figure, target)}; with {confidence:.0%} "
                f"confidence at most {bound:.1%} of runs would miss (allowed {risk:.1%})")
        if not met and misses == 0:
            text += f": too few runs to show it ({needed} without a miss are needed)"
        checks.append(SweepCheck(figure, label, target, runs, misses, bound, met, text))
    return checks
