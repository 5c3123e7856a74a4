"""Checking a scenario's ``workload`` (pod churn, a pod trace or a log of API calls) into the
generators the replay pulls from. A file the workload names is opened here once, so a wrong path
or column is reported before the run starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from simkit.scenario.check import Checker, show
from simkit.workloads import WorkloadError, parse_rate, pod_churn, read_api_calls, read_pod_trace

__all__ = ["check_workload"]

#: kind -> (allowed keys, required keys).
_WORKLOADS = {
    "pod-churn": ({"kind", "arrival_rate", "lifetime", "diurnal", "bursts", "cpu_milli", "memory_mib"}, {"arrival_rate", "lifetime"}),
    "pod-trace": ({"kind", "path", "start_column", "end_column", "name_column", "cpu_column", "memory_column", "time_unit"},
                  {"path", "start_column", "end_column"}),
    "api-calls": ({"kind", "path"}, {"path"}),
}
#: Units a pod trace's times may be in, as seconds.
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "m": 60.0, "h": 3600.0}


def check_workload(c: Checker, w: Any, base: Path | None, duration: float, seed: int
                   ) -> tuple[Callable[[], Iterable] | None, Callable[[], Iterable] | None]:
    """Check ``workload`` and return (pods, api_calls): each a callable giving a fresh iterator,
    or None (exactly one is set).

    ``base`` is the folder a relative ``path`` starts from (None: the working directory).
    Raises ScenarioError naming the key path (``workload.…``) of the first bad value.
    """
    kind = c.choice(w.get("kind") if isinstance(w, Mapping) else None, "workload.kind", _WORKLOADS)
    allowed, required = _WORKLOADS[kind]
    c.mapping(w, "workload", allowed, required)
    if kind == "pod-churn":
        return _pod_churn(c, w, duration, seed), None
    path = _file(c, Path(c.text(w["path"], "workload.path")), base, kind)
    if kind == "pod-trace":
        return _pod_trace(c, w, path), None
    try:
        next(iter(read_api_calls(path)), None)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None
    return None, (lambda: read_api_calls(path))


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


def _pod_churn(c: Checker, w: Mapping, duration: float, seed: int) -> Callable[[], Iterable]:
    try:
        rate = parse_rate(w["arrival_rate"])
    except ValueError as exc:
        raise c.fail("workload.arrival_rate", str(exc)) from None
    life = c.mapping(w["lifetime"], "workload.lifetime", {"median", "p90"}, {"median", "p90"})
    median = c.duration(life["median"], "workload.lifetime.median")
    p90 = c.duration(life["p90"], "workload.lifetime.p90")
    if p90 <= median:
        raise c.fail("workload.lifetime.p90", f"must be longer than the median ({median:g} s), got {p90:g} s")
    diurnal = None
    if w.get("diurnal") is not None:
        d = c.mapping(w["diurnal"], "workload.diurnal", {"amplitude", "period", "peak"}, {"amplitude"})
        diurnal = {"amplitude": c.number(d["amplitude"], "workload.diurnal.amplitude", 0.0, 0.999)}
        if "period" in d:
            diurnal["period"] = c.duration(d["period"], "workload.diurnal.period")
        if "peak" in d:
            diurnal["peak"] = c.duration(d["peak"], "workload.diurnal.peak", positive=False)
    bursts = []
    for i, b in enumerate(c.seq(w.get("bursts", []), "workload.bursts", 0)):
        bp = f"workload.bursts[{i}]"
        c.mapping(b, bp, {"at", "pods", "over"}, {"at", "pods"})
        bursts.append({"at": c.duration(b["at"], f"{bp}.at", positive=False), "pods": c.integer(b["pods"], f"{bp}.pods", 1),
                       "over": c.duration(b.get("over", 0), f"{bp}.over", positive=False)})
    cpu = None if w.get("cpu_milli") is None else c.integer(w["cpu_milli"], "workload.cpu_milli", 0)
    mem = None if w.get("memory_mib") is None else c.integer(w["memory_mib"], "workload.memory_mib", 0)

    def pods():
        return pod_churn(seed, arrival_rate=rate, lifetime_median=median, lifetime_p90=p90, duration=duration,
                         diurnal=diurnal, bursts=bursts, cpu_milli=cpu, memory_mib=mem)

    try:
        pods()  # checks its arguments at once (a burst past the end, say)
    except ValueError as exc:
        raise c.fail("workload", str(exc)) from None
    return pods


def _pod_trace(c: Checker, w: Mapping, path: Path) -> Callable[[], Iterable]:
    cols = {k: w.get(k) for k in ("name_column", "cpu_column", "memory_column")}
    start, end = c.text(w["start_column"], "workload.start_column"), c.text(w["end_column"], "workload.end_column")
    # Read the header now so a wrong column is reported before the run starts (a trace out of
    # start order is read whole to be sorted, so a bad row anywhere in it is found now too).
    try:
        next(iter(read_pod_trace(path, start, end, **cols)), None)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None
    scale = _TIME_UNITS[c.choice(w.get("time_unit", "s"), "workload.time_unit", _TIME_UNITS)]
    if scale == 1.0:
        return lambda: read_pod_trace(path, start, end, **cols)

    def scaled():
        for pod in read_pod_trace(path, start, end, **cols):
            yield pod._replace(start=pod.start * scale, end=None if pod.end is None else pod.end * scale)

    return scaled
