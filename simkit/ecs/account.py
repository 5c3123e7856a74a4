"""The simulated Alibaba Cloud account: resources, rules and the API operations on them.

``Account.invoke(action, args)`` is the one entry point: it checks the region, throttling,
injected faults and ClientToken idempotence, then runs the operation, a method named after
the API action (``assign_private_ip_addresses``...). Arguments are typed values with
snake_case names (``network_interface_id``, ``private_ip_address`` as a list of ints,
``ipv4_prefix`` as a list of ``Cidr``); parsing wire text into them is the ``api`` layer's
work. A refused call raises ``ApiError`` with the code and HTTP status from the registry and
changes nothing.

The clock is simulated: ``advance(seconds)`` runs the asynchronous transitions (attach,
detach, delete, reservation assignment, instance start and stop) that fall due.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from simkit.catalog import REGIONS, IpLimitsUnknown, UnknownInstanceType, load_catalog, supports_ipv4_prefix
from simkit.ecs.resources import CidrReservation, Eni, Instance, SecurityGroup, Vpc, VSwitch
from simkit.ecs.settings import CloudSettings
from simkit.errors import ApiError, api_error
from simkit.net import VSWITCH_MASK_RANGE, AddressSpace, Cidr, Refusal, Refused, SpaceExhausted, format_ipv4

__all__ = ["Account", "EPOCH"]

#: Simulated time 0. Fixed so that two runs of one scenario print the same timestamps.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

# VPC CIDR blocks may not lie in these (facts §1).
_FORBIDDEN_RANGES = tuple(Cidr.parse(c) for c in ("100.64.0.0/10", "224.0.0.0/4", "127.0.0.0/8", "169.254.0.0/16"))
_VPC_MASKS = (8, 28)  # 16-28 recommended (facts §1); 8 admits the documented 10.0.0.0/8 default ranges
_RUN_AMOUNT = (1, 100)
_PREFIX_LEN = 28


class _Region:
    __slots__ = ("id", "vpcs", "vswitches", "reservations", "security_groups", "instances", "enis", "secondary_enis")

    def __init__(self, region_id: str):
        self.id = region_id
        self.vpcs: dict[str, Vpc] = {}
        self.vswitches: dict[str, VSwitch] = {}
        self.reservations: dict[str, CidrReservation] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.instances: dict[str, Instance] = {}
        self.enis: dict[str, Eni] = {}
        self.secondary_enis = 0  # counted against settings.account_eni_quota


class Account:
    """One simulated account across all regions.

    ``seed`` seeds every random choice (placement, injected faults, request ids), each from
    its own stream so that turning faults on does not move where addresses land.
    """

    def __init__(self, seed: int = 0, settings: CloudSettings | None = None, catalog=None):
        self.seed = seed
        self.settings = settings or CloudSettings()
        self.catalog = catalog or load_catalog()
        self.now = 0.0
        self._regions: dict[str, _Region] = {}
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self._ids = 0
        self._fault_rng = random.Random(f"{seed}/faults")
        self._placement_seed = seed
        self._tokens: dict[tuple[str, str, str], tuple[dict, Any, float]] = {}
        self._token_order: deque[tuple[float, tuple[str, str, str]]] = deque()
        self._throttle: dict[tuple[str, str], tuple[int, int]] = {}
        self._ops: dict[str, Callable[..., Any]] = {action: getattr(self, name) for action, name in _OPERATIONS.items()}

    # ---------------------------------------------------------------- entry point and clock

    def invoke(self, action: str, args: dict[str, Any]) -> Any:
        """Run one API operation with typed ``args`` (snake_case names; ``region_id`` required).

        The account keeps ``args`` when it carries a ClientToken: pass a dict you will not change.

        Raises ApiError: InvalidAction, Forbidden.RegionId, Throttling, an injected fault,
        IdempotentParameterMismatch, or whatever the operation refuses.
        """
        op = self._ops.get(action)
        if op is None:
            raise api_error("InvalidAction", action)
        region_id = args.get("region_id")
        if region_id is None and "instance_id" in args:
            # The instance APIs' SDK models carry no RegionId: find the instance's region.
            instance_id = args["instance_id"]
            region_id = self._region_of_instance(instance_id)
            if region_id is None:
                if not instance_id.startswith("i-"):
                    raise api_error("InvalidInstanceID.Malformed", instance_id)
                raise api_error("InvalidInstanceId.NotFound", instance_id)
            args["region_id"] = region_id
        if region_id not in REGIONS:
            raise api_error("Forbidden.RegionId", region_id)
        settings = self.settings
        limit = settings.throttle_per_minute.get(action)
        if limit is not None:
            self._count_call(action, region_id, limit)
        if settings.faults:
            for code, rate in settings.fault_table(action):
                if self._fault_rng.random() < rate:
                    raise api_error(code, "injected")
        token = args.get("client_token")
        if token is None:
            return op(**args)
        key = (region_id, action, token)
        seen = self._tokens.get(key)
        ttl = settings.client_token_ttl_seconds
        if seen is not None and (ttl is None or self.now - seen[2] <= ttl):
            # Same token in both, so comparing the whole typed arguments compares the rest
            # ("2" and 2 parse alike).
            if seen[0] != args:
                raise api_error("IdempotentParameterMismatch")
            return seen[1]
        result = op(**args)
        # Only a success is remembered; ``args`` is kept as given (callers pass a fresh dict).
        self._tokens[key] = (args, result, self.now)
        if ttl is not None:
            # Forget tokens past their validity, oldest first, so long runs stay small.
            order = self._token_order
            order.append((self.now, key))
            horizon = self.now - ttl
            tokens = self._tokens
            while order[0][0] < horizon:
                _, old = order.popleft()
                entry = tokens.get(old)
                if entry is not None and entry[2] < horizon:
                    del tokens[old]
        return result

    def _count_call(self, action: str, region_id: str, limit: int) -> None:
        # One-minute windows; a call throttled in minute T may succeed from minute T+1 (facts §3.3).
        window = int(self.now // 60)
        key = (action, region_id)
        w, count = self._throttle.get(key, (window, 0))
        if w != window:
            count = 0
        if count >= limit:
            self._throttle[key] = (window, count)
            raise api_error("Throttling")
        self._throttle[key] = (window, count + 1)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, running the transitions that fall due, in time order."""
        if seconds < 0:
            raise ValueError(f"cannot go back in time ({seconds} s)")
        self.advance_to(self.now + seconds)

    def advance_to(self, t: float) -> None:
        """Move the clock to ``t`` (not before now), running the transitions due by then."""
        if t < self.now:
            raise ValueError(f"cannot go back in time (now {self.now}, asked {t})")
        queue = self._queue
        while queue and queue[0][0] <= t:
            due, _, fn = heapq.heappop(queue)
            self.now = due
            fn()
        self.now = t

    def _later(self, seconds: float, fn: Callable[[], None]) -> None:
        if seconds <= 0:
            fn()
            return
        self._seq += 1
        heapq.heappush(self._queue, (self.now + seconds, self._seq, fn))

    def timestamp(self, t: float | None = None) -> str:
        """A simulated time as the API writes it (UTC, seconds)."""
        return (EPOCH + timedelta(seconds=self.now if t is None else t)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _new_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-sim{self._ids:013x}"

    def region(self, region_id: str) -> _Region:
        region = self._regions.get(region_id)
        if region is None:
            region = self._regions[region_id] = _Region(region_id)
        return region

    # ---------------------------------------------------------------- simulation knobs (not API)

    def set_instance_migrating(self, region_id: str, instance_id: str, migrating: bool = True) -> None:
        """Mark an instance as migrating: Assign/Unassign on its ENIs are refused meanwhile."""
        self._instance(self.region(region_id), instance_id, "InvalidInstanceId.NotFound").migrating = migrating

    def set_instance_cloud_box(self, region_id: str, instance_id: str, cloud_box: bool = True) -> None:
        """Mark an instance as running in a CloudBox: it cannot take secondary private IPs."""
        self._instance(self.region(region_id), instance_id, "InvalidInstanceId.NotFound").cloud_box = cloud_box

    def set_eni_service_managed(self, region_id: str, eni_id: str, managed: bool = True) -> None:
        """Mark an ENI as managed by a cloud service: it refuses Assign/Unassign/Delete."""
        self._eni(self.region(region_id), eni_id).service_managed = managed

    def set_vswitch_status(self, region_id: str, vswitch_id: str, status: str) -> None:
        """Put a vSwitch in ``Pending`` or back to ``Available``."""
        if status not in ("Pending", "Available"):
            raise ValueError(f"vSwitch status must be Pending or Available, got {status!r}")
        self._vswitch(self.region(region_id), vswitch_id).status = status

    # ---------------------------------------------------------------- lookups

    def _eni(self, region: _Region, eni_id: str) -> Eni:
        if not isinstance(eni_id, str) or not eni_id.startswith("eni-"):
            raise api_error("InvalidEniId.Malformed")
        eni = region.enis.get(eni_id)
        if eni is None:
            raise api_error("InvalidEniId.NotFound", eni_id)
        return eni

    def _instance(self, region: _Region, instance_id: str, not_found: str) -> Instance:
        if not isinstance(instance_id, str) or not instance_id.startswith("i-"):
            raise api_error("InvalidInstanceID.Malformed", instance_id)
        instance = region.instances.get(instance_id)
        if instance is None:
            raise api_error(not_found, instance_id)
        return instance

    def _vswitch(self, region: _Region, vswitch_id: str) -> VSwitch:
        vsw = region.vswitches.get(vswitch_id)
        if vsw is None:
            raise api_error("InvalidVSwitchId.NotFound", vswitch_id)
        return vsw

    def _vpc(self, region: _Region, vpc_id: str) -> Vpc:
        vpc = region.vpcs.get(vpc_id)
        if vpc is None:
            raise api_error("InvalidVpcId.NotFound", vpc_id)
        return vpc

    def _security_groups(self, region: _Region, ids: list[str], vpc_id: str, new_members: int,
                         mismatch: str = "InvalidOperation.VpcMismatch") -> list[SecurityGroup]:
        groups = []
        for sg_id in ids:
            sg = region.security_groups.get(sg_id)
            if sg is None:
                raise api_error("InvalidSecurityGroupId.NotFound", sg_id)
            if sg.vpc_id is None:
                raise api_error("InvalidSecurityGroupId.NotVpc", sg_id)
            if sg.vpc_id != vpc_id:
                raise api_error(mismatch, sg_id, vpc_id) if mismatch == "InvalidOperation.VpcMismatch" else \
                    api_error(mismatch, "SecurityGroupId", f"{sg_id} is in {sg.vpc_id}, the vSwitch in {vpc_id}")
            cap = self.settings.security_group_capacity
            if cap is not None and sg.members + new_members > cap:
                raise api_error("SecurityGroupInstanceLimitExceed", sg_id, cap)
            groups.append(sg)
        return groups

    # ---------------------------------------------------------------- VPC and vSwitch

    def create_vpc(self, region_id: str, cidr_block: Cidr | None = None, vpc_name: str = "", description: str = "",
                   client_token: str | None = None) -> Vpc:
        region = self.region(region_id)
        cidr = cidr_block or Cidr.parse("172.16.0.0/12")
        lo, hi = _VPC_MASKS
        if not lo <= cidr.prefixlen <= hi:
            raise api_error("InvalidParameter", "CidrBlock", f"{cidr} has mask /{cidr.prefixlen}; allowed /{lo} to /{hi}")
        for bad in _FORBIDDEN_RANGES:
            if bad.overlaps(cidr):
                raise api_error("InvalidParameter", "CidrBlock", f"{cidr} lies in {bad}, which a VPC may not use")
        vpc = Vpc(self._new_id("vpc"), region_id, cidr, vpc_name, description, self.now)
        region.vpcs[vpc.id] = vpc
        return vpc

    def create_vswitch(self, region_id: str, vpc_id: str, zone_id: str, cidr_block: Cidr, vswitch_name: str = "",
                       description: str = "", client_token: str | None = None) -> VSwitch:
        region = self.region(region_id)
        vpc = self._vpc(region, vpc_id)
        suffix = zone_id[len(region_id) + 1 :] if zone_id.startswith(region_id + "-") else ""
        if not (len(suffix) == 1 and suffix.isascii() and suffix.isalpha()):
            raise api_error("InvalidZoneId.NotFound", zone_id, region_id)
        lo, hi = VSWITCH_MASK_RANGE
        if not lo <= cidr_block.prefixlen <= hi:
            raise api_error("InvalidCirdrBlock.MaskLength", cidr_block)
        if not vpc.cidr.contains_block(cidr_block):
            raise api_error("InvalidParameter", "CidrBlock", f"{cidr_block} is not inside the VPC CIDR {vpc.cidr}")
        for other_id in vpc.vswitch_ids:
            other = region.vswitches[other_id]
            if other.cidr.overlaps(cidr_block):
                raise api_error("InvalidCidrBlock.Overlapped", cidr_block, f"{other.id} {other.cidr}")
        rng = random.Random(f"{self._placement_seed}/placement/{len(region.vswitches)}/{region_id}")
        space = AddressSpace(cidr_block, policy=self.settings.placement, rng=rng)
        vsw = VSwitch(self._new_id("vsw"), region_id, vpc_id, zone_id, cidr_block, space, vswitch_name, description, self.now)
        region.vswitches[vsw.id] = vsw
        vpc.vswitch_ids.append(vsw.id)
        return vsw

    def available_ip_count(self, vsw: VSwitch) -> int:
        """DescribeVSwitches' AvailableIpAddressCount (see settings.available_ip_count_includes_reserved)."""
        count = vsw.space.free_count
        if self.settings.available_ip_count_includes_reserved:
            count += 16 * vsw.space.free_prefix_count()
        return count

    def describe_vswitches(self, region_id: str, vpc_id: str | None = None, vswitch_id: str | None = None,
                           zone_id: str | None = None, page_number: int = 1, page_size: int = 10):
        region = self.region(region_id)
        _check_range("PageNumber", page_number, 1, None)
        _check_range("PageSize", page_size, 1, 50)
        if vswitch_id is not None and vswitch_id not in region.vswitches:
            raise api_error("InvalidVSwitchId.NotFound", vswitch_id)
        found = [
            v for v in region.vswitches.values()
            if (vpc_id is None or v.vpc_id == vpc_id) and (vswitch_id is None or v.id == vswitch_id)
            and (zone_id is None or v.zone_id == zone_id)
        ]
        start = (page_number - 1) * page_size
        return found[start : start + page_size], len(found), page_number, page_size

    # ---------------------------------------------------------------- CIDR reservations

    def create_vswitch_cidr_reservation(self, region_id: str, vswitch_id: str, vswitch_cidr_reservation_cidr: Cidr | None = None,
                                        vswitch_cidr_reservation_mask: int | None = None, ip_version: str = "IPv4",
                                        vswitch_cidr_reservation_type: str = "prefix", vswitch_cidr_reservation_name: str = "",
                                        vswitch_cidr_reservation_description: str = "", dry_run: bool = False,
                                        client_token: str | None = None):
        region = self.region(region_id)
        vsw = self._vswitch(region, vswitch_id)
        if ip_version != "IPv4":
            raise api_error("InvalidParameter", "IpVersion", f"{ip_version!r}: simkit models IPv4 reservations only")
        if vswitch_cidr_reservation_type != "prefix":
            raise api_error("InvalidParameter", "VSwitchCidrReservationType", "only prefix is documented")
        if vswitch_cidr_reservation_cidr is None and vswitch_cidr_reservation_mask is None:
            raise api_error("MissingParameter", "VSwitchCidrReservationCidr or VSwitchCidrReservationMask")
        if vswitch_cidr_reservation_cidr is not None and vswitch_cidr_reservation_mask is not None:
            raise api_error("Conflict.VSwitchCidrReservationMaskAndVSwitchCidrReservationCidr")
        if vsw.status != "Available":
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        space = vsw.space
        try:
            if vswitch_cidr_reservation_cidr is not None:
                reservation = space.reserve(vswitch_cidr_reservation_cidr)
            else:
                reservation = space.reserve(mask=vswitch_cidr_reservation_mask)
        except Refused as exc:
            field = "VSwitchCidrReservationCidr" if vswitch_cidr_reservation_cidr is not None else "VSwitchCidrReservationMask"
            raise api_error("InvalidParameter", field, str(exc)) from None
        if dry_run:
            space.unreserve(reservation)
            return None
        res = CidrReservation(self._new_id("vcr"), region_id, vsw.id, vsw.vpc_id, reservation, vswitch_cidr_reservation_name,
                              vswitch_cidr_reservation_description, self.now)
        region.reservations[res.id] = res
        vsw.reservation_ids.append(res.id)

        def assigned() -> None:
            res.status = "Assigned"

        self._later(self.settings.reservation_assign_seconds, assigned)
        return res

    def list_vswitch_cidr_reservations(self, region_id: str, vswitch_id: str, vswitch_cidr_reservation_ids: list[str] | None = None,
                                       ip_version: str | None = None, next_token: str | None = None, max_results: int = 10):
        region = self.region(region_id)
        vsw = self._vswitch(region, vswitch_id)
        _check_range("MaxResults", max_results, 1, 100)
        wanted = set(vswitch_cidr_reservation_ids or ())
        found = [region.reservations[r] for r in vsw.reservation_ids if not wanted or r in wanted]
        if ip_version not in (None, "IPv4"):
            found = []
        return _token_page(found, next_token, max_results)

    def get_vswitch_cidr_reservation_usage(self, region_id: str, vswitch_cidr_reservation_id: str,
                                           next_token: str | None = None, max_results: int = 10):
        region = self.region(region_id)
        res = region.reservations.get(vswitch_cidr_reservation_id)
        if res is None:
            raise api_error("InvalidParameter", "VSwitchCidrReservationId", f"{vswitch_cidr_reservation_id} does not exist")
        _check_range("MaxResults", max_results, 1, 100)
        cidr = res.reservation.cidr
        usages = sorted(
            (p, eni.id) for eni in region.enis.values() if eni.vswitch_id == res.vswitch_id
            for p in eni.prefixes if p in cidr
        )
        return _token_page(usages, next_token, max_results)

    def reservation_counts(self, res: CidrReservation) -> tuple[int, int]:
        """(prefixes allocated, /28 blocks still free) of a reservation."""
        space = self.region(res.region_id).vswitches[res.vswitch_id].space
        stats = space.reservation_stats(res.reservation)
        return stats.prefixes, stats.free_blocks_28

    def _region_of_instance(self, instance_id: str) -> str | None:
        for region in self._regions.values():
            if instance_id in region.instances:
                return region.id
        return None

    # ---------------------------------------------------------------- security groups and instance types

    def create_security_group(self, region_id: str, vpc_id: str | None = None, security_group_name: str = "",
                              description: str = "", security_group_type: str = "normal",
                              client_token: str | None = None) -> SecurityGroup:
        region = self.region(region_id)
        if vpc_id is not None:
            self._vpc(region, vpc_id)
        if security_group_type not in ("normal", "enterprise"):
            raise api_error("InvalidParameter", "SecurityGroupType", "allowed: normal, enterprise")
        sg = SecurityGroup(self._new_id("sg"), region_id, vpc_id, security_group_name, description, self.now)
        region.security_groups[sg.id] = sg
        return sg

    def describe_instance_types(self, region_id: str, instance_types: list[str] | None = None,
                                instance_type_family: str | None = None, next_token: str | None = None,
                                max_results: int = 1600):
        _check_range("MaxResults", max_results, 1, 1600)
        if instance_types and len(instance_types) > 10:
            raise api_error("InvalidParameter", "InstanceTypes.N", "at most 10 instance types (N is 1-10)")
        wanted = set(instance_types or ())
        found = [
            t for t in self.catalog
            if (not wanted or t.name in wanted) and (instance_type_family is None or t.family == instance_type_family)
        ]
        return _token_page(found, next_token, max_results)

    # ---------------------------------------------------------------- instances

    def run_instances(self, region_id: str, instance_type: str, vswitch_id: str, security_group_id: str | None = None,
                      security_group_ids: list[str] | None = None, amount: int = 1, image_id: str | None = None,
                      instance_name: str = "", zone_id: str | None = None, private_ip_address: int | None = None,
                      client_token: str | None = None) -> list[Instance]:
        region = self.region(region_id)
        if not _RUN_AMOUNT[0] <= amount <= _RUN_AMOUNT[1]:
            raise api_error("InvalidParam.Amount", amount)
        try:
            itype = self.catalog.require_ip_limits(instance_type)
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            raise api_error("InvalidInstanceType.ValueNotSupported", instance_type, str(exc)) from None
        vsw = self._vswitch(region, vswitch_id)
        if zone_id is not None and zone_id != vsw.zone_id:
            raise api_error("InvalidParameter.Mismatch", "ZoneId", f"vSwitch {vsw.id} is in {vsw.zone_id}, not {zone_id}")
        if vsw.status != "Available":
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        sg_ids = ([security_group_id] if security_group_id else []) + list(security_group_ids or ())
        if not sg_ids:
            raise api_error("MissingParameter", "SecurityGroupId")
        groups = self._security_groups(region, sg_ids, vsw.vpc_id, amount, mismatch="InvalidParameter.Mismatch")
        space = vsw.space
        if private_ip_address is not None:
            if amount != 1:
                raise api_error("InvalidParameter", "PrivateIpAddress", "a private IP can be named only when Amount is 1")
            self._claim_singles(vsw, [private_ip_address], None)
            ips = [private_ip_address]
        else:
            try:
                ips = space.allocate(amount)
            except SpaceExhausted:
                raise api_error("QuotaExceeded.PrivateIpAddress", vsw.id) from None
        instances = []
        for ip in ips:
            inst = Instance(self._new_id("i"), region_id, vsw.zone_id, vsw.vpc_id, vsw.id, itype, instance_name, self.now, sg_ids)
            eni = Eni(self._new_id("eni"), region_id, vsw.id, vsw.vpc_id, vsw.zone_id, "Primary", ip, sg_ids,
                      self._mac(), "", "", self.now)
            eni.status = "InUse"
            eni.instance_id = inst.id
            inst.eni_ids.append(eni.id)
            region.instances[inst.id] = inst
            region.enis[eni.id] = eni
            instances.append(inst)
            self._later(self.settings.instance_start_seconds, _setter(inst, "status", "Running"))
        for sg in groups:
            sg.members += amount
        return instances

    def _mac(self) -> str:
        n = self._ids
        return f"00:16:3e:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"

    def start_instance(self, region_id: str, instance_id: str) -> None:
        inst = self._instance(self.region(region_id), instance_id, "InvalidInstanceId.NotFound")
        if inst.status != "Stopped":
            raise api_error("IncorrectInstanceStatus", inst.id, f"{inst.status}; StartInstance needs Stopped")
        inst.status = "Starting"
        self._later(self.settings.instance_start_seconds, _setter(inst, "status", "Running"))

    def stop_instance(self, region_id: str, instance_id: str, force_stop: bool = False) -> None:
        inst = self._instance(self.region(region_id), instance_id, "InvalidInstanceId.NotFound")
        if inst.status != "Running":
            raise api_error("IncorrectInstanceStatus", inst.id, f"{inst.status}; StopInstance needs Running")
        inst.status = "Stopping"
        self._later(self.settings.instance_stop_seconds, _setter(inst, "status", "Stopped"))

    def delete_instance(self, region_id: str, instance_id: str, force: bool = False) -> None:
        region = self.region(region_id)
        inst = self._instance(region, instance_id, "InvalidInstanceId.NotFound")
        if inst.status != "Stopped" and not force:
            raise api_error("IncorrectInstanceStatus", inst.id, f"{inst.status}; DeleteInstance needs Stopped, or Force=true")
        for eni_id in inst.eni_ids:
            eni = region.enis[eni_id]
            if eni.type == "Primary":
                self._release_all(region, eni)
                del region.enis[eni.id]
            else:
                # Secondary ENIs outlive the instance: simkit detaches them (a documented choice).
                eni.status = "Available"
                eni.instance_id = None
        for sg_id in inst.security_group_ids:
            region.security_groups[sg_id].members -= 1
        inst.status = "Deleted"
        del region.instances[inst.id]

    # ---------------------------------------------------------------- ENIs

    def create_network_interface(self, region_id: str, vswitch_id: str, security_group_id: str | None = None,
                                 security_group_ids: list[str] | None = None, primary_ip_address: int | None = None,
                                 secondary_private_ip_address_count: int | None = None,
                                 private_ip_address: list[int] | None = None, ipv4_prefix: list[Cidr] | None = None,
                                 ipv4_prefix_count: int | None = None, network_interface_name: str = "",
                                 description: str = "", instance_type: str = "Secondary",
                                 client_token: str | None = None) -> Eni:
        region = self.region(region_id)
        settings = self.settings
        if instance_type != "Secondary":
            raise api_error("InvalidParameter", "InstanceType", f"{instance_type!r}: simkit models Secondary ENIs only")
        if secondary_private_ip_address_count is not None and private_ip_address:
            raise api_error("InvalidParameter.Conflict", "SecondaryPrivateIpAddressCount and PrivateIpAddress.N")
        if ipv4_prefix_count is not None and ipv4_prefix:
            raise api_error("InvalidParameter.Conflict", "Ipv4PrefixCount and Ipv4Prefix.N")
        n_ips = secondary_private_ip_address_count or len(private_ip_address or ())
        n_prefixes = ipv4_prefix_count or len(ipv4_prefix or ())
        if n_ips and n_prefixes:
            raise api_error("InvalidParameter.Conflict", "secondary private IPs and IPv4 prefixes in one request")
        if secondary_private_ip_address_count is not None:
            _check_range("SecondaryPrivateIpAddressCount", secondary_private_ip_address_count, 1, settings.available_eni_max_secondary)
        if private_ip_address and len(private_ip_address) > 10:
            raise api_error("InvalidParameter", "PrivateIpAddress.N", "at most 10 addresses (N is 1-10)")
        if ipv4_prefix_count is not None:
            _check_range("Ipv4PrefixCount", ipv4_prefix_count, 1, settings.max_prefixes_per_call)
        if ipv4_prefix and len(ipv4_prefix) > settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N", f"at most {settings.max_prefixes_per_call} prefixes")
        if n_ips + n_prefixes > settings.available_eni_max_secondary:
            raise api_error("MaxEniPrivateIpsCountExceeded", "(new)", n_ips + n_prefixes, settings.available_eni_max_secondary)
        vsw = self._vswitch(region, vswitch_id)
        if vsw.status != "Available":
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        sg_ids = ([security_group_id] if security_group_id else []) + list(security_group_ids or ())
        if not sg_ids:
            raise api_error("MissingParameter", "SecurityGroupId")
        groups = self._security_groups(region, sg_ids, vsw.vpc_id, 1)
        quota = settings.account_eni_quota
        if quota is not None and region.secondary_enis >= quota:
            raise api_error("MaxEniCountExceeded", region_id, quota)
        if n_prefixes:
            self._check_prefix_region(region_id)
        # Take every address first, all or none; then build the ENI.
        space = vsw.space
        named = ([primary_ip_address] if primary_ip_address is not None else []) + list(private_ip_address or ())
        if len(set(named)) != len(named):
            raise api_error("InvalidPrivateIpAddress.Duplicated", ", ".join(format_ipv4(a) for a in named))
        if named:
            self._claim_singles(vsw, named, None)
        auto = (0 if primary_ip_address is not None else 1) + (secondary_private_ip_address_count or 0)
        picked: list[int] = []
        try:
            if auto:
                picked = self._allocate_singles(vsw, auto)
            prefixes = self._take_prefixes(region, vsw, ipv4_prefix, ipv4_prefix_count, "(new)")
        except ApiError:
            space.release(named + picked)  # all or nothing
            raise
        if primary_ip_address is not None:
            primary, secondaries = primary_ip_address, list(private_ip_address or ()) + picked
        else:
            primary, secondaries = picked[0], list(private_ip_address or ()) + picked[1:]
        eni = Eni(self._new_id("eni"), region_id, vsw.id, vsw.vpc_id, vsw.zone_id, "Secondary", primary, sg_ids,
                  self._mac(), network_interface_name, description, self.now)
        eni.secondaries = dict.fromkeys(secondaries)
        eni.prefixes = dict.fromkeys(prefixes)
        region.enis[eni.id] = eni
        region.secondary_enis += 1
        for sg in groups:
            sg.members += 1
        return eni

    def attach_network_interface(self, region_id: str, network_interface_id: str, instance_id: str) -> None:
        region = self.region(region_id)
        eni = self._eni(region, network_interface_id)
        inst = self._instance(region, instance_id, "InvalidEcsId.NotFound")
        if eni.status in ("Attaching", "Detaching"):
            raise api_error("Operation.Conflict", eni.id, eni.status)
        if eni.status != "Available" or eni.type != "Secondary":
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {eni.status} ({eni.type}); attach needs an Available secondary ENI")
        if inst.status not in ("Running", "Stopped"):
            raise api_error("InvalidOperation.InvalidEcsState", inst.id, f"it is {inst.status}; attach needs Running or Stopped")
        if eni.vpc_id != inst.vpc_id:
            raise api_error("InvalidOperation.VpcMismatch", eni.id, inst.id)
        if eni.zone_id != inst.zone_id:
            raise api_error("InvalidOperation.AvailabilityZoneMismatch", eni.id, eni.zone_id, inst.id, inst.zone_id)
        limit = inst.type.eni_quantity
        if len(inst.eni_ids) >= limit:
            raise api_error("EniPerInstanceLimitExceeded", inst.id, inst.type.name, limit)
        per_eni = inst.type.private_ipv4_per_eni
        if eni.ipv4_slots_used > per_eni:
            raise api_error("InvalidOperation.Ipv4CountExceeded", eni.id, eni.ipv4_slots_used, inst.type.name, per_eni)
        eni.status = "Attaching"
        eni.instance_id = inst.id
        inst.eni_ids.append(eni.id)
        self._later(self.settings.eni_attach_seconds, _setter(eni, "status", "InUse"))

    def detach_network_interface(self, region_id: str, network_interface_id: str, instance_id: str) -> None:
        region = self.region(region_id)
        eni = self._eni(region, network_interface_id)
        inst = self._instance(region, instance_id, "InvalidEcsId.NotFound")
        if eni.type == "Primary":
            raise api_error("InvalidOperation.DetachPrimaryEniNotAllowed", eni.id)
        if eni.instance_id != inst.id:
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is not attached to {inst.id}")
        if eni.status == "Detaching":
            return  # a detach stuck in Detaching may be sent again (facts §3.1)
        if eni.status != "InUse":
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {eni.status}; detach needs InUse")
        if inst.status not in ("Running", "Stopped"):
            raise api_error("InvalidOperation.InvalidEcsState", inst.id, f"it is {inst.status}; detach needs Running or Stopped")
        eni.status = "Detaching"

        def detached() -> None:
            eni.status = "Available"
            eni.instance_id = None
            inst.eni_ids.remove(eni.id)

        self._later(self.settings.eni_detach_seconds, detached)

    def delete_network_interface(self, region_id: str, network_interface_id: str) -> None:
        region = self.region(region_id)
        eni = self._eni(region, network_interface_id)
        if eni.service_managed:
            raise api_error("InvalidOperation.EniServiceManaged", eni.id)
        if eni.status in ("Attaching", "Detaching"):
            raise api_error("Operation.Conflict", eni.id, eni.status)
        if eni.status != "Available" or eni.type != "Secondary":
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {eni.status} ({eni.type}); delete needs an Available secondary ENI")
        eni.status = "Deleting"

        def deleted() -> None:
            self._release_all(region, eni)
            del region.enis[eni.id]
            region.secondary_enis -= 1
            for sg_id in eni.security_group_ids:
                region.security_groups[sg_id].members -= 1

        self._later(self.settings.eni_delete_seconds, deleted)

    def describe_network_interfaces(self, region_id: str, network_interface_id: list[str] | None = None,
                                    instance_id: str | None = None, vswitch_id: str | None = None, vpc_id: str | None = None,
                                    type: str | None = None, status: str | None = None,
                                    private_ip_address: list[int] | None = None, page_number: int | None = None,
                                    page_size: int | None = None, next_token: str | None = None,
                                    max_results: int | None = None):
        region = self.region(region_id)
        if (page_number is not None or page_size is not None) and (next_token is not None or max_results is not None):
            raise api_error("InvalidParameter", "NextToken", "use PageNumber/PageSize or NextToken/MaxResults, not both")
        if network_interface_id and len(network_interface_id) > 100:
            raise api_error("InvalidParameter", "NetworkInterfaceId.N", "at most 100 ids")
        if instance_id is not None and not instance_id.startswith("i-"):
            raise api_error("InvalidInstanceID.Malformed", instance_id)
        if type is not None and type not in ("Primary", "Secondary", "Trunk", "Member"):
            raise api_error("InvalidParameter", "Type", "allowed: Primary, Secondary, Trunk, Member")
        if status is not None and status not in ("Available", "Attaching", "InUse", "Detaching", "Deleting"):
            raise api_error("InvalidParameter", "Status", "allowed: Available, Attaching, InUse, Detaching, Deleting")
        ids = set(network_interface_id or ())
        ips = set(private_ip_address or ())
        found = [
            e for e in region.enis.values()
            if (not ids or e.id in ids) and (instance_id is None or e.instance_id == instance_id)
            and (vswitch_id is None or e.vswitch_id == vswitch_id) and (vpc_id is None or e.vpc_id == vpc_id)
            and (type is None or e.type == type) and (status is None or e.status == status)
            and (not ips or e.primary_ip in ips or any(a in ips for a in e.secondaries))
        ]
        if next_token is not None or max_results is not None:
            # The SDK docstring: unset or below 10 reads as 10, above 500 as 500.
            size = 10 if max_results is None else min(max(max_results, 10), 500)
            page, total, token, size = _token_page(found, next_token, size)
            return page, total, None, None, token, size
        number = 1 if page_number is None else page_number
        size = 10 if page_size is None else page_size
        _check_range("PageNumber", number, 1, None)
        _check_range("PageSize", size, 1, None)  # deprecated paging; the SDK gives no maximum
        start = (number - 1) * size
        return found[start : start + size], len(found), number, size, None, None

    # ---------------------------------------------------------------- private IPs and prefixes

    def _assignable(self, region: _Region, network_interface_id: str) -> tuple[Eni, VSwitch]:
        """The ENI, if its state, its instance's and its vSwitch's let it take or give back IPs."""
        eni = self._eni(region, network_interface_id)
        if eni.service_managed:
            raise api_error("InvalidOperation.EniServiceManaged", eni.id)
        status = eni.status
        if status != "InUse" and status != "Available":
            if status == "Attaching" or status == "Detaching":
                raise api_error("Operation.Conflict", eni.id, status)
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {status}")
        if eni.instance_id is not None:
            inst = region.instances[eni.instance_id]
            if eni.type == "Primary" and inst.status != "Running" and inst.status != "Stopped":
                raise api_error("InvalidOperation.InvalidEcsState", inst.id, f"it is {inst.status}; its primary ENI needs it Running or Stopped")
            if inst.migrating:
                raise api_error("InvalidStatus.InstanceIsMigrating")
        return eni, region.vswitches[eni.vswitch_id]

    def assign_private_ip_addresses(self, region_id: str, network_interface_id: str,
                                    secondary_private_ip_address_count: int | None = None,
                                    private_ip_address: list[int] | None = None, ipv4_prefix: list[Cidr] | None = None,
                                    ipv4_prefix_count: int | None = None, client_token: str | None = None):
        """Returns (ENI id, assigned addresses, assigned prefix bases)."""
        settings = self.settings
        count = secondary_private_ip_address_count
        if count is not None:
            if private_ip_address:
                raise api_error("InvalidParameter.Conflict", "SecondaryPrivateIpAddressCount and PrivateIpAddress.N")
            if not 1 <= count <= 100:
                raise api_error("InvalidParameter.PrivateIpCount")
        if ipv4_prefix_count is not None and ipv4_prefix:
            raise api_error("InvalidParameter.Conflict", "Ipv4PrefixCount and Ipv4Prefix.N")
        n_prefixes = ipv4_prefix_count or (len(ipv4_prefix) if ipv4_prefix else 0)
        n_ips = count or (len(private_ip_address) if private_ip_address else 0)
        if n_prefixes and n_ips:
            raise api_error("InvalidParameter.Conflict", "secondary private IPs and IPv4 prefixes in one request")
        if not n_prefixes and not n_ips:
            raise api_error("MissingParameter", "SecondaryPrivateIpAddressCount, PrivateIpAddress.N, Ipv4PrefixCount or Ipv4Prefix.N")
        if ipv4_prefix_count is not None:
            _check_range("Ipv4PrefixCount", ipv4_prefix_count, 1, settings.max_prefixes_per_call)
        elif n_prefixes > settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N", f"at most {settings.max_prefixes_per_call} prefixes (N is 1-{settings.max_prefixes_per_call})")
        region = self._regions.get(region_id) or self.region(region_id)
        eni, vsw = self._assignable(region, network_interface_id)
        if eni.instance_id is not None and region.instances[eni.instance_id].cloud_box:
            raise api_error("InvalidOperation.InstanceNotSupportMulitipleIp")
        if vsw.status != "Available":
            raise api_error("IncorrectVSwitchStatus", vsw.status)
        if n_prefixes:
            self._check_prefix_region(region_id)
        asked = n_ips + n_prefixes
        if eni.status == "InUse":
            limit = region.instances[eni.instance_id].type.private_ipv4_per_eni
            used = 1 + len(eni.secondaries) + len(eni.prefixes)
            if used + asked > limit:
                itype = region.instances[eni.instance_id].type.name
                raise api_error("InvalidOperation.Ipv4CountExceeded", eni.id, used + asked, itype, limit)
        else:
            if private_ip_address and len(private_ip_address) > settings.max_named_ips_per_call:
                raise api_error("InvalidParameter", "PrivateIpAddress.N",
                                f"at most {settings.max_named_ips_per_call} addresses on an Available ENI (N is 1-{settings.max_named_ips_per_call})")
            cap = settings.available_eni_max_secondary
            held = len(eni.secondaries) + len(eni.prefixes)
            if held + asked > cap:
                raise api_error("MaxEniPrivateIpsCountExceeded", eni.id, held + asked, cap)
        if n_prefixes:
            prefixes = self._take_prefixes(region, vsw, ipv4_prefix, ipv4_prefix_count, eni.id)
            eni.prefixes.update(dict.fromkeys(prefixes))
            return eni.id, [], prefixes
        if count:
            ips = self._allocate_singles(vsw, count)
        else:
            if len(set(private_ip_address)) != len(private_ip_address):
                raise api_error("InvalidPrivateIpAddress.Duplicated", ", ".join(format_ipv4(a) for a in private_ip_address))
            self._claim_singles(vsw, private_ip_address, eni)
            ips = list(private_ip_address)
        eni.secondaries.update(dict.fromkeys(ips))
        return eni.id, ips, []

    def unassign_private_ip_addresses(self, region_id: str, network_interface_id: str,
                                      private_ip_address: list[int] | None = None,
                                      ipv4_prefix: list[Cidr] | None = None, client_token: str | None = None) -> None:
        if not private_ip_address and not ipv4_prefix:
            raise api_error("MissingParameter", "PrivateIpAddress.N or Ipv4Prefix.N")
        if ipv4_prefix and len(ipv4_prefix) > self.settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N", f"at most {self.settings.max_prefixes_per_call} prefixes")
        region = self.region(region_id)
        eni, vsw = self._assignable(region, network_interface_id)
        ips = private_ip_address or []
        for a in ips:
            if a not in eni.secondaries:
                why = " (it is the ENI's primary address)" if a == eni.primary_ip else ""
                raise api_error("InvalidIp.IpUnassigned", format_ipv4(a), eni.id, why)
        if len(set(ips)) != len(ips):
            raise api_error("InvalidIp.IpUnassigned", ", ".join(format_ipv4(a) for a in ips), eni.id, " (named twice)")
        bases = []
        for p in ipv4_prefix or ():
            if p.prefixlen != _PREFIX_LEN or p.base not in eni.prefixes or p.base in bases:
                raise api_error("InvalidIp.IpUnassigned", str(p), eni.id, "")
            bases.append(p.base)
        if ips:
            vsw.space.release(ips)
            secondaries = eni.secondaries
            for a in ips:
                del secondaries[a]
        if bases:
            vsw.space.release_prefixes(bases)
            for b in bases:
                del eni.prefixes[b]

    # ---------------------------------------------------------------- helpers for addresses

    def _allocate_singles(self, vsw: VSwitch, n: int) -> list[int]:
        try:
            return vsw.space.allocate(n)
        except SpaceExhausted as exc:
            code = self.settings.ip_exhausted_code
            raise api_error(code, vsw.id, exc.requested, exc.available) from None

    def _claim_singles(self, vsw: VSwitch, addresses: list[int], eni: Eni | None) -> None:
        try:
            vsw.space.claim(addresses)
        except Refused as exc:
            reason = exc.reason
            if reason is Refusal.IN_USE:
                a = next(a for a in addresses if format_ipv4(a) == exc.value)
                if eni is not None and (a in eni.secondaries or a == eni.primary_ip):
                    raise api_error("InvalidIp.IpRepeated", exc.value, eni.id) from None
                raise api_error("InvalidIp.IpAssigned", exc.value) from None
            if reason is Refusal.DUPLICATE:
                raise api_error("InvalidPrivateIpAddress.Duplicated", exc.value) from None
            why = {Refusal.OUTSIDE: "outside its CIDR", Refusal.SYSTEM_RESERVED: "reserved by the system",
                   Refusal.IN_RESERVATION: "inside a CIDR reservation"}[reason]
            raise api_error("InvalidVSwitchId.IpInvalid", exc.value, vsw.id, why) from None

    def _check_prefix_region(self, region_id: str) -> None:
        if not supports_ipv4_prefix(region_id):
            raise api_error("InvalidOperation.RegionNotSupportIpPrefix")

    def _assigned_reservations(self, region: _Region, vsw: VSwitch):
        return [region.reservations[r].reservation for r in vsw.reservation_ids if region.reservations[r].status == "Assigned"]

    def _take_prefixes(self, region: _Region, vsw: VSwitch, named: list[Cidr] | None, count: int | None, eni_id: str) -> list[int]:
        space = vsw.space
        if count:
            if not vsw.reservation_ids:
                raise api_error("InvalidOperation.VSwitchCidrReservationNotExist")
            try:
                return space.allocate_prefixes(count, within=self._assigned_reservations(region, vsw))
            except SpaceExhausted as exc:
                raise api_error("InvalidVSwitchId.IpPrefixNotEnough", exc.requested, exc.available) from None
        if not named:
            return []
        masks = {p.prefixlen for p in named}
        if len(masks) > 1:
            raise api_error("InvalidIp.IpPrefixMaskNotSame", ", ".join(str(p) for p in named))
        if masks != {_PREFIX_LEN}:
            raise api_error("InvalidIp.IpPrefixMaskInvalid", named[0].prefixlen)
        ready = {r.cidr for r in self._assigned_reservations(region, vsw)}
        for p in named:
            res = next((region.reservations[r] for r in vsw.reservation_ids
                        if region.reservations[r].reservation.cidr.contains_block(p)), None)
            if res is not None and res.reservation.cidr not in ready:
                raise api_error("InvalidIp.IpPrefixNotAvailable", str(p))
        try:
            return space.claim_prefixes(named)
        except Refused as exc:
            if exc.reason in (Refusal.NOT_IN_RESERVATION, Refusal.OUTSIDE):
                raise api_error("InvalidIp.IpPrefixMustInReserveSegment") from None
            raise api_error("InvalidIp.IpPrefixNotAvailable", exc.value) from None

    def _release_all(self, region: _Region, eni: Eni) -> None:
        space = region.vswitches[eni.vswitch_id].space
        space.release([eni.primary_ip, *eni.secondaries])
        if eni.prefixes:
            space.release_prefixes(list(eni.prefixes))
        eni.secondaries = {}
        eni.prefixes = {}


def _setter(obj: Any, attr: str, value: Any) -> Callable[[], None]:
    def apply() -> None:
        setattr(obj, attr, value)

    return apply


def _check_range(name: str, value: int, lo: int, hi: int | None) -> None:
    if value < lo or (hi is not None and value > hi):
        allowed = f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise api_error("InvalidParameter", name, f"{value} is outside the allowed range ({allowed})")


def _token_page(items: list, next_token: str | None, max_results: int):
    """Items for one NextToken page: (page, total, next token or None, max_results)."""
    start = 0
    if next_token:
        if not next_token.isdigit() or int(next_token) > len(items):
            raise api_error("InvalidParameter", "NextToken", f"{next_token!r} is not a token this listing gave")
        start = int(next_token)
    end = start + max_results
    return items[start:end], len(items), (str(end) if end < len(items) else None), max_results


#: API action -> Account method.
_OPERATIONS = {
    "CreateVpc": "create_vpc",
    "CreateVSwitch": "create_vswitch",
    "DescribeVSwitches": "describe_vswitches",
    "CreateVSwitchCidrReservation": "create_vswitch_cidr_reservation",
    "ListVSwitchCidrReservations": "list_vswitch_cidr_reservations",
    "GetVSwitchCidrReservationUsage": "get_vswitch_cidr_reservation_usage",
    "CreateSecurityGroup": "create_security_group",
    "DescribeInstanceTypes": "describe_instance_types",
    "RunInstances": "run_instances",
    "StartInstance": "start_instance",
    "StopInstance": "stop_instance",
    "DeleteInstance": "delete_instance",
    "CreateNetworkInterface": "create_network_interface",
    "AttachNetworkInterface": "attach_network_interface",
    "DetachNetworkInterface": "detach_network_interface",
    "DeleteNetworkInterface": "delete_network_interface",
    "DescribeNetworkInterfaces": "describe_network_interfaces",
    "AssignPrivateIpAddresses": "assign_private_ip_addresses",
    "UnassignPrivateIpAddresses": "unassign_private_ip_addresses",
}
ACTIONS = tuple(_OPERATIONS)
