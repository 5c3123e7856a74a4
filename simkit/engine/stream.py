"""Workloads stream through a replay one item ahead: each item, when it runs, schedules the next,
so a long trace never sits in memory whole."""

from __future__ import annotations

from typing import Any, Callable, Iterator

__all__ = ["next_due"]


def next_due(items: Iterator[Any], when: Callable[[Any], float], t0: float, end: float) -> tuple[Any, float] | None:
    """The next item of a time-ordered workload and its clock time (``when(item)``, which
    counts from the start of the workload, plus ``t0``); None when the workload is over or its
    next item falls after ``end``."""
    item = next(items, None)
    if item is None:
        return None
    t = t0 + when(item)
    return None if t > end else (item, t)
