"""Secondary ENIs: CreateNetworkInterface (with the addresses or prefixes it is created with),
AttachNetworkInterface, DetachNetworkInterface, DeleteNetworkInterface (each taking simulated
time, with the intermediate state visible), DescribeNetworkInterfaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simkit.ecs import requests as rq
from simkit.ecs.addresses import (
    allocate_singles,
    check_prefix_region,
    check_room,
    claim_singles,
    count_addresses,
    release_all,
    take_prefixes,
)
from simkit.ecs.paging import check_range, token_page
from simkit.ecs.region import Region
from simkit.ecs.resources import Eni, Instance
from simkit.ecs.results import Page
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, VSwitchStatus
from simkit.errors import ApiError, api_error
from simkit.net import format_ipv4

if TYPE_CHECKING:
    from simkit.ecs.account import Account

__all__ = ["EniOperations"]

_ENI_TYPES = ("Primary", "Secondary", "Trunk", "Member")
_ENI_STATUSES = tuple(s.value for s in EniStatus)
_BUSY = (EniStatus.ATTACHING, EniStatus.DETACHING)
_UP = (InstanceStatus.RUNNING, InstanceStatus.STOPPED)


class EniOperations:
    """The ENI lifecycle APIs on the account's state."""

    def __init__(self, account: "Account"):
        self.account = account

    def create_network_interface(self, r: rq.CreateNetworkInterface) -> Eni:
        """A new Available secondary ENI with its primary IP and, as asked, secondary IPs or
        prefixes, all taken or none.

        Raises InvalidParameter, InvalidParameter.Conflict, MaxEniPrivateIpsCountExceeded,
        InvalidVSwitchId.NotFound, InvalidVSwitch.IllegalStatus, MissingParameter, the security
        group codes, MaxEniCountExceeded, and the address and prefix refusals.
        """
        account = self.account
        settings = account.settings
        region = account.region(r.region_id)
        count, named = r.secondary_private_ip_address_count, r.private_ip_address
        prefix_count, named_prefixes = r.ipv4_prefix_count, r.ipv4_prefix
        if r.instance_type != "Secondary":
            raise api_error("InvalidParameter", "InstanceType", f"{r.instance_type!r}: simkit models Secondary ENIs only")
        if count is not None and named:
            raise api_error("InvalidParameter.Conflict", "SecondaryPrivateIpAddressCount and PrivateIpAddress.N")
        if prefix_count is not None and named_prefixes:
            raise api_error("InvalidParameter.Conflict", "Ipv4PrefixCount and Ipv4Prefix.N")
        n_ips = count or len(named or ())
        n_prefixes = prefix_count or len(named_prefixes or ())
        if n_ips and n_prefixes:
            raise api_error("InvalidParameter.Conflict", "secondary private IPs and IPv4 prefixes in one request")
        if count is not None:
            check_range("SecondaryPrivateIpAddressCount", count, 1, settings.available_eni_max_secondary)
        if named and len(named) > 10:
            raise api_error("InvalidParameter", "PrivateIpAddress.N", "at most 10 addresses (N is 1-10)")
        if prefix_count is not None:
            check_range("Ipv4PrefixCount", prefix_count, 1, settings.max_prefixes_per_call)
        if named_prefixes and len(named_prefixes) > settings.max_prefixes_per_call:
            raise api_error("InvalidParameter", "Ipv4Prefix.N", f"at most {settings.max_prefixes_per_call} prefixes")
        if n_ips + n_prefixes > settings.available_eni_max_secondary:
            raise api_error("MaxEniPrivateIpsCountExceeded", "(new)", n_ips + n_prefixes, settings.available_eni_max_secondary)
        vsw = region.vswitch(r.vswitch_id)
        if vsw.status is not VSwitchStatus.AVAILABLE:
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        sg_ids = ([r.security_group_id] if r.security_group_id else []) + list(r.security_group_ids or ())
        if not sg_ids:
            raise api_error("MissingParameter", "SecurityGroupId")
        groups = region.joinable_security_groups(sg_ids, vsw.vpc_id, 1, settings)
        quota = settings.account_eni_quota
        if quota is not None and region.secondary_enis >= quota:
            raise api_error("MaxEniCountExceeded", r.region_id, quota)
        if n_prefixes:
            check_prefix_region(r.region_id)
        meters = (*groups, region.vpcs[vsw.vpc_id])
        check_room(meters, 1 + n_ips + n_prefixes)  # its primary, secondaries, prefixes
        # Take every address first, all or none; then build the ENI.
        primary_named = r.primary_ip_address
        all_named = ([primary_named] if primary_named is not None else []) + list(named or ())
        if len(set(all_named)) != len(all_named):
            raise api_error("InvalidPrivateIpAddress.Duplicated", ", ".join(format_ipv4(a) for a in all_named))
        if all_named:
            claim_singles(vsw, all_named, None)
        auto = (0 if primary_named is not None else 1) + (count or 0)
        picked: list[int] = []
        try:
            if auto:
                picked = allocate_singles(settings, vsw, auto)
            prefixes = take_prefixes(region, vsw, named_prefixes, prefix_count)
        except ApiError:
            vsw.space.release(all_named + picked)  # all or nothing
            raise
        if primary_named is not None:
            primary, secondaries = primary_named, list(named or ()) + picked
        else:
            primary, secondaries = picked[0], list(named or ()) + picked[1:]
        eni = Eni(account.new_id("eni"), r.region_id, vsw.id, vsw.vpc_id, vsw.zone_id, EniType.SECONDARY, primary, sg_ids,
                  account.new_mac(), r.network_interface_name, r.description, account.now)
        eni.secondaries = dict.fromkeys(secondaries)
        eni.prefixes = dict.fromkeys(prefixes)
        eni.meters = meters
        region.enis[eni.id] = eni
        region.secondary_enis += 1
        vsw.eni_count += 1
        for sg in groups:
            sg.members += 1
        count_addresses(meters, eni.ipv4_slots_used)
        return eni

    def attach_network_interface(self, r: rq.AttachNetworkInterface) -> None:
        """Available -> Attaching -> InUse after settings.eni_attach_seconds.

        Raises InvalidEniId.*, InvalidEcsId.NotFound, Operation.Conflict,
        InvalidOperation.InvalidEniState, InvalidOperation.InvalidEcsState,
        InvalidOperation.VpcMismatch, InvalidOperation.AvailabilityZoneMismatch,
        EniPerInstanceLimitExceeded, InvalidOperation.Ipv4CountExceeded."""
        account = self.account
        region = account.region(r.region_id)
        eni = region.eni(r.network_interface_id)
        inst = region.instance(r.instance_id, "InvalidEcsId.NotFound")
        if eni.status in _BUSY:
            raise api_error("Operation.Conflict", eni.id, eni.status)
        if eni.status is not EniStatus.AVAILABLE or eni.type is not EniType.SECONDARY:
            raise api_error("InvalidOperation.InvalidEniState", eni.id,
                            f"it is {eni.status} ({eni.type}); attach needs an Available secondary ENI")
        if inst.status not in _UP:
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
        eni.status = EniStatus.ATTACHING
        eni.instance_id = inst.id
        inst.eni_ids.append(eni.id)
        eni.operation += 1
        account.later(account.settings.eni_attach_seconds, _attached, (eni, eni.operation))

    def detach_network_interface(self, r: rq.DetachNetworkInterface) -> None:
        """InUse -> Detaching -> Available after settings.eni_detach_seconds (sending it again
        while Detaching is accepted). Raises InvalidEniId.*, InvalidEcsId.NotFound,
        InvalidOperation.DetachPrimaryEniNotAllowed, InvalidOperation.InvalidEniState,
        InvalidOperation.InvalidEcsState."""
        account = self.account
        region = account.region(r.region_id)
        eni = region.eni(r.network_interface_id)
        inst = region.instance(r.instance_id, "InvalidEcsId.NotFound")
        if eni.type is EniType.PRIMARY:
            raise api_error("InvalidOperation.DetachPrimaryEniNotAllowed", eni.id)
        if eni.instance_id != inst.id:
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is not attached to {inst.id}")
        if eni.status is EniStatus.DETACHING:
            return  # a detach stuck in Detaching may be sent again (facts §3.1)
        if eni.status is not EniStatus.IN_USE:
            raise api_error("InvalidOperation.InvalidEniState", eni.id, f"it is {eni.status}; detach needs InUse")
        if inst.status not in _UP:
            raise api_error("InvalidOperation.InvalidEcsState", inst.id, f"it is {inst.status}; detach needs Running or Stopped")
        eni.status = EniStatus.DETACHING
        eni.operation += 1
        account.later(account.settings.eni_detach_seconds, _detached, (eni, inst, eni.operation))

    def delete_network_interface(self, r: rq.DeleteNetworkInterface) -> None:
        """Available -> Deleting -> gone after settings.eni_delete_seconds, its addresses freed.
        Raises InvalidEniId.*, InvalidOperation.EniServiceManaged, Operation.Conflict,
        InvalidOperation.InvalidEniState."""
        account = self.account
        region = account.region(r.region_id)
        eni = region.eni(r.network_interface_id)
        if eni.service_managed:
            raise api_error("InvalidOperation.EniServiceManaged", eni.id)
        if eni.status in _BUSY:
            raise api_error("Operation.Conflict", eni.id, eni.status)
        if eni.status is not EniStatus.AVAILABLE or eni.type is not EniType.SECONDARY:
            raise api_error("InvalidOperation.InvalidEniState", eni.id,
                            f"it is {eni.status} ({eni.type}); delete needs an Available secondary ENI")
        eni.status = EniStatus.DELETING
        eni.operation += 1
        account.later(account.settings.eni_delete_seconds, _deleted, (region, eni, eni.operation))

    def describe_network_interfaces(self, r: rq.DescribeNetworkInterfaces) -> Page:
        """A page of ``Eni`` matching every filter given (PageNumber or NextToken paging).
        Raises InvalidParameter, InvalidInstanceID.Malformed."""
        region = self.account.region(r.region_id)
        if (r.page_number is not None or r.page_size is not None) and (r.next_token is not None or r.max_results is not None):
            raise api_error("InvalidParameter", "NextToken", "use PageNumber/PageSize or NextToken/MaxResults, not both")
        if r.network_interface_id and len(r.network_interface_id) > 100:
            raise api_error("InvalidParameter", "NetworkInterfaceId.N", "at most 100 ids")
        if r.instance_id is not None and not r.instance_id.startswith("i-"):
            raise api_error("InvalidInstanceID.Malformed", r.instance_id)
        if r.type is not None and r.type not in _ENI_TYPES:
            raise api_error("InvalidParameter", "Type", f"allowed: {', '.join(_ENI_TYPES)}")
        if r.status is not None and r.status not in _ENI_STATUSES:
            raise api_error("InvalidParameter", "Status", f"allowed: {', '.join(_ENI_STATUSES)}")
        ids = set(r.network_interface_id or ())
        ips = set(r.private_ip_address or ())
        found = [
            e for e in region.enis.values()
            if (not ids or e.id in ids) and (r.instance_id is None or e.instance_id == r.instance_id)
            and (r.vswitch_id is None or e.vswitch_id == r.vswitch_id) and (r.vpc_id is None or e.vpc_id == r.vpc_id)
            and (r.type is None or e.type == r.type) and (r.status is None or e.status == r.status)
            and (not ips or e.primary_ip in ips or any(a in ips for a in e.secondaries))
        ]
        if r.next_token is not None or r.max_results is not None:
            # The SDK docstring: unset or below 10 reads as 10, above 500 as 500.
            size = 10 if r.max_results is None else min(max(r.max_results, 10), 500)
            return token_page(found, r.next_token, size)
        number = 1 if r.page_number is None else r.page_number
        size = 10 if r.page_size is None else r.page_size
        check_range("PageNumber", number, 1, None)
        check_range("PageSize", size, 1, None)  # deprecated paging; the SDK gives no maximum
        start = (number - 1) * size
        return Page(found[start : start + size], len(found), page_number=number, page_size=size)


# Each completion carries the operation number it was started with and does nothing when another
# operation has started on the ENI since (its instance was deleted meanwhile, say).


def _attached(change: tuple[Eni, int]) -> None:
    eni, operation = change
    if eni.operation == operation:
        eni.status = EniStatus.IN_USE


def _detached(change: tuple[Eni, Instance, int]) -> None:
    eni, inst, operation = change
    if eni.operation != operation:
        return
    eni.status = EniStatus.AVAILABLE
    eni.instance_id = None
    inst.eni_ids.remove(eni.id)


def _deleted(change: tuple[Region, Eni, int]) -> None:
    region, eni, operation = change
    if eni.operation != operation:
        return
    release_all(region, eni)
    del region.enis[eni.id]
    region.secondary_enis -= 1
    region.vswitches[eni.vswitch_id].eni_count -= 1
    for sg_id in eni.security_group_ids:
        region.security_groups[sg_id].members -= 1
