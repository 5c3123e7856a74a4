"""How many pods a workload offers at once at its peak, worked out before a run: Little's law
for synthetic churn (arrival rate x mean lifetime), the peak of concurrent pods for a trace.
Compared with the fleet's pod capacity, it warns before a run that the fleet will bind."""

from __future__ import annotations

import heapq
import math
from typing import Callable, Iterable

from simkit.workloads.churn import Z90

__all__ = ["OfferedLoadWarning", "churn_offered", "trace_offered"]


class OfferedLoadWarning(UserWarning):
    """The workload offers more pods at once than the fleet can hold: pods will wait for nodes."""


def churn_offered(rate: float, median: float, p90: float, amplitude: float, largest_burst: int) -> float:
    """Pods synthetic churn offers at once at its peak (arguments already checked, in seconds and
    pods a second): the peak arrival rate (``rate`` x (1 + ``amplitude``)) times the mean
    lognormal lifetime (median x exp(sigma^2 / 2), sigma = ln(p90 / median) / z0.9), plus the
    largest burst."""
    sigma = math.log(p90 / median) / Z90
    return rate * (1 + amplitude) * median * math.exp(sigma * sigma / 2) + largest_burst


def trace_offered(pods: Callable[[], Iterable], duration: float) -> float:
    """Pods a trace offers at once: the most alive at once within ``duration`` (one pass over it).
    Raises WorkloadError for a bad row."""
    return float(_peak_alive(pods(), duration))


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
