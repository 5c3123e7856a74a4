"""Checking a scenario's ``workload`` (pod churn, a pod trace or a log of API calls) into the
generators the replay pulls from. A file the workload names is opened here once, so a wrong path
or column is reported before the run starts."""

from __future__ import annotations

import errno
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from simkit.scenario.errors import ScenarioError
from simkit.scenario.schema import TIME_UNITS, ApiCalls, PodChurn, PodTrace
from simkit.scenario.types import show
from simkit.scenario.offered import churn_offered, trace_offered
from simkit.workloads import WorkloadError, pod_churn, read_api_calls, read_pod_trace, trace_starts

__all__ = ["CheckedWorkload", "TraceTimeWarning", "check_workload"]


class TraceTimeWarning(UserWarning):
    """A pod trace's start times do not fit the run: none falls within it, or some are
    negative. The message says what the trace holds, what the run covers and the
    ``time_unit`` that would fit, if one would."""


#: A start time above this looks like an epoch timestamp (2001-09-09 in seconds since 1970): no
#: run is that long (at most 366 days, simkit.scenario.schema.MAX_DURATION).
EPOCH_LIKE = 1e9


class CheckedWorkload(NamedTuple):
    """A checked workload: ``pods`` or ``api_calls`` (each a callable giving a fresh iterator;
    exactly one is set) and the pods it offers at once at its peak (None for a log of calls)."""

    pods: Callable[[], Iterable] | None
    api_calls: Callable[[], Iterable] | None
    offered_pods: float | None


def check_workload(source: str, w: PodChurn | PodTrace | ApiCalls, base: Path | None, duration: float,
                   seed: int) -> CheckedWorkload:
    """Open the files the checked workload ``w`` of scenario ``source`` names and return it as
    a ``CheckedWorkload``.

    ``base`` is the folder a relative ``path`` starts from (None: the working directory).
    Raises ScenarioError at ``workload.path`` or ``workload`` for a file that cannot be read or
    is not what it claims. Warns TraceTimeWarning when a pod trace's start times do not fit the
    run of ``duration`` seconds.
    """
    if w.kind == "pod-churn":
        return _pod_churn(source, w, duration, seed)
    path = _file(source, Path(w.path), base, w.kind)
    if w.kind == "pod-trace":
        pods = _pod_trace(source, w, path, duration)
        try:
            offered = trace_offered(pods, duration)
        except WorkloadError as exc:
            raise ScenarioError(source, "workload", str(exc)) from None  # a bad row, found while counting the peak
        return CheckedWorkload(pods, None, offered)
    try:
        next(iter(read_api_calls(path)), None)
    except WorkloadError as exc:
        raise ScenarioError(source, "workload", str(exc)) from None
    return CheckedWorkload(None, (lambda: read_api_calls(path)), None)


#: What ``workload.path`` names, by kind, for messages.
_FILES = {"pod-trace": "a CSV file of pods", "api-calls": "a JSONL or JSON file of API calls"}


def _file(source: str, path: Path, base: Path | None, kind: str) -> Path:
    """``path`` (from ``base`` when relative) if it names a file; ScenarioError at
    ``workload.path`` for one that does not exist, a directory, or a name the file system
    refuses (too long, say), quoting the name cut to one line."""
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError) as exc:  # stat() refuses the name: ENAMETOOLONG, a NUL byte
        raise ScenarioError(source, "workload.path", f"{show(str(path))} ({len(str(path)):,} characters) cannot be read: "
                                      f"{getattr(exc, 'strerror', None) or exc}; allowed: the path of {_FILES[kind]}") from None
    # A name with a NUL or a newline is quoted, so that the message stays one printable line.
    shown = str(path) if str(path).isprintable() else show(str(path))
    if not exists:
        # exists() says False for any error of stat(); only "no such file" means that.
        try:
            path.stat()
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                raise ScenarioError(source, "workload.path", f"{shown} cannot be read: {exc.strerror}; allowed: the "
                                                              f"path of {_FILES[kind]}") from None
        except ValueError:  # a NUL byte: no file can have that name
            pass
        raise ScenarioError(source, "workload.path", f"{shown} does not exist")
    if not is_file:
        raise ScenarioError(source, "workload.path", f"{shown} is {'a directory' if path.is_dir() else 'not a regular file'}; "
                                      f"allowed: the path of {_FILES[kind]}")
    return path


def _pod_churn(source: str, w: PodChurn, duration: float, seed: int) -> CheckedWorkload:
    median, p90 = w.lifetime.median, w.lifetime.p90
    diurnal = None if w.diurnal is None else {"amplitude": w.diurnal.amplitude, "period": w.diurnal.period,
                                              "peak": w.diurnal.peak}
    bursts = [{"at": b.at, "pods": b.pods, "over": b.over} for b in w.bursts]

    def pods():
        points = w.rate_points()
        return pod_churn(seed, arrival_rate=points[0][1] if points else w.arrival_rate, lifetime_median=median,
                         lifetime_p90=p90, duration=duration, diurnal=diurnal, bursts=bursts, cpu_milli=w.cpu_milli,
                         memory_mib=w.memory_mib, schedule=points, growth=w.growth, arrivals=w.arrivals)

    try:
        pods()  # checks its arguments at once (the schema's rules should have refused anything it refuses)
    except ValueError as exc:
        raise ScenarioError(source, "workload", str(exc)) from None
    offered = churn_offered(w.peak_rate(duration), median, p90, w.diurnal.amplitude if w.diurnal else 0.0,
                            max((b["pods"] for b in bursts), default=0))
    return CheckedWorkload(pods, None, offered)


def _pod_trace(source: str, w: PodTrace, path: Path, duration: float) -> Callable[[], Iterable]:
    cols = {"name_column": w.name_column, "cpu_column": w.cpu_column, "memory_column": w.memory_column}
    start, end = w.start_column, w.end_column
    # Read the header now so a wrong column is reported before the run starts (a trace out of
    # start order is read whole to be sorted, so a bad row anywhere in it is found now too).
    try:
        next(iter(read_pod_trace(path, start, end, **cols)), None)
    except WorkloadError as exc:
        raise ScenarioError(source, "workload", str(exc)) from None
    unit = w.time_unit
    scale = TIME_UNITS[unit]
    try:
        starts = trace_starts(path, start)
    except WorkloadError as exc:  # the file changed since the line above read it
        raise ScenarioError(source, "workload", str(exc)) from None
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
    scale = TIME_UNITS[unit]
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
    epoch = next((u for u in ("s", "ms", "us") if EPOCH_LIKE <= starts.lowest * TIME_UNITS[u] < 4e9), None)
    if epoch is not None:
        first = datetime.fromtimestamp(starts.lowest * TIME_UNITS[epoch], tz=timezone.utc)
        hint = (f"they look like epoch timestamps{'' if epoch == 's' else f' in {epoch}'} (the first is "
                f"{first:%Y-%m-%d %H:%M:%S} UTC): subtract the first start from every time so that the trace begins "
                f"at 0{'' if epoch == unit else f', and set time_unit: {epoch}'}")
    elif hi < 0:
        hint = "every one is negative"
    else:
        fits = [u for u, size in TIME_UNITS.items()
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
