"""The clock's calendar queue gives events in exactly the order of one plain heap of (time,
priority, sequence), whatever is scheduled while it runs and wherever ``run`` stops."""

import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.clock import Clock

times = st.floats(min_value=0, max_value=50, allow_nan=False)
plans = st.lists(st.tuples(times, st.integers(-1, 2), st.lists(st.tuples(times, st.integers(-1, 2)), max_size=3)),
                 min_size=1, max_size=40)


class Reference:
    """The order a single heap gives."""

    def __init__(self):
        self.heap, self.seq, self.now = [], 0, 0.0

    def at(self, t, fn, arg, priority):
        self.seq += 1
        heapq.heappush(self.heap, (t, priority, self.seq, fn, arg))

    def run(self, until):
        while self.heap and self.heap[0][0] <= until:
            t, _, _, fn, arg = heapq.heappop(self.heap)
            self.now = t
            fn(arg)
        self.now = until


def play(clock, plan, stops):
    seen = []

    def event(arg):
        name, children = arg
        seen.append((clock.now, name))
        for k, (dt, prio) in enumerate(children):
            clock.at(clock.now + dt, event, (f"{name}.{k}", []), prio)

    for i, (t, prio, children) in enumerate(plan):
        clock.at(t, event, (str(i), children), prio)
    for until in stops:
        clock.run(until)
        seen.append(("stop", until))
    return seen


@settings(max_examples=200, deadline=None)
@given(plans, st.lists(st.floats(min_value=0, max_value=120, allow_nan=False), min_size=1, max_size=4))
def test_calendar_order_is_the_heap_order(plan, stops):
    stops = sorted(stops)
    assert play(Clock(seed=0), plan, stops) == play(Reference(), plan, stops)


def test_events_in_one_second_run_by_time_then_priority_then_order():
    """At 3.5 s: priority 0 before 1, then in the order scheduled; 3.2 s before them all; 7 s
    after; the run stops at 5 s and picks up again."""
    clock, seen = Clock(seed=0), []
    for t, prio, name in [(3.5, 1, "b"), (7.0, 0, "late"), (3.5, 0, "a"), (3.2, 2, "first"), (3.5, 1, "c")]:
        clock.at(t, seen.append, name, prio)
    clock.run(5.0)
    assert seen == ["first", "a", "b", "c"] and clock.now == 5.0
    clock.run(10.0)
    assert seen[-1] == "late"
