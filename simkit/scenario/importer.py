"""``import_vpc(paths)``: a scenario and a state file from the JSON the real APIs print.

It reads what the aliyun CLI and the official SDKs print for DescribeVSwitches,
ListVSwitchCidrReservations, DescribeNetworkInterfaces, DescribeInstances and
DescribeSecurityGroups: one response body a file, a list of them (the pages of one call), or
the SDK's ``to_map()`` of a whole response (``{"headers": ..., "statusCode": ..., "body": ...}``);
a folder stands for the ``.json`` files in it. Which call a body answers is told by its keys.

It writes nothing itself: it returns the scenario (a dict) and the state (the snapshot format of
``simkit.ecs.snapshot``, so ``simkit.run`` restores it before replaying), with notes that say
what was guessed. A snapshot that contradicts itself (an address in two ENIs, an ENI in an
unknown vSwitch, a prefix outside any reservation, pages missing) raises ``ImportProblems`` with
every problem on a line of its own: nothing is fixed silently.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from simkit.catalog import REGIONS, is_zone_of
from simkit.ecs import EPOCH, Account, SnapshotError
from simkit.ecs.snapshot import FORMAT, VERSION
from simkit.net import Cidr

__all__ = ["CALLS", "ImportProblems", "Imported", "import_vpc", "scenario_yaml", "write_imported"]

#: The calls read, by the key of their body that holds the items, and the item's id key.
CALLS = {
    "DescribeVSwitches": ("VSwitches", "VSwitchId"),
    "ListVSwitchCidrReservations": ("VSwitchCidrReservations", "VSwitchCidrReservationId"),
    "DescribeNetworkInterfaces": ("NetworkInterfaceSets", "NetworkInterfaceId"),
    "DescribeInstances": ("Instances", "InstanceId"),
    "DescribeSecurityGroups": ("SecurityGroups", "SecurityGroupId"),
}
# Terway's tags on the ENIs it creates (its ``types`` package: NetworkInterfaceTagCreatorKey
# "creator" = "terway"; TagKubernetesPodName "k8s_pod_name" on an ENI it gave one pod).
_TERWAY_CREATOR = ("creator", "terway")
_TERWAY_POD_TAG = "k8s_pod_name"


class ImportProblems(ValueError):
    """The files contradict themselves or each other, or miss what the state needs.
    ``problems``: one line each; the message lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"the imported snapshot has {len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
                         + "\n".join(f"  - {p}" for p in problems))


class Imported(NamedTuple):
    """What ``import_vpc`` returns: the ``scenario`` (with ``state`` naming ``state_name``), the
    ``state`` (snapshot format) and ``notes``, what was guessed and why, one line each."""

    scenario: dict[str, Any]
    state: dict[str, Any]
    notes: list[str]


def import_vpc(paths: str | Path | Iterable[str | Path], *, vpc_id: str | None = None, vpc_cidr: str | None = None,
               region: str | None = None, state_name: str = "state.json", name: str | None = None) -> Imported:
    """Read the API responses in ``paths`` (files, or folders of ``.json`` files) into a
    scenario and a state.

    ``vpc_id``: the VPC to import when the files hold several. ``vpc_cidr``: the VPC's CIDR
    block (no call read here gives it; by default the smallest block holding every vSwitch, said
    in ``notes``). ``region``: by default the one the responses or the zones name.

    Raises ImportProblems listing every problem, one a line; FileNotFoundError for a path
    that does not exist.
    """
    problems: list[str] = []
    items = _read_all(_files(paths), problems)
    notes: list[str] = []
    vswitches = items["DescribeVSwitches"]
    if not vswitches:
        problems.append("no DescribeVSwitches response: the state needs the vSwitches")
        raise ImportProblems(problems)
    vpcs = sorted({v["VpcId"] for v in vswitches.values()})
    if vpc_id is None:
        if len(vpcs) > 1:
            problems.append(f"the vSwitches are in {len(vpcs)} VPCs ({', '.join(vpcs)}): name the one to import (vpc_id)")
            raise ImportProblems(problems)
        vpc_id = vpcs[0]
    elif vpc_id not in vpcs:
        problems.append(f"VPC {vpc_id} has no vSwitch in the DescribeVSwitches responses (they name {', '.join(vpcs)})")
        raise ImportProblems(problems)
    vsw_items = [v for v in vswitches.values() if v["VpcId"] == vpc_id]
    region = region or _region(items, vsw_items, problems)
    cidrs = {v["VSwitchId"]: _cidr(v.get("CidrBlock"), f"vSwitch {v['VSwitchId']}", problems) for v in vsw_items}
    if vpc_cidr is None:
        vpc_cidr = str(_covering([c for c in cidrs.values() if c is not None]))
        notes.append(f"the VPC's CIDR block is not in these responses (DescribeVpcs gives it): {vpc_cidr} is the "
                     f"smallest block holding every vSwitch; pass the real one if new vSwitches are to be added")
    sg_items = items["DescribeSecurityGroups"]
    enis = [e for e in items["DescribeNetworkInterfaces"].values() if e.get("VpcId", vpc_id) == vpc_id]
    instances = [i for i in items["DescribeInstances"].values()
                 if (i.get("VpcAttributes") or {}).get("VpcId", vpc_id) == vpc_id]
    state_region = {
        "id": region,
        "vpcs": [{"id": vpc_id, "cidr": vpc_cidr, "name": "", "description": "", "created": 0.0}],
        "vswitches": [{"id": v["VSwitchId"], "vpc_id": vpc_id, "zone_id": v.get("ZoneId"), "cidr": v.get("CidrBlock"),
                       "name": v.get("VSwitchName") or "", "description": v.get("Description") or "",
                       "created": _seconds(v.get("CreationTime")),
                       "status": "Pending" if v.get("Status") == "Pending" else "Available"} for v in vsw_items],
        "reservations": [],
        "security_groups": [],
        "instances": [],
        "enis": [],
    }
    vsw_ids = {v["VSwitchId"] for v in vsw_items}
    for r in items["ListVSwitchCidrReservations"].values():
        if r.get("VSwitchId") not in vsw_ids and r.get("VpcId", vpc_id) != vpc_id:
            continue
        if r.get("IpVersion", "IPv4") != "IPv4":
            notes.append(f"reservation {r['VSwitchCidrReservationId']} is {r.get('IpVersion')}: simkit models IPv4 only, left out")
            continue
        if r.get("Type", "prefix") != "prefix":
            notes.append(f"reservation {r['VSwitchCidrReservationId']} is of type {r.get('Type')!r}; simkit models prefix "
                         f"reservations and keeps it as one")
        state_region["reservations"].append({
            "id": r["VSwitchCidrReservationId"], "vswitch_id": r.get("VSwitchId"), "cidr": r.get("VSwitchCidrReservationCidr"),
            "name": r.get("VSwitchCidrReservationName") or "", "description": r.get("VSwitchCidrReservationDescription") or "",
            "created": _seconds(r.get("CreationTime")),
            "status": "Assigning" if r.get("Status") == "Assigning" else "Assigned"})
    # Security groups: those described, and those the ENIs and instances name.
    named_sgs: dict[str, None] = {}
    for e in enis:
        named_sgs.update(dict.fromkeys((e.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []))
    for i in instances:
        named_sgs.update(dict.fromkeys((i.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []))
    undescribed = [g for g in named_sgs if g not in sg_items]
    for g in sg_items.values():
        if g.get("VpcId") == vpc_id or g["SecurityGroupId"] in named_sgs:
            kind = g.get("SecurityGroupType") or "normal"
            state_region["security_groups"].append({"id": g["SecurityGroupId"], "vpc_id": g.get("VpcId") or None,
                                                    "type": kind, "name": g.get("SecurityGroupName") or "",
                                                    "description": g.get("Description") or "",
                                                    "created": _seconds(g.get("CreationTime"))})
    for g in undescribed:
        state_region["security_groups"].append({"id": g, "vpc_id": vpc_id, "type": "normal", "name": "", "description": "",
                                                "created": 0.0})
    if undescribed:
        notes.append(f"{len(undescribed)} security group(s) the ENIs name are not in a DescribeSecurityGroups response "
                     f"({', '.join(undescribed[:3])}{'...' if len(undescribed) > 3 else ''}): taken as basic (normal) "
                     f"groups, whose 6,000-address capacity is the stricter one")
    # ENIs, and the instances they are on.
    by_instance: dict[str, list[dict]] = {}
    for e in enis:
        eid = e["NetworkInterfaceId"]
        kind = e.get("Type") or "Secondary"
        if kind not in ("Primary", "Secondary"):
            notes.append(f"ENI {eid} is a {kind} ENI: simkit models primary and secondary ENIs and keeps it as a "
                         f"secondary one, holding its addresses")
            kind = "Secondary"
        ips = (e.get("PrivateIpSets") or {}).get("PrivateIpSet") or []
        primary = e.get("PrivateIpAddress") or next((p["PrivateIpAddress"] for p in ips if p.get("Primary")), None)
        if primary is None:
            problems.append(f"ENI {eid} has no primary private IP address")
            continue
        instance_id = e.get("InstanceId") or (e.get("Attachment") or {}).get("InstanceId") or None
        status = e.get("Status") or "Available"
        entry = {"id": eid, "type": kind, "status": status, "vswitch_id": e.get("VSwitchId"), "vpc_id": e.get("VpcId", vpc_id),
                 "zone_id": e.get("ZoneId"), "instance_id": instance_id, "primary_ip": primary,
                 "secondary_ips": [p["PrivateIpAddress"] for p in ips if not p.get("Primary") and p["PrivateIpAddress"] != primary],
                 "prefixes": [p["Ipv4Prefix"] for p in (e.get("Ipv4PrefixSets") or {}).get("Ipv4PrefixSet") or []],
                 "security_group_ids": (e.get("SecurityGroupIds") or {}).get("SecurityGroupId") or [],
                 "mac": e.get("MacAddress") or "", "name": e.get("NetworkInterfaceName") or "",
                 "description": e.get("Description") or "", "created": _seconds(e.get("CreationTime")),
                 "service_managed": bool(e.get("ServiceManaged", False))}
        if entry["vswitch_id"] not in vsw_ids:
            problems.append(f"ENI {eid} is in vSwitch {entry['vswitch_id']}, which no DescribeVSwitches response lists")
        state_region["enis"].append(entry)
        if instance_id:
            by_instance.setdefault(instance_id, []).append(entry)
    described_instances = {i["InstanceId"]: i for i in instances}
    for iid, its_enis in by_instance.items():
        if iid not in described_instances:
            problems.append(f"ENI {its_enis[0]['id']} is on instance {iid}, which no DescribeInstances response lists")
    for i in instances:
        iid = i["InstanceId"]
        vpc_attr = i.get("VpcAttributes") or {}
        its = sorted(by_instance.get(iid, []), key=lambda e: e["type"] != "Primary")
        listed = [n["NetworkInterfaceId"] for n in (i.get("NetworkInterfaces") or {}).get("NetworkInterface") or []]
        for eni_id in listed:
            if eni_id not in {e["id"] for e in its} and eni_id in items["DescribeNetworkInterfaces"]:
                other = items["DescribeNetworkInterfaces"][eni_id]
                problems.append(f"instance {iid} lists ENI {eni_id}, which DescribeNetworkInterfaces puts on "
                                f"{other.get('InstanceId') or 'no instance'}")
        status = i.get("Status") or "Running"
        if status not in ("Pending", "Starting", "Running", "Stopping", "Stopped"):
            notes.append(f"instance {iid} is {status}: taken as Running")
            status = "Running"
        state_region["instances"].append({
            "id": iid, "zone_id": i.get("ZoneId"), "vpc_id": vpc_attr.get("VpcId", vpc_id), "vswitch_id": vpc_attr.get("VSwitchId"),
            "instance_type": i.get("InstanceType"), "name": i.get("InstanceName") or "", "created": _seconds(i.get("CreationTime")),
            "status": status, "security_group_ids": (i.get("SecurityGroupIds") or {}).get("SecurityGroupId") or [],
            "eni_ids": [e["id"] for e in its]})
    state = {"format": FORMAT, "version": VERSION, "now": 0.0, "regions": [state_region]}
    # The state must stand on its own: restoring it finds every contradiction left.
    try:
        Account().restore(state, keep_settings=True, source="the imported snapshot")
    except SnapshotError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ImportProblems(problems)
    _compare_free_counts(state, vsw_items, notes)
    scenario = _scenario(name or f"imported-{vpc_id}", region, vpc_cidr, state_region, state_name, enis, notes)
    return Imported(scenario, state, notes)


def _compare_free_counts(state: dict, vsw_items: list[dict], notes: list[str]) -> None:
    # DescribeVSwitches' AvailableIpAddressCount counts addresses other services hold too (load
    # balancers, databases...), which no ENI listing read here shows: a difference is said, not
    # modelled. Whether the count includes free reserved space is not published, so both
    # readings are allowed.
    account = Account()
    account.restore(state, keep_settings=True)
    region = account.region(state["regions"][0]["id"])
    for v in vsw_items:
        told = v.get("AvailableIpAddressCount")
        if not isinstance(told, int):
            continue
        space = region.vswitches[v["VSwitchId"]].space
        free, with_reserved = space.free_count, space.free_count + 16 * space.free_prefix_count()
        if told not in (free, with_reserved):
            notes.append(f"vSwitch {v['VSwitchId']}: DescribeVSwitches says {told:,} addresses available, the ENIs "
                         f"read leave {free:,} ({with_reserved:,} counting free reserved blocks): the difference is "
                         f"held by what these responses do not list (other services, ENIs of another VPC listing) "
                         f"and is not in the state")


def _scenario(name: str, region: str, vpc_cidr: str, sr: dict, state_name: str, enis: list[dict],
              notes: list[str]) -> dict[str, Any]:
    reservations: dict[str, list[dict]] = {}
    for r in sr["reservations"]:
        reservations.setdefault(r["vswitch_id"], []).append({"cidr": r["cidr"]})
    names = _vswitch_names(sr["vswitches"])
    vswitches = [{"name": names[v["id"]], "zone": v["zone_id"], "cidr": v["cidr"],
                  **({"reservations": reservations[v["id"]]} if v["id"] in reservations else {})} for v in sr["vswitches"]]
    # The fleet: today's nodes by instance type and vSwitch, each pool growing by one node in the
    # run (the fleet's count is what the run adds beside the nodes in the state).
    pools: dict[tuple[str, str], int] = {}
    for i in sr["instances"]:
        key = (i["instance_type"], i["vswitch_id"])
        pools[key] = pools.get(key, 0) + 1
    fleet = [{"instance_type": t, "count": 1, "vswitch": names[v]} for (t, v), _n in sorted(pools.items())]
    if not fleet:
        smallest = min(sr["vswitches"], key=lambda v: Cidr.parse(v["cidr"]).prefixlen)
        fleet = [{"instance_type": "ecs.g7.xlarge", "count": 1, "vswitch": names[smallest["id"]]}]
        notes.append("no instance in the snapshot: the fleet is one ecs.g7.xlarge node, a placeholder to edit")
    if pools:
        notes.append("fleet: one pool per instance type and vSwitch found, count 1 each: the nodes the run launches "
                     "beside today's " + ", ".join(f"{n} x {t} in {names[v]}" for (t, v), n in sorted(pools.items()))
                     + " (those stay in the state, holding their addresses)")
    agent: dict[str, Any] = {"mode": _guess_mode(enis, notes)}
    if agent["mode"] == "prefix":
        # Terway keeps a fixed count of prefixes a node: the most one node holds today.
        held: dict[str, int] = {}
        for e in sr["enis"]:
            if e["instance_id"]:
                held[e["instance_id"]] = held.get(e["instance_id"], 0) + len(e["prefixes"])
        agent["prefix_count"] = max(held.values(), default=1) or 1
        notes.append(f"agent.prefix_count: {agent['prefix_count']}, the most /28 prefixes one node holds today")
        for f in fleet:
            # kubelet's max pods is the operator's choice (no API shows it): what the prefixes address.
            f["max_pods"] = 16 * agent["prefix_count"]
        notes.append(f"fleet[].max_pods: {16 * agent['prefix_count']}, what {agent['prefix_count']} prefixes address "
                     f"(kubelet's setting is not in these responses)")
    return {
        "name": name,
        "region": region,
        "state": state_name,
        "vpc": {"cidr": vpc_cidr},
        "vswitches": vswitches,
        "fleet": fleet,
        "agent": agent,
        "workload": {"kind": "pod-churn", "arrival_rate": "1/h", "lifetime": {"median": "1d", "p90": "7d"}},
        "duration": "30d",
        "sample_every": "1h",
    }


def _guess_mode(enis: list[dict], notes: list[str]) -> str:
    terway = [e for e in enis if any((t.get("TagKey"), t.get("TagValue")) == _TERWAY_CREATOR
                                     for t in (e.get("Tags") or {}).get("Tag") or [])]
    if not terway:
        notes.append("agent.mode: no ENI carries Terway's creator=terway tag; secondary-ip assumed (a guess)")
        return "secondary-ip"
    if any(any(t.get("TagKey") == _TERWAY_POD_TAG for t in (e.get("Tags") or {}).get("Tag") or []) for e in terway):
        mode = "exclusive-eni"
        why = "Terway's ENIs carry k8s_pod_name tags (one ENI a pod)"
    elif any((e.get("Ipv4PrefixSets") or {}).get("Ipv4PrefixSet") for e in terway):
        mode, why = "prefix", "Terway's ENIs hold /28 prefixes"
    else:
        mode, why = "secondary-ip", "Terway's ENIs hold secondary IPs and no prefixes"
    notes.append(f"agent.mode: {mode}, a guess from the ENI tags: {why}")
    return mode


def _vswitch_names(vswitches: list[dict]) -> dict[str, str]:
    # The scenario names vSwitches as the console does when the names are unique, else by id.
    names = [v["name"] for v in vswitches]
    unique = all(names) and len(set(names)) == len(names)
    return {v["id"]: (v["name"] if unique else v["id"]) for v in vswitches}


def scenario_yaml(imported: Imported) -> str:
    """The scenario as YAML text, the notes first as comments."""
    import yaml

    head = ["# Imported by simkit import: the VPC as the API responses describe it.",
            "# The state file holds today's ENIs and addresses; the workload below is a placeholder to edit."]
    head += [f"# note: {n}" for n in imported.notes]
    return "\n".join(head) + "\n" + yaml.safe_dump(imported.scenario, sort_keys=False, default_flow_style=None, width=110)


def write_imported(paths: str | Path | Iterable[str | Path], out: str | Path, **options: Any) -> tuple[Path, Path, list[str]]:
    """``import_vpc(paths, **options)``, then write the scenario to ``out`` and the state beside
    it (``<out stem>.state.json``, which the scenario's ``state`` names). Returns the two paths
    and the notes. Raises ImportProblems or FileNotFoundError as ``import_vpc`` does; nothing
    is written then.
    """
    out = Path(out)
    state_path = out.with_name(out.stem + ".state.json")
    imported = import_vpc(paths, state_name=state_path.name, **options)
    state_path.write_text(json.dumps(imported.state, indent=1) + "\n", encoding="utf-8")
    out.write_text(scenario_yaml(imported), encoding="utf-8")
    return out, state_path, imported.notes


# ---------------------------------------------------------------------------- reading


def _files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.glob("*.json")))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out


def _read_all(files: list[Path], problems: list[str]) -> dict[str, dict[str, dict]]:
    items: dict[str, dict[str, dict]] = {call: {} for call in CALLS}
    totals: dict[str, int] = {}
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: not JSON ({exc})")
            continue
        bodies = data if isinstance(data, list) else [data]
        for n, body in enumerate(bodies):
            where = f"{path}" + (f"[{n}]" if isinstance(data, list) else "")
            if isinstance(body, dict) and isinstance(body.get("body"), dict) and "statusCode" in body:
                body = body["body"]  # the SDK's to_map() of a whole response
            call = _call_of(body)
            if call is None:
                problems.append(f"{where}: not a response of {', '.join(CALLS)}")
                continue
            listed = _listed(call, body)
            if "TotalCount" in body and isinstance(body["TotalCount"], int):
                totals[call] = max(totals.get(call, 0), body["TotalCount"])
            id_key = CALLS[call][1]
            for item in listed:
                if not isinstance(item, dict) or id_key not in item:
                    problems.append(f"{where}: an item of {call} without {id_key}")
                    continue
                seen = items[call].get(item[id_key])
                if seen is not None and seen != item:
                    problems.append(f"{where}: {call} lists {item[id_key]} twice, differently")
                items[call][item[id_key]] = item
    for call, total in totals.items():
        if call != "ListVSwitchCidrReservations" and len(items[call]) < total:
            problems.append(f"{call}: {len(items[call])} of {total} items read; pages are missing (give every page)")
    return items


def _call_of(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for call, (key, _id) in CALLS.items():
        if key in body:
            return call
    return None


def _listed(call: str, body: dict) -> list:
    value = body[CALLS[call][0]]
    if call == "ListVSwitchCidrReservations":
        return value if isinstance(value, list) else []
    if not isinstance(value, dict):
        return []
    inner = {"DescribeVSwitches": "VSwitch", "DescribeNetworkInterfaces": "NetworkInterfaceSet",
             "DescribeInstances": "Instance", "DescribeSecurityGroups": "SecurityGroup"}[call]
    return value.get(inner) or []


def _region(items: dict, vsw_items: list[dict], problems: list[str]) -> str:
    named = {i.get("RegionId") for i in items["DescribeInstances"].values() if i.get("RegionId")}
    zones = {v.get("ZoneId") for v in vsw_items}
    for region in sorted(named) + list(REGIONS):
        if all(is_zone_of(z, region) for z in zones):
            return region
    problems.append(f"no region simkit knows holds the zones {', '.join(sorted(map(str, zones)))}")
    raise ImportProblems(problems)


def _cidr(text: Any, what: str, problems: list[str]) -> Cidr | None:
    try:
        return Cidr.parse(text)
    except (TypeError, ValueError) as exc:
        problems.append(f"{what}: {exc}")
        return None


def _covering(cidrs: list[Cidr]) -> Cidr:
    lo = min(c.base for c in cidrs)
    hi = max(c.base + c.size - 1 for c in cidrs)
    plen = 32
    while plen > 8 and not (lo >> (32 - plen)) == (hi >> (32 - plen)):
        plen -= 1
    # A VPC is at most /28 (and the vSwitches' /29 would fit no VPC smaller than /28).
    plen = min(plen, 28)
    base = lo >> (32 - plen) << (32 - plen)
    return Cidr(base, plen)


def _seconds(text: Any) -> float:
    """An API time (``2025-06-01T08:00:00Z``, with or without seconds) as simulated seconds from
    simkit's epoch (negative: before the run). 0.0 when it is missing or unreadable."""
    if not isinstance(text, str):
        return 0.0
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"):
        try:
            return (datetime.strptime(text, fmt).replace(tzinfo=EPOCH.tzinfo) - EPOCH).total_seconds()
        except ValueError:
            continue
    return 0.0

