"""The simulated account's state as versioned, JSON-ready data: ``snapshot(account)`` and
``restore(account, data)``.

Plain data, not pickle, so that a snapshot outlives simkit's internals: resources by id with
their API fields, addresses as dotted text, states by their API names. What is derived is not
stored but worked out again on restore (each vSwitch's address space from the addresses its
ENIs hold, the counters every limit reads: ENIs per security group and vSwitch, addresses per
group and VPC, reservations per VPC), so a snapshot cannot disagree with itself there. What is
not derivable and decides what happens next is stored: the id counter, each vSwitch's placement
generator and ``pack``'s order of partly used blocks, the injected faults' generator, the
ClientTokens remembered, the throttling windows and the asynchronous transitions in flight (an
ENI attaching). A run continued after ``restore`` gives the same results bit for bit.

The same format is the state file ``simkit import`` writes from a real VPC: there, only the
resources are given, and restore fills in the rest as a new account would have it.

The model's format knows nothing of files or JSON text: a dict in, a dict out.
"""

from __future__ import annotations

import random
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Callable

from simkit.catalog import IpLimitsUnknown, UnknownInstanceType
from simkit.clock import TRANSITION
from simkit.ecs import enis as _enis
from simkit.ecs import instances as _instances
from simkit.ecs import requests as rq
from simkit.ecs import vpcs as _vpcs
from simkit.ecs.region import Region
from simkit.ecs.resources import NO_LIMIT, CidrReservation, Eni, Instance, SecurityGroup, Vpc, VSwitch
from simkit.ecs.results import AssignResult
from simkit.ecs.settings import CloudSettings, reservations_per_space
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, ReservationStatus, SecurityGroupType, VSwitchStatus
from simkit.net import PREFIX_LEN, AddressSpace, Cidr, Refused, format_ipv4, parse_ipv4
from simkit.net.addr import MalformedAddress, MalformedCidr

if TYPE_CHECKING:
    from simkit.ecs.account import Account

__all__ = ["FORMAT", "VERSION", "SnapshotError", "restore", "snapshot"]

#: What the ``format`` field says, so that another JSON file is refused by name.
FORMAT = "simkit-state"
#: The version this simkit writes and reads. A change that an older reader would misread
#: raises it.
VERSION = 1

_CIDR_FIELDS = frozenset({"cidr_block", "vswitch_cidr_reservation_cidr", "ipv4_prefix"})


class SnapshotError(ValueError):
    """A snapshot that cannot be restored: an unknown format or version, or one that contradicts
    itself. ``problems`` lists every contradiction found, one line each; the message holds them
    all. Nothing usable is left in the account it was restored into."""

    def __init__(self, problems: list[str], source: str = "snapshot"):
        self.problems = list(problems)
        if len(problems) == 1:
            text = f"{source}: {problems[0]}"
        else:
            text = f"{source} contradicts itself in {len(problems)} places:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(text)


# ---------------------------------------------------------------------------- out


def snapshot(account: "Account") -> dict[str, Any]:
    """The account's whole state as JSON-ready data (see the module docstring)."""
    transitions = _pending_transitions(account)
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": account.seed,
        "now": account.clock.now,
        "ids": account._ids,
        "settings": _settings_out(account.settings),
        "regions": [_region_out(r) for r in account.regions.values()],
        "pending": transitions,
        "gateway": _gateway_out(account),
    }


def _settings_out(settings: CloudSettings) -> dict[str, Any]:
    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name == "faults":
            # The normalised table, back in the scenario's form {Action: {Code: rate}}.
            value = {action: dict(pairs) for action, pairs in value.items()}
        elif f.name == "throttle_per_minute":
            value = dict(value)
        out[f.name] = value
    return out


def _region_out(region: Region) -> dict[str, Any]:
    return {
        "id": region.id,
        "vpcs": [{"id": v.id, "cidr": str(v.cidr), "name": v.name, "description": v.description, "created": v.created}
                 for v in region.vpcs.values()],
        "vswitches": [_vswitch_out(v) for v in region.vswitches.values()],
        "reservations": [{"id": r.id, "vswitch_id": r.vswitch_id, "cidr": str(r.reservation.cidr), "name": r.name,
                          "description": r.description, "created": r.created, "status": r.status.value}
                         for r in region.reservations.values()],
        "security_groups": [{"id": g.id, "vpc_id": g.vpc_id, "type": g.type.value, "name": g.name,
                             "description": g.description, "created": g.created}
                            for g in region.security_groups.values()],
        "instances": [_instance_out(i) for i in region.instances.values()],
        "enis": [_eni_out(e) for e in region.enis.values()],
    }


def _vswitch_out(v: VSwitch) -> dict[str, Any]:
    out = {"id": v.id, "vpc_id": v.vpc_id, "zone_id": v.zone_id, "cidr": str(v.cidr), "name": v.name,
           "description": v.description, "created": v.created, "status": v.status.value,
           "placement": {"random": _rng_out(v.space.rng)}}
    order = v.space.partly_used_order()
    if order is not None:
        out["placement"]["partly_used_blocks"] = order
    return out


def _instance_out(i: Instance) -> dict[str, Any]:
    return {"id": i.id, "zone_id": i.zone_id, "vpc_id": i.vpc_id, "vswitch_id": i.vswitch_id, "instance_type": i.type.name,
            "name": i.name, "created": i.created, "status": i.status.value, "security_group_ids": list(i.security_group_ids),
            "eni_ids": list(i.eni_ids), "migrating": i.migrating, "cloud_box": i.cloud_box, "operation": i.operation}


def _eni_out(e: Eni) -> dict[str, Any]:
    return {"id": e.id, "type": e.type.value, "status": e.status.value, "vswitch_id": e.vswitch_id, "vpc_id": e.vpc_id,
            "zone_id": e.zone_id, "instance_id": e.instance_id, "primary_ip": format_ipv4(e.primary_ip),
            "secondary_ips": [format_ipv4(a) for a in e.secondaries],
            "prefixes": [f"{format_ipv4(p)}/{PREFIX_LEN}" for p in e.prefixes],
            "security_group_ids": list(e.security_group_ids), "mac": e.mac, "name": e.name, "description": e.description,
            "created": e.created, "service_managed": e.service_managed, "operation": e.operation}


def _rng_out(rng: random.Random) -> dict[str, Any]:
    version, state, gauss = rng.getstate()
    return {"mt19937": list(state), "version": version, "gauss_next": gauss}


# The model's asynchronous transitions, by the name a snapshot gives them.
_TRANSITION_NAMES: dict[Callable[[Any], None], str] = {
    _enis._attached: "eni-attached",
    _enis._detached: "eni-detached",
    _enis._deleted: "eni-deleted",
    _instances._set_status: "instance-status",
    _vpcs._assigned: "reservation-assigned",
}


def _pending_transitions(account: "Account") -> list[dict[str, Any]]:
    # A transition whose operation number is stale does nothing when it runs (another operation
    # has started since): it is left out, which changes nothing. Events that are not the model's
    # (a replay's pods and agents) belong to the replay, not to the account's state.
    # Events run by (time, priority, sequence): the model's are all at one priority, so their
    # order among themselves (1, 2, ...) is all that a restored clock needs to keep.
    out = []
    for t, priority, seq, fn, arg in account.clock.pending():
        kind = _TRANSITION_NAMES.get(fn)
        if kind is None:
            continue
        entry: dict[str, Any] = {"at": t, "order": 0, "event": kind}
        if kind == "eni-attached":
            eni, op = arg
            if eni.operation != op:
                continue
            entry.update(eni=eni.id, operation=op)
        elif kind == "eni-detached":
            eni, inst, op = arg
            if eni.operation != op:
                continue
            entry.update(eni=eni.id, instance=inst.id, operation=op)
        elif kind == "eni-deleted":
            region, eni, op = arg
            if eni.operation != op:
                continue
            entry.update(eni=eni.id, operation=op)
        elif kind == "instance-status":
            inst, status, op = arg
            if inst.operation != op:
                continue
            entry.update(instance=inst.id, status=status.value, operation=op)
        else:
            entry.update(reservation=arg.id)
        entry["order"] = len(out) + 1
        entry["region"] = (arg if kind == "reservation-assigned" else arg[1] if kind == "eni-deleted" else arg[0]).region_id
        out.append(entry)
    return out


def _gateway_out(account: "Account") -> dict[str, Any]:
    gw = account.gateway
    tokens = []
    for (region_id, action, token), (request, result, t) in gw._tokens.items():
        tokens.append({"region": region_id, "action": action, "token": token, "at": t,
                       "request": _request_out(request), "result": _result_out(account, action, region_id, result)})
    return {
        "faults_random": _rng_out(gw._fault_rng),
        "client_tokens": tokens,
        "client_token_order": [{"at": t, "region": k[0], "action": k[1], "token": k[2]} for t, k in gw._token_order],
        "throttle": [{"action": a, "region": r, "minute": w, "calls": n} for (a, r), (w, n) in gw._throttle.items()],
    }


def _request_out(request: Any) -> dict[str, Any]:
    out = {}
    for name, value in request._asdict().items():
        if isinstance(value, Cidr):
            value = str(value)
        elif isinstance(value, list):
            value = [str(v) if isinstance(v, Cidr) else v for v in value]
        out[name] = value
    return out


def _result_out(account: "Account", action: str, region_id: str, result: Any) -> Any:
    region = account.regions[region_id]
    if result is None:
        return None
    if isinstance(result, AssignResult):
        return {"assigned": {"eni": result.network_interface_id, "addresses": [format_ipv4(a) for a in result.addresses],
                             "prefixes": [format_ipv4(p) for p in result.prefixes]}}
    if isinstance(result, list):
        return {"instances": [_record_ref(region, i) for i in result]}
    return _record_ref(region, result)


def _record_ref(region: Region, record: Any) -> dict[str, Any]:
    # A ClientToken's first response names the record it created; rendering it again reads the
    # record as it is now, or, once deleted, as it was when it went. So a live record is named
    # by id and a gone one is kept whole.
    if isinstance(record, Vpc):
        return {"vpc": record.id}
    if isinstance(record, VSwitch):
        return {"vswitch": record.id}
    if isinstance(record, SecurityGroup):
        return {"security_group": record.id}
    if isinstance(record, CidrReservation):
        return {"reservation": record.id}
    if isinstance(record, Instance):
        return {"instance": record.id} if region.instances.get(record.id) is record else {"gone_instance": _instance_out(record)}
    if isinstance(record, Eni):
        return {"eni": record.id} if region.enis.get(record.id) is record else {"gone_eni": _eni_out(record)}
    raise TypeError(f"a ClientToken result of type {type(record).__name__} has no snapshot form")


# ---------------------------------------------------------------------------- in


def restore(account: "Account", data: Any, *, keep_settings: bool = False, source: str = "snapshot") -> None:
    """Load a snapshot into a new ``account`` (one that holds no resource yet).

    ``keep_settings``: keep the account's own seed and settings rather than the snapshot's (a
    scenario that starts from a state brings its own; a vSwitch whose placement generator the
    state does not give then draws from the account's seed). The account's clock must be at the
    snapshot's time or before it with nothing scheduled (it is moved there).

    Raises SnapshotError naming ``source``: not a simkit state, an unknown version, or every
    contradiction found (an address held twice, an ENI in an unknown vSwitch, a prefix outside
    any reservation...), one line each. Raises ValueError for an account that already holds
    resources.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError([f"not a simkit state (its \"format\" field must be {FORMAT!r})"], source)
    version = data.get("version")
    if version != VERSION:
        raise SnapshotError([f"version {version!r} is not one this simkit reads (it reads version {VERSION})"], source)
    if any(r.vpcs or r.enis or r.security_groups for r in account.regions.values()):
        raise ValueError("restore needs a new account: this one already holds resources")
    loader = _Loader(account, data, source, keep_settings)
    loader.load()


class _Loader:
    """Builds an account from a snapshot, collecting every contradiction before it gives up."""

    def __init__(self, account: "Account", data: dict[str, Any], source: str, keep_settings: bool):
        self.account = account
        self.data = data
        self.source = source
        self.keep_settings = keep_settings
        self.problems: list[str] = []

    def bad(self, text: str) -> None:
        self.problems.append(text)

    def check(self) -> None:
        if self.problems:
            raise SnapshotError(self.problems, self.source)

    def load(self) -> None:
        account, data = self.account, self.data
        try:
            self._clock_and_settings()
            self.check()
            regions = data.get("regions") or []
            for rd in regions:
                self._region(rd)
            self.check()
            self._pending(data.get("pending") or [])
            self._gateway(data.get("gateway"))
            self.check()
        except SnapshotError:
            account.regions.clear()
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            account.regions.clear()
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise SnapshotError([f"malformed: {what}"], self.source) from None

    def _clock_and_settings(self) -> None:
        account, data = self.account, self.data
        seed = data.get("seed", account.seed)
        if not isinstance(seed, int) or isinstance(seed, bool):
            self.bad(f"seed must be a whole number, got {seed!r}")
            return
        if not self.keep_settings:
            account.seed = seed
        now = float(data.get("now", 0.0))
        clock = account.clock
        if now != clock.now:
            if now < clock.now or clock.next_time is not None:
                self.bad(f"its time ({now} s) is not where the account's clock can go (now {clock.now} s, "
                         f"{'events pending' if clock.next_time is not None else 'already later'})")
                return
            clock.run(until=now)
        ids = data.get("ids", 0)
        if not isinstance(ids, int) or isinstance(ids, bool) or ids < 0:
            self.bad(f"ids (the id counter) must be a whole number >= 0, got {ids!r}")
        account._ids = ids
        settings = data.get("settings")
        if settings is not None and not self.keep_settings:
            try:
                account.settings = CloudSettings(**settings)
            except (TypeError, ValueError) as exc:
                self.bad(f"settings: {exc}")
                return
            account.gateway.settings = account.settings
            account.addresses.settings = account.settings

    def _region(self, rd: dict[str, Any]) -> None:
        account = self.account
        region = account.region(rd["id"])
        settings = account.settings
        rid = region.id
        seen: set[str] = set()

        def new_id(kind: str, id_: str) -> bool:
            if id_ in seen:
                self.bad(f"{kind} {id_} appears twice in {rid}")
                return False
            seen.add(id_)
            return True

        for vd in rd.get("vpcs") or []:
            if not new_id("VPC", vd["id"]):
                continue
            cidr = self._cidr(vd["cidr"], f"VPC {vd['id']}")
            if cidr is None:
                continue
            region.vpcs[vd["id"]] = Vpc(vd["id"], rid, cidr, vd.get("name", ""), vd.get("description", ""),
                                        float(vd.get("created", 0.0)), address_cap=_cap(settings.vpc_private_ips))
        for index, sd in enumerate(rd.get("vswitches") or []):
            self._vswitch(region, sd, index, new_id)
        reservations_by_vsw: dict[str, list[tuple[dict, Cidr]]] = {}
        for cd in rd.get("reservations") or []:
            if not new_id("reservation", cd["id"]):
                continue
            vsw = region.vswitches.get(cd["vswitch_id"])
            if vsw is None:
                self.bad(f"reservation {cd['id']} ({cd.get('cidr')}) names vSwitch {cd['vswitch_id']}, which is not in the state")
                continue
            cidr = self._cidr(cd["cidr"], f"reservation {cd['id']}")
            if cidr is None:
                continue
            try:
                reservation = vsw.space.reserve(cidr)
            except Refused as exc:
                self.bad(f"reservation {cd['id']} of vSwitch {vsw.id}: {exc}")
                continue
            status = self._enum(ReservationStatus, cd.get("status", "Assigned"), f"reservation {cd['id']}")
            res = CidrReservation(cd["id"], rid, vsw.id, vsw.vpc_id, reservation, cd.get("name", ""),
                                  cd.get("description", ""), float(cd.get("created", 0.0)),
                                  status or ReservationStatus.ASSIGNED)
            region.reservations[res.id] = res
            vsw.reservation_ids.append(res.id)
            region.vpcs[vsw.vpc_id].reservations += 1
            reservations_by_vsw.setdefault(vsw.id, []).append((cd, cidr))
        for gd in rd.get("security_groups") or []:
            if not new_id("security group", gd["id"]):
                continue
            vpc_id = gd.get("vpc_id")
            if vpc_id is not None and vpc_id not in region.vpcs:
                self.bad(f"security group {gd['id']} names VPC {vpc_id}, which is not in the state")
                continue
            kind = self._enum(SecurityGroupType, gd.get("type", "normal"), f"security group {gd['id']}")
            if kind is None:
                continue
            cap = _cap(settings.security_group_ip_capacity) if kind is SecurityGroupType.NORMAL else NO_LIMIT
            region.security_groups[gd["id"]] = SecurityGroup(gd["id"], rid, vpc_id, gd.get("name", ""),
                                                             gd.get("description", ""), float(gd.get("created", 0.0)),
                                                             kind, address_cap=cap)
        for idata in rd.get("instances") or []:
            self._instance(region, idata, new_id)
        for ed in rd.get("enis") or []:
            self._eni(region, ed, new_id)
        self._links(region, rd)
        for sd in rd.get("vswitches") or []:
            vsw = region.vswitches.get(sd["id"])
            order = (sd.get("placement") or {}).get("partly_used_blocks")
            if vsw is not None and order is not None:
                try:
                    vsw.space.set_partly_used_order(order)
                except ValueError as exc:
                    self.bad(f"vSwitch {vsw.id}: {exc}")

    def _vswitch(self, region: Region, sd: dict[str, Any], index: int, new_id: Callable[[str, str], bool]) -> None:
        account, settings, rid = self.account, self.account.settings, region.id
        if not new_id("vSwitch", sd["id"]):
            return
        vpc = region.vpcs.get(sd["vpc_id"])
        if vpc is None:
            self.bad(f"vSwitch {sd['id']} names VPC {sd['vpc_id']}, which is not in the state")
            return
        cidr = self._cidr(sd["cidr"], f"vSwitch {sd['id']}")
        if cidr is None:
            return
        if not vpc.cidr.contains_block(cidr):
            self.bad(f"vSwitch {sd['id']} ({cidr}) is not inside its VPC {vpc.id} ({vpc.cidr})")
            return
        for other_id in vpc.vswitch_ids:
            other = region.vswitches[other_id]
            if other.cidr.overlaps(cidr):
                self.bad(f"vSwitch {sd['id']} ({cidr}) overlaps vSwitch {other.id} ({other.cidr})")
                return
        status = self._enum(VSwitchStatus, sd.get("status", "Available"), f"vSwitch {sd['id']}")
        saved = (sd.get("placement") or {}).get("random")
        # A vSwitch the state gives no generator for draws as CreateVSwitch would have seeded it.
        rng = random.Random(f"{account.seed}/placement/{index}/{rid}")
        if saved is not None:
            rng.setstate((saved.get("version", 3), tuple(saved["mt19937"]), saved.get("gauss_next")))
        try:
            space = AddressSpace(cidr, policy=settings.placement, rng=rng, max_reservations=reservations_per_space(
                settings.reservations_per_vswitch, settings.reservations_per_vpc))
        except ValueError as exc:
            self.bad(f"vSwitch {sd['id']}: {exc}")
            return
        vsw = VSwitch(sd["id"], rid, vpc.id, sd["zone_id"], cidr, space, sd.get("name", ""), sd.get("description", ""),
                      float(sd.get("created", 0.0)), status or VSwitchStatus.AVAILABLE)
        region.vswitches[vsw.id] = vsw
        vpc.vswitch_ids.append(vsw.id)

    def _instance(self, region: Region, d: dict[str, Any], new_id: Callable[[str, str], bool]) -> None:
        if not new_id("instance", d["id"]):
            return
        vsw = region.vswitches.get(d["vswitch_id"])
        if vsw is None:
            self.bad(f"instance {d['id']} names vSwitch {d['vswitch_id']}, which is not in the state")
            return
        try:
            itype = self.account.catalog.require_ip_limits(d["instance_type"])
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            self.bad(f"instance {d['id']}: {exc}")
            return
        status = self._enum(InstanceStatus, d.get("status", "Running"), f"instance {d['id']}")
        inst = Instance(d["id"], region.id, vsw.zone_id, vsw.vpc_id, vsw.id, itype, d.get("name", ""),
                        float(d.get("created", 0.0)), list(d.get("security_group_ids") or []),
                        status or InstanceStatus.RUNNING, [], bool(d.get("migrating", False)),
                        bool(d.get("cloud_box", False)), int(d.get("operation", 0)))
        if d.get("zone_id", vsw.zone_id) != vsw.zone_id or d.get("vpc_id", vsw.vpc_id) != vsw.vpc_id:
            self.bad(f"instance {d['id']} says zone {d.get('zone_id')} / VPC {d.get('vpc_id')}, its vSwitch {vsw.id} "
                     f"is in {vsw.zone_id} / {vsw.vpc_id}")
        for sg_id in inst.security_group_ids:
            if sg_id not in region.security_groups:
                self.bad(f"instance {d['id']} is in security group {sg_id}, which is not in the state")
        region.instances[inst.id] = inst

    def _eni(self, region: Region, d: dict[str, Any], new_id: Callable[[str, str], bool]) -> None:
        eid = d["id"]
        if not new_id("ENI", eid):
            return
        vsw = region.vswitches.get(d["vswitch_id"])
        if vsw is None:
            self.bad(f"ENI {eid} is in vSwitch {d['vswitch_id']}, which is not in the state")
            return
        if d.get("zone_id", vsw.zone_id) != vsw.zone_id or d.get("vpc_id", vsw.vpc_id) != vsw.vpc_id:
            self.bad(f"ENI {eid} says zone {d.get('zone_id')} / VPC {d.get('vpc_id')}, its vSwitch {vsw.id} is in "
                     f"{vsw.zone_id} / {vsw.vpc_id}")
        kind = self._enum(EniType, d.get("type", "Secondary"), f"ENI {eid}")
        status = self._enum(EniStatus, d.get("status", "Available"), f"ENI {eid}")
        if kind is None or status is None:
            return
        primary = self._ip(d["primary_ip"], f"ENI {eid} primary IP")
        secondaries = [a for a in (self._ip(t, f"ENI {eid} secondary IP") for t in d.get("secondary_ips") or []) if a is not None]
        if primary is None:
            return
        space = vsw.space
        held: list[int] = []
        for a, what in [(primary, "primary IP")] + [(a, "secondary IP") for a in secondaries]:
            try:
                space.claim([a])
                held.append(a)
            except Refused as exc:
                owner = self._owner(region, vsw, a)
                self.bad(f"ENI {eid} {what} {exc}" + (f" (held by ENI {owner})" if owner else ""))
        prefixes: list[int] = []
        for text in d.get("prefixes") or []:
            cidr = self._cidr(text, f"ENI {eid} prefix")
            if cidr is None:
                continue
            try:
                prefixes.extend(space.claim_prefixes([cidr]))
            except Refused as exc:
                owner = self._prefix_owner(region, vsw, cidr.base)
                self.bad(f"ENI {eid} prefix {exc}" + (f" (held by ENI {owner})" if owner else ""))
        instance_id = d.get("instance_id")
        eni = Eni(eid, region.id, vsw.id, vsw.vpc_id, vsw.zone_id, kind, primary, list(d.get("security_group_ids") or []),
                  d.get("mac", ""), d.get("name", ""), d.get("description", ""), float(d.get("created", 0.0)), status,
                  instance_id, dict.fromkeys(a for a in secondaries if a in held), dict.fromkeys(prefixes),
                  bool(d.get("service_managed", False)), operation=int(d.get("operation", 0)))
        groups = []
        for sg_id in eni.security_group_ids:
            sg = region.security_groups.get(sg_id)
            if sg is None:
                self.bad(f"ENI {eid} is in security group {sg_id}, which is not in the state")
                continue
            if sg.vpc_id != vsw.vpc_id:
                self.bad(f"ENI {eid} is in security group {sg_id} of {sg.vpc_id}, its vSwitch in {vsw.vpc_id}")
            groups.append(sg)
        eni.meters = (*groups, region.vpcs[vsw.vpc_id])
        region.enis[eid] = eni
        vsw.eni_count += 1
        if kind is EniType.SECONDARY:
            region.secondary_enis += 1
        for sg in groups:
            sg.members += 1
        for m in eni.meters:
            m.addresses += eni.ipv4_slots_used

    def _links(self, region: Region, rd: dict[str, Any]) -> None:
        # Instances and ENIs name each other: both sides must agree.
        for idata in rd.get("instances") or []:
            inst = region.instances.get(idata["id"])
            if inst is None:
                continue
            eni_ids = list(idata.get("eni_ids") or [])
            for eni_id in eni_ids:
                eni = region.enis.get(eni_id)
                if eni is None:
                    self.bad(f"instance {inst.id} lists ENI {eni_id}, which is not in the state")
                elif eni.instance_id != inst.id:
                    self.bad(f"instance {inst.id} lists ENI {eni_id}, which says it is on {eni.instance_id or 'no instance'}")
                else:
                    inst.eni_ids.append(eni_id)
            primaries = [e for e in inst.eni_ids if region.enis[e].type is EniType.PRIMARY]
            if len(primaries) != 1 and inst.status is not InstanceStatus.DELETED:
                self.bad(f"instance {inst.id} has {len(primaries)} primary ENIs, not one")
            elif primaries and inst.eni_ids[0] != primaries[0]:
                inst.eni_ids.remove(primaries[0])
                inst.eni_ids.insert(0, primaries[0])
            if len(inst.eni_ids) > inst.type.eni_quantity:
                self.bad(f"instance {inst.id} ({inst.type.name}) holds {len(inst.eni_ids)} ENIs, its type at most "
                         f"{inst.type.eni_quantity}")
        for eni in region.enis.values():
            if eni.instance_id is None:
                if eni.type is EniType.PRIMARY:
                    self.bad(f"ENI {eni.id} is a primary ENI on no instance")
                elif eni.status in (EniStatus.IN_USE, EniStatus.ATTACHING, EniStatus.DETACHING):
                    self.bad(f"ENI {eni.id} is {eni.status} on no instance")
                continue
            inst = region.instances.get(eni.instance_id)
            if inst is None:
                self.bad(f"ENI {eni.id} is on instance {eni.instance_id}, which is not in the state")
            elif eni.id not in inst.eni_ids:
                self.bad(f"ENI {eni.id} is on instance {inst.id}, which does not list it")
            elif eni.status is EniStatus.AVAILABLE:
                self.bad(f"ENI {eni.id} is Available yet on instance {inst.id}")

    def _pending(self, entries: list[dict[str, Any]]) -> None:
        account, clock = self.account, self.account.clock
        for e in entries:
            region = account.regions.get(e.get("region"))
            kind, t, seq = e["event"], float(e["at"]), int(e["order"])
            where = f"pending {kind} at {t} s"
            if region is None or t < clock.now:
                self.bad(f"{where}: region {e.get('region')!r} is not in the state" if region is None
                         else f"{where}: before the snapshot's time")
                continue
            if kind in ("eni-attached", "eni-detached", "eni-deleted"):
                eni = region.enis.get(e["eni"])
                if eni is None:
                    self.bad(f"{where}: ENI {e['eni']} is not in the state")
                    continue
                op = int(e["operation"])
                if kind == "eni-attached":
                    fn, arg = _enis._attached, (eni, op)
                elif kind == "eni-deleted":
                    fn, arg = _enis._deleted, (region, eni, op)
                else:
                    inst = region.instances.get(e["instance"])
                    if inst is None:
                        self.bad(f"{where}: instance {e['instance']} is not in the state")
                        continue
                    fn, arg = _enis._detached, (eni, inst, op)
            elif kind == "instance-status":
                inst = region.instances.get(e["instance"])
                status = self._enum(InstanceStatus, e["status"], where)
                if inst is None or status is None:
                    if inst is None:
                        self.bad(f"{where}: instance {e['instance']} is not in the state")
                    continue
                fn, arg = _instances._set_status, (inst, status, int(e["operation"]))
            elif kind == "reservation-assigned":
                res = region.reservations.get(e["reservation"])
                if res is None:
                    self.bad(f"{where}: reservation {e['reservation']} is not in the state")
                    continue
                fn, arg = _vpcs._assigned, res
            else:
                self.bad(f"{where}: not an event simkit knows")
                continue
            clock.at_sequence(t, TRANSITION, seq, fn, arg)

    def _gateway(self, gd: dict[str, Any] | None) -> None:
        if not gd:
            return
        gw = self.account.gateway
        saved = gd.get("faults_random")
        if saved is not None:
            gw._fault_rng.setstate((saved.get("version", 3), tuple(saved["mt19937"]), saved.get("gauss_next")))
        for td in gd.get("client_tokens") or []:
            region = self.account.regions.get(td["region"])
            request_type = rq.REQUESTS.get(td["action"])
            if region is None or request_type is None:
                self.bad(f"ClientToken {td['token']!r}: region {td['region']!r} or action {td['action']!r} unknown")
                continue
            request = request_type(**_request_in(td["request"]))
            result = self._result_in(region, td["result"])
            gw._tokens[(td["region"], td["action"], td["token"])] = (request, result, float(td["at"]))
        for od in gd.get("client_token_order") or []:
            gw._token_order.append((float(od["at"]), (od["region"], od["action"], od["token"])))
        for th in gd.get("throttle") or []:
            gw._throttle[(th["action"], th["region"])] = (int(th["minute"]), int(th["calls"]))

    def _result_in(self, region: Region, rd: Any) -> Any:
        if rd is None:
            return None
        if "assigned" in rd:
            a = rd["assigned"]
            return AssignResult(a["eni"], [parse_ipv4(x) for x in a["addresses"]], [parse_ipv4(x) for x in a["prefixes"]])
        if "instances" in rd:
            return [self._result_in(region, r) for r in rd["instances"]]
        (key, value), = rd.items()
        table = {"vpc": region.vpcs, "vswitch": region.vswitches, "security_group": region.security_groups,
                 "reservation": region.reservations, "instance": region.instances, "eni": region.enis}
        if key in table:
            record = table[key].get(value)
            if record is None:
                self.bad(f"a ClientToken's result names {key} {value}, which is not in the state")
            return record
        if key == "gone_eni":
            d = value
            return Eni(d["id"], region.id, d["vswitch_id"], d["vpc_id"], d["zone_id"], EniType(d["type"]),
                       parse_ipv4(d["primary_ip"]), list(d["security_group_ids"]), d["mac"], d["name"], d["description"],
                       float(d["created"]), EniStatus(d["status"]), d["instance_id"],
                       dict.fromkeys(parse_ipv4(a) for a in d["secondary_ips"]),
                       dict.fromkeys(Cidr.parse(p).base for p in d["prefixes"]), bool(d["service_managed"]),
                       operation=int(d["operation"]))
        if key == "gone_instance":
            d = value
            return Instance(d["id"], region.id, d["zone_id"], d["vpc_id"], d["vswitch_id"],
                            self.account.catalog.get(d["instance_type"]), d["name"], float(d["created"]),
                            list(d["security_group_ids"]), InstanceStatus(d["status"]), list(d["eni_ids"]),
                            bool(d["migrating"]), bool(d["cloud_box"]), int(d["operation"]))
        self.bad(f"a ClientToken's result {key!r} is not one simkit knows")
        return None

    # ------------------------------------------------------------ small parsers

    def _cidr(self, text: Any, what: str) -> Cidr | None:
        try:
            return Cidr.parse(text)
        except (MalformedCidr, TypeError, ValueError) as exc:
            self.bad(f"{what}: {exc}")
            return None

    def _ip(self, text: Any, what: str) -> int | None:
        try:
            return parse_ipv4(text)
        except (MalformedAddress, TypeError, ValueError) as exc:
            self.bad(f"{what}: {exc}")
            return None

    def _enum(self, enum: type, value: Any, what: str) -> Any:
        try:
            return enum(value)
        except ValueError:
            self.bad(f"{what}: {value!r} is not a {enum.__name__} (allowed: {', '.join(m.value for m in enum)})")
            return None

    @staticmethod
    def _owner(region: Region, vsw: VSwitch, address: int) -> str | None:
        for e in region.enis.values():
            if e.vswitch_id == vsw.id and (e.primary_ip == address or address in e.secondaries):
                return e.id
        return None

    @staticmethod
    def _prefix_owner(region: Region, vsw: VSwitch, base: int) -> str | None:
        for e in region.enis.values():
            if e.vswitch_id == vsw.id and base in e.prefixes:
                return e.id
        return None


def _request_in(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in d.items():
        if name in _CIDR_FIELDS and value is not None:
            value = [Cidr.parse(v) for v in value] if isinstance(value, list) else Cidr.parse(value)
        out[name] = value
    return out


def _cap(setting: int | None) -> int:
    return NO_LIMIT if setting is None else setting

