"""The rules of a scenario that span its sections: a vSwitch inside the VPC, in a zone of the
region, overlapping no other, with reservations that fit; a fleet on a vSwitch the file names
and able to address pods; samples and pods a run can hold. ``Scenario``'s validator calls
``check_across`` once every section is valid on its own; each rule raises ``Problem`` with the
key path of the value to change."""

from __future__ import annotations

from typing import Any

from simkit.agents import max_pods
from simkit.catalog import PREFIX_REGIONS, InstanceType, default_zone, is_zone_of, load_catalog, zones_of
from simkit.ecs.settings import reservations_per_space
from simkit.net import PREFIX_LEN, AddressSpace, Cidr
from simkit.net.space import Refusal, Refused
from simkit.scenario.types import Problem, seconds_text, show

__all__ = ["ACK_MIN_MAX_PODS", "check_across", "served"]

#: ACK admits a node in shared-ENI mode only if its max pods, Terway's (EniQuantity - 1) x
#: EniPrivateIpAddressQuantity, is greater than this (ACK "Manage pod capacity on nodes", Mar 24
#: 2026; the same rule on "Select ECS instances to create the master and worker nodes").
ACK_MIN_MAX_PODS = 11


def check_across(s: Any) -> None:
    """Check the rules across the sections of the valid-section scenario ``s`` (a
    ``simkit.scenario.schema.Scenario``); raise Problem at the first broken one."""
    _sample_every(s)
    _vswitches(s)
    names = [v.name for v in s.vswitches]
    for i, f in enumerate(s.fleet):
        if f.vswitch not in names:
            raise Problem(f"{show(f.vswitch)} is not a vswitches[].name; allowed: {', '.join(names)}",
                          at=("fleet", i, "vswitch"))
        for k, step in enumerate(f.scale):
            if step.at >= s.duration:
                raise Problem(f"{step.at:g} s is not before the run ends ({s.duration:g} s)", at=("fleet", i, "scale", k, "at"))
        for k, name in enumerate(f.pod_vswitches):
            if name not in names:
                raise Problem(f"{show(name)} is not a vswitches[].name; allowed: {', '.join(names)}",
                              at=("fleet", i, "pod_vswitches", k))
    if s.workload.kind == "pod-churn":
        _churn(s)
    if s.workload.kind != "api-calls":  # agents serve pods only; a log of API calls needs none of this
        _serves(s)


def _sample_every(s: Any) -> None:
    from simkit.scenario.schema import MAX_SAMPLES, MIN_SAMPLE_EVERY

    least = max(MIN_SAMPLE_EVERY, s.duration / MAX_SAMPLES)
    if not least <= s.sample_every <= s.duration:
        default = "" if "sample_every" in s.model_fields_set else ", the default,"
        raise Problem(f"{seconds_text(s.sample_every)}{default} is out of range; allowed: from {least:,.10g} s to the duration "
                      f"({s.duration:,.10g} s): at least {MIN_SAMPLE_EVERY:g} s, and at most {MAX_SAMPLES:,} samples "
                      f"a run", at=("sample_every",))


def _vswitches(s: Any) -> None:
    limits = s.limits
    most = limits.vswitches_per_vpc
    if most is not None and len(s.vswitches) > most:
        raise Problem(f"{len(s.vswitches):,} vSwitches; a VPC holds at most {most:,} (limits.vswitches_per_vpc, the VPC "
                      f"quotas page)", at=("vswitches",))
    per_space = reservations_per_space(limits.reservations_per_vswitch, limits.reservations_per_vpc)
    in_vpc = 0
    seen: set[str] = set()
    cidrs: list[Cidr] = []
    for i, v in enumerate(s.vswitches):
        if v.name in seen:
            raise Problem(f"{v.name!r} is used twice", at=("vswitches", i, "name"))
        seen.add(v.name)
        if not s.vpc.cidr.contains_block(v.cidr):
            raise Problem(f"{v.cidr} is not inside vpc.cidr {s.vpc.cidr}", at=("vswitches", i, "cidr"))
        if v.zone is not None and not is_zone_of(v.zone, s.region):
            raise Problem(_not_a_zone(v.zone, s.region), at=("vswitches", i, "zone"))
        # Reserving in a scratch space of the vSwitch's size finds a reservation that cannot be
        # made (too many, a mask out of range, no room) here, with its key path, rather than
        # when the replay builds the vSwitch.
        try:
            trial = AddressSpace(v.cidr, policy="lowest", max_reservations=per_space)
        except ValueError as exc:
            raise Problem(str(exc), at=("vswitches", i, "cidr")) from None
        placed: list[Cidr] = []
        for j, r in enumerate(v.reservations):
            if limits.reservations_per_vpc is not None and in_vpc >= limits.reservations_per_vpc:
                raise Problem(f"one CIDR reservation more than the VPC holds: at most {limits.reservations_per_vpc:,} "
                              f"(limits.reservations_per_vpc), and the reservations before this one make "
                              f"{in_vpc:,}", at=("vswitches", i, "reservations", j))
            # A refusal of the value is put on its key (mask or cidr); one of the count, on the item.
            key = ("mask" if r.mask is not None else "cidr",)
            try:
                made = trial.reserve(mask=r.mask) if r.mask is not None else trial.reserve(r.cidr)
            except Refused as exc:
                where = () if exc.reason is Refusal.TOO_MANY else key
                raise Problem(_reservation_problem(exc, v.cidr, r, placed),
                              at=("vswitches", i, "reservations", j, *where)) from None
            except ValueError as exc:
                raise Problem(str(exc), at=("vswitches", i, "reservations", j, *key)) from None
            placed.append(made.cidr)
            in_vpc += 1
        for k, other in enumerate(cidrs):
            if v.cidr.overlaps(other):
                raise Problem(f"{v.cidr} overlaps vswitches[{k}] ({other})", at=("vswitches", i, "cidr"))
        cidrs.append(v.cidr)


def _reservation_problem(exc: Refused, vswitch: Cidr, r: Any, placed: list[Cidr]) -> str:
    """The message for a reservation the vSwitch refuses, naming what it overlaps and what is
    allowed where the space's own words do not."""
    if exc.reason is Refusal.OVERLAP and r.cidr is not None:
        k = next((k for k, other in enumerate(placed) if other.overlaps(r.cidr)), None)
        if k is not None:
            return f"{r.cidr} overlaps reservations[{k}] ({placed[k]})"
    if exc.reason is Refusal.SYSTEM_RESERVED and r.cidr is not None:
        first = r.cidr.base == vswitch.base
        last = r.cidr.base + r.cidr.size == vswitch.base + vswitch.size
        which = "its first and its last three" if first and last else "its first" if first else "one of its last three"
        return (f"{r.cidr} holds a system-reserved address of the vSwitch ({which}); allowed: a block of {vswitch} "
                f"that holds neither its first address nor its last three")
    return str(exc)


def zone_of(v: Any, region: str) -> str:
    """The zone of vSwitch ``v``: its own, or the region's first."""
    return v.zone if v.zone is not None else default_zone(region)


def _not_a_zone(zone: str, region: str) -> str:
    zones = zones_of(region)
    if zones:
        return f"{show(zone)} is not a zone of {region}; its zones: {', '.join(zones)}"
    # No sourced list for this region (data/zones.csv): simkit.catalog.is_zone_of's fallback.
    return (f"{show(zone)} is not a zone of {region} (simkit has no zone list for {region}; "
            f"it accepts {region}-<letter> or {region}<letter>)")


def _churn(s: Any) -> None:
    from simkit.scenario.schema import MAX_PODS

    w = s.workload
    for i, b in enumerate(w.bursts):
        if b.at >= s.duration:
            raise Problem(f"{b.at:g} s is not before the run ends ({s.duration:g} s)", at=("workload", "bursts", i, "at"))
        if b.at + b.over > s.duration:
            raise Problem(f"the burst from {b.at:g} s over {b.over:g} s ends after the run ({s.duration:g} s)",
                          at=("workload", "bursts", i, "over"))
    # Poisson arrivals average arrival_rate whatever the diurnal cycle (the cosine averages out).
    # A trend is bounded by its highest rate.
    rate = w.peak_rate(s.duration)
    steady, burst = rate * s.duration, sum(b.pods for b in w.bursts)
    if steady > MAX_PODS:
        raise Problem(f"{rate:,.6g}/s over the run's {s.duration:,.6g} s offers about {steady:,.3g} pods; "
                      f"allowed: at most {MAX_PODS:,} pods a run (arrival_rate x duration, plus the bursts): here an "
                      f"arrival_rate of at most {MAX_PODS / s.duration:,.6g}/s", at=("workload", "arrival_rate"))
    if steady + burst > MAX_PODS:
        raise Problem(f"{burst:,} pods in bursts, with about {steady:,.0f} from arrival_rate x duration, make about "
                      f"{steady + burst:,.3g}; allowed: at most {MAX_PODS:,} pods a run", at=("workload", "bursts"))


def served(itype: InstanceType, mode: str) -> tuple[int, str]:
    """Pods a node of ``itype`` addresses in agent ``mode``, and how: Terway's formula with the
    type's numbers (EniQuantity and EniPrivateIpAddressQuantity as DescribeInstanceTypes names
    them), e.g. ``(3 - 1) * 6 = 12`` for ecs.g7.large in secondary-ip mode."""
    enis, ips = itype.eni_quantity, itype.private_ipv4_per_eni
    count = max_pods(itype, mode)
    if mode == "prefix":
        return count, (f"(EniQuantity - 1) * (EniPrivateIpAddressQuantity - 1) * 16 = "
                       f"({enis} - 1) * ({ips} - 1) * 16 = {count}")
    if mode == "exclusive-eni":
        return count, f"EniQuantity - 1 = {enis} - 1 = {count}"
    return count, f"(EniQuantity - 1) * EniPrivateIpAddressQuantity = ({enis} - 1) * {ips} = {count}"


def _serves(s: Any) -> None:
    """Refuse a layout on which the agents can address no pod of a fleet entry, so the run
    would only show pods waiting forever, or whose nodes could not join the cluster. These cases
    are refused:

    - an instance type whose ENI limits address no pod in the agent's mode (``served`` is 0):
      in both modes a type with EniQuantity 1, since the agent leaves the primary ENI to the
      node and serves pods from secondary ENIs only; in prefix mode also a type with
      EniPrivateIpAddressQuantity 1, since each ENI keeps that one slot for its primary IP.
      ``fleet[i].max_pods`` cannot help (it only caps pods), so the key is the instance type;
    - prefix mode on a vSwitch that carries fleet nodes but has no CIDR reservation: prefixes
      come only from a reservation of the vSwitch (alibaba-facts §2.1);
    - prefix mode in a region that does not offer IPv4 prefixes (``PREFIX_REGIONS``): every
      prefix call would be refused;
    - in secondary-ip mode, an instance type whose max pods is 11 or fewer
      (``ACK_MIN_MAX_PODS``): ACK admits such a node to no cluster (ecs.g6.large: (2 - 1) * 6 =
      6). The rule reads the max pods the node reports, Terway's formula for the type, and
      ``fleet[i].max_pods`` cannot raise that (on ACK, maxPods changes only how many
      hostNetwork pods a node runs). ACK states the rule for shared-ENI mode (and shared ENI +
      trunk ENI); its page gives none for prefix mode, so prefix mode is not checked.

    A ``max_pods`` above what the type serves is allowed: it is how a kubelet max-pods set
    above the ENI limits behaves, and the pods beyond wait for an address.
    """
    catalog = load_catalog()
    mode = s.agent.mode
    if mode == "prefix" and s.region not in PREFIX_REGIONS:
        raise Problem(f"prefix is not offered in {s.region}: IPv4 prefixes on ENIs exist only in "
                      f"{', '.join(sorted(PREFIX_REGIONS))} (alibaba-facts §2.1, ecs/user-guide/ip-prefix); use "
                      f"agent.mode: secondary-ip, or one of those regions", at=("agent", "mode"))
    index = {v.name: j for j, v in enumerate(s.vswitches)}
    for i, f in enumerate(s.fleet):
        itype = catalog.get(f.instance_type)
        count, working = served(itype, mode)
        if count < 1:
            if itype.eni_quantity < 2:
                why = ("the agent leaves the primary ENI to the node and gives pods the addresses of "
                       "secondary ENIs, and this type has none")
                fix = "pick an instance type with an EniQuantity of 2 or more (data/instance_types.csv)"
            else:
                why = ("each secondary ENI keeps its one private IPv4 slot for its primary IP, leaving "
                       "none for a /28 prefix")
                other = "an instance type with an EniPrivateIpAddressQuantity of 2 or more"
                single = max_pods(itype, "secondary-ip")
                # secondary-ip mode helps only if the node could join there (below)
                fix = (f"use agent.mode: secondary-ip ({single} pods a node), or {other}"
                       if single > ACK_MIN_MAX_PODS else f"use {other}")
            given = "" if f.max_pods is None else f" (fleet[{i}].max_pods {f.max_pods} cannot raise it)"
            raise Problem(f"{itype.name} addresses no pod in agent.mode {mode}: {working}{given}; {why}; {fix}",
                          at=("fleet", i, "instance_type"))
        if mode == "secondary-ip" and count <= ACK_MIN_MAX_PODS:
            given = "" if f.max_pods is None else (f"; fleet[{i}].max_pods {f.max_pods} cannot raise it (the same page: "
                                                   f"maxPods changes only how many hostNetwork pods a node runs)")
            raise Problem(f"{itype.name} cannot join an ACK cluster in agent.mode {mode}: its max pods, {working}, must "
                          f"be greater than {ACK_MIN_MAX_PODS} (ACK \"Manage pod capacity on nodes\", shared-ENI mode: "
                          f"\"A node can join a cluster only if the maximum number of pods per node is greater than "
                          f"{ACK_MIN_MAX_PODS}\"){given}; pick an instance type whose ENIs address {ACK_MIN_MAX_PODS + 1} "
                          f"pods or more (ecs.g7.large: (3 - 1) * 6 = 12)", at=("fleet", i, "instance_type"))
        j = index[f.vswitch]
        v = s.vswitches[j]
        if mode == "prefix" and not v.reservations:
            mask = v.cidr.prefixlen
            where = f"fleet[{i}] ({f.count} x {f.instance_type}) runs on {v.name}"
            if mask + 2 > PREFIX_LEN:  # a reservation is 2 bits longer than its vSwitch, at most /28
                raise Problem(f"agent.mode is prefix, and prefixes come only from a CIDR reservation of the vSwitch; "
                              f"{where}, a /{mask} that cannot hold one (its mask must be at least 2 bits longer "
                              f"than the vSwitch's and at most /28); use a /26 or larger vSwitch with reservations, "
                              f"or agent.mode: secondary-ip", at=("vswitches", j, "cidr"))
            raise Problem(f"agent.mode is prefix, and prefixes come only from a CIDR reservation of the vSwitch; "
                          f"{where}, which has none; add one, e.g. reservations: [{{mask: {mask + 2}}}]",
                          at=("vswitches", j, "reservations"))
    if mode == "prefix":
        _prefix_mode(s, catalog)


def _prefix_mode(s: Any, catalog: Any) -> None:
    """Prefix mode as Terway runs it (docs/terway.md): only its centralized controller manages
    prefixes; it keeps a fixed ``agent.prefix_count`` on each node, which the instance type's
    ENIs must be able to hold; and a node's max pods is what the operator sets for kubelet
    (``fleet[].max_pods``), not a formula: both are required, so that comparing modes never
    changes a fleet's capacity silently (the formula gives ecs.g7.2xlarge 672 pods)."""
    if s.agent.ipam != "centralized":
        raise Problem("prefix mode is run by Terway's centralized controller only (pool.go "
                      "syncPrefixAllocation; the daemon has no prefix IPAM); allowed: agent.ipam: centralized",
                      at=("agent", "ipam"))
    count = s.agent.prefix_count
    if count is None:
        raise Problem("is required in prefix mode: the /28 prefixes each node keeps (ipv4_prefix_count), e.g. "
                      "ceil(pods a node runs / 16); allowed: a whole number from 1", at=("agent", "prefix_count"))
    for i, f in enumerate(s.fleet):
        itype = catalog.get(f.instance_type)
        most = (itype.eni_quantity - 1) * (itype.private_ipv4_per_eni - 1)
        if count > most:
            raise Problem(f"{count} prefixes do not fit on {itype.name} (fleet[{i}]): (EniQuantity - 1) * "
                          f"(EniPrivateIpAddressQuantity - 1) = ({itype.eni_quantity} - 1) * "
                          f"({itype.private_ipv4_per_eni} - 1) = {most}; allowed: at most {most}",
                          at=("agent", "prefix_count"))
        if f.max_pods is None:
            raise Problem(f"is required in prefix mode: the node's max pods is kubelet's setting, which the operator "
                          f"chooses (Terway's formula would give {itype.name} {served(itype, 'prefix')[0]:,}); "
                          f"allowed: a whole number from 1, e.g. {count * 16} for {count} prefixes",
                          at=("fleet", i, "max_pods"))
