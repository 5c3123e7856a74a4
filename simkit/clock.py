"""The one owner of simulated time: a discrete-event loop, a heap of (time, priority,
sequence, callback, argument).

It owns the clock and the random generator of a run and does no I/O. The cloud model
schedules its delayed transitions (an ENI attaching, a reservation being assigned) here, and
the replay schedules pods, agents and samples on the same clock. Events at the same time run
by priority (lower first), then in the order they were scheduled, so a run is reproducible bit
for bit from its seed. It sits below the model in the layers (the model needs a clock; the
clock needs nothing), like SimPy's ``Environment``.
"""

from __future__ import annotations

import heapq
import math
import random
from typing import Any, Callable

__all__ = ["Clock", "TRANSITION", "FIRST", "NORMAL", "LAST"]

#: Priorities at one instant: the model's own transitions (an attach completing) before pod
#: ends (releases) before requests before sampling.
TRANSITION, FIRST, NORMAL, LAST = -1, 0, 1, 2


class Clock:
    """``at``/``after`` schedule ``fn(arg)``; ``run(until)`` processes events in order.

    >>> e = Clock(seed=1)
    >>> seen = []
    >>> e.after(2.0, seen.append, "b"); e.after(1.0, seen.append, "a")
    >>> e.run(until=10.0); seen, e.now
    (['a', 'b'], 10.0)

    The queue is a calendar: a small heap of the events before ``_horizon`` (the end of the
    current one-second bucket) and, beyond it, one unsorted list per second. A replay holds
    tens of thousands of pending pod ends, where a single heap's push and pop cost about
    five times what they cost on a heap of a few dozen; events still come out in exactly the
    heap's order (time, priority, sequence), since a bucket is heapified whole before any of
    its events runs. Written by hand: no library queue keeps that order at this cost.
    """

    __slots__ = ("now", "rng", "_near", "_horizon", "_buckets", "_bucket_order", "_seq")

    #: Seconds per bucket.
    BUCKET = 1.0

    def __init__(self, seed: int = 0, start: float = 0.0):
        self.now = start
        self.rng = random.Random(f"{seed}/engine")
        self._near: list[tuple[float, int, int, Callable[[Any], Any], Any]] = []
        self._horizon = float(math.floor(start / self.BUCKET) + 1) * self.BUCKET
        self._buckets: dict[int, list] = {}
        self._bucket_order: list[int] = []  # heap of the buckets' indices
        self._seq = 0

    def at(self, t: float, fn: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        """Schedule ``fn(arg)`` at time ``t`` (not before now). Raises ValueError for the past."""
        if t < self.now:
            raise ValueError(f"cannot schedule in the past (now {self.now}, asked {t})")
        self._seq += 1
        if t < self._horizon:
            heapq.heappush(self._near, (t, priority, self._seq, fn, arg))
            return
        index = int(t // self.BUCKET)
        bucket = self._buckets.get(index)
        if bucket is None:
            bucket = self._buckets[index] = []
            heapq.heappush(self._bucket_order, index)
        bucket.append((t, priority, self._seq, fn, arg))

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        """Schedule ``fn(arg)`` ``delay`` seconds from now."""
        self.at(self.now + delay, fn, arg, priority)

    def pending(self) -> list[tuple[float, int, int, Callable[[Any], Any], Any]]:
        """Every scheduled event as (time, priority, sequence, fn, arg), in the order they run
        (a snapshot of the model reads its own transitions from here)."""
        out = list(self._near)
        for bucket in self._buckets.values():
            out.extend(bucket)
        out.sort(key=lambda e: e[:3])
        return out

    def at_sequence(self, t: float, priority: int, sequence: int, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """Schedule ``fn(arg)`` with a given sequence number: a restored event keeps its place
        among the events of its instant. Later events are numbered after it. Raises ValueError
        for the past."""
        if t < self.now:
            raise ValueError(f"cannot schedule in the past (now {self.now}, asked {t})")
        keep = self._seq
        self._seq = sequence - 1
        self.at(t, fn, arg, priority)
        self._seq = max(keep, sequence)

    def _advance(self) -> bool:
        """Move the next bucket into the near heap; False when nothing is left."""
        if not self._bucket_order:
            return False
        index = heapq.heappop(self._bucket_order)
        near = self._buckets.pop(index)
        heapq.heapify(near)
        self._near = near
        self._horizon = (index + 1) * self.BUCKET
        return True

    @property
    def next_time(self) -> float | None:
        """When the next event is due (None when nothing is scheduled)."""
        if not self._near and not self._advance():
            return None
        return self._near[0][0]

    def step(self) -> None:
        """Process the next event. Raises IndexError when nothing is scheduled."""
        if not self._near and not self._advance():
            raise IndexError("no event is scheduled")
        t, _, _, fn, arg = heapq.heappop(self._near)
        self.now = t
        fn(arg)

    def run(self, until: float, on_step: Callable[[float], None] | None = None, every: int = 4096) -> None:
        """Process every event due by ``until``, then set the clock to ``until``.

        ``on_step(now)`` is called every ``every`` events (progress reporting lives above).
        """
        pop = heapq.heappop
        n = 0
        while True:
            near = self._near
            if not near:
                if not self._bucket_order or self._bucket_order[0] * self.BUCKET > until or not self._advance():
                    break
                near = self._near
            if near[0][0] > until:
                break
            t, _, _, fn, arg = pop(near)
            self.now = t
            fn(arg)
            n += 1
            if on_step is not None and n % every == 0:
                on_step(t)
        self.now = until
