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

from simkit.agents import AgentConfig, max_pods
from simkit.catalog import (
    REGIONS,
    InstanceType,
    IpLimitsUnknown,
    UnknownInstanceType,
    default_zone,
    is_zone_of,
    load_catalog,
    zones_of,
)
from simkit.ecs import CloudSettings
from simkit.engine import FleetSpec, Plan, VSwitchSpec
from simkit.net import PREFIX_LEN, AddressSpace, Cidr
from simkit.net.policy import POLICIES
from simkit.scenario.check import Checker, show
from simkit.scenario.load import load_scenario
from simkit.scenario.workload import check_workload

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
#: Bounds that no real study needs to exceed, so that a run that would never end, or would
#: mean nothing, is refused with the range allowed (docs/scenario.md, "Bounds"). A run covers
#: at most a leap year (capacity is planned a year ahead);
MAX_DURATION = 366 * 86400.0
#: samples come at most once a second (the model's durations are whole seconds: finer samples
#: see nothing new), at most once a run, and at most 200,000 times a run (a year every 3
#: minutes; each sample keeps one byte per /28 block of every vSwitch: 4 KiB for a /16);
MIN_SAMPLE_EVERY = 1.0
MAX_SAMPLES = 200_000
#: an agent's waits (Terway's are 5 s to 20 min) and the cloud's simulated durations (seconds)
#: are at most a day; a retry's wait grows by a factor of at most 10 a step (Terway's is 1) and
#: is stretched by a jitter of at most 10 (Terway's 1.3), over at most 100 attempts (Terway's 6).
MAX_AGENT_WAIT = 86400.0
MAX_CLOUD_SECONDS = 86400.0
MAX_RETRY_FACTOR = 10.0
MAX_RETRY_ATTEMPTS = 100
#: Replays keep ClientTokens this long unless the scenario says otherwise: the real validity is
#: not published, and remembering every token of a million-call run would cost more memory
#: than the run itself. Agents reuse a token only within a retry sequence (seconds to minutes).
DEFAULT_TOKEN_TTL = 3600.0


def build_plan(source: str | Path | Mapping) -> Plan:
    """Check a scenario (a YAML path or a mapping) and turn it into a replay ``Plan``.

    Raises ScenarioError naming the source, the key path and what is allowed, for the first
    value that is wrong or out of its bounds (``MAX_DURATION``...: docs/scenario.md, "Bounds"),
    for a file that cannot be read or is not what it claims, and for a pod workload on a layout that
    cannot serve it: prefix mode on a vSwitch with fleet nodes but no CIDR reservation, or an
    instance type whose ENI limits address no pod in the agent's mode (see ``_check_serves``).
    """
    data, name, base = load_scenario(source)
    c = Checker(name)
    c.mapping(data, "", _TOP, {"vswitches", "fleet", "workload"})
    seed = c.integer(data.get("seed", 0), "seed", 0)
    region = data.get("region", "cn-hangzhou")
    if not isinstance(region, str) or region not in REGIONS:
        raise c.fail("region", f"{show(region)} is not a region simkit knows (for example cn-hangzhou, ap-southeast-1)")
    duration = c.duration(data.get("duration", "1d"), "duration", most=MAX_DURATION)
    sample_every = _sample_every(c, data.get("sample_every", "5m"), duration)
    vpc = c.mapping(data.get("vpc", {"cidr": "10.0.0.0/8"}), "vpc", {"cidr"}, {"cidr"})
    vpc_cidr = c.cidr(vpc["cidr"], "vpc.cidr")
    vswitches = _vswitches(c, data["vswitches"], vpc_cidr, region)
    placement = data.get("placement", "random")
    c.choice(placement, "placement", POLICIES)
    agent = _agent(c, data.get("agent", {}))
    fleet = _fleet(c, data["fleet"], {v.name for v in vswitches}, agent.mode)
    settings = _settings(c, data, placement)
    workload = check_workload(c, data["workload"], base, duration, seed)
    pods, api_calls = workload.pods, workload.api_calls
    if pods is not None:  # agents serve pods only; a log of API calls needs none of this
        _check_serves(c, vswitches, fleet, agent.mode)
    slo = c.mapping(data.get("slo", {}), "slo", _SLO)
    slo_pod_wait = c.duration(slo.get("pod_wait", DEFAULT_SLO_POD_WAIT), "slo.pod_wait", positive=False)
    return Plan(seed=seed, region=region, duration=duration, sample_every=sample_every, vpc_cidr=str(vpc_cidr),
                vswitches=tuple(vswitches), fleet=tuple(fleet), agent=agent, settings=settings, pods=pods,
                api_calls=api_calls, name=str(data.get("name", "scenario")), source=name, slo_pod_wait=slo_pod_wait,
                offered_pods=workload.offered_pods)


def _sample_every(c: Checker, value: Any, duration: float) -> float:
    """``sample_every`` in seconds: at least ``MIN_SAMPLE_EVERY``, at most the duration, and at
    most ``MAX_SAMPLES`` samples in the run; ScenarioError with the range for this duration."""
    every = c.duration(value, "sample_every")
    least = max(MIN_SAMPLE_EVERY, duration / MAX_SAMPLES)
    if not least <= every <= duration:
        raise c.fail("sample_every", f"{show(value)} is {every:,.10g} s; allowed: from {least:,.10g} s to the duration "
                                     f"({duration:,.10g} s): at least {MIN_SAMPLE_EVERY:g} s, and at most "
                                     f"{MAX_SAMPLES:,} samples a run")
    return every


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
            if "mask" in r:
                c.integer(r["mask"], f"{rp}.mask")
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


def _fleet(c: Checker, value: Any, names: set[str], mode: str) -> list[FleetSpec]:
    catalog = load_catalog()
    fleet = []
    for i, f in enumerate(c.seq(value, "fleet")):
        p = f"fleet[{i}]"
        c.mapping(f, p, {"instance_type", "count", "vswitch", "max_pods"}, {"instance_type", "count", "vswitch"})
        try:
            itype = catalog.require_ip_limits(f["instance_type"])
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            raise c.fail(f"{p}.instance_type", str(exc)) from None
        count = c.integer(f["count"], f"{p}.count", 1, 100_000)
        if not isinstance(f["vswitch"], str) or f["vswitch"] not in names:
            raise c.fail(f"{p}.vswitch", f"{show(f['vswitch'])} is not a vswitches[].name; allowed: {', '.join(sorted(names))}")
        pods = f.get("max_pods")
        if pods is not None and (not isinstance(pods, int) or isinstance(pods, bool) or pods < 1):
            served, working = _served(itype, mode)
            hint = f"; leave it out to use the {served} pods a node addresses in agent.mode {mode}: {working}" if served else ""
            raise c.fail(f"{p}.max_pods", f"expected a whole number from 1, got {show(pods)}{hint}")
        fleet.append(FleetSpec(f["instance_type"], count, f["vswitch"], pods))
    return fleet


def _served(itype: InstanceType, mode: str) -> tuple[int, str]:
    """Pods a node of ``itype`` addresses in agent ``mode``, and how: Terway's formula with the
    type's numbers (EniQuantity and EniPrivateIpAddressQuantity as DescribeInstanceTypes names
    them), e.g. ``(3 - 1) * 6 = 12`` for ecs.g7.large in secondary-ip mode."""
    enis, ips = itype.eni_quantity, itype.private_ipv4_per_eni
    served = max_pods(itype, mode)
    if mode == "prefix":
        return served, (f"(EniQuantity - 1) * (EniPrivateIpAddressQuantity - 1) * 16 = "
                        f"({enis} - 1) * ({ips} - 1) * 16 = {served}")
    return served, f"(EniQuantity - 1) * EniPrivateIpAddressQuantity = ({enis} - 1) * {ips} = {served}"


def _check_serves(c: Checker, vswitches: list[VSwitchSpec], fleet: list[FleetSpec], mode: str) -> None:
    """Refuse a layout on which the agents can address no pod of a fleet entry, so the run
    would only show pods waiting forever. Two cases can arise:

    - an instance type whose ENI limits address no pod in ``mode`` (``_served`` is 0): in both
      modes a type with EniQuantity 1, since the agent leaves the primary ENI to the node and
      serves pods from secondary ENIs only; in prefix mode also a type with
      EniPrivateIpAddressQuantity 1, since each ENI keeps that one slot for its primary IP.
      ``fleet[i].max_pods`` cannot help (it only caps pods), so the key is the instance type;
    - prefix mode on a vSwitch that carries fleet nodes but has no CIDR reservation: prefixes
      come only from a reservation of the vSwitch (alibaba-facts §2.1).

    A ``max_pods`` above what the type serves is allowed: it is how a kubelet max-pods set
    above the ENI limits behaves, and the pods beyond wait for an address.
    """
    catalog = load_catalog()
    index = {v.name: j for j, v in enumerate(vswitches)}
    for i, f in enumerate(fleet):
        itype = catalog.get(f.instance_type)
        served, working = _served(itype, mode)
        if served < 1:
            if itype.eni_quantity < 2:
                why = ("the agent leaves the primary ENI to the node and gives pods the addresses of "
                       "secondary ENIs, and this type has none")
                fix = "pick an instance type with an EniQuantity of 2 or more (data/instance_types.csv)"
            else:
                other = max_pods(itype, "secondary-ip")
                why = ("each secondary ENI keeps its one private IPv4 slot for its primary IP, leaving "
                       "none for a /28 prefix")
                fix = (f"use agent.mode: secondary-ip ({other} pods a node), or an instance type with an "
                       f"EniPrivateIpAddressQuantity of 2 or more")
            given = "" if f.max_pods is None else f" (fleet[{i}].max_pods {f.max_pods} cannot raise it)"
            raise c.fail(f"fleet[{i}].instance_type",
                         f"{itype.name} addresses no pod in agent.mode {mode}: {working}{given}; {why}; {fix}")
        j = index[f.vswitch]
        v = vswitches[j]
        if mode == "prefix" and not v.reservations:
            mask = Cidr.parse(v.cidr).prefixlen
            where = f"fleet[{i}] ({f.count} x {f.instance_type}) runs on {v.name}"
            if mask + 2 > PREFIX_LEN:  # a reservation is 2 bits longer than its vSwitch, at most /28
                raise c.fail(f"vswitches[{j}].cidr",
                             f"agent.mode is prefix, and prefixes come only from a CIDR reservation of the vSwitch; "
                             f"{where}, a /{mask} that cannot hold one (its mask must be at least 2 bits longer "
                             f"than the vSwitch's and at most /28); use a /26 or larger vSwitch with reservations, "
                             f"or agent.mode: secondary-ip")
            raise c.fail(f"vswitches[{j}].reservations",
                         f"agent.mode is prefix, and prefixes come only from a CIDR reservation of the vSwitch; "
                         f"{where}, which has none; add one, e.g. reservations: [{{mask: {mask + 2}}}]")


def _agent(c: Checker, value: Any) -> AgentConfig:
    c.mapping(value, "agent", _AGENT)
    kwargs = dict(value)
    for key in _AGENT_DURATIONS & set(kwargs):
        kwargs[key] = c.duration(kwargs[key], f"agent.{key}", positive=False, most=MAX_AGENT_WAIT)
    for key in {"retry_factor", "retry_jitter"} & set(kwargs):
        kwargs[key] = c.number(kwargs[key], f"agent.{key}", 0.0, MAX_RETRY_FACTOR)
    if "retry_attempts" in kwargs:
        c.integer(kwargs["retry_attempts"], "agent.retry_attempts", 1, MAX_RETRY_ATTEMPTS)
    try:
        return AgentConfig(**kwargs)
    except ValueError as exc:
        # AgentConfig names the field first ("agent.mode 'x' is unknown; allowed: ...").
        text = str(exc)
        field, _, problem = text.partition(" ")
        if field.startswith("agent.") and field[len("agent."):] in _AGENT and problem:
            raise c.fail(field, problem) from None
        raise c.fail("agent", text) from None


def _settings(c: Checker, data: Mapping, placement: str) -> CloudSettings:
    limits = c.mapping(data.get("limits", {}), "limits", _LIMITS)
    cloud = c.mapping(data.get("cloud", {}), "cloud", _CLOUD)
    # Fault and throttle keys are error codes and API actions, checked by CloudSettings.
    faults = c.table(data.get("faults", {}), "faults", "error code (or API action) to rate")
    kwargs: dict[str, Any] = {"placement": placement, "faults": faults,
                              "client_token_ttl_seconds": DEFAULT_TOKEN_TTL}
    throttle = c.table(limits.get("throttle_per_minute", {}), "limits.throttle_per_minute",
                       "API action to calls per minute")
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
        kwargs[key] = (c.duration(value, f"cloud.{key}", positive=False, most=MAX_CLOUD_SECONDS)
                       if key.endswith("_seconds") else value)
    # CloudSettings names the bad field first in its message ("settings.x ...", "limits.x ...");
    # the scenario's key for a settings field is cloud.x.
    try:
        return CloudSettings(**kwargs)
    except ValueError as exc:
        text = str(exc)
        path = text.split(" ", 1)[0].replace("settings.", "cloud.") if text.startswith(("settings.", "limits.", "faults")) else ""
        raise c.fail(path.rstrip(":"), text.split(" ", 1)[1] if path else text) from None
