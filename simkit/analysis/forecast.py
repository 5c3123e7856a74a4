"""``forecast(scenario, seeds=N)``: when each limit is first hit, over seeds, and which comes first.

Each seed is one run of the scenario (typically months of growth from an imported state). For
every limit the run reaches, the first time it is hit:

- ``vswitch_addresses`` (per vSwitch): the moment its last free address for single IPs is
  taken, or the first call it refuses for want of addresses, whichever is earlier. The sample
  where the free count first reads 0 brackets it; the last call that was granted addresses on
  that vSwitch inside the bracket dates it (a node launched by a scale-out is no call: then the
  sample's time stands);
- ``prefix_blocks`` (per vSwitch with reservations): the same for the whole free /28 blocks of
  its reservations, the only place prefixes come from;
- every limit a refusal names (``simkit.engine.LIMIT_OF_CODE`` and the model's own: a security
  group's addresses or ENIs, the account's ENI quota, the VPC's addresses, ENIs per instance,
  an ENI's slots, throttling) and ``node_pods`` (a pod found no node with room): the time of
  the first refusal, as the run's summary has it.

Over the seeds, each limit's p10, p50 and p90 hit times (a seed that never hits it counts as
later than any that does: the percentiles read ``None`` when more than that share of seeds
never hit), the share of seeds that hit it, and which limit comes first: in how many seeds each
limit was the earliest. Times are seconds from the start of the workload; ``days`` and
``hours`` columns say the same.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from simkit.analysis.sweep import sweep_seeds
from simkit.engine import LIMIT_OF_CODE
from simkit.scenario import DEFAULT_SCENARIO, load_scenario, run

__all__ = ["Forecast", "forecast", "first_hits"]

#: Limits read from the samples, and the codes whose refusals also date them.
_SAMPLED = {"vswitch_addresses": "free_ips", "prefix_blocks": "free_blocks_28_reserved"}
_SAMPLED_CODES = {"vswitch_addresses": {c for c, lim in LIMIT_OF_CODE.items() if lim == "vswitch_addresses"},
                  "prefix_blocks": {c for c, lim in LIMIT_OF_CODE.items() if lim == "reservation_prefixes"}}


class Forecast(NamedTuple):
    """What ``forecast`` returns.

    ``limits``: a DataFrame, one row per (limit, resource) hit in some seed, earliest p50 first:
    ``limit``, ``resource``, ``seeds_hit`` (share), ``p10``/``p50``/``p90`` (seconds; None where
    too few seeds hit), ``p50_days``, ``p50_hours``. ``runs``: one row per seed and hit
    (``seed``, ``limit``, ``resource``, ``time``). ``first``: {(limit, resource): seeds in which it
    came first}. ``sentence``: the answer in words.
    """

    limits: Any
    runs: Any
    first: dict[tuple[str, str], int]
    sentence: str


def first_hits(result: Any) -> dict[tuple[str, str], float]:
    """The first time each limit was hit in one run (a ``simkit.Result``), by (limit, resource):
    see the module docstring. Seconds from the start of the workload."""
    hits: dict[tuple[str, str], float] = {}
    samples = result.samples()
    events = result.events()
    reserved = {v.name for v in result.plan.vswitches if v.reservations}
    for limit, column in _SAMPLED.items():
        for name, group in samples.groupby("vswitch", sort=False):
            if limit == "prefix_blocks" and name not in reserved:
                continue
            group = group.sort_values("time")
            out = group[group[column] == 0]
            t = None
            if len(out):
                t = float(out["time"].iloc[0])
                before = group[group["time"] < t]
                lo = float(before["time"].iloc[-1]) if len(before) else -math.inf
                granted = events[(events["vswitch"] == name) & (events["granted"] > 0) & (events["time"] > lo)
                                 & (events["time"] <= t)]
                if len(granted):
                    t = float(granted["time"].iloc[-1])
            refused = events[(events["vswitch"] == name) & events["code"].isin(_SAMPLED_CODES[limit])]
            if len(refused):
                first = float(refused["time"].iloc[0])
                t = first if t is None else min(t, first)
            if t is not None:
                hits[(limit, name)] = t
    covered = {"vswitch_addresses", "reservation_prefixes"}
    for limit, e in result.summary["exhaustion"].items():
        if limit not in covered:
            hits[(limit, str(e["resource"]))] = float(e["time"])
    return hits


def forecast(scenario: Any = None, *, seeds: int | Iterable[int] = 10, root_seed: int | None = None,
             progress: bool | None = False) -> Forecast:
    """Run ``scenario`` (a YAML path or a dict; the embedded default when None) once per seed and
    say when each limit is first hit, with its spread over the seeds, and which comes first.

    ``seeds``: a count (drawn from ``root_seed``, default the scenario's ``seed``, as ``sweep``
    draws them) or a list. Runs go one after another in this process. Raises ScenarioError for a
    scenario that cannot be run.

    >>> f = forecast("data/scenarios/growth.yaml", seeds=3)    # doctest: +SKIP
    >>> f.sentence                                              # doctest: +SKIP
    'vswitch_addresses on pods runs out first in 3 of 3 seeds: p10 41.2 d, p50 41.9 d, p90 42.5 d'
    """
    import pandas as pd

    data, name, base = load_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    data = _absolute_paths(dict(data), base)
    root = data.get("seed", 0) if root_seed is None else root_seed
    seed_list = sweep_seeds(seeds, root if isinstance(root, int) else 0)
    rows = []
    first: dict[tuple[str, str], int] = {}
    for seed in seed_list:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scenario's warnings are said when it is run alone
            result = run({**data, "seed": seed}, progress=progress)
        hits = first_hits(result)
        for (limit, resource), t in hits.items():
            rows.append({"seed": seed, "limit": limit, "resource": resource, "time": t})
        if hits:
            earliest = min(hits.values())
            for key, t in hits.items():
                if t == earliest:
                    first[key] = first.get(key, 0) + 1
    runs = pd.DataFrame(rows, columns=["seed", "limit", "resource", "time"])
    n = len(seed_list)
    table = []
    for (limit, resource), group in runs.groupby(["limit", "resource"], sort=False):
        times = sorted(group["time"].tolist()) + [math.inf] * (n - len(group))
        p10, p50, p90 = (_percentile(times, q) for q in (0.1, 0.5, 0.9))
        table.append({"limit": limit, "resource": resource, "seeds_hit": len(group) / n, "p10": p10, "p50": p50,
                      "p90": p90, "p50_days": None if p50 is None else p50 / 86400,
                      "p50_hours": None if p50 is None else p50 / 3600})
    limits = pd.DataFrame(table, columns=["limit", "resource", "seeds_hit", "p10", "p50", "p90", "p50_days", "p50_hours"])
    if len(limits):
        limits = limits.sort_values("p50", key=lambda s: s.fillna(math.inf), kind="stable").reset_index(drop=True)
    return Forecast(limits, runs, first, _sentence(limits, first, n, str(data.get("name", name))))


def _percentile(times: list[float], q: float) -> float | None:
    # The nearest-rank percentile over all seeds, a seed that never hit counting as infinitely late.
    value = times[max(0, math.ceil(q * len(times)) - 1)]
    return None if math.isinf(value) else value


def _sentence(limits: Any, first: dict, n: int, name: str) -> str:
    if not first:
        return f"{name}: no limit is hit within the run in any of {n} seed{'s' if n != 1 else ''}"
    (limit, resource), count = max(first.items(), key=lambda kv: kv[1])
    row = limits[(limits["limit"] == limit) & (limits["resource"] == resource)].iloc[0]
    spread = ", ".join(f"{q} {_when(row[q])}" for q in ("p10", "p50", "p90"))
    return f"{limit} on {resource} runs out first in {count} of {n} seeds: {spread}"


def _when(t: float | None) -> str:
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return "not hit"
    return f"{t / 86400:.1f} d" if t >= 7 * 86400 else f"{t / 3600:.1f} h"


def _absolute_paths(data: dict, base: Path | None) -> dict:
    # The runs get the scenario as a dict, which has no folder of its own: the files it names
    # are made absolute from the scenario file's.
    if base is None:
        return data
    if isinstance(data.get("state"), str) and not Path(data["state"]).is_absolute():
        data["state"] = str(base / data["state"])
    workload = data.get("workload")
    if isinstance(workload, dict) and isinstance(workload.get("path"), str) and not Path(workload["path"]).is_absolute():
        data["workload"] = {**workload, "path": str(base / workload["path"])}
    return data
