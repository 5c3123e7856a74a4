"""Secondary private IPs and /28 prefixes on ENIs: AssignPrivateIpAddresses and
UnassignPrivateIpAddresses, and the address-taking rules the other families share (how an
exhausted vSwitch, a named address in use or a prefix outside a reservation is refused, and the
capacities that count every address on an ENI: a basic security group's and the VPC's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simkit.catalog import supports_ipv4_prefix
from simkit.ecs import requests as rq
from simkit.ecs.paging import check_range
from simkit.ecs.region import Region
from simkit.ecs.resources import Eni, VSwitch, Vpc
from simkit.ecs.results import AssignResult
from simkit.ecs.settings import CloudSettings
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, ReservationStatus, VSwitchStatus
from simkit.errors import api_error
from simkit.net import PREFIX_LEN, Cidr, Refusal, Refused, SpaceExhausted, format_ipv4

if TYPE_CHECKING:
    from simkit.ecs.account import Account

__all__ = ["AddressOperations", "allocate_singles", "check_prefix_region", "check_room", "claim_singles", "count_addresses",
           "release_all", "take_prefixes"]

_IN_USE, _AVAILABLE = EniStatus.IN_USE, EniStatus.AVAILABLE


class AddressOperations:
    """AssignPrivateIpAddresses and UnassignPrivateIpAddresses on the account's ENIs."""

    def __init__(self, account: "Account"):
        self.account = account
        self.settings: CloudSettings = account.settings

    def _assignable(self, region: Region, network_interface_id: str) -> tuple[Eni, VSwitch]:
        """The ENI, if its state, its instance's and its vSwitch's let it take or give back IPs."""
        eni = region.eni(network_interface_id)
        if eni.service_managed:
            raise api_error("InvalidOperation.EniServiceManaged", eni.id)
        status = eni.status
        if status is not _IN_USE and status is not _AVAILABLE:
            if status is EniStatus.ATTACHING or status is EniStatus.DETACHING:
                raise api_error("Operation.Conflict", eni.id, status)
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {status}")
        if eni.instance_id is not None:
            inst = region.instances[eni.instance_id]
            if eni.type is EniType.PRIMARY and inst.status is not InstanceStatus.RUNNING \
                    and inst.status is not InstanceStatus.STOPPED:
                raise api_error("InvalidOperation.InvalidEcsState", inst.id,
                                f"it is {inst.status}; its primary ENI needs it Running or Stopped")
            if inst.migrating:
                raise api_error("InvalidStatus.InstanceIsMigrating")
        return eni, region.vswitches[eni.vswitch_id]

    def assign_private_ip_addresses(self, r: rq.AssignPrivateIpAddresses) -> AssignResult:
        """Secondary IPs (by count or named) or /28 prefixes (by count or named) onto an ENI.

        Raises the parameter conflicts (InvalidParameter.Conflict, InvalidParameter.PrivateIpCount,
        MissingParameter, InvalidParameter), the ENI's state codes, IncorrectVSwitchStatus,
        InvalidOperation.Ipv4CountExceeded / MaxEniPrivateIpsCountExceeded, the vSwitch's
        exhaustion code, and the named-address and prefix refusals.
        """
        settings = self.settings
        count = r.secondary_private_ip_address_count
        named = r.private_ip_address
        named_prefixes, prefix_count = r.ipv4_prefix, r.ipv4_prefix_count
        if count is not None:
            if named:
                raise api_error("InvalidParameter.Conflict", "SecondaryPrivateIpAddressCount and PrivateIpAddress.N")
            if not 1 <= count <= 100:
                raise api_error("InvalidParameter.PrivateIpCount")
        if prefix_count is not None and named_prefixes:
            raise api_error("InvalidParameter.Conflict", "Ipv4PrefixCount and Ipv4Prefix.N")
        n_prefixes = prefix_count or (len(named_prefixes) if named_prefixes else 0)
        n_ips = count or (len(named) if named else 0)
        if n_prefixes and n_ips:
            raise api_error("InvalidParameter.Conflict", "secondary private IPs and IPv4 prefixes in one request")
        if not n_prefixes and not n_ips:
            raise api_error("MissingParameter", "SecondaryPrivateIpAddressCount, PrivateIpAddress.N, Ipv4PrefixCount or Ipv4Prefix.N")
        if prefix_count is not None:
            check_range("Ipv4PrefixCount", prefix_count, 1, settings.max_prefixes_per_call)
        elif n_prefixes > settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N",
                            f"at most {settings.max_prefixes_per_call} prefixes (N is 1-{settings.max_prefixes_per_call})")
        region = self.account.region(r.region_id)
        eni, vsw = self._assignable(region, r.network_interface_id)
        if eni.instance_id is not None and region.instances[eni.instance_id].cloud_box:
            raise api_error("InvalidOperation.InstanceNotSupportMulitipleIp")
        if vsw.status is not VSwitchStatus.AVAILABLE:
            raise api_error("IncorrectVSwitchStatus", vsw.status)
        if n_prefixes:
            check_prefix_region(r.region_id)
        asked = n_ips + n_prefixes
        if eni.status is _IN_USE:
            itype = region.instances[eni.instance_id].type
            limit = itype.private_ipv4_per_eni
            used = 1 + len(eni.secondaries) + len(eni.prefixes)
            if used + asked > limit:
                raise api_error("InvalidOperation.Ipv4CountExceeded", eni.id, used + asked, itype.name, limit)
        else:
            if named and len(named) > settings.max_named_ips_per_call:
                raise api_error("InvalidParameter", "PrivateIpAddress.N",
                                f"at most {settings.max_named_ips_per_call} addresses on an Available ENI "
                                f"(N is 1-{settings.max_named_ips_per_call})")
            cap = settings.available_eni_max_secondary
            held = len(eni.secondaries) + len(eni.prefixes)
            if held + asked > cap:
                raise api_error("MaxEniPrivateIpsCountExceeded", eni.id, held + asked, cap)
        meters = eni.meters
        check_room(meters, asked)
        if n_prefixes:
            prefixes = take_prefixes(region, vsw, named_prefixes, prefix_count)
            eni.prefixes.update(dict.fromkeys(prefixes))
            count_addresses(meters, len(prefixes))
            return AssignResult(eni.id, [], prefixes)
        if count:
            ips = allocate_singles(settings, vsw, count)
        else:
            if len(set(named)) != len(named):
                raise api_error("InvalidPrivateIpAddress.Duplicated", ", ".join(format_ipv4(a) for a in named))
            claim_singles(vsw, named, eni)
            ips = list(named)
        eni.secondaries.update(dict.fromkeys(ips))
        count_addresses(meters, len(ips))
        return AssignResult(eni.id, ips, [])

    def unassign_private_ip_addresses(self, r: rq.UnassignPrivateIpAddresses) -> None:
        """Give back named secondaries or prefixes. Raises MissingParameter, InvalidParameter,
        the ENI's state codes, InvalidIp.IpUnassigned (not on the ENI, its primary, or named twice)."""
        named, named_prefixes = r.private_ip_address, r.ipv4_prefix
        if not named and not named_prefixes:
            raise api_error("MissingParameter", "PrivateIpAddress.N or Ipv4Prefix.N")
        if named_prefixes and len(named_prefixes) > self.settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N", f"at most {self.settings.max_prefixes_per_call} prefixes")
        region = self.account.region(r.region_id)
        eni, vsw = self._assignable(region, r.network_interface_id)
        ips = named or []
        secondaries = eni.secondaries
        for a in ips:
            if a not in secondaries:
                why = " (it is the ENI's primary address)" if a == eni.primary_ip else ""
                raise api_error("InvalidIp.IpUnassigned", format_ipv4(a), eni.id, why)
        if len(ips) > 1 and len(set(ips)) != len(ips):
            raise api_error("InvalidIp.IpUnassigned", ", ".join(format_ipv4(a) for a in ips), eni.id, " (named twice)")
        bases = []
        for p in named_prefixes or ():
            if p.prefixlen != PREFIX_LEN or p.base not in eni.prefixes or p.base in bases:
                raise api_error("InvalidIp.IpUnassigned", str(p), eni.id, "")
            bases.append(p.base)
        if ips:
            vsw.space.release(ips)
            for a in ips:
                del secondaries[a]
        if bases:
            vsw.space.release_prefixes(bases)
            for b in bases:
                del eni.prefixes[b]
        count_addresses(eni.meters, -(len(ips) + len(bases)))


# ---------------------------------------------------------------- rules the families share


def allocate_singles(settings: CloudSettings, vsw: VSwitch, n: int) -> list[int]:
    """``n`` free single addresses of the vSwitch, placed by its policy. Raises the exhaustion
    code of settings.ip_exhausted_code."""
    try:
        return vsw.space.allocate(n)
    except SpaceExhausted as exc:
        raise api_error(settings.ip_exhausted_code, vsw.id, exc.requested, exc.available) from None


def claim_singles(vsw: VSwitch, addresses: list[int], eni: Eni | None) -> None:
    """Take named addresses, all or none. Raises InvalidIp.IpRepeated (already on ``eni``),
    InvalidIp.IpAssigned, InvalidPrivateIpAddress.Duplicated, InvalidVSwitchId.IpInvalid."""
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


def check_prefix_region(region_id: str) -> None:
    """Raises InvalidOperation.RegionNotSupportIpPrefix where prefixes are not offered."""
    if not supports_ipv4_prefix(region_id):
        raise api_error("InvalidOperation.RegionNotSupportIpPrefix")


def _assigned_reservations(region: Region, vsw: VSwitch):
    return [region.reservations[r].reservation for r in vsw.reservation_ids
            if region.reservations[r].status is ReservationStatus.ASSIGNED]


def take_prefixes(region: Region, vsw: VSwitch, named: list[Cidr] | None, count: int | None) -> list[int]:
    """/28 prefixes from the vSwitch's assigned reservations, by count or named; their bases.

    Raises InvalidOperation.VSwitchCidrReservationNotExist, InvalidVSwitchId.IpPrefixNotEnough,
    InvalidIp.IpPrefixMaskNotSame, InvalidIp.IpPrefixMaskInvalid, InvalidIp.IpPrefixNotAvailable,
    InvalidIp.IpPrefixMustInReserveSegment."""
    space = vsw.space
    if count:
        if not vsw.reservation_ids:
            raise api_error("InvalidOperation.VSwitchCidrReservationNotExist")
        try:
            return space.allocate_prefixes(count, within=_assigned_reservations(region, vsw))
        except SpaceExhausted as exc:
            raise api_error("InvalidVSwitchId.IpPrefixNotEnough", exc.requested, exc.available) from None
    if not named:
        return []
    masks = {p.prefixlen for p in named}
    if len(masks) > 1:
        raise api_error("InvalidIp.IpPrefixMaskNotSame", ", ".join(str(p) for p in named))
    if masks != {PREFIX_LEN}:
        raise api_error("InvalidIp.IpPrefixMaskInvalid", named[0].prefixlen)
    ready = {r.cidr for r in _assigned_reservations(region, vsw)}
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


def check_room(meters: tuple, n: int) -> None:
    """Refuse ``n`` more private addresses on an ENI whose ``meters`` (``Eni.meters``: its
    security groups, then its VPC; each primary, secondary or /28 prefix counts one) would go
    past a capacity: a basic group's (SecurityGroupInstanceLimitExceed,
    settings.security_group_ip_capacity) or the VPC's (QuotaExceeded.PrivateIpAddress,
    settings.vpc_private_ips). Changes nothing."""
    for m in meters:
        if m.addresses + n > m.address_cap:
            if isinstance(m, Vpc):
                raise api_error("QuotaExceeded.PrivateIpAddress", f"VPC {m.id} (its quota: {m.address_cap:,} private IP "
                                f"addresses used by cloud resources)", n, m.address_cap - m.addresses,
                                limit="vpc_private_ips")
            raise api_error("SecurityGroupInstanceLimitExceed", m.id,
                            f"(a basic group; its ENIs would hold {m.addresses + n:,} private IP addresses, and it "
                            f"holds at most {m.address_cap:,})", limit="security_group_addresses")


def count_addresses(meters: tuple, n: int) -> None:
    """``n`` more private addresses (fewer when negative) on an ENI with these ``meters``, as
    ``check_room`` counts them."""
    for m in meters:
        m.addresses += n


def release_all(region: Region, eni: Eni) -> None:
    """Give every address and prefix of an ENI back to its vSwitch (the ENI is going away)."""
    count_addresses(eni.meters, -eni.ipv4_slots_used)
    space = region.vswitches[eni.vswitch_id].space
    space.release([eni.primary_ip, *eni.secondaries])
    if eni.prefixes:
        space.release_prefixes(list(eni.prefixes))
    eni.secondaries = {}
    eni.prefixes = {}
