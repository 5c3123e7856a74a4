"""The figures of one run, as a sweep's table holds them: a flat mapping of plain numbers and
strings, small enough to travel back from a worker while the run's events stay there.

Columns (docs/sweeps.md defines each): ``pods_arrived``, ``served``, ``expired``,
``unscheduled``, ``waiting``, ``pod_failure_rate``, ``pod_wait_p50``, ``pod_wait_p99``,
``api_calls``, ``api_errors``, ``api_error_rate``, ``binding_limit``; per error code
``api_errors.<code>``; per limit ``exhausted_at.<limit>`` (seconds, NaN when never hit); per
vSwitch ``peak_consumed.<vswitch>``, ``idle_at_peak.<vswitch>``, ``min_free_ips.<vswitch>``,
``min_free_blocks_28.<vswitch>`` (outside reservations) and
``min_free_blocks_28_reserved.<vswitch>``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["figures_of"]


def figures_of(result: Any) -> dict[str, Any]:
    """The figures of ``result`` (a ``simkit.Result``)."""
    s = result.summary
    outcomes = s["pod_outcomes"]
    waits = s["pod_wait_seconds"]
    row: dict[str, Any] = {
        "pods_arrived": s["pods_arrived"], "served": outcomes["served"], "expired": outcomes["expired"],
        "unscheduled": outcomes["unscheduled"], "waiting": outcomes["waiting"],
        "pod_failure_rate": s["pod_failure_rate"], "pod_wait_p50": waits["p50"], "pod_wait_p99": waits["p99"],
        "api_calls": s["calls"], "api_errors": s["api_errors"], "api_error_rate": s["api_error_rate"],
        "binding_limit": s["binding_limit"]["limit"] or "",
    }
    for code, n in sorted(s["api_errors_by_code"].items()):
        row[f"api_errors.{code}"] = n
    for limit, hit in sorted(s["exhaustion"].items()):
        row[f"exhausted_at.{limit}"] = hit["time"]
    samples = result.samples()
    outside = samples.groupby("vswitch", observed=True)["free_blocks_28"].min() if len(samples) else {}
    for name, peak in s["peak_consumed_ips"].items():
        row[f"peak_consumed.{name}"] = peak["consumed"]
        row[f"idle_at_peak.{name}"] = peak["idle_in_pools"]
    for name, free in s["min_free_ips"].items():
        row[f"min_free_ips.{name}"] = free
        row[f"min_free_blocks_28.{name}"] = int(outside[name]) if name in outside else 0
        row[f"min_free_blocks_28_reserved.{name}"] = s["min_free_blocks_28_reserved"].get(name, 0)
    return row
