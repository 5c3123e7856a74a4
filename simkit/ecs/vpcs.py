"""VPCs, vSwitches, CIDR reservations and security groups: the operations of the VPC API's
resource family (and CreateSecurityGroup, which the ENI operations depend on)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from simkit.catalog import is_zone_of
from simkit.ecs import requests as rq
from simkit.ecs.paging import check_range, token_page
from simkit.ecs.resources import NO_LIMIT, CidrReservation, SecurityGroup, Vpc, VSwitch
from simkit.ecs.results import Page, PrefixUsage, ReservationListing, VSwitchListing
from simkit.ecs.settings import reservations_per_space
from simkit.ecs.states import ReservationStatus, SecurityGroupType, VSwitchStatus
from simkit.errors import api_error
from simkit.net import BLOCK, VSWITCH_MASK_RANGE, AddressSpace, Cidr, Refusal, Refused

if TYPE_CHECKING:
    from simkit.ecs.account import Account

__all__ = ["VpcOperations", "available_ip_count"]

# VPC CIDR blocks may not lie in these (facts §1).
_FORBIDDEN_RANGES = tuple(Cidr.parse(c) for c in ("100.64.0.0/10", "224.0.0.0/4", "127.0.0.0/8", "169.254.0.0/16"))
_VPC_MASKS = (8, 28)  # 16-28 recommended (facts §1); 8 admits the documented 10.0.0.0/8 default ranges
_DEFAULT_VPC_CIDR = Cidr.parse("172.16.0.0/12")


def available_ip_count(vsw: VSwitch, includes_reserved: bool) -> int:
    """DescribeVSwitches' AvailableIpAddressCount (see settings.available_ip_count_includes_reserved)."""
    count = vsw.space.free_count
    if includes_reserved:
        count += BLOCK * vsw.space.free_prefix_count()
    return count


class VpcOperations:
    """CreateVpc, CreateVSwitch, DescribeVSwitches, the CIDR reservation APIs and
    CreateSecurityGroup, on the account's state."""

    def __init__(self, account: "Account"):
        self.account = account

    def create_vpc(self, r: rq.CreateVpc) -> Vpc:
        """Raises InvalidParameter for a mask outside /8-/28 or a range a VPC may not use."""
        account = self.account
        region = account.region(r.region_id)
        cidr = r.cidr_block or _DEFAULT_VPC_CIDR
        lo, hi = _VPC_MASKS
        if not lo <= cidr.prefixlen <= hi:
            raise api_error("InvalidParameter", "CidrBlock", f"{cidr} has mask /{cidr.prefixlen}; allowed /{lo} to /{hi}")
        for bad in _FORBIDDEN_RANGES:
            if bad.overlaps(cidr):
                raise api_error("InvalidParameter", "CidrBlock", f"{cidr} lies in {bad}, which a VPC may not use")
        vpc = Vpc(account.new_id("vpc"), r.region_id, cidr, r.vpc_name, r.description, account.now,
                  address_cap=_cap(account.settings.vpc_private_ips))
        region.vpcs[vpc.id] = vpc
        return vpc

    def create_vswitch(self, r: rq.CreateVSwitch) -> VSwitch:
        """Raises InvalidVpcId.NotFound, InvalidZoneId.NotFound (a zone not in the region's sourced
        list, ``simkit.catalog.is_zone_of``), QuotaExceeded.VSwitch (settings.vswitches_per_vpc),
        InvalidCirdrBlock.MaskLength, InvalidParameter (outside the VPC), InvalidCidrBlock.Overlapped."""
        account = self.account
        settings = account.settings
        region_id, cidr_block, zone_id = r.region_id, r.cidr_block, r.zone_id
        region = account.region(region_id)
        vpc = region.vpc(r.vpc_id)
        if not is_zone_of(zone_id, region_id):
            raise api_error("InvalidZoneId.NotFound", zone_id, region_id)
        quota = settings.vswitches_per_vpc
        if quota is not None and len(vpc.vswitch_ids) >= quota:
            raise api_error("QuotaExceeded.VSwitch", vpc.id, f"{len(vpc.vswitch_ids):,}", limit="vpc_vswitches")
        lo, hi = VSWITCH_MASK_RANGE
        if not lo <= cidr_block.prefixlen <= hi:
            raise api_error("InvalidCirdrBlock.MaskLength", cidr_block)
        if not vpc.cidr.contains_block(cidr_block):
            raise api_error("InvalidParameter", "CidrBlock", f"{cidr_block} is not inside the VPC CIDR {vpc.cidr}")
        for other_id in vpc.vswitch_ids:
            other = region.vswitches[other_id]
            if other.cidr.overlaps(cidr_block):
                raise api_error("InvalidCidrBlock.Overlapped", cidr_block, f"{other.id} {other.cidr}")
        rng = random.Random(f"{account.seed}/placement/{len(region.vswitches)}/{region_id}")
        space = AddressSpace(cidr_block, policy=settings.placement, rng=rng, max_reservations=reservations_per_space(
            settings.reservations_per_vswitch, settings.reservations_per_vpc))
        vsw = VSwitch(account.new_id("vsw"), region_id, r.vpc_id, zone_id, cidr_block, space, r.vswitch_name,
                      r.description, account.now)
        region.vswitches[vsw.id] = vsw
        vpc.vswitch_ids.append(vsw.id)
        return vsw

    def describe_vswitches(self, r: rq.DescribeVSwitches) -> Page:
        """A page of ``VSwitchListing``. Raises InvalidParameter (paging), InvalidVSwitchId.NotFound."""
        region = self.account.region(r.region_id)
        check_range("PageNumber", r.page_number, 1, None)
        check_range("PageSize", r.page_size, 1, 50)
        if r.vswitch_id is not None and r.vswitch_id not in region.vswitches:
            raise api_error("InvalidVSwitchId.NotFound", r.vswitch_id)
        found = [
            v for v in region.vswitches.values()
            if (r.vpc_id is None or v.vpc_id == r.vpc_id) and (r.vswitch_id is None or v.id == r.vswitch_id)
            and (r.zone_id is None or v.zone_id == r.zone_id)
        ]
        start = (r.page_number - 1) * r.page_size
        includes_reserved = self.account.settings.available_ip_count_includes_reserved
        items = [VSwitchListing(v, available_ip_count(v, includes_reserved)) for v in found[start : start + r.page_size]]
        return Page(items, len(found), page_number=r.page_number, page_size=r.page_size)

    # ---------------------------------------------------------------- CIDR reservations

    def create_vswitch_cidr_reservation(self, r: rq.CreateVSwitchCidrReservation) -> CidrReservation | None:
        """The reservation (Assigning, then Assigned after settings.reservation_assign_seconds),
        or None for a dry run. Raises InvalidVSwitchId.NotFound, InvalidParameter,
        MissingParameter, Conflict.VSwitchCidrReservationMaskAndVSwitchCidrReservationCidr,
        InvalidVSwitch.IllegalStatus."""
        account = self.account
        region = account.region(r.region_id)
        vsw = region.vswitch(r.vswitch_id)
        by_cidr, by_mask = r.vswitch_cidr_reservation_cidr, r.vswitch_cidr_reservation_mask
        if r.ip_version != "IPv4":
            raise api_error("InvalidParameter", "IpVersion", f"{r.ip_version!r}: simkit models IPv4 reservations only")
        if r.vswitch_cidr_reservation_type != "prefix":
            raise api_error("InvalidParameter", "VSwitchCidrReservationType", "only prefix is documented")
        if by_cidr is None and by_mask is None:
            raise api_error("MissingParameter", "VSwitchCidrReservationCidr or VSwitchCidrReservationMask")
        if by_cidr is not None and by_mask is not None:
            raise api_error("Conflict.VSwitchCidrReservationMaskAndVSwitchCidrReservationCidr")
        if vsw.status != VSwitchStatus.AVAILABLE:
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        field = "VSwitchCidrReservationCidr" if by_cidr is not None else "VSwitchCidrReservationMask"
        vpc = region.vpcs[vsw.vpc_id]
        quota = account.settings.reservations_per_vpc
        if quota is not None and vpc.reservations >= quota:
            raise api_error("InvalidParameter", field, f"VPC {vpc.id} already holds {vpc.reservations:,} reserved IPv4 "
                            f"CIDR blocks, the most it may (limits.reservations_per_vpc)", limit="vpc_reservations")
        space = vsw.space
        try:
            reservation = space.reserve(by_cidr) if by_cidr is not None else space.reserve(mask=by_mask)
        except Refused as exc:
            # The vSwitch's own bound is its address space's (settings.reservations_per_vswitch).
            limit = "vswitch_reservations" if exc.reason is Refusal.TOO_MANY else None
            raise api_error("InvalidParameter", field, str(exc), limit=limit) from None
        if r.dry_run:
            space.unreserve(reservation)
            return None
        res = CidrReservation(account.new_id("vcr"), r.region_id, vsw.id, vsw.vpc_id, reservation,
                              r.vswitch_cidr_reservation_name, r.vswitch_cidr_reservation_description, account.now)
        region.reservations[res.id] = res
        vsw.reservation_ids.append(res.id)
        vpc.reservations += 1
        account.later(account.settings.reservation_assign_seconds, _assigned, res)
        return res

    def list_vswitch_cidr_reservations(self, r: rq.ListVSwitchCidrReservations) -> Page:
        """A page of ``ReservationListing``. Raises InvalidVSwitchId.NotFound, InvalidParameter."""
        region = self.account.region(r.region_id)
        vsw = region.vswitch(r.vswitch_id)
        check_range("MaxResults", r.max_results, 1, 100)
        wanted = set(r.vswitch_cidr_reservation_ids or ())
        found = [region.reservations[i] for i in vsw.reservation_ids if not wanted or i in wanted]
        if r.ip_version not in (None, "IPv4"):
            found = []
        page = token_page(found, r.next_token, r.max_results)
        listed = []
        for res in page.items:
            stats = vsw.space.reservation_stats(res.reservation)
            listed.append(ReservationListing(res, stats.prefixes, stats.free_blocks_28))
        return page._replace(items=listed)

    def get_vswitch_cidr_reservation_usage(self, r: rq.GetVSwitchCidrReservationUsage) -> Page:
        """A page of ``PrefixUsage``, by prefix. Raises InvalidParameter."""
        region = self.account.region(r.region_id)
        res = region.reservations.get(r.vswitch_cidr_reservation_id)
        if res is None:
            raise api_error("InvalidParameter", "VSwitchCidrReservationId", f"{r.vswitch_cidr_reservation_id} does not exist")
        check_range("MaxResults", r.max_results, 1, 100)
        cidr = res.reservation.cidr
        usages = sorted(
            PrefixUsage(p, eni.id) for eni in region.enis.values() if eni.vswitch_id == res.vswitch_id
            for p in eni.prefixes if p in cidr
        )
        return token_page(usages, r.next_token, r.max_results)

    # ---------------------------------------------------------------- security groups

    def create_security_group(self, r: rq.CreateSecurityGroup) -> SecurityGroup:
        """A basic (``normal``, the default) or advanced (``enterprise``) group. Raises
        InvalidVpcId.NotFound, InvalidParameter (type)."""
        account = self.account
        region = account.region(r.region_id)
        if r.vpc_id is not None:
            region.vpc(r.vpc_id)
        try:
            kind = SecurityGroupType(r.security_group_type)
        except ValueError:
            raise api_error("InvalidParameter", "SecurityGroupType", "allowed: normal, enterprise") from None
        # A basic group counts the addresses on its ENIs; an advanced one only its ENIs.
        cap = _cap(account.settings.security_group_ip_capacity) if kind is SecurityGroupType.NORMAL else NO_LIMIT
        sg = SecurityGroup(account.new_id("sg"), r.region_id, r.vpc_id, r.security_group_name, r.description, account.now,
                           kind, address_cap=cap)
        region.security_groups[sg.id] = sg
        return sg


def _assigned(res: CidrReservation) -> None:
    res.status = ReservationStatus.ASSIGNED


def _cap(setting: int | None) -> int:
    """An address capacity from its setting (None: no limit)."""
    return NO_LIMIT if setting is None else setting
