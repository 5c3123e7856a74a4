"""``size(scenario, vary=key path or [key paths], target={...}, confidence=0.95, risk=0.05)``: the
smallest layout whose runs meet the target with the stated confidence.

A run *misses* when its figure is above the target (``pod_failure_rate`` above 0.001, say, or
``pod_wait_p99`` above 30 s). A layout is accepted when the one-sided upper confidence bound on
the share of runs that miss, over its seeds, is at most ``risk``: the exact (Clopper-Pearson)
binomial bound, ``beta.ppf(confidence, misses + 1, runs - misses)`` (Clopper and Pearson, 1934;
``scipy.stats.beta``). With no miss in n runs the bound is 1 - (1 - confidence)^(1/n), so
accepting at risk 0.05 with confidence 0.95 takes at least 59 runs a layout.

The last key of ``vary`` is searched by bisection when its candidates have a size (numbers; a
``.mask`` key, larger as the mask shrinks; CIDR blocks): failure falls as a vSwitch, a
reservation or a fleet grows, so about log2(n) of its n candidates are run, for every
combination of the other keys (all tried, in one sweep a round). A key without a size
(``agent.mode``) is tried at every value. A run that contradicts the order (a larger candidate
missing more often than a smaller one that was accepted) is warned about.

With several keys the answer is a Pareto set: the accepted layouts that no other accepted
layout beats at once on the addresses taken from the VPC, the addresses set aside in
reservations and the nodes (``simkit.analysis.capacity.layout_cost``); ``chosen`` is the one
taking the fewest from the VPC. Candidates not given are derived from the closed forms
(``simkit.analysis.candidates``).
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import os
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Sequence

from simkit.analysis.candidates import derive_candidates
from simkit.analysis.capacity import LayoutCost, layout_cost
from simkit.analysis.keypaths import with_value
from simkit.analysis.sweep import sweep, with_absolute_paths
from simkit.scenario import DEFAULT_SCENARIO, ScenarioError, build_plan, load_scenario
from simkit.workloads import parse_duration

__all__ = ["MonotonicityWarning", "SizeResult", "miss_bound", "size"]

#: Figures a target may name, and how a value of each is read.
_TARGETS = {"pod_failure_rate": float, "pod_wait_p99": parse_duration, "pod_wait_p50": parse_duration,
            "api_error_rate": float}
_COST = list(LayoutCost._fields)


class MonotonicityWarning(UserWarning):
    """A larger candidate missed the target more often than a smaller one that met it."""


class SizeResult(NamedTuple):
    """What ``size`` found.

    ``chosen``: the accepted layout taking the fewest addresses from the VPC (the value itself
    when one key varies, {key path: value} when several do), None when none is accepted.
    ``table``: one row per layout run (the varied keys, ``runs``, ``misses``, ``miss_bound``,
    ``accepted``, the figure's mean and max, and the layout's cost). ``pareto``: the accepted
    layouts no other beats on VPC addresses, reserved addresses and nodes at once, fewest VPC
    addresses first. ``runs``: runs made in all. ``answer``: the finding in words.
    ``candidates``: {key path: the candidates searched}, smallest first. ``keys``: the varied key
    paths in the order given. ``figure`` and ``bound``: the target (``bound`` in the figure's
    unit: a share, or seconds for a wait). ``confidence`` and ``risk``: as ``size`` took them."""

    chosen: Any
    table: Any
    runs: int
    answer: str
    pareto: Any
    candidates: dict
    keys: tuple = ()
    figure: str = ""
    bound: float = 0.0
    confidence: float = 0.95
    risk: float = 0.05


def miss_bound(misses: int, runs: int, confidence: float) -> float:
    """The one-sided upper confidence bound on the share of runs that miss, after ``misses`` in
    ``runs`` (exact Clopper-Pearson): ``beta.ppf(confidence, misses + 1, runs - misses)``, 1 when
    every run missed."""
    if misses >= runs:
        return 1.0
    from scipy.stats import beta

    return float(beta.ppf(confidence, misses + 1, runs - misses))


@dataclass
class _Layout:
    """One combination of candidate values, its scenario and what its runs found."""

    values: tuple
    scenario: dict
    cost: LayoutCost
    found: dict | None = None


@dataclass
class _Line:
    """The layouts along the bisected key for one combination of the others (smallest first), or
    a single layout when nothing is bisected; the search's state over them."""

    layouts: list[_Layout]
    bisect: bool
    lo: int = 0
    hi: int = -1
    done: bool = False
    judged: dict = field(default_factory=dict)

    def next(self) -> list[int]:
        """The positions to run next (the largest first, then the middle of what is left)."""
        if self.done:
            return []
        if not self.bisect:
            return list(range(len(self.layouts)))
        if self.hi < 0:
            return [len(self.layouts) - 1]
        return [(self.lo + self.hi) // 2]

    def update(self) -> None:
        if not self.bisect:
            self.done = True
            return
        if self.hi < 0:
            top = len(self.layouts) - 1
            if not self.layouts[top].found["accepted"]:
                self.done = True
                return
            self.hi = top
        else:
            mid = (self.lo + self.hi) // 2
            if self.layouts[mid].found["accepted"]:
                self.hi = mid
            else:
                self.lo = mid + 1
        self.done = self.lo >= self.hi

    def meeting(self) -> list[_Layout]:
        """The accepted layouts that matter: the smallest along a bisected key, every accepted
        one otherwise."""
        if self.bisect:
            return [self.layouts[self.hi]] if self.hi >= 0 else []
        return [x for x in self.layouts if x.found and x.found["accepted"]]


def size(scenario: Any, *, vary: str | Sequence[str], target: dict,
         candidates: Sequence[Any] | Mapping[str, Sequence[Any]] | None = None, confidence: float = 0.95,
         risk: float = 0.05, seeds: int = 59, executor: Any = None, progress: bool | None = None) -> SizeResult:
    """The smallest layout of ``scenario`` meeting ``target`` (one figure: ``pod_failure_rate``,
    ``pod_wait_p99``, ``pod_wait_p50`` or ``api_error_rate`` to a bound) with ``confidence``: the
    upper bound on the share of its ``seeds`` runs that miss is at most ``risk``.

    ``vary``: a key path, or a list of them. ``candidates``: for one key a list, for several a
    mapping {key path: list}; a key without candidates has them derived from the closed forms
    (``simkit.analysis.candidates``). Candidates with a size are tried smallest first whatever
    order they are given in. Runs go through ``simkit.sweep`` (same ``executor``; local
    processes are started once for the whole search). Raises ScenarioError for a bad target, key
    path or candidate, and when a layout's runs fail."""
    (figure, bound), = _target(target)
    if not 0 < confidence < 1 or not 0 < risk < 1:
        raise ScenarioError("size", "confidence", f"confidence and risk must lie between 0 and 1, got {confidence}, {risk}")
    keys = _keys(vary)
    data, name, base = load_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    data = with_absolute_paths(data, base)
    given = _given(keys, candidates)
    values: dict[str, list] = {}
    derived: dict[str, str] = {}
    for key in keys:
        if key in given:
            values[key] = _by_size(key, given[key])
        else:
            found = derive_candidates(data, key, name)
            values[key], derived[key] = _by_size(key, found.values), found.why
    bisected = _has_size(keys[-1], values[keys[-1]])
    lines, skipped = _lines(data, name, keys, values, bisected, strict=len(keys) == 1 and keys[0] in given)
    with ExitStack() as stack:
        if executor is None or executor == "processes":  # one pool for every round, not one a round
            from concurrent.futures import ProcessPoolExecutor

            executor = stack.enter_context(ProcessPoolExecutor(max_workers=os.cpu_count() or 1))
        _search(data, keys, lines, figure, bound, confidence, risk, seeds, executor, progress)
    for line in lines:
        _check_order(line, keys, figure)
    import pandas as pd

    tried = [x for line in lines for x in line.layouts if x.found is not None]
    table = pd.DataFrame([_row(keys, x) for x in tried])
    front = _pareto([x for line in lines for x in line.meeting()])
    pareto = pd.DataFrame([_row(keys, x) for x in front], columns=table.columns)
    best = front[0] if front else None
    chosen = None if best is None else (best.values[0] if len(keys) == 1 else dict(zip(keys, best.values)))
    runs = int(table.runs.sum())
    words = _Words(keys, values, derived, figure, bound, confidence, risk, seeds, runs, len(tried),
                   sum(len(line.layouts) for line in lines), skipped)
    answer = words.one(lines[0], best) if len(keys) == 1 else words.several(lines, front)
    return SizeResult(chosen, table, runs, answer, pareto, values, tuple(keys), figure, bound, confidence, risk)


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


def _keys(vary: Any) -> list[str]:
    keys = [vary] if isinstance(vary, str) else list(vary) if isinstance(vary, (list, tuple)) else None
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ScenarioError("size", "vary", f"expected a key path or a list of them, e.g. 'vswitches.0.cidr', "
                                            f"got {vary!r}")
    if len(set(keys)) != len(keys):
        raise ScenarioError("size", "vary", f"a key path is given twice: {keys!r}")
    return keys


def _given(keys: list[str], candidates: Any) -> dict[str, list]:
    if candidates is None:
        return {}
    if isinstance(candidates, Mapping):
        unknown = [k for k in candidates if k not in keys]
        if unknown:
            raise ScenarioError("size", f"candidates.{unknown[0]}", f"not a varied key; allowed: {', '.join(keys)}")
        given = {k: list(v) if isinstance(v, (list, tuple, range)) else v for k, v in candidates.items()}
    elif len(keys) == 1:
        given = {keys[0]: list(candidates) if isinstance(candidates, (list, tuple, range)) else candidates}
    else:
        raise ScenarioError("size", "candidates", f"with several keys, give a mapping of key path to candidates, "
                                                  f"got {candidates!r}")
    for key, vals in given.items():
        if not isinstance(vals, list) or not vals:
            raise ScenarioError("size", "candidates", f"expected at least one candidate for {key}, got {vals!r}")
    return given


def _size_of(key: str, value: Any) -> float | None:
    """How big a candidate is, or None when it has no size: a number (a ``.mask`` key's size is
    2^(32 - mask)), or a CIDR block's addresses."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return 2.0 ** (32 - value) if key.endswith(".mask") else float(value)
    if isinstance(value, str):
        try:
            return float(ipaddress.ip_network(value, strict=False).num_addresses)
        except ValueError:
            return None
    return None


def _has_size(key: str, values: list) -> bool:
    return all(_size_of(key, v) is not None for v in values)


def _by_size(key: str, values: list) -> list:
    return sorted(values, key=lambda v: _size_of(key, v)) if _has_size(key, values) else list(values)


def _lines(data: dict, source: str, keys: list[str], values: dict, bisected: bool,
           strict: bool) -> tuple[list[_Line], list[str]]:
    """Every combination of the candidates, checked and costed, in lines along the last key.
    A combination the scenario refuses is left out (its reason kept), unless ``strict`` (one key,
    its candidates given: each was asked for by name)."""
    outer = keys[:-1] if bisected else keys
    inner = values[keys[-1]] if bisected else [None]
    lines, skipped, first_error = [], [], None
    for head in itertools.product(*(values[k] for k in outer)):
        layouts = []
        for last in inner:
            combo = head + ((last,) if bisected else ())
            point = data
            for key, value in zip(keys, combo):
                point = with_value(point, key, value, source)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    plan = build_plan(point)
            except ScenarioError as exc:
                where = ", ".join(f"{k}={v!r}" for k, v in zip(keys, combo))
                if strict:
                    raise ScenarioError(source, exc.path, f"{str(exc).split(': ', 2)[-1]} (at {where})") from None
                first_error = first_error or exc
                skipped.append(where)
                continue
            layouts.append(_Layout(combo, point, layout_cost(plan)))
        if bisected and layouts:
            lines.append(_Line(layouts, bisect=True))
        elif layouts:
            lines.extend(_Line([x], bisect=False) for x in layouts)
    if not lines:
        raise ScenarioError(source, keys[-1], f"the scenario refuses every layout of {', '.join(keys)}; the first: "
                                              f"{first_error}")
    return lines, skipped


def _search(data, keys, lines, figure, bound, confidence, risk, seeds, executor, progress) -> None:
    """Run the layouts each line asks for, all lines' in one sweep a round, until every line is
    done."""
    while True:
        wanted = [(line, i) for line in lines for i in line.next() if line.layouts[i].found is None]
        if not wanted:
            if all(line.done for line in lines):
                return
            raise AssertionError("a line asked again for a layout it has run")  # lines share no layout
        variants = {str(n): dict(zip(keys, line.layouts[i].values)) for n, (line, i) in enumerate(wanted)}
        rows = sweep(data, variants=variants, seeds=seeds, executor=executor, progress=progress)
        for n, (line, i) in enumerate(wanted):
            layout = line.layouts[i]
            mine = rows[rows.variant == str(n)]
            failed = mine[mine.error != ""]
            if len(failed):
                where = ", ".join(f"{v!r}" if len(keys) == 1 else f"{k}={v!r}" for k, v in zip(keys, layout.values))
                raise ScenarioError("size", ", ".join(keys), f"{len(failed)} run(s) at {where} failed: "
                                                             f"{failed.error.iloc[0]}")
            misses = int((mine[figure] > bound).sum())
            upper = miss_bound(misses, len(mine), confidence)
            layout.found = {"runs": len(mine), "misses": misses, "miss_bound": upper, "accepted": upper <= risk,
                            f"mean {figure}": float(mine[figure].mean()), f"max {figure}": float(mine[figure].max())}
        for line in {id(line): line for line, _ in wanted}.values():
            line.update()


def _row(keys: list[str], layout: _Layout) -> dict:
    return {**dict(zip(keys, layout.values)), **layout.found, **layout.cost._asdict()}


def _pareto(meeting: list[_Layout]) -> list[_Layout]:
    """The layouts no other beats on every part of the cost at once (ties kept), cheapest first."""
    def beaten(a: _Layout) -> bool:
        return any(all(x <= y for x, y in zip(b.cost, a.cost)) and b.cost != a.cost for b in meeting)

    return sorted((a for a in meeting if not beaten(a)), key=lambda a: tuple(a.cost))


def _check_order(line: _Line, keys: list[str], figure: str) -> None:
    accepted = [i for i, x in enumerate(line.layouts) if x.found and x.found["accepted"]]
    for i, x in enumerate(line.layouts):
        if x.found and not x.found["accepted"] and any(j < i for j in accepted):
            warnings.warn(MonotonicityWarning(
                f"size: candidate {x.values[-1]!r} of {keys[-1]} missed the {figure} target in {x.found['misses']} of "
                f"{x.found['runs']} runs, though a smaller candidate met it: the search assumes failure falls as the "
                f"candidate grows"), stacklevel=3)


@dataclass
class _Words:
    """The answer in words."""

    keys: list[str]
    values: dict
    derived: dict
    figure: str
    bound: float
    confidence: float
    risk: float
    seeds: int
    runs: int
    tried: int
    layouts: int
    skipped: list[str]

    @property
    def target(self) -> str:
        return f"{self.figure} at most {self.bound:g}"

    def _shares(self, found: dict) -> str:
        return (f"{found['misses']} of {found['runs']} runs missed, so with {self.confidence:.0%} confidence at most "
                f"{found['miss_bound']:.1%} of runs would miss (allowed {self.risk:.1%})")

    def _tail(self) -> str:
        notes = [f" Candidates of {k} derived from the closed forms: {why}." for k, why in self.derived.items()]
        if self.skipped:
            notes.append(f" {len(self.skipped)} layout(s) the scenario refuses were left out (the first: "
                         f"{self.skipped[0]}).")
        return "".join(notes)

    def one(self, line: _Line, best: _Layout | None) -> str:
        key = self.keys[0]
        candidates = self.values[key]
        how = "by bisection" if line.bisect else "one by one (they have no size to bisect)"
        if best is None:
            last = line.layouts[-1]
            return (f"No candidate of {key} meets {self.target}: even the largest, {last.values[0]!r}, missed it in "
                    f"{last.found['misses']} of {last.found['runs']} runs (upper bound on the miss share "
                    f"{last.found['miss_bound']:.1%} at {self.confidence:.0%} confidence, allowed {self.risk:.1%}). "
                    f"Try larger candidates, or another key.{self._tail()}")
        below = [x for x in line.layouts if x.found and not x.found["accepted"] and x is not best]
        smaller = (f" The next smaller tried, {below[-1].values[0]!r}, missed in {below[-1].found['misses']} of "
                   f"{below[-1].found['runs']} runs." if below else " It is the smallest candidate.")
        return (f"{key} = {best.values[0]!r} is the smallest candidate that meets {self.target}: "
                f"{self._shares(best.found)}.{smaller} {self.runs:,} runs in all, {self.seeds} seeds a candidate, "
                f"{self.tried} of {len(candidates)} candidates tried {how}.{self._tail()}")

    def _layout(self, layout: _Layout) -> str:
        return ", ".join(f"{k} = {v!r}" for k, v in zip(self.keys, layout.values))

    def several(self, lines: list[_Line], front: list[_Layout]) -> str:
        keys = ", ".join(self.keys)
        bisected = lines[0].bisect
        how = (f"{self.keys[-1]} by bisection for each combination of {', '.join(self.keys[:-1])}" if bisected
               else "every combination run")
        counts = f"{self.runs:,} runs in all, {self.seeds} seeds a layout, {self.tried} of {self.layouts} layouts tried ({how})."
        if not front:
            judged = [x for line in lines for x in line.layouts if x.found]
            nearest = min(judged, key=lambda x: (x.found["miss_bound"], tuple(x.cost)))
            return (f"No layout of {keys} meets {self.target}. The nearest, {self._layout(nearest)}, missed it in "
                    f"{nearest.found['misses']} of {nearest.found['runs']} runs (upper bound on the miss share "
                    f"{nearest.found['miss_bound']:.1%} at {self.confidence:.0%} confidence, allowed {self.risk:.1%}). "
                    f"Try larger candidates, or another key. {counts}{self._tail()}")
        best = front[0]
        cost = best.cost
        others = "; ".join(f"{self._layout(x)} ({x.cost.vpc_addresses:,} VPC addresses, {x.cost.reserved_addresses:,} "
                           f"reserved, {x.cost.nodes:,} nodes)" for x in front[1:])
        rest = (f" The Pareto set (layouts meeting the target that no other beats on VPC addresses, reserved "
                f"addresses and nodes at once) also holds: {others}." if others else
                " It alone is in the Pareto set (the layouts meeting the target that no other beats on VPC "
                "addresses, reserved addresses and nodes at once).")
        return (f"{self._layout(best)} meets {self.target} taking the fewest addresses from the VPC: "
                f"{cost.vpc_addresses:,} ({cost.reserved_addresses:,} of them reserved), {cost.nodes:,} nodes; "
                f"{self._shares(best.found)}.{rest} {counts}{self._tail()}")
