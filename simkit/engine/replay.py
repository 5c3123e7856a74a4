"""Replay: a workload against the simulated cloud, with node agents and a scheduler.

``Replay(plan).run()`` builds the VPC, vSwitches, reservations and fleet through
``Cloud.call``, then plays the workload in simulated time: pod lifecycles through the
scheduler and the node agents (whose API calls go to the model), or logged API calls through
``Cloud.call``. Every API call's outcome, periodic samples and the first exhaustion of each
limit are recorded. No I/O, no plotting; the same plan and seed give the same result.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from simkit.agents import AgentConfig, Node, NodeAgent, Pod, Scheduler, make_agent, max_pods
from simkit.api import Cloud
from simkit.ecs import CloudSettings
from simkit.engine.core import FIRST, LAST, NORMAL, Engine
from simkit.engine.recorder import Recorder
from simkit.errors import ApiError

__all__ = ["FleetSpec", "Plan", "Replay", "RunResult", "VSwitchSpec"]


@dataclass(frozen=True)
class VSwitchSpec:
    name: str
    zone: str
    cidr: str
    reservations: tuple[dict, ...] = ()  # each {"cidr": "a.b.c.d/n"} or {"mask": n}


@dataclass(frozen=True)
class FleetSpec:
    instance_type: str
    count: int
    vswitch: str  # a VSwitchSpec name
    max_pods: int | None = None  # default: from the ENI limits and the agent mode


@dataclass(frozen=True)
class Plan:
    """Everything a replay needs, already validated (the scenario layer builds it)."""

    seed: int
    region: str
    duration: float
    sample_every: float
    vpc_cidr: str
    vswitches: tuple[VSwitchSpec, ...]
    fleet: tuple[FleetSpec, ...]
    agent: AgentConfig
    settings: CloudSettings
    pods: Callable[[], Iterable[Any]] | None = None  # yields PodSpec-like (name, start, end, cpu_milli, memory_mib)
    api_calls: Callable[[], Iterable[Any]] | None = None  # yields ApiCall-like (time, action, params, creates)
    name: str = "scenario"
    source: str = "scenario"  # the file (or "scenario" for a dict), for messages


@dataclass
class RunResult:
    """What a replay recorded; ``simkit.Result`` wraps it with DataFrames."""

    plan: Plan
    recorder: Recorder
    summary: dict[str, Any]
    vswitch_ids: dict[str, str]  # scenario name -> simulated id
    nodes: list[str] = field(default_factory=list)


# ID fields of the API a logged call may name, and what scenario resource stands in for an
# id the log never created.
_ID_KINDS = {
    "VSwitchId": "vswitch", "VpcId": "vpc", "SecurityGroupId": "sg", "InstanceId": "instance",
    "NetworkInterfaceId": "eni", "VSwitchCidrReservationId": "reservation",
}


class Replay:
    """One run of a plan (see the module docstring)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.cloud = Cloud(seed=plan.seed, settings=plan.settings)
        self.model = self.cloud.model
        self.engine = Engine(seed=plan.seed)
        self.rec = Recorder()
        self.region = plan.region
        self.vswitch_ids: dict[str, str] = {}
        self.agents: list[NodeAgent] = []
        self.running = 0
        self.peak_running = 0
        self.pods_started = 0
        self._setup()

    # ---------------------------------------------------------------- set-up through the API

    def _api(self, action: str, **params) -> dict:
        params.setdefault("RegionId", self.region)
        return self.cloud.call(action, params)

    def _setup(self) -> None:
        plan = self.plan
        vpc = self._api("CreateVpc", CidrBlock=plan.vpc_cidr)["VpcId"]
        self.vpc_id = vpc
        self.sg_id = self._api("CreateSecurityGroup", VpcId=vpc)["SecurityGroupId"]
        for v in plan.vswitches:
            vsw = self._api("CreateVSwitch", VpcId=vpc, ZoneId=v.zone, CidrBlock=v.cidr, VSwitchName=v.name)["VSwitchId"]
            self.vswitch_ids[v.name] = vsw
            for r in v.reservations:
                key = ("VSwitchCidrReservationCidr", r["cidr"]) if "cidr" in r else ("VSwitchCidrReservationMask", r["mask"])
                self._api("CreateVSwitchCidrReservation", VSwitchId=vsw, **{key[0]: key[1]})
        catalog = self.model.catalog
        n = 0
        for f in plan.fleet:
            itype = catalog.require_ip_limits(f.instance_type)
            vsw = self.vswitch_ids[f.vswitch]
            left = f.count
            while left:
                amount = min(left, 100)  # RunInstances takes 1-100 a call
                ids = self._api("RunInstances", InstanceType=f.instance_type, VSwitchId=vsw, SecurityGroupId=self.sg_id,
                                Amount=amount)["InstanceIdSets"]["InstanceIdSet"]
                for iid in ids:
                    n += 1
                    node = Node(f"node-{n:04d}", iid, itype, self.region, vsw, self.sg_id,
                                f.max_pods if f.max_pods is not None else max_pods(itype, plan.agent.mode))
                    self.agents.append(make_agent(self, node, plan.agent, plan.settings.eni_attach_seconds))
                left -= amount
        # Let reservations get assigned and instances start before the workload begins.
        settle = max(plan.settings.reservation_assign_seconds, plan.settings.instance_start_seconds)
        self.cloud.advance(settle)
        self.t0 = self.model.now
        self.engine.now = self.t0
        self.scheduler = Scheduler(self.agents)
        self._vsw_of_node = {a.node.name: a.node.vswitch_id for a in self.agents}

    # ---------------------------------------------------------------- the agent context

    @property
    def now(self) -> float:
        return self.engine.now

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        self.engine.at(self.engine.now + delay, fn, arg, NORMAL)

    def jitter(self) -> float:
        return self.engine.rng.random()

    def call(self, agent: NodeAgent, action: str, args: dict, eni: str, asked: int, attempt: int) -> Any:
        now = self.engine.now
        model = self.model
        if model.now < now:
            model.advance_to(now)
        node = agent.node
        t = now - self.t0
        try:
            result = model.invoke(action, args)
        except ApiError as exc:
            self.rec.call(t, action, node.name, eni, node.vswitch_id, asked, 0, exc.code, exc.http_status, attempt)
            raise
        if action == "AssignPrivateIpAddresses":
            granted = len(result[1]) or len(result[2])
        elif action == "CreateNetworkInterface":
            eni = result.id
            # Prefixes when it was asked for prefixes, else addresses (its primary included).
            granted = len(result.prefixes) or 1 + len(result.secondaries)
        else:
            granted = asked
        self.rec.call(t, action, node.name, eni, node.vswitch_id, asked, granted, "", 200, attempt)
        return result

    def pod_ready(self, pod: Pod) -> None:
        self.rec.pod_waits.append(self.engine.now - pod.asked_at)
        self.running += 1
        if self.running > self.peak_running:
            self.peak_running = self.running

    # ---------------------------------------------------------------- pods

    def _next_pod(self, _: Any = None) -> None:
        spec = next(self._pods, None)
        if spec is None:
            return
        start = self.t0 + spec.start
        if start > self.end:
            return
        pod = Pod(spec.name, start, None if spec.end is None else self.t0 + spec.end, spec.cpu_milli, spec.memory_mib)
        self.engine.at(max(start, self.engine.now), self._pod_start, pod, NORMAL)

    def _pod_start(self, pod: Pod) -> None:
        self._next_pod()  # one pod of look-ahead: the workload streams
        self.pods_started += 1
        pod.asked_at = self.engine.now
        agent = self.scheduler.place(pod)
        if agent is None:
            self.rec.exhausted("node_pods", self.engine.now - self.t0, "fleet", "")
        else:
            agent.pod_start(pod)
        if pod.end is not None and pod.end <= self.end:
            self.engine.at(max(pod.end, self.engine.now), self._pod_end, pod, FIRST)

    def _pod_end(self, pod: Pod) -> None:
        was_running = pod.state == "running"
        self.scheduler.remove(pod)
        if pod.node is not None and pod.state != "unscheduled":
            pod.node.pod_end(pod)
        pod.state = "done"
        if was_running:
            self.running -= 1
        for waiting, agent in self.scheduler.retry_unscheduled():
            agent.pod_start(waiting)

    # ---------------------------------------------------------------- logged API calls

    def _next_call(self, _: Any = None) -> None:
        call = next(self._calls, None)
        if call is None:
            return
        t = self.t0 + call.time
        if t > self.end:
            return
        self.engine.at(t, self._api_call, call, NORMAL)

    def _map_id(self, key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        mapped = self._ids.get(value)
        if mapped is not None:
            return mapped
        kind = _ID_KINDS.get(key)
        pool = {"vswitch": list(self.vswitch_ids.values()), "vpc": [self.vpc_id], "sg": [self.sg_id],
                "instance": [a.node.instance_id for a in self.agents]}.get(kind)
        if not pool:
            return value  # an ENI or reservation the log never created: the model says NotFound
        used = self._stand_ins.setdefault(kind, 0)
        self._stand_ins[kind] = used + 1
        mapped = self._ids[value] = pool[used % len(pool)]
        return mapped

    def _api_call(self, call: Any) -> None:
        self._next_call()
        params = {}
        for key, value in call.params.items():
            base = key.split(".", 1)[0]
            if base == "RegionId":
                value = self.region  # a logged call runs in the scenario's region
            elif base in _ID_KINDS or base == "SecurityGroupIds" or base == "NetworkInterfaceId":
                value = [self._map_id(base, v) for v in value] if isinstance(value, list) else self._map_id(base, value)
            params[key] = value
        params.setdefault("RegionId", self.region)
        now = self.engine.now
        if self.model.now < now:
            self.model.advance_to(now)
        eni = params.get("NetworkInterfaceId", "") if isinstance(params.get("NetworkInterfaceId", ""), str) else ""
        asked = _asked(call.action, params)
        t = now - self.t0
        try:
            body = self.cloud.call(call.action, params)
        except ApiError as exc:
            self.rec.call(t, call.action, "", eni, params.get("VSwitchId", ""), asked, 0, exc.code, exc.http_status, 1)
            return
        granted = asked
        if call.action == "AssignPrivateIpAddresses":
            s = body["AssignedPrivateIpAddressesSet"]
            granted = len(s["PrivateIpSet"]["PrivateIpAddress"]) + len(s["Ipv4PrefixSet"]["Ipv4Prefixes"])
        elif call.action == "CreateNetworkInterface":
            # As for an agent's call: prefixes when it asked for prefixes, else addresses, the
            # ENI's primary included.
            prefixes = len(body["Ipv4PrefixSets"]["Ipv4PrefixSet"])
            granted = prefixes or len(body["PrivateIpSets"]["PrivateIpSet"])
        for key, logged in (call.creates or {}).items():
            made = body.get(key.split(".")[0])
            if key == "InstanceIdSets.InstanceIdSet":
                made = body.get("InstanceIdSets", {}).get("InstanceIdSet", [])
                for real, sim in zip(logged, made):
                    self._ids[real] = sim
            elif isinstance(made, str) and isinstance(logged, str):
                self._ids[logged] = made
        if call.action == "CreateNetworkInterface":
            eni = body.get("NetworkInterfaceId", eni)
        self.rec.call(t, call.action, "", eni, params.get("VSwitchId", ""), asked, granted, "", 200, 1)

    # ---------------------------------------------------------------- sampling and the run

    def _sample(self, _: Any = None) -> None:
        now = self.engine.now
        if self.model.now < now:
            self.model.advance_to(now)
        agents = self.agents
        running = sum(a.running for a in agents)
        pending = len(self.scheduler.unscheduled) + sum(len(a.waiting) for a in agents)
        held = sum(a.held for a in agents)
        idle = sum(len(a.idle) for a in agents)
        t = now - self.t0
        for name, vsw_id in self.vswitch_ids.items():
            s = self.model.region(self.region).vswitches[vsw_id].space.stats()
            self.rec.samples.append((t, name, s.used_ips, s.free_ips, s.free_blocks_28, s.free_blocks_28_reserved,
                                     s.largest_free_prefixlen if s.largest_free_prefixlen is not None else -1,
                                     s.fragmentation, running, pending, held, idle))
        nxt = now + self.plan.sample_every
        if nxt <= self.end + 1e-9:
            self.engine.at(nxt, self._sample, None, LAST)

    def run(self, on_progress: Callable[[float], None] | None = None) -> RunResult:
        plan = self.plan
        self.end = self.t0 + plan.duration
        self._ids: dict[str, str] = {}
        self._stand_ins: dict[str, int] = {}
        self._pods: Iterator[Any] = iter(plan.pods()) if plan.pods is not None else iter(())
        self._calls: Iterator[Any] = iter(plan.api_calls()) if plan.api_calls is not None else iter(())
        self._next_pod()
        self._next_call()
        self.engine.at(self.t0, self._sample, None, LAST)
        progress = None if on_progress is None else (lambda t: on_progress(t - self.t0))
        # A run allocates millions of short-lived objects and few cycles: collecting the young
        # generation less often saves about a sixth of the run time (bench/replay.py).
        threshold = gc.get_threshold()
        gc.set_threshold(100_000, threshold[1], threshold[2])
        try:
            self.engine.run(self.end, on_step=progress)
        finally:
            gc.set_threshold(*threshold)
        if self.model.now < self.end:
            self.model.advance_to(self.end)
        if on_progress is not None:
            on_progress(plan.duration)
        return RunResult(plan, self.rec, self._summary(), dict(self.vswitch_ids), [a.node.name for a in self.agents])

    def _summary(self) -> dict[str, Any]:
        rec = self.rec
        n = rec.n_calls
        counts: dict[str, int] = {}
        for c in rec.code:
            if c:
                name = rec.codes.names[c]
                counts[name] = counts.get(name, 0) + 1
        errors = sum(counts.values())
        by_action: dict[str, int] = {}
        for a in rec.action:
            name = rec.actions.names[a]
            by_action[name] = by_action.get(name, 0) + 1
        waits = sorted(rec.pod_waits)
        pending_now = len(self.scheduler.unscheduled) + sum(len(a.waiting) for a in self.agents)
        # Pods still waiting at the end have waited at least this long (censored values).
        censored = [self.end - p.asked_at for a in self.agents for p in a.waiting] + \
                   [self.end - p.asked_at for p in self.scheduler.unscheduled]
        all_waits = sorted(waits + censored)
        samples = rec.samples
        min_free: dict[str, int] = {}
        for row in samples:
            name, free = row[1], row[3]
            if name not in min_free or free < min_free[name]:
                min_free[name] = free
        return {
            "scenario": self.plan.name,
            "seed": self.plan.seed,
            "duration": self.plan.duration,
            "calls": n,
            "errors": errors,
            "error_rate": errors / n if n else 0.0,
            "errors_by_code": dict(sorted(counts.items())),
            "error_rate_by_code": {k: v / n for k, v in sorted(counts.items())},
            "calls_by_action": dict(sorted(by_action.items())),
            "pods_arrived": self.pods_started,
            "pods_got_ip": len(waits),
            "pods_pending_at_end": pending_now,
            "pod_wait_seconds": {
                "p50": _pct(all_waits, 50), "p90": _pct(all_waits, 90), "p99": _pct(all_waits, 99),
                "max": all_waits[-1] if all_waits else 0.0,
            },
            "peak_pods_running": self.peak_running,
            "peak_ips_held": max((r[10] for r in samples), default=0),
            "min_free_ips": min_free,
            "min_free_blocks_28_reserved": {k: min((r[5] for r in samples if r[1] == k), default=0) for k in min_free},
            "exhaustion": {k: {"time": v[0], "resource": v[1], "code": v[2]} for k, v in sorted(rec.exhaustion.items())},
        }


def _pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not sorted_values:
        return 0.0
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return float(sorted_values[k])


def _asked(action: str, params: dict) -> int:
    """How many addresses or prefixes a logged call asks for (a new ENI's primary included)."""
    n = 0
    if action == "CreateNetworkInterface" and "Ipv4PrefixCount" not in params and \
            not any(k.split(".", 1)[0] == "Ipv4Prefix" for k in params):
        n = 1  # the primary address, named or not
    for key in ("SecondaryPrivateIpAddressCount", "Ipv4PrefixCount"):
        if key in params:
            try:
                return n + int(params[key])
            except (TypeError, ValueError):
                return 0
    for key, value in params.items():
        base = key.split(".", 1)[0]
        if base in ("PrivateIpAddress", "Ipv4Prefix"):
            n += len(value) if isinstance(value, list) else 1
    return n
