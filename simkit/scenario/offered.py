"""How many pods a workload offers at once at its peak, worked out before a run: Little's law
for synthetic churn (arrival rate x mean lifetime), the peak of concurrent pods for a trace.
Compared with the fleet's pod capacity, it warns before a run that the fleet will bind."""

from __future__ import annotations

import heapq
import math
from typing import Any, Callable, Iterable, Mapping

from simkit.workloads import parse_duration, parse_rate
from simkit.workloads.churn import Z90

__all__ = ["OfferedLoadWarning", "offered_pods"]


class OfferedLoadWarning(UserWarning):
    """The workload offers more pods at once than the fleet can hold: pods will wait for nodes."""


def offered_pods(workload: Mapping[str, Any], pods: Callable[[], Iterable] | None, duration: float) -> float | None:
    """Pods the (already checked) ``workload`` offers at once at its peak; None for API-call logs.

    pod-churn: the peak arrival rate (``arrival_rate`` x (1 + diurnal ``amplitude``)) times the
    mean lognormal lifetime (median x exp(sigma^2 / 2), sigma = ln(p90 / median) / z0.9), plus
    the largest burst. pod-trace: the most pods alive at once in the trace (one pass over it).
    """
    kind = workload.get("kind")
    if kind == "pod-churn":
        rate = parse_rate(workload["arrival_rate"])
        median = parse_duration(workload["lifetime"]["median"])
        p90 = parse_duration(workload["lifetime"]["p90"])
        sigma = math.log(p90 / median) / Z90
        mean = median * math.exp(sigma * sigma / 2)
        peak_rate = rate * (1 + float((workload.get("diurnal") or {}).get("amplitude", 0.0)))
        bursts = [int(b["pods"]) for b in workload.get("bursts") or ()]
        return peak_rate * mean + max(bursts, default=0)
    if kind == "pod-trace" and pods is not None:
        return float(_peak_alive(pods(), duration))
    return None


def _peak_alive(specs: Iterable, duration: float) -> int:
    """The most pods alive at once among ``specs`` (in start order) within ``duration``."""
    ends: list[float] = []
    peak = 0
    for spec in specs:
        if spec.start > duration:
            break
        while ends and ends[0] <= spec.start:
            heapq.heappop(ends)
        heapq.heappush(ends, math.inf if spec.end is None else spec.end)
        peak = max(peak, len(ends))
    return peak
