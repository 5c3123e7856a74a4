"""Checking a whole scenario key by key into a replay ``Plan``: the layout (VPC, vSwitches,
fleet), the agent, the cloud's settings and limits; the workload is checked in
``simkit.scenario.workload``.

The keys are the contract of DESIGN.md ("The scenario file"); docs/scenario.md names every key
the tables below allow, and a test holds the two together.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Mapping

from simkit.agents import AgentConfig
from simkit.catalog import (
    REGIONS,
    IpLimitsUnknown,
    UnknownInstanceType,
    default_zone,
    is_zone_of,
    load_catalog,
    zones_of,
)
from simkit.ecs import CloudSettings
from simkit.engine import FleetSpec, Plan, VSwitchSpec
from simkit.net import AddressSpace, Cidr
from simkit.net.policy import POLICIES
from simkit.scenario.check import Checker, show
from simkit.scenario.load import load_scenario
from simkit.scenario.offered import offered_pods
from simkit.scenario.workload import check_workload
from simkit.workloads import WorkloadError

__all__ = ["DEFAULT_TOKEN_TTL", "build_plan"]

_TOP = {"name", "seed", "region", "duration", "sample_every", "vpc", "vswitches", "placement", "fleet", "agent",
        "workload", "faults", "limits", "cloud", "slo"}
_SLO = {"pod_wait"}
#: A pod that waits longer than this for its address is not served in time (``slo.pod_wait``).
DEFAULT_SLO_POD_WAIT = 30.0
_LIMITS = {"throttle_per_minute", "account_eni_quota", "security_group_capacity", "available_eni_max_secondary",
           "client_token_ttl"}
_CLOUD = {f.name for f in fields(CloudSettings)} - {"placement", "faults", "throttle_per_minute", "account_eni_quota",
                                                     "security_group_capacity", "available_eni_max_secondary",
                                                     "client_token_ttl_seconds"}
_AGENT = {f.name for f in fields(AgentConfig)}
_AGENT_DURATIONS = {"retry_backoff", "block_exhausted", "block_eni_limit", "give_up_backoff"}
#: Replays keep ClientTokens this long unless the scenario says otherwise: the real validity is
#: not published, and remembering every token of a million-call run would cost more memory
#: than the run itself. Agents reuse a token only within a retry sequence (seconds to minutes).
DEFAULT_TOKEN_TTL = 3600.0


def build_plan(source: str | Path | Mapping) -> Plan:
    """Check a scenario (a YAML path or a mapping) and turn it into a replay ``Plan``.

    Raises ScenarioError naming the source, the key path and what is allowed, for the first
    value that is wrong (or a file that cannot be read).
    """
    data, name, base = load_scenario(source)
    c = Checker(name)
    c.mapping(data, "", _TOP, {"vswitches", "fleet", "workload"})
    seed = c.integer(data.get("seed", 0), "seed", 0)
    region = data.get("region", "cn-hangzhou")
    if region not in REGIONS:
        raise c.fail("region", f"{show(region)} is not a region simkit knows (for example cn-hangzhou, ap-southeast-1)")
    duration = c.duration(data.get("duration", "1d"), "duration")
    sample_every = c.duration(data.get("sample_every", "5m"), "sample_every")
    if sample_every > duration:
        raise c.fail("sample_every", f"({sample_every:g} s) must not be longer than duration ({duration:g} s)")
    vpc = c.mapping(data.get("vpc", {"cidr": "10.0.0.0/8"}), "vpc", {"cidr"}, {"cidr"})
    vpc_cidr = c.cidr(vpc["cidr"], "vpc.cidr")
    vswitches = _vswitches(c, data["vswitches"], vpc_cidr, region)
    placement = data.get("placement", "random")
    if placement not in POLICIES:
        raise c.fail("placement", f"{show(placement)} is unknown; allowed: {', '.join(POLICIES)}")
    agent = _agent(c, data.get("agent", {}))
    fleet = _fleet(c, data["fleet"], {v.name for v in vswitches})
    settings = _settings(c, data, placement)
    pods, api_calls = check_workload(c, data["workload"], base, duration, seed)
    slo = c.mapping(data.get("slo", {}), "slo", _SLO)
    slo_pod_wait = c.duration(slo.get("pod_wait", DEFAULT_SLO_POD_WAIT), "slo.pod_wait", positive=False)
    try:
        offered = offered_pods(data["workload"], pods, duration)
    except WorkloadError as exc:
        raise c.fail("workload", str(exc)) from None  # a bad trace row, found while counting its peak
    return Plan(seed=seed, region=region, duration=duration, sample_every=sample_every, vpc_cidr=str(vpc_cidr),
                vswitches=tuple(vswitches), fleet=tuple(fleet), agent=agent, settings=settings, pods=pods,
                api_calls=api_calls, name=str(data.get("name", "scenario")), source=name, slo_pod_wait=slo_pod_wait,
                offered_pods=offered)


def _vswitches(c: Checker, value: Any, vpc_cidr: Cidr, region: str) -> list[VSwitchSpec]:
    vswitches = []
    names: set[str] = set()
    for i, v in enumerate(c.seq(value, "vswitches")):
        p = f"vswitches[{i}]"
        c.mapping(v, p, {"name", "zone", "cidr", "reservations"}, {"name", "cidr"})
        vname = c.text(v["name"], f"{p}.name")
        if vname in names:
            raise c.fail(f"{p}.name", f"{vname!r} is used twice")
        names.add(vname)
        cidr = c.cidr(v["cidr"], f"{p}.cidr")
        if not vpc_cidr.contains_block(cidr):
            raise c.fail(f"{p}.cidr", f"{cidr} is not inside vpc.cidr {vpc_cidr}")
        zone = v.get("zone", default_zone(region))
        if not is_zone_of(zone, region):
            raise c.fail(f"{p}.zone", _not_a_zone(zone, region))
        reservations = []
        # Reserving in a scratch space of the vSwitch's size finds a reservation that cannot be
        # made (too many, a mask out of range, no room) here, with its key path, rather than
        # when the replay builds the vSwitch.
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
    return vswitches


def _not_a_zone(zone: Any, region: str) -> str:
    zones = zones_of(region)
    if zones:
        return f"{show(zone)} is not a zone of {region}; its zones: {', '.join(zones)}"
    # No sourced list for this region (data/zones.csv): simkit.catalog.is_zone_of's fallback.
    return (f"{show(zone)} is not a zone of {region} (simkit has no zone list for {region}; "
            f"it accepts {region}-<letter> or {region}<letter>)")


def _trial_space(c: Checker, cidr: Cidr, path: str) -> AddressSpace:
    try:
        return AddressSpace(cidr, policy="lowest")
    except ValueError as exc:
        raise c.fail(path, str(exc)) from None


def _fleet(c: Checker, value: Any, names: set[str]) -> list[FleetSpec]:
    catalog = load_catalog()
    fleet = []
    for i, f in enumerate(c.seq(value, "fleet")):
        p = f"fleet[{i}]"
        c.mapping(f, p, {"instance_type", "count", "vswitch", "max_pods"}, {"instance_type", "count", "vswitch"})
        try:
            catalog.require_ip_limits(f["instance_type"])
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            raise c.fail(f"{p}.instance_type", str(exc)) from None
        count = c.integer(f["count"], f"{p}.count", 1, 100_000)
        if f["vswitch"] not in names:
            raise c.fail(f"{p}.vswitch", f"{show(f['vswitch'])} is not a vswitches[].name; allowed: {', '.join(sorted(names))}")
        max_pods = None if f.get("max_pods") is None else c.integer(f["max_pods"], f"{p}.max_pods", 1)
        fleet.append(FleetSpec(f["instance_type"], count, f["vswitch"], max_pods))
    return fleet


def _agent(c: Checker, value: Any) -> AgentConfig:
    c.mapping(value, "agent", _AGENT)
    kwargs = dict(value)
    for key in _AGENT_DURATIONS & set(kwargs):
        kwargs[key] = c.duration(kwargs[key], f"agent.{key}", positive=False)
    try:
        return AgentConfig(**kwargs)
    except ValueError as exc:
        key = next((k for k in kwargs if f"agent.{k}" in str(exc)), "")
        raise c.fail(f"agent.{key}" if key else "agent", str(exc).split(": ", 1)[-1] if key else str(exc)) from None


def _settings(c: Checker, data: Mapping, placement: str) -> CloudSettings:
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
    # CloudSettings names the bad field first in its message ("settings.x ...", "limits.x ...");
    # the scenario's key for a settings field is cloud.x.
    try:
        return CloudSettings(**kwargs)
    except ValueError as exc:
        text = str(exc)
        path = text.split(" ", 1)[0].replace("settings.", "cloud.") if text.startswith(("settings.", "limits.", "faults")) else ""
        raise c.fail(path.rstrip(":"), text.split(" ", 1)[1] if path else text) from None
