"""Synthetic pod churn: Poisson arrivals, lognormal lifetimes, a diurnal cycle and bursts."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence

from simkit.workloads.records import PodSpec

#: The standard normal's 0.9 quantile: ln(p90) = mu + Z90 * sigma for a lognormal lifetime.
Z90 = 1.2815515655446004
DAY = 86400.0


def pod_churn(
    seed: int,
    *,
    arrival_rate: float,
    lifetime_median: float,
    lifetime_p90: float,
    duration: float,
    diurnal: Mapping | None = None,
    bursts: Iterable[Mapping] = (),
    cpu_milli: int | None = None,
    memory_mib: int | None = None,
    schedule: Sequence[tuple[float, float]] | None = None,
    growth: tuple[float, float] | None = None,
    arrivals: str = "poisson",
) -> Iterator[PodSpec]:
    """Yield synthetic pods in start order, all starting before ``duration`` seconds.

    Arrivals are Poisson at ``arrival_rate`` pods/s (0 is allowed: bursts only). Lifetimes are
    lognormal with the given median and 90th percentile (seconds); ``end = start + lifetime``,
    which may lie past ``duration``. ``diurnal={"amplitude": a, "period": 86400, "peak": s}``
    modulates the rate as ``arrival_rate * (1 + a*cos(2*pi*(t - peak)/period))`` (by thinning).
    Each of ``bursts=[{"at": s, "pods": n, "over": s}]`` adds exactly n pods starting uniformly
    in ``[at, at + over)``. Pods are named ``pod-000001``, ``pod-000002``, ... and carry
    ``cpu_milli``/``memory_mib`` when given.

    The generator owns its ``random.Random(seed)``: the same arguments give the same pods. The
    Poisson stream and the bursts draw from separate child generators, so adding a burst leaves
    the other pods' times and lifetimes unchanged.

    Raises ValueError naming the argument and its allowed range (checked at call time).

    >>> pods = list(pod_churn(7, arrival_rate=0.5, lifetime_median=600, lifetime_p90=7200,
    ...                       duration=3600))  # doctest: +SKIP
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rate = _number("arrival_rate", arrival_rate, low=0.0, hint="pods per second; parse_rate('30/m') converts text")
    duration = _number("duration", duration, low=0.0, low_open=True, hint="seconds; parse_duration('1d') converts text")
    median = _number("lifetime_median", lifetime_median, low=0.0, low_open=True, hint="seconds")
    p90 = _number("lifetime_p90", lifetime_p90, low=0.0, low_open=True, hint="seconds")
    if p90 <= median:
        raise ValueError(f"lifetime_p90 must be > lifetime_median ({median:.15g} s), got {p90:.15g} s")
    mu = math.log(median)
    sigma = (math.log(p90) - mu) / Z90
    wave = _diurnal(diurnal)
    windows = [_burst(i, burst, duration) for i, burst in enumerate(bursts)]
    for argument, value in (("cpu_milli", cpu_milli), ("memory_mib", memory_mib)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"{argument} must be a whole number >= 0 or None, got {value!r}")

    if arrivals not in ("poisson", "regular"):
        raise ValueError(f"arrivals must be 'poisson' or 'regular', got {arrivals!r}")
    trend = _trend(schedule, growth, rate)
    if arrivals == "regular" and trend is None:
        trend = _Trend([(0.0, rate)], 0.0, 1.0)
    master = random.Random(seed)
    child = random.Random(master.getrandbits(64))
    if arrivals == "regular":
        streams = [_regular(child, trend, duration, wave, mu, sigma)]
    elif trend is not None:
        streams = [_thinned(child, trend, duration, wave, mu, sigma)]
    else:
        # No trend: the constant-rate stream exactly as before, so existing runs stay bit for bit.
        streams = [_poisson(child, rate, duration, wave, mu, sigma)]
    burst_rng = random.Random(master.getrandbits(64))
    streams += [_burst_pods(burst_rng, at, pods, over, mu, sigma) for at, pods, over in windows]
    # merge() costs a key call per pod; with no bursts there is nothing to merge.
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=lambda pod: pod[0])
    return _named(merged, cpu_milli, memory_mib)


def _named(pods, cpu_milli, memory_mib) -> Iterator[PodSpec]:
    for number, (start, lifetime) in enumerate(pods, 1):
        yield PodSpec(f"pod-{number:06d}", start, start + lifetime, cpu_milli, memory_mib)


def _poisson(rng: random.Random, rate: float, duration: float, wave, mu: float, sigma: float):
    if rate == 0:
        return
    amplitude, period, peak = wave
    # Thinning (Lewis & Shedler): draw candidates at the peak rate, keep each with probability
    # rate(t) / peak rate. Without a cycle every candidate is kept and no extra draw is made.
    top = 1.0 + amplitude
    t = 0.0
    while True:
        t += rng.expovariate(rate * top)
        if t >= duration:
            return
        if amplitude and rng.random() * top > 1.0 + amplitude * math.cos(2 * math.pi * (t - peak) / period):
            continue
        yield t, rng.lognormvariate(mu, sigma)


class _Trend:
    """The arrival rate over time: a piecewise-linear schedule times compound growth."""

    __slots__ = ("times", "rates", "growth", "period")

    def __init__(self, points: list[tuple[float, float]], growth: float, period: float):
        self.times = [t for t, _ in points]
        self.rates = [r for _, r in points]
        self.growth = growth
        self.period = period

    def __call__(self, t: float) -> float:
        times, rates = self.times, self.rates
        i = bisect.bisect_right(times, t)
        if i == 0:
            base = rates[0]
        elif i == len(times):
            base = rates[-1]
        else:
            t0, t1 = times[i - 1], times[i]
            base = rates[i - 1] + (rates[i] - rates[i - 1]) * (t - t0) / (t1 - t0)
        return base * (1.0 + self.growth) ** (t / self.period) if self.growth else base

    def bound(self, duration: float) -> float:
        """A rate no lower than the trend's anywhere in [0, duration]."""
        factor = max(1.0, (1.0 + self.growth) ** (duration / self.period)) if self.growth else 1.0
        return max(self.rates) * factor


def _trend(schedule, growth, rate: float) -> "_Trend | None":
    if schedule is None and growth is None:
        return None
    if schedule is None:
        points = [(0.0, rate)]
    else:
        points = []
        for i, item in enumerate(schedule):
            try:
                t, r = item
            except (TypeError, ValueError):
                raise ValueError(f"schedule[{i}] must be a (time, rate) pair, got {item!r}") from None
            t = _number(f"schedule[{i}] time", t, low=0.0, hint="seconds")
            r = _number(f"schedule[{i}] rate", r, low=0.0, hint="pods per second")
            if points and t <= points[-1][0]:
                raise ValueError(f"schedule times must rise: {t:.15g} s after {points[-1][0]:.15g} s")
            points.append((t, r))
        if not points:
            raise ValueError("schedule must hold at least one (time, rate) pair")
    fraction, period = (0.0, 1.0) if growth is None else growth
    fraction = _number("growth fraction", fraction, low=-1.0, low_open=True, hint="e.g. 0.05 for +5 %")
    period = _number("growth period", period, low=0.0, low_open=True, hint="seconds")
    return _Trend(points, fraction, period)


def _thinned(rng: random.Random, trend: _Trend, duration: float, wave, mu: float, sigma: float):
    amplitude, period, peak = wave
    top = trend.bound(duration) * (1.0 + amplitude)
    if top <= 0:
        return
    t = 0.0
    while True:
        t += rng.expovariate(top)
        if t >= duration:
            return
        here = trend(t) * (1.0 + amplitude * math.cos(2 * math.pi * (t - peak) / period) if amplitude else 1.0)
        if rng.random() * top > here:
            continue
        yield t, rng.lognormvariate(mu, sigma)


def _regular(rng: random.Random, trend: "_Trend | None", duration: float, wave, mu: float, sigma: float):
    amplitude, period, peak = wave
    t = 0.0
    while True:
        here = trend(t) if trend is not None else None
        if here is None:
            raise AssertionError("regular arrivals need a trend")  # pod_churn always passes one
        if amplitude:
            here *= 1.0 + amplitude * math.cos(2 * math.pi * (t - peak) / period)
        if here <= 0:
            # No arrivals while the rate is 0: go on at the next point of the schedule, if any.
            later = [x for x in trend.times if x > t]
            if not later:
                return
            t = later[0]
            continue
        t += 1.0 / here
        if t >= duration:
            return
        yield t, rng.lognormvariate(mu, sigma)


def _burst_pods(rng: random.Random, at: float, pods: int, over: float, mu: float, sigma: float):
    starts = sorted(at + over * rng.random() for _ in range(pods))
    # Lifetimes drawn after the starts so they do not depend on the sort.
    return [(start, rng.lognormvariate(mu, sigma)) for start in starts]


def _number(argument: str, value, *, low: float, low_open: bool = False, high: float = math.inf,
            high_open: bool = False, hint: str = "") -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if ok:
        value = float(value)
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        bounds = []
        if low != -math.inf:
            bounds.append(f"{'>' if low_open else '>='} {low:.15g}")
        if high != math.inf:
            bounds.append(f"{'<' if high_open else '<='} {high:.15g}")
        allowed = " and ".join(bounds)
        raise ValueError(
            f"{argument} must be a finite number{' ' + allowed if allowed else ''}"
            f"{f' ({hint})' if hint else ''}, got {value!r}"
        )
    return value


def _diurnal(diurnal: Mapping | None) -> tuple[float, float, float]:
    if diurnal is None:
        return 0.0, DAY, 0.0
    if not isinstance(diurnal, Mapping):
        raise ValueError(f"diurnal must be a mapping with amplitude, period, peak, got {diurnal!r}")
    unknown = set(diurnal) - {"amplitude", "period", "peak"}
    if unknown:
        raise ValueError(f"diurnal has unknown keys {sorted(unknown)}; allowed: amplitude, period, peak")
    if "amplitude" not in diurnal:
        raise ValueError("diurnal.amplitude is required: a number in [0, 1)")
    amplitude = _number("diurnal.amplitude", diurnal["amplitude"], low=0.0, high=1.0, high_open=True)
    period = _number("diurnal.period", diurnal.get("period", DAY), low=0.0, low_open=True, hint="seconds")
    peak = _number("diurnal.peak", diurnal.get("peak", 0.0), low=-math.inf, hint="seconds into the period")
    return amplitude, period, peak


def _burst(index: int, burst: Mapping, duration: float) -> tuple[float, int, float]:
    where = f"bursts[{index}]"
    if not isinstance(burst, Mapping):
        raise ValueError(f"{where} must be a mapping with at, pods, over, got {burst!r}")
    unknown = set(burst) - {"at", "pods", "over"}
    if unknown:
        raise ValueError(f"{where} has unknown keys {sorted(unknown)}; allowed: at, pods, over")
    for key in ("at", "pods"):
        if key not in burst:
            raise ValueError(f"{where}.{key} is required")
    pods = burst["pods"]
    if isinstance(pods, bool) or not isinstance(pods, int) or pods < 0:
        raise ValueError(f"{where}.pods must be a whole number >= 0, got {pods!r}")
    at = _number(f"{where}.at", burst["at"], low=0.0, high=duration, high_open=True, hint="seconds, within the duration")
    over = _number(f"{where}.over", burst.get("over", 0.0), low=0.0, high=duration - at,
                   hint="seconds; the window at..at+over must end by the duration")
    return at, pods, over
