"""Checking a scenario's ``workload`` (pod churn, a pod trace or a log of API calls) into the
generators the replay pulls from. A file the workload names is opened here once, so a wrong path
or column is reported before the run starts."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from simkit.scenario.check import Checker, show
from simkit.scenario.offered import churn_offered, trace_offered
from simkit.workloads import WorkloadError, parse_rate, pod_churn, read_api_calls, read_pod_trace, trace_starts

__all__ = ["CheckedWorkload", "TraceTimeWarning", "check_workload"]


class TraceTimeWarning(UserWarning):
    """A pod trace's start times do not fit the run: none falls within it, or some are
    negative. The message says what the trace holds, what the run covers and the
    ``time_unit`` that would fit, if one would."""


#: kind -> (allowed keys, required keys).
_WORKLOADS = {
    "pod-churn": ({"kind", "arrival_rate", "lifetime", "diurnal", "bursts", "cpu_milli", "memory_mib"}, {"arrival_rate", "lifetime"}),
    "pod-trace": ({"kind", "path", "start_column", "end_column", "name_column", "cpu_column", "memory_column", "time_unit"},
                  {"path", "start_column", "end_column"}),
    "api-calls": ({"kind", "path"}, {"path"}),
}
#: Units a pod trace's times may be in, as seconds.
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "m": 60.0, "h": 3600.0}
#: Bounds of synthetic churn that no real study needs to exceed (docs/scenario.md, "Bounds"):
#: lifetimes from a millisecond to ten years (the bounds also keep the lognormal's mean, median
#: x exp(sigma^2 / 2), a finite number), a diurnal period of at least a second, and at most
#: 100 million pods a run (arrival_rate x duration, plus the bursts: about 36 bytes and 80 us
#: of replay a pod, so 3.6 GB and hours).
MIN_LIFETIME = 1e-3
MAX_LIFETIME = 3650 * 86400.0
MIN_PERIOD = 1.0
MAX_PODS = 100_000_000
#: A start time above this looks like an epoch timestamp (2001-09-09 in seconds since 1970): no
#: run is that long (at most 366 days, simkit.scenario.plan.MAX_DURATION).
EPOCH_LIKE = 1e9


class CheckedWorkload(NamedTuple):
    """A checked workload: ``pods`` or ``api_calls`` (each a callable giving a fresh iterator;
    exactly one is set) and the pods it offers at once at its peak (None for a log of calls)."""

    pods: Callable[[], Iterable] | None
    api_calls: Callable[[], Iterable] | None
    offered_pods: float | None


def check_workload(c: Checker, w: Any, base: Path | None, duration: float, seed: int) -> CheckedWorkload:
    """Check ``workload`` and return it as a ``CheckedWorkload``.

    ``base`` is the folder a relative ``path`` starts from (None: the working directory).
    Raises ScenarioError naming the key path (``workload.…``) of the first bad value, or of one
    out of its bounds (``MIN_LIFETIME``... ``MAX_PODS``: docs/scenario.md, "Bounds"). Warns
    TraceTimeWarning when a pod trace's start times do not fit the run of ``duration`` seconds.
    """
    kind = c.choice(w.get("kind") if isinstance(w, Mapping) else None, "workload.kind", _WORKLOADS)
    allowed, required = _WORKLOADS[kind]
    c.mapping(w, "workload", allowed, required)
    if kind == "pod-churn":
        return _pod_churn(c, w, duration, seed)
    path = _file(c, Path(c.text(w["path"], "workload.path")), base, kind)
    if kind == "pod-trace":
        pods = _pod_trace(c, w, path, duration)
        try:
            offered = trace_offered(pods, duration)
        except WorkloadError as exc:
            raise c.fail("workload", str(exc)) from None  # a bad row, found while counting the peak
        return CheckedWorkload(pods, None, offered)
    try:
        next(iter(read_api_calls(path)), None)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None
    return CheckedWorkload(None, (lambda: read_api_calls(path)), None)


#: What ``workload.path`` names, by kind, for messages.
_FILES = {"pod-trace": "a CSV file of pods", "api-calls": "a JSONL or JSON file of API calls"}


def _file(c: Checker, path: Path, base: Path | None, kind: str) -> Path:
    """``path`` (from ``base`` when relative) if it names a file; ScenarioError at
    ``workload.path`` for one that does not exist, a directory, or a name the file system
    refuses (too long, say), quoting the name cut to one line."""
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError) as exc:  # stat() refuses the name: ENAMETOOLONG, a NUL byte
        raise c.fail("workload.path", f"{show(str(path))} ({len(str(path)):,} characters) cannot be read: "
                                      f"{getattr(exc, 'strerror', None) or exc}; allowed: the path of {_FILES[kind]}") from None
    # A name with a NUL or a newline is quoted, so that the message stays one printable line.
    shown = str(path) if str(path).isprintable() else show(str(path))
    if not exists:
        raise c.fail("workload.path", f"{shown} does not exist")
    if not is_file:
        raise c.fail("workload.path", f"{shown} is {'a directory' if path.is_dir() else 'not a regular file'}; "
                                      f"allowed: the path of {_FILES[kind]}")
    return path


def _pod_churn(c: Checker, w: Mapping, duration: float, seed: int) -> CheckedWorkload:
    try:
        rate = parse_rate(w["arrival_rate"])
    except ValueError as exc:
        raise c.fail("workload.arrival_rate", str(exc)) from None
    life = c.mapping(w["lifetime"], "workload.lifetime", {"median", "p90"}, {"median", "p90"})
    median = c.duration(life["median"], "workload.lifetime.median", least=MIN_LIFETIME, most=MAX_LIFETIME)
    p90 = c.duration(life["p90"], "workload.lifetime.p90", least=MIN_LIFETIME, most=MAX_LIFETIME)
    if p90 <= median:
        raise c.fail("workload.lifetime.p90", f"must be longer than the median ({median:g} s), got {p90:g} s")
    diurnal = None
    if w.get("diurnal") is not None:
        d = c.mapping(w["diurnal"], "workload.diurnal", {"amplitude", "period", "peak"}, {"amplitude"})
        diurnal = {"amplitude": c.number(d["amplitude"], "workload.diurnal.amplitude", 0.0, 0.999)}
        if "period" in d:
            diurnal["period"] = c.duration(d["period"], "workload.diurnal.period", least=MIN_PERIOD)
        if "peak" in d:
            diurnal["peak"] = c.duration(d["peak"], "workload.diurnal.peak", positive=False)
    bursts = []
    for i, b in enumerate(c.seq(w.get("bursts", []), "workload.bursts", 0)):
        bp = f"workload.bursts[{i}]"
        c.mapping(b, bp, {"at", "pods", "over"}, {"at", "pods"})
        bursts.append({"at": c.duration(b["at"], f"{bp}.at", positive=False),
                       "pods": c.integer(b["pods"], f"{bp}.pods", 1, MAX_PODS),
                       "over": c.duration(b.get("over", 0), f"{bp}.over", positive=False)})
    # Poisson arrivals average arrival_rate whatever the diurnal cycle (the cosine averages out).
    steady, burst = rate * duration, sum(b["pods"] for b in bursts)
    if steady > MAX_PODS:
        raise c.fail("workload.arrival_rate",
                     f"{show(w['arrival_rate'])} over the run's {duration:,.6g} s offers about {steady:,.3g} pods; "
                     f"allowed: at most {MAX_PODS:,} pods a run (arrival_rate x duration, plus the bursts): here an "
                     f"arrival_rate of at most {MAX_PODS / duration:,.6g}/s")
    if steady + burst > MAX_PODS:
        raise c.fail("workload.bursts",
                     f"{burst:,} pods in bursts, with about {steady:,.0f} from arrival_rate x duration, make about "
                     f"{steady + burst:,.3g}; allowed: at most {MAX_PODS:,} pods a run")
    cpu = None if w.get("cpu_milli") is None else c.integer(w["cpu_milli"], "workload.cpu_milli", 0)
    mem = None if w.get("memory_mib") is None else c.integer(w["memory_mib"], "workload.memory_mib", 0)

    def pods():
        return pod_churn(seed, arrival_rate=rate, lifetime_median=median, lifetime_p90=p90, duration=duration,
                         diurnal=diurnal, bursts=bursts, cpu_milli=cpu, memory_mib=mem)

    try:
        pods()  # checks its arguments at once (a burst past the end, say)
    except ValueError as exc:
        raise c.fail("workload", str(exc)) from None
    offered = churn_offered(rate, median, p90, diurnal["amplitude"] if diurnal else 0.0,
                            max((b["pods"] for b in bursts), default=0))
    return CheckedWorkload(pods, None, offered)


def _pod_trace(c: Checker, w: Mapping, path: Path, duration: float) -> Callable[[], Iterable]:
    cols = {k: w.get(k) for k in ("name_column", "cpu_column", "memory_column")}
    start, end = c.text(w["start_column"], "workload.start_column"), c.text(w["end_column"], "workload.end_column")
    # Read the header now so a wrong column is reported before the run starts (a trace out of
    # start order is read whole to be sorted, so a bad row anywhere in it is found now too).
    try:
        next(iter(read_pod_trace(path, start, end, **cols)), None)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None
    unit = c.choice(w.get("time_unit", "s"), "workload.time_unit", _TIME_UNITS)
    scale = _TIME_UNITS[unit]
    try:
        starts = trace_starts(path, start)
    except WorkloadError as exc:  # the file changed since the line above read it
        raise c.fail("workload", str(exc)) from None
    _warn_of_times(path, start, unit, starts, duration)
    if scale == 1.0:
        return lambda: read_pod_trace(path, start, end, **cols)

    def scaled():
        for pod in read_pod_trace(path, start, end, **cols):
            yield pod._replace(start=pod.start * scale, end=None if pod.end is None else pod.end * scale)

    return scaled


def _warn_of_times(path: Path, column: str, unit: str, starts, duration: float) -> None:
    """Warn (TraceTimeWarning, one line) when no start of the trace falls within the run
    [0, duration] once scaled by ``unit`` (the run would replay no pod), or when some are
    negative (those pods arrive at 0 s instead). The message gives the rows, the lowest and
    highest start, what the run covers, and a hint: epoch timestamps, or a ``time_unit`` under
    which the trace would overlap the run."""
    if not starts.rows:
        return
    scale = _TIME_UNITS[unit]
    lo, hi = starts.lowest * scale, starts.highest * scale
    where = f"column {column!r}, time_unit {unit}"
    if lo <= duration and hi >= 0:
        if starts.negative:
            are = "is" if starts.negative == 1 else "are"
            warnings.warn(TraceTimeWarning(
                f"{path}: {starts.negative:,} of the {_starts(starts.rows)} ({where}) {are} negative, the first on "
                f"line {starts.first_negative_line} ({_secs(starts.first_negative * scale)}); the run covers 0 to "
                f"{_secs(duration)}, and those pods arrive at 0 s, when it starts"), stacklevel=5)
        return
    epoch = next((u for u in ("s", "ms", "us") if EPOCH_LIKE <= starts.lowest * _TIME_UNITS[u] < 4e9), None)
    if epoch is not None:
        first = datetime.fromtimestamp(starts.lowest * _TIME_UNITS[epoch], tz=timezone.utc)
        hint = (f"they look like epoch timestamps{'' if epoch == 's' else f' in {epoch}'} (the first is "
                f"{first:%Y-%m-%d %H:%M:%S} UTC): subtract the first start from every time so that the trace begins "
                f"at 0{'' if epoch == unit else f', and set time_unit: {epoch}'}")
    elif hi < 0:
        hint = "every one is negative"
    else:
        fits = [u for u, size in _TIME_UNITS.items()
                if u != unit and starts.highest * size >= 0 and starts.lowest * size <= duration]
        hint = (f"with time_unit {' or '.join(fits)} they would overlap it" if fits else
                "they all start after it ends")
    span = f"is {_secs(lo)}" if starts.rows == 1 else f"go from {_secs(lo)} to {_secs(hi)}"
    warnings.warn(TraceTimeWarning(
        f"{path}: no pod starts within the run: the {_starts(starts.rows)} ({where}) {span}, and the run covers 0 "
        f"to {_secs(duration)}; {hint}"), stacklevel=5)


def _starts(rows: int) -> str:
    return "one pod start time" if rows == 1 else f"{rows:,} pod start times"


def _secs(seconds: float) -> str:
    """Seconds for a message: whole digits up to 13 of them (an epoch in ms), then 6 significant."""
    return f"{seconds:,.13g} s" if abs(seconds) < 1e13 else f"{seconds:.6g} s"
