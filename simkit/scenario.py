"""Scenarios: the YAML file (or dict) that says what to build and what to replay, checked key
by key, and ``run(scenario) -> Result``.

The keys are the contract of DESIGN.md ("The scenario file"). A bad file gets one
``ScenarioError`` naming the file, the key path and what is allowed.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Mapping

from simkit.agents import AgentConfig
from simkit.catalog import REGIONS, IpLimitsUnknown, UnknownInstanceType, load_catalog
from simkit.ecs import CloudSettings
from simkit.engine import SAMPLE_COLUMNS, FleetSpec, Plan, Replay, RunResult, VSwitchSpec
from simkit.errors import ApiError
from simkit.net import AddressSpace, Cidr, MalformedCidr
from simkit.net.policy import POLICIES
from simkit.workloads import WorkloadError, parse_duration, parse_rate, pod_churn, read_api_calls, read_pod_trace

__all__ = ["DEFAULT_SCENARIO", "Result", "ScenarioError", "build_plan", "load_scenario", "run"]

#: The embedded default scenario (DESIGN.md's example): what ``make demo`` runs.
DEFAULT_SCENARIO: dict[str, Any] = {
    "name": "pod-churn-demo",
    "seed": 7,
    "region": "cn-hangzhou",
    "duration": "1d",
    "sample_every": "5m",
    "vpc": {"cidr": "10.0.0.0/16"},
    "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22", "reservations": [{"mask": 25}]}],
    "placement": "random",
    "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 8, "vswitch": "vsw-a"}],
    "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
    "workload": {"kind": "pod-churn", "arrival_rate": "0.5/s", "lifetime": {"median": "10m", "p90": "2h"}},
    "faults": {"InternalError": 0.0},
    "limits": {"throttle_per_minute": {"AssignPrivateIpAddresses": 400}},
}

_TOP = {"name", "seed", "region", "duration", "sample_every", "vpc", "vswitches", "placement", "fleet", "agent",
        "workload", "faults", "limits", "cloud"}
_LIMITS = {"throttle_per_minute", "account_eni_quota", "security_group_capacity", "available_eni_max_secondary",
           "client_token_ttl"}
_CLOUD = {f.name for f in fields(CloudSettings)} - {"placement", "faults", "throttle_per_minute", "account_eni_quota",
                                                     "security_group_capacity", "available_eni_max_secondary",
                                                     "client_token_ttl_seconds"}
_AGENT = {f.name for f in fields(AgentConfig)}
_AGENT_DURATIONS = {"retry_backoff", "block_exhausted", "block_eni_limit", "give_up_backoff"}
_WORKLOADS = {
    "pod-churn": ({"kind", "arrival_rate", "lifetime", "diurnal", "bursts", "cpu_milli", "memory_mib"}, {"arrival_rate", "lifetime"}),
    "pod-trace": ({"kind", "path", "start_column", "end_column", "name_column", "cpu_column", "memory_column", "time_unit"},
                  {"path", "start_column", "end_column"}),
    "api-calls": ({"kind", "path"}, {"path"}),
}
#: Units a pod trace's times may be in, as seconds.
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "m": 60.0, "h": 3600.0}
#: Replays keep ClientTokens this long unless the scenario says otherwise: the real validity is
#: not published, and remembering every token of a million-call run would cost more memory
#: than the run itself. Agents reuse a token only within a retry sequence (seconds to minutes).
DEFAULT_TOKEN_TTL = 3600.0


class ScenarioError(ValueError):
    """A scenario that cannot be run: the message names the source, the key path and what is
    allowed."""

    def __init__(self, source: str, path: str, problem: str):
        self.source = source
        self.path = path
        super().__init__(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, path, problem)

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> Mapping:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping with keys {', '.join(sorted(allowed))}, got {_show(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(f"{path}.{key}" if path else str(key), f"unknown key; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required):
            if key not in value:
                raise self.fail(f"{path}.{key}" if path else key, "is required")
        return value

    def seq(self, value: Any, path: str, min_len: int = 1) -> list:
        if not isinstance(value, list) or len(value) < min_len:
            raise self.fail(path, f"expected a list of at least {min_len} item(s), got {_show(value)}")
        return value

    def integer(self, value: Any, path: str, lo: int | None = None, hi: int | None = None) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f" from {lo}" if lo is not None else ""
            rng += f" to {hi}" if hi is not None else ""
            raise self.fail(path, f"expected a whole number{rng}, got {_show(value)}")
        return value

    def number(self, value: Any, path: str, lo: float = 0.0, hi: float | None = None) -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < lo or (hi is not None and value > hi):
            raise self.fail(path, f"expected a number >= {lo}{'' if hi is None else f' and <= {hi}'}, got {_show(value)}")
        return float(value)

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"expected text, got {_show(value)}")
        return value

    def duration(self, value: Any, path: str, positive: bool = True) -> float:
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None
        if positive and seconds <= 0:
            raise self.fail(path, f"must be longer than 0, got {_show(value)}")
        return seconds

    def cidr(self, value: Any, path: str) -> Cidr:
        try:
            return Cidr.parse(value)
        except MalformedCidr as exc:
            raise self.fail(path, str(exc)) from None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_scenario(source: str | Path | Mapping) -> tuple[dict, str, Path | None]:
    """(scenario dict, name for messages, folder relative paths start from)."""
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source)), "scenario", None
    path = Path(source)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError(str(path), "", f"is not valid YAML: {where}{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(str(path), "", "must be a YAML mapping of scenario keys")
    return dict(data), str(path), path.parent


def build_plan(source: str | Path | Mapping) -> Plan:
    """Check a scenario and turn it into a replay ``Plan``. Raises ScenarioError."""
    data, name, base = load_scenario(source)
    c = _Checker(name)
    c.mapping(data, "", _TOP, {"vswitches", "fleet", "workload"})
    seed = c.integer(data.get("seed", 0), "seed", 0)
    region = data.get("region", "cn-hangzhou")
    if region not in REGIONS:
        raise c.fail("region", f"{_show(region)} is not a region simkit knows (for example cn-hangzhou, ap-southeast-1)")
    duration = c.duration(data.get("duration", "1d"), "duration")
    sample_every = c.duration(data.get("sample_every", "5m"), "sample_every")
    if sample_every > duration:
        raise c.fail("sample_every", f"({sample_every:g} s) must not be longer than duration ({duration:g} s)")
    vpc = c.mapping(data.get("vpc", {"cidr": "10.0.0.0/8"}), "vpc", {"cidr"}, {"cidr"})
    vpc_cidr = c.cidr(vpc["cidr"], "vpc.cidr")
    vswitches = []
    names: set[str] = set()
    for i, v in enumerate(c.seq(data["vswitches"], "vswitches")):
        p = f"vswitches[{i}]"
        c.mapping(v, p, {"name", "zone", "cidr", "reservations"}, {"name", "cidr"})
        vname = c.text(v["name"], f"{p}.name")
        if vname in names:
            raise c.fail(f"{p}.name", f"{vname!r} is used twice")
        names.add(vname)
        cidr = c.cidr(v["cidr"], f"{p}.cidr")
        if not vpc_cidr.contains_block(cidr):
            raise c.fail(f"{p}.cidr", f"{cidr} is not inside vpc.cidr {vpc_cidr}")
        zone = v.get("zone", f"{region}-a")
        if not isinstance(zone, str) or not zone.startswith(region + "-"):
            raise c.fail(f"{p}.zone", f"{_show(zone)} is not a zone of {region} (zones are named {region}-<letter>)")
        reservations = []
        trial = _trial_space(c, cidr, f"{p}.cidr")
        for j, r in enumerate(c.seq(v.get("reservations", []), f"{p}.reservations", 0)):
            rp = f"{p}.reservations[{j}]"
            c.mapping(r, rp, {"mask", "cidr"})
            if ("mask" in r) == ("cidr" in r):
                raise c.fail(rp, "give exactly one of mask and cidr")
            try:
                trial.reserve(mask=r["mask"]) if "mask" in r else trial.reserve(r["cidr"])
            except ValueError as exc:
                raise c.fail(rp, str(exc)) from None
            reservations.append(dict(r))
        vswitches.append(VSwitchSpec(vname, zone, str(cidr), tuple(reservations)))
    for a in range(len(vswitches)):
        for b in range(a):
            if Cidr.parse(vswitches[a].cidr).overlaps(Cidr.parse(vswitches[b].cidr)):
                raise c.fail(f"vswitches[{a}].cidr", f"{vswitches[a].cidr} overlaps vswitches[{b}] ({vswitches[b].cidr})")
    placement = data.get("placement", "random")
    if placement not in POLICIES:
        raise c.fail("placement", f"{_show(placement)} is unknown; allowed: {', '.join(POLICIES)}")
    agent = _agent(c, data.get("agent", {}))
    catalog = load_catalog()
    fleet = []
    for i, f in enumerate(c.seq(data["fleet"], "fleet")):
        p = f"fleet[{i}]"
        c.mapping(f, p, {"instance_type", "count", "vswitch", "max_pods"}, {"instance_type", "count", "vswitch"})
        try:
            catalog.require_ip_limits(f["instance_type"])
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            raise c.fail(f"{p}.instance_type", str(exc)) from None
        count = c.integer(f["count"], f"{p}.count", 1, 100_000)
        if f["vswitch"] not in names:
            raise c.fail(f"{p}.vswitch", f"{_show(f['vswitch'])} is not a vswitches[].name; allowed: {', '.join(sorted(names))}")
        max_pods = None if f.get("max_pods") is None else c.integer(f["max_pods"], f"{p}.max_pods", 1)
        fleet.append(FleetSpec(f["instance_type"], count, f["vswitch"], max_pods))
    settings = _settings(c, data, placement)
    pods, api_calls = _workload(c, data["workload"], base, duration, seed)
    return Plan(seed=seed, region=region, duration=duration, sample_every=sample_every, vpc_cidr=str(vpc_cidr),
                vswitches=tuple(vswitches), fleet=tuple(fleet), agent=agent, settings=settings, pods=pods,
                api_calls=api_calls, name=str(data.get("name", "scenario")), source=name)


def _trial_space(c: _Checker, cidr: Cidr, path: str) -> AddressSpace:
    try:
        return AddressSpace(cidr, policy="lowest")
    except ValueError as exc:
        raise c.fail(path, str(exc)) from None


def _agent(c: _Checker, value: Any) -> AgentConfig:
    c.mapping(value, "agent", _AGENT)
    kwargs = dict(value)
    for key in _AGENT_DURATIONS & set(kwargs):
        kwargs[key] = c.duration(kwargs[key], f"agent.{key}", positive=False)
    try:
        return AgentConfig(**kwargs)
    except ValueError as exc:
        key = next((k for k in kwargs if f"agent.{k}" in str(exc)), "")
        raise c.fail(f"agent.{key}" if key else "agent", str(exc).split(": ", 1)[-1] if key else str(exc)) from None


def _settings(c: _Checker, data: Mapping, placement: str) -> CloudSettings:
    limits = c.mapping(data.get("limits", {}), "limits", _LIMITS)
    cloud = c.mapping(data.get("cloud", {}), "cloud", _CLOUD)
    faults = data.get("faults", {})
    c.mapping(faults, "faults", set(faults) if isinstance(faults, Mapping) else set())
    kwargs: dict[str, Any] = {"placement": placement, "faults": faults,
                              "client_token_ttl_seconds": DEFAULT_TOKEN_TTL}
    throttle = c.mapping(limits.get("throttle_per_minute", {}), "limits.throttle_per_minute",
                         set(limits.get("throttle_per_minute", {}) or {}))
    for action, n in throttle.items():
        c.integer(n, f"limits.throttle_per_minute.{action}", 1)
    kwargs["throttle_per_minute"] = dict(throttle)
    for key in ("account_eni_quota", "security_group_capacity", "available_eni_max_secondary"):
        if limits.get(key) is not None:
            kwargs[key] = c.integer(limits[key], f"limits.{key}", 0 if key != "available_eni_max_secondary" else 1)
    if "client_token_ttl" in limits:
        kwargs["client_token_ttl_seconds"] = None if limits["client_token_ttl"] is None else \
            c.duration(limits["client_token_ttl"], "limits.client_token_ttl")
    for key, value in cloud.items():
        kwargs[key] = c.duration(value, f"cloud.{key}", positive=False) if key.endswith("_seconds") else value
    try:
        return CloudSettings(**kwargs)
    except ValueError as exc:
        text = str(exc)
        path = text.split(" ", 1)[0].replace("settings.", "cloud.") if text.startswith(("settings.", "limits.", "faults")) else ""
        raise c.fail(path.rstrip(":"), text.split(" ", 1)[1] if path else text) from None


def _workload(c: _Checker, w: Any, base: Path | None, duration: float, seed: int):
    kind = w.get("kind") if isinstance(w, Mapping) else None
    if kind not in _WORKLOADS:
        raise c.fail("workload.kind", f"{_show(kind)} is unknown; allowed: {', '.join(_WORKLOADS)}")
    allowed, required = _WORKLOADS[kind]
    c.mapping(w, "workload", allowed, required)
    if kind == "pod-churn":
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
        return pods, None
    path = Path(c.text(w["path"], "workload.path"))
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.exists():
        raise c.fail("workload.path", f"{path} does not exist")
    if kind == "pod-trace":
        cols = {k: w.get(k) for k in ("name_column", "cpu_column", "memory_column")}
        start, end = c.text(w["start_column"], "workload.start_column"), c.text(w["end_column"], "workload.end_column")
        # Read the header now so a wrong column is reported before the run starts.
        try:
            next(iter(read_pod_trace(path, start, end, **cols)), None)
        except WorkloadError as exc:
            raise c.fail("workload", str(exc)) from None
        unit = w.get("time_unit", "s")
        if unit not in _TIME_UNITS:
            raise c.fail("workload.time_unit", f"{_show(unit)} is unknown; allowed: {', '.join(_TIME_UNITS)}")
        scale = _TIME_UNITS[unit]
        if scale == 1.0:
            return (lambda: read_pod_trace(path, start, end, **cols)), None

        def scaled():
            for pod in read_pod_trace(path, start, end, **cols):
                yield pod._replace(start=pod.start * scale, end=None if pod.end is None else pod.end * scale)

        return scaled, None
    try:
        next(iter(read_api_calls(path)), None)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None
    return None, (lambda: read_api_calls(path))


class Result:
    """The outcome of ``run``: ``summary`` (a dict) and DataFrames on request.

    ``events()``: one row per API call (time, action, node, eni, vswitch, asked, granted,
    code, http_status, attempt; code is "" when the call succeeded; times in seconds from the
    start of the workload). ``samples()``: every ``sample_every``, per vSwitch, with the run's
    pods and addresses on every row. ``exhaustion()``: the first time each limit was hit.

    ``summary`` keys: calls, errors, error_rate, errors_by_code, error_rate_by_code,
    calls_by_action; pods_arrived, pods_got_ip, pods_pending_at_end; pod_wait_seconds (p50, p90,
    p99, max over every pod, those still waiting at the end counted with their wait so far);
    peak_pods_running (exact), peak_ips_held, min_free_ips and min_free_blocks_28_reserved per
    vSwitch (at the samples); exhaustion (limit -> time, resource, code); scenario, seed,
    duration.
    """

    def __init__(self, run: RunResult):
        self._run = run
        self.summary: dict[str, Any] = run.summary
        self.plan = run.plan

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Result {s['scenario']!r}: {s['calls']} calls, error rate {s['error_rate']:.2%}, "
                f"{s['pods_arrived']} pods, {s['pods_pending_at_end']} pending at the end>")

    def events(self):
        import pandas as pd

        cols = self._run.recorder.events_columns()
        data = {}
        for key, value in cols.items():
            if isinstance(value, tuple):
                codes, names = value
                data[key] = pd.Categorical.from_codes(codes.astype("int32"), categories=names)  # interned: unique
            else:
                data[key] = value
        return pd.DataFrame(data)

    def samples(self):
        import pandas as pd

        df = pd.DataFrame(self._run.recorder.sample_columns, columns=list(SAMPLE_COLUMNS))
        df["largest_free_prefixlen"] = df["largest_free_prefixlen"].astype("Int64").where(df["largest_free_prefixlen"] >= 0)
        return df

    def exhaustion(self):
        import pandas as pd

        rows = [(limit, t, resource, code) for limit, (t, resource, code) in sorted(self._run.recorder.exhaustion.items(), key=lambda kv: kv[1][0])]
        return pd.DataFrame(rows, columns=["limit", "time", "resource", "code"])


def _progress_bar(duration: float, show: bool | None):
    if show is False:
        return None
    interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
    if show is None and not interactive:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=round(duration), unit="s", desc="simulated", leave=False)


def run(scenario: str | Path | Mapping | None = None, *, progress: bool | None = None) -> Result:
    """Replay a scenario (a YAML path or a dict; the embedded default when None).

    ``progress``: show a progress bar (None: only in a terminal or a notebook).
    Raises ScenarioError for a scenario that cannot be run.

    >>> r = run({**DEFAULT_SCENARIO, "duration": "1h"}, progress=False)
    >>> r.summary["calls"] > 0 and r.summary["errors"] == 0
    True
    """
    plan = build_plan(DEFAULT_SCENARIO if scenario is None else scenario)
    bar = _progress_bar(plan.duration, progress)
    on_progress: Callable[[float], None] | None = None
    if bar is not None:
        def on_progress(t: float) -> None:
            bar.update(round(t) - bar.n)
    try:
        try:
            replay = Replay(plan)
        except ApiError as exc:
            # The layout itself does not fit (a fleet larger than its vSwitch, say).
            raise ScenarioError(plan.source, "fleet", f"building the scenario failed: {exc.code}: {exc.message}") from None
        try:
            result = replay.run(on_progress)
        except WorkloadError as exc:
            raise ScenarioError(plan.source, "workload", str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    return Result(result)
