"""The summary of a run, computed from the recorder's columns (numpy), after the run."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simkit.engine.plan import Plan
from simkit.engine.recorder import Recorder

__all__ = ["summarize"]


def _pct(sorted_values: np.ndarray, p: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not len(sorted_values):
        return 0.0
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return float(sorted_values[k])


def _counts(codes: np.ndarray, names: list[str], skip_first: bool) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(names)) if len(codes) else np.zeros(len(names), dtype=np.int64)
    return {names[i]: int(n) for i, n in enumerate(counts) if n and not (skip_first and i == 0)}


def summarize(rec: Recorder, plan: Plan, pods_arrived: int, peak_running: int, pending_waits: list[float]) -> dict[str, Any]:
    """The summary keys (documented on ``simkit.Result``). ``pending_waits``: how long each pod
    still waiting at the end had waited by then (counted as censored waits)."""
    n = rec.n_calls
    cols = rec.events_columns()
    code_ids, code_names = cols["code"]
    action_ids, action_names = cols["action"]
    counts = dict(sorted(_counts(code_ids.astype(np.intp), code_names, skip_first=True).items()))
    errors = sum(counts.values())
    by_action = dict(sorted(_counts(action_ids.astype(np.intp), action_names, skip_first=False).items()))
    waits = np.frombuffer(rec.pod_waits, dtype="d")
    all_waits = np.sort(np.concatenate([waits, np.asarray(pending_waits, dtype="d")]))
    samples = rec.sample_columns
    names = np.asarray(samples["vswitch"], dtype=object)
    free = np.asarray(samples["free_ips"], dtype=np.int64)
    reserved_free = np.asarray(samples["free_blocks_28_reserved"], dtype=np.int64)
    min_free: dict[str, int] = {}
    min_reserved: dict[str, int] = {}
    for name in dict.fromkeys(samples["vswitch"]):
        mine = names == name
        min_free[name] = int(free[mine].min())
        min_reserved[name] = int(reserved_free[mine].min())
    held = samples["ips_held"]
    return {
        "scenario": plan.name,
        "seed": plan.seed,
        "duration": plan.duration,
        "calls": n,
        "errors": errors,
        "error_rate": errors / n if n else 0.0,
        "errors_by_code": counts,
        "error_rate_by_code": {k: v / n for k, v in counts.items()},
        "calls_by_action": by_action,
        "pods_arrived": pods_arrived,
        "pods_got_ip": len(waits),
        "pods_pending_at_end": len(pending_waits),
        "pod_wait_seconds": {
            "p50": _pct(all_waits, 50), "p90": _pct(all_waits, 90), "p99": _pct(all_waits, 99),
            "max": float(all_waits[-1]) if len(all_waits) else 0.0,
        },
        "peak_pods_running": peak_running,
        "peak_ips_held": int(max(held)) if held else 0,
        "min_free_ips": min_free,
        "min_free_blocks_28_reserved": min_reserved,
        "exhaustion": {k: {"time": v[0], "resource": v[1], "code": v[2]} for k, v in sorted(rec.exhaustion.items())},
    }
