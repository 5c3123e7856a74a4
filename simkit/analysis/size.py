"""``size(scenario, vary=key path, candidates=[...], target={...}, confidence=0.95, risk=0.05)``:
the smallest candidate whose runs meet the target with the stated confidence.

A run *misses* when its figure is above the target (``pod_failure_rate`` above 0.001, say, or
``pod_wait_p99`` above 30 s). A candidate is accepted when the one-sided upper confidence bound
on the share of runs that miss, over its seeds, is at most ``risk``: the exact (Clopper-Pearson)
binomial bound, ``beta.ppf(confidence, misses + 1, runs - misses)`` (Clopper and Pearson, 1934;
``scipy.stats.beta``). With no miss in n runs the bound is 1 - (1 - confidence)^(1/n), so
accepting at risk 0.05 with confidence 0.95 takes at least 59 runs a candidate.

Candidates are tried by bisection over the list, which must run from the smallest to the
largest (failure falls as a vSwitch, a reservation or a fleet grows): about log2(len) candidates,
not all of them. A run that contradicts that order (a larger candidate missing more often than a
smaller one that was accepted) is warned about.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple, Sequence

from simkit.analysis.sweep import sweep
from simkit.scenario import ScenarioError
from simkit.workloads import parse_duration

__all__ = ["MonotonicityWarning", "SizeResult", "miss_bound", "size"]

#: Figures a target may name, and how a value of each is read.
_TARGETS = {"pod_failure_rate": float, "pod_wait_p99": parse_duration, "pod_wait_p50": parse_duration,
            "api_error_rate": float}


class MonotonicityWarning(UserWarning):
    """A larger candidate missed the target more often than a smaller one that met it."""


class SizeResult(NamedTuple):
    """What ``size`` found: ``chosen`` (the smallest candidate accepted, None when none is),
    ``table`` (one row per candidate tried: runs, misses, the bound, accepted), ``runs`` (runs
    made in all), ``answer`` (the finding in words)."""

    chosen: Any
    table: Any
    runs: int
    answer: str


def miss_bound(misses: int, runs: int, confidence: float) -> float:
    """The one-sided upper confidence bound on the share of runs that miss, after ``misses`` in
    ``runs`` (exact Clopper-Pearson): ``beta.ppf(confidence, misses + 1, runs - misses)``, 1 when
    every run missed."""
    if misses >= runs:
        return 1.0
    from scipy.stats import beta

    return float(beta.ppf(confidence, misses + 1, runs - misses))


def size(scenario: Any, *, vary: str, candidates: Sequence[Any], target: dict, confidence: float = 0.95,
         risk: float = 0.05, seeds: int = 59, executor: Any = None, progress: bool | None = None) -> SizeResult:
    """The smallest of ``candidates`` (smallest first) for the key path ``vary`` whose runs meet
    ``target`` (one figure: ``pod_failure_rate``, ``pod_wait_p99``, ``pod_wait_p50`` or
    ``api_error_rate`` to a bound) with ``confidence``: the upper bound on the share of its
    ``seeds`` runs that miss is at most ``risk``. Runs go through ``simkit.sweep`` (same
    ``executor``). Raises ScenarioError for a bad target, key path or candidate."""
    (figure, bound), = _target(target)
    if not 0 < confidence < 1 or not 0 < risk < 1:
        raise ScenarioError("size", "confidence", f"confidence and risk must lie between 0 and 1, got {confidence}, {risk}")
    if not candidates:
        raise ScenarioError("size", "candidates", "expected at least one candidate")
    tried: dict[int, dict] = {}

    def judge(i: int) -> bool:
        if i not in tried:
            rows = sweep(scenario, grid={vary: [candidates[i]]}, seeds=seeds, executor=executor, progress=progress)
            failed = rows[rows.error != ""]
            if len(failed):
                raise ScenarioError("size", vary, f"{len(failed)} run(s) at {candidates[i]!r} failed: {failed.error.iloc[0]}")
            misses = int((rows[figure] > bound).sum())
            upper = miss_bound(misses, len(rows), confidence)
            tried[i] = {"candidate": candidates[i], "runs": len(rows), "misses": misses, "miss_bound": upper,
                        "accepted": upper <= risk, f"mean {figure}": float(rows[figure].mean()),
                        f"max {figure}": float(rows[figure].max())}
        return tried[i]["accepted"]

    lo, hi = 0, len(candidates) - 1
    if not judge(hi):
        chosen = None
    else:
        while lo < hi:  # the smallest accepted index lies in [lo, hi]
            mid = (lo + hi) // 2
            if judge(mid):
                hi = mid
            else:
                lo = mid + 1
        chosen = candidates[hi]
    _check_order(tried, figure)
    import pandas as pd

    table = pd.DataFrame([tried[i] for i in sorted(tried)])
    runs = int(table.runs.sum())
    return SizeResult(chosen, table, runs, _answer(vary, chosen, candidates, figure, bound, confidence, risk, seeds,
                                                   runs, tried))


def _target(target: Any) -> list[tuple[str, float]]:
    if not isinstance(target, dict) or len(target) != 1:
        raise ScenarioError("size", "target", f"expected one figure and its bound, e.g. {{'pod_failure_rate': 0.001}}, "
                                              f"got {target!r}")
    (figure, value), = target.items()
    if figure not in _TARGETS:
        raise ScenarioError("size", f"target.{figure}", f"unknown figure; allowed: {', '.join(_TARGETS)}")
    try:
        bound = _TARGETS[figure](value)
    except (TypeError, ValueError) as exc:
        raise ScenarioError("size", f"target.{figure}", str(exc)) from None
    if not math.isfinite(bound) or bound < 0:
        raise ScenarioError("size", f"target.{figure}", f"expected a finite bound from 0, got {value!r}")
    return [(figure, bound)]


def _check_order(tried: dict[int, dict], figure: str) -> None:
    accepted = [i for i, t in tried.items() if t["accepted"]]
    for i, t in tried.items():
        if not t["accepted"] and any(j < i for j in accepted):
            warnings.warn(MonotonicityWarning(
                f"size: candidate {t['candidate']!r} missed the {figure} target in {t['misses']} of {t['runs']} runs, "
                f"though a smaller candidate met it: the search assumes failure falls as the candidate grows"),
                stacklevel=3)


def _answer(vary, chosen, candidates, figure, bound, confidence, risk, seeds, runs, tried) -> str:
    target = f"{figure} at most {bound:g}"
    if chosen is None:
        last = tried[len(candidates) - 1]
        return (f"No candidate of {vary} meets {target}: even the largest, {candidates[-1]!r}, missed it in "
                f"{last['misses']} of {last['runs']} runs (upper bound on the miss share {last['miss_bound']:.1%} at "
                f"{confidence:.0%} confidence, allowed {risk:.1%}). Try larger candidates, or another key.")
    row = next(t for t in tried.values() if t["candidate"] == chosen)
    below = [t for i, t in sorted(tried.items()) if not t["accepted"]]
    smaller = (f" The next smaller tried, {below[-1]['candidate']!r}, missed in {below[-1]['misses']} of "
               f"{below[-1]['runs']} runs." if below else " It is the smallest candidate.")
    return (f"{vary} = {chosen!r} is the smallest candidate that meets {target}: {row['misses']} of {row['runs']} runs "
            f"missed, so with {confidence:.0%} confidence at most {row['miss_bound']:.1%} of runs would miss "
            f"(allowed {risk:.1%}).{smaller} {runs:,} runs in all, {seeds} seeds a candidate, {len(tried)} of "
            f"{len(candidates)} candidates tried by bisection.")
