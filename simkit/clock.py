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
    """

    __slots__ = ("now", "rng", "_heap", "_seq")

    def __init__(self, seed: int = 0, start: float = 0.0):
        self.now = start
        self.rng = random.Random(f"{seed}/engine")
        self._heap: list[tuple[float, int, int, Callable[[Any], Any], Any]] = []
        self._seq = 0

    def at(self, t: float, fn: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        """Schedule ``fn(arg)`` at time ``t`` (not before now)."""
        if t < self.now:
            raise ValueError(f"cannot schedule in the past (now {self.now}, asked {t})")
        self._seq += 1
        heapq.heappush(self._heap, (t, priority, self._seq, fn, arg))

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None, priority: int = NORMAL) -> None:
        """Schedule ``fn(arg)`` ``delay`` seconds from now."""
        self.at(self.now + delay, fn, arg, priority)

    @property
    def next_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def step(self) -> None:
        """Process the next event."""
        t, _, _, fn, arg = heapq.heappop(self._heap)
        self.now = t
        fn(arg)

    def run(self, until: float, on_step: Callable[[float], None] | None = None, every: int = 4096) -> None:
        """Process every event due by ``until``, then set the clock to ``until``.

        ``on_step(now)`` is called every ``every`` events (progress reporting lives above).
        """
        heap = self._heap
        pop = heapq.heappop
        n = 0
        while heap and heap[0][0] <= until:
            t, _, _, fn, arg = pop(heap)
            self.now = t
            fn(arg)
            n += 1
            if on_step is not None and n % every == 0:
                on_step(t)
        self.now = until
