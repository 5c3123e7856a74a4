"""The summary of a run, computed from the recorder's columns (numpy), after the run. Every key
is defined in docs/scenario.md ("The summary")."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simkit.agents import WaitReason
from simkit.engine.plan import Plan, fleet_pods
from simkit.engine.pod_records import PodOutcome
from simkit.engine.recorder import Recorder
from simkit.net import Cidr
from simkit.net.states import SYSTEM_RESERVED_HEAD, SYSTEM_RESERVED_TAIL

__all__ = ["summarize"]


def _pct(sorted_values: np.ndarray, p: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not len(sorted_values):
        return 0.0
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return float(sorted_values[k])


def _counts(codes: np.ndarray, names: list[str], skip_first: bool) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(names)) if len(codes) else np.zeros(len(names), dtype=np.int64)
    return {names[i]: int(n) for i, n in enumerate(counts) if n and not (skip_first and i == 0)}


def pod_waits(rec: Recorder, duration: float) -> np.ndarray:
    """Seconds each pod waited for its address: until it got it, until its lifetime ended while
    it waited, or until the end of the run while it still waited."""
    cols = rec.pods.columns()
    waits = np.where(np.isnan(cols["wait_ended"]), duration, cols["wait_ended"])
    waits -= cols["arrival"]  # in place: one array of a long trace's length, not two
    return waits


def summarize(rec: Recorder, plan: Plan, pods_arrived: int, peak_running: int) -> dict[str, Any]:
    """The summary keys (defined in docs/scenario.md)."""
    n = rec.n_calls
    cols = rec.events_columns()
    code_ids, code_names = cols["code"]
    action_ids, action_names = cols["action"]
    counts = dict(sorted(_counts(code_ids.astype(np.intp), code_names, skip_first=True).items()))
    errors = sum(counts.values())
    by_action = dict(sorted(_counts(action_ids.astype(np.intp), action_names, skip_first=False).items()))
    pods = rec.pods.columns()
    outcome, reason = pods["outcome"], pods["reason"]
    waits = pod_waits(rec, plan.duration)
    slo = plan.slo_pod_wait
    over_slo = waits > slo
    failed = over_slo | (outcome == PodOutcome.EXPIRED)
    arrived = len(waits)
    samples = rec.sample_columns
    names = np.asarray(samples["vswitch"], dtype=object)
    free = np.asarray(samples["free_ips"], dtype=np.int64)
    reserved_free = np.asarray(samples["free_blocks_28_reserved"], dtype=np.int64)
    consumed = np.asarray(samples["consumed_ips"], dtype=np.int64)
    idle = np.asarray(samples["idle_ips"], dtype=np.int64)
    times = np.asarray(samples["time"], dtype="d")
    min_free: dict[str, int] = {}
    min_reserved: dict[str, int] = {}
    peak_consumed: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(samples["vswitch"]):
        mine = np.flatnonzero(names == name)
        min_free[name] = int(free[mine].min())
        min_reserved[name] = int(reserved_free[mine].min())
        at = mine[int(np.argmax(consumed[mine]))]  # the first sample at the peak
        peak_consumed[name] = {"time": float(times[at]), "consumed": int(consumed[at]), "idle_in_pools": int(idle[at])}
    held = samples["ips_held"]
    # count_nonzero per reason rather than bincount, which would widen the byte column eightfold
    per_reason = {r.name.lower(): int(np.count_nonzero(reason == r)) for r in WaitReason if r != WaitReason.NONE}
    by_reason = {name: count for name, count in per_reason.items() if count}
    exhaustion = {k: {"time": v[0], "resource": v[1], "code": v[2]} for k, v in sorted(rec.exhaustion.items())}
    return {
        "scenario": plan.name,
        "seed": plan.seed,
        "duration": plan.duration,
        "calls": n,
        "api_errors": errors,
        "api_error_rate": errors / n if n else 0.0,
        "api_errors_by_code": counts,
        "api_error_rate_by_code": {k: v / n for k, v in counts.items()},
        "calls_by_action": by_action,
        "pods_arrived": pods_arrived,
        "pod_outcomes": {o.name.lower(): int(np.count_nonzero(outcome == o)) for o in
                         (PodOutcome.SERVED, PodOutcome.EXPIRED, PodOutcome.UNSCHEDULED, PodOutcome.WAITING)},
        "pod_wait_seconds": _wait_percentiles(_sorted_in_place(waits)),
        "slo_pod_wait": slo,
        "pods_over_slo": float(np.count_nonzero(over_slo) / arrived) if arrived else 0.0,
        "pod_failure_rate": float(np.count_nonzero(failed) / arrived) if arrived else 0.0,
        "pod_waits_by_reason": by_reason,
        "binding_limit": _binding_limit(plan, reason, failed, exhaustion),
        "peak_pods_running": peak_running,
        "peak_ips_held": int(max(held)) if held else 0,
        "min_free_ips": min_free,
        "min_free_blocks_28_reserved": min_reserved,
        "peak_consumed_ips": peak_consumed,
        "exhaustion": exhaustion,
    }


def _sorted_in_place(values: np.ndarray) -> np.ndarray:
    values.sort()  # the caller is done with the order: no copy of a long trace's waits
    return values


def _wait_percentiles(sorted_waits: np.ndarray) -> dict[str, float]:
    return {"p50": _pct(sorted_waits, 50), "p90": _pct(sorted_waits, 90), "p99": _pct(sorted_waits, 99),
            "max": float(sorted_waits[-1]) if len(sorted_waits) else 0.0}


def _binding_limit(plan: Plan, reason: np.ndarray, failed: np.ndarray, exhaustion: dict) -> dict[str, Any]:
    """The limit that held the most failed pods (or, when none failed, the most pods that
    waited for something other than calls in flight), with a sentence that says so."""
    held = failed if failed.any() else reason > WaitReason.IN_FLIGHT
    counts = np.array([0] + [np.count_nonzero(held & (reason == r)) for r in list(WaitReason)[1:]])
    if not counts.any():
        return {"limit": None, "pods": 0, "sentence": "no limit held pods: every pod got its address within the SLO"
                if not failed.any() else "pods failed, but no limit held them"}
    limit = WaitReason(int(np.argmax(counts)))
    pods = int(counts[limit])
    return {"limit": limit.name.lower(), "pods": pods, "sentence": f"{pods:,} pods {_held(plan, limit, exhaustion)}"}


def _held(plan: Plan, limit: WaitReason, exhaustion: dict) -> str:
    """How ``limit`` held pods, in words, with the scenario's figures."""
    nodes = sum(f.count for f in plan.fleet)
    offered = f"; the workload offers ~{plan.offered_pods:,.0f} at once" if plan.offered_pods else ""
    if limit is WaitReason.FLEET_PODS:
        return f"waited because the fleet was full: {nodes:,} nodes hold {fleet_pods(plan):,} pods{offered}"
    if limit is WaitReason.FLEET_CPU:
        return f"waited because the fleet ran out of CPU: {nodes:,} nodes{offered}"
    if limit is WaitReason.FLEET_MEMORY:
        return f"waited because the fleet ran out of memory: {nodes:,} nodes{offered}"
    if limit is WaitReason.VSWITCH_ADDRESSES or limit is WaitReason.FLEET_ADDRESSES:
        hit = exhaustion.get("vswitch_addresses") or exhaustion.get("reservation_prefixes")
        what = "addresses" if hit is None or hit is exhaustion.get("vswitch_addresses") else "free /28 blocks in its reservations"
        where = f"vSwitch {hit['resource']} ran out of {what} {_into(hit['time'])}" if hit else "a vSwitch ran out of addresses"
        sizes = ", ".join(f"{v.name} {v.cidr}: {_usable(v.cidr):,} usable" for v in plan.vswitches)
        if limit is WaitReason.FLEET_ADDRESSES:
            return (f"waited for a node because the IP-aware scheduler skipped the nodes with room, whose vSwitch "
                    f"was out of addresses: {where} ({sizes})")
        return f"waited because {where} ({sizes})"
    if limit is WaitReason.ENI_LIMIT:
        return "waited because their nodes' ENIs were full, as many ENIs as the instance type allows"
    if limit is WaitReason.ACCOUNT_ENI_QUOTA:
        return f"waited because the account's ENI quota ({plan.settings.account_eni_quota}) in {plan.region} was reached"
    if limit is WaitReason.THROTTLED:
        limits = ", ".join(f"{a} {n}/min" for a, n in plan.settings.throttle_per_minute.items()) or "none set"
        return f"waited because their nodes' calls were throttled (limits: {limits})"
    if limit is WaitReason.SECURITY_GROUP:
        settings = plan.settings
        hit = exhaustion.get("security_group_addresses")
        if hit is not None:
            what = (f"the fleet's basic security group was full: it holds at most {settings.security_group_ip_capacity:,} "
                    f"private addresses (limits.security_group_ip_capacity), and first refused a call {_into(hit['time'])}")
        else:
            hit = exhaustion.get("security_group_enis")
            capacity = settings.security_group_capacity
            what = "the fleet's security group was full" + (
                f": it holds at most {capacity:,} ENIs (limits.security_group_capacity)" if capacity is not None else "")
            what += f", and first refused a call {_into(hit['time'])}" if hit is not None else ""
        return f"waited because {what}"
    if limit is WaitReason.VPC_ADDRESSES:
        hit = exhaustion.get("vpc_private_ips")
        when = f", and first refused a call {_into(hit['time'])}" if hit is not None else ""
        return (f"waited because the VPC was full: it holds at most {plan.settings.vpc_private_ips:,} private addresses "
                f"used by cloud resources (limits.vpc_private_ips){when}")
    if limit is WaitReason.RETRYING:
        return "waited while their nodes' failed calls were retried"
    if limit is WaitReason.NODE_PREFIXES:
        count = plan.agent.prefix_count
        return (f"waited because every address of their node's prefixes was in use: agent.prefix_count {count} "
                f"prefixes, {count * 16:,} addresses a node")
    return "waited only for calls in flight (ENIs being created and attached)"


def _into(seconds: float) -> str:
    """``at 37,513 s (10 h 25 min into the run)``."""
    minutes = int(seconds // 60)
    return f"at {seconds:,.0f} s ({minutes // 60} h {minutes % 60} min into the run)"


def _usable(cidr: str) -> int:
    """Addresses of a vSwitch that are not system-reserved (the first and the last three)."""
    return Cidr.parse(cidr).size - SYSTEM_RESERVED_HEAD - SYSTEM_RESERVED_TAIL
