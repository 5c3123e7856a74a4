"""Model results -> the documented response bodies (keys and nesting as the official SDK
models read them; see tests/reference/sdk_shapes.json). Addresses become text here.

Each renderer reads the result it is given and nothing else: a result carries all its
response needs (``simkit.ecs.results``)."""

from __future__ import annotations

from typing import Any, Callable

from simkit.catalog import InstanceType
from simkit.ecs import AssignResult, Page, PrefixUsage, ReservationListing, VSwitchListing, api_time
from simkit.ecs.resources import Eni, Instance
from simkit.net import PREFIX_LEN, format_ipv4

__all__ = ["RENDER"]

Body = dict[str, Any]


def _prefix(base: int) -> str:
    return f"{format_ipv4(base)}/{PREFIX_LEN}"


def _eni(eni: Eni) -> Body:
    return {
        "NetworkInterfaceId": eni.id,
        "NetworkInterfaceName": eni.name,
        "Description": eni.description,
        "Status": str(eni.status),
        "Type": str(eni.type),
        "VpcId": eni.vpc_id,
        "VSwitchId": eni.vswitch_id,
        "ZoneId": eni.zone_id,
        "InstanceId": eni.instance_id or "",
        "MacAddress": eni.mac,
        "PrivateIpAddress": format_ipv4(eni.primary_ip),
        "CreationTime": api_time(eni.created),
        "ServiceManaged": eni.service_managed,
        "SecurityGroupIds": {"SecurityGroupId": list(eni.security_group_ids)},
        "PrivateIpSets": {
            "PrivateIpSet": [{"PrivateIpAddress": format_ipv4(eni.primary_ip), "Primary": True}]
            + [{"PrivateIpAddress": format_ipv4(a), "Primary": False} for a in eni.secondaries]
        },
        "Ipv4PrefixSets": {"Ipv4PrefixSet": [{"Ipv4Prefix": _prefix(p)} for p in eni.prefixes]},
        "Ipv6Sets": {"Ipv6Set": []},
        "Ipv6PrefixSets": {"Ipv6PrefixSet": []},
        "Tags": {"Tag": []},
    }


def _vswitch(listing: VSwitchListing) -> Body:
    v = listing.vswitch
    return {
        "VSwitchId": v.id,
        "VpcId": v.vpc_id,
        "Status": str(v.status),
        "CidrBlock": str(v.cidr),
        "ZoneId": v.zone_id,
        "AvailableIpAddressCount": listing.available_ip_count,
        "VSwitchName": v.name,
        "Description": v.description,
        "CreationTime": api_time(v.created),
        "IsDefault": False,
        "EnabledIpv6": False,
        "Ipv6CidrBlock": "",
    }


def _instance_type(t: InstanceType) -> Body:
    body: Body = {
        "InstanceTypeId": t.name,
        "InstanceTypeFamily": t.family,
        "CpuCoreCount": t.vcpu,
        "MemorySize": t.memory_gib,
    }
    for key, value in (
        ("EniQuantity", t.eni_quantity),
        ("EniPrivateIpAddressQuantity", t.private_ipv4_per_eni),
        ("EniIpv6AddressQuantity", t.ipv6_per_eni),
        ("EniTotalQuantity", t.eni_total_quantity),
        ("EniTrunkSupported", t.eni_trunk_supported),
    ):
        if value is not None:  # unknown in the source: left out rather than made up
            body[key] = value
    return body


def _reservation(listing: ReservationListing) -> Body:
    res = listing.reservation
    return {
        "VSwitchCidrReservationId": res.id,
        "VSwitchCidrReservationCidr": str(res.reservation.cidr),
        "VSwitchCidrReservationName": res.name,
        "VSwitchCidrReservationDescription": res.description,
        "Type": "prefix",
        "IpVersion": "IPv4",
        "Status": str(res.status),
        "VSwitchId": res.vswitch_id,
        "VpcId": res.vpc_id,
        "AssignedCidrCount": listing.assigned_cidr_count,
        "AvailableCidrCount": listing.available_cidr_count,
        "CreationTime": api_time(res.created),
        "Tags": [],
    }


def _usage(usage: PrefixUsage) -> Body:
    return {"IpPrefixCidr": _prefix(usage.prefix), "ResourceId": usage.network_interface_id, "ResourceType": "NetworkInterface"}


def _token_paged(items_key: str, render_item: Callable[[Any], Body]) -> Callable[[Page], Body]:
    def render(page: Page) -> Body:
        return {
            "TotalCount": page.total_count,
            "NextToken": page.next_token or "",
            "MaxResults": page.max_results,
            items_key: [render_item(x) for x in page.items],
        }

    return render


def _describe_enis(page: Page) -> Body:
    body: Body = {"TotalCount": page.total_count, "NextToken": page.next_token or ""}
    if page.page_number is not None:
        body["PageNumber"] = page.page_number
        body["PageSize"] = page.page_size
    body["NetworkInterfaceSets"] = {"NetworkInterfaceSet": [_eni(e) for e in page.items]}
    return body


def _describe_vswitches(page: Page) -> Body:
    return {"TotalCount": page.total_count, "PageNumber": page.page_number, "PageSize": page.page_size,
            "VSwitches": {"VSwitch": [_vswitch(v) for v in page.items]}}


def _describe_types(page: Page) -> Body:
    return {"NextToken": page.next_token or "", "InstanceTypes": {"InstanceType": [_instance_type(t) for t in page.items]}}


def _assign(result: AssignResult) -> Body:
    return {
        "AssignedPrivateIpAddressesSet": {
            "NetworkInterfaceId": result.network_interface_id,
            "PrivateIpSet": {"PrivateIpAddress": [format_ipv4(a) for a in result.addresses]},
            "Ipv4PrefixSet": {"Ipv4Prefixes": [_prefix(p) for p in result.prefixes]},
        }
    }


def _run(instances: list[Instance]) -> Body:
    return {"InstanceIdSets": {"InstanceIdSet": [i.id for i in instances]}}


def _empty(result: None) -> Body:
    return {}


def _create_eni(eni: Eni) -> Body:
    body = _eni(eni)
    del body["CreationTime"], body["InstanceId"]
    return body


RENDER: dict[str, Callable[[Any], Body]] = {
    "CreateVpc": lambda v: {"VpcId": v.id, "VRouterId": v.vrouter_id, "RouteTableId": v.route_table_id, "ResourceGroupId": ""},
    "CreateVSwitch": lambda v: {"VSwitchId": v.id},
    "DescribeVSwitches": _describe_vswitches,
    "CreateVSwitchCidrReservation": lambda r: {"VSwitchCidrReservationId": r.id if r is not None else ""},
    "ListVSwitchCidrReservations": _token_paged("VSwitchCidrReservations", _reservation),
    "GetVSwitchCidrReservationUsage": _token_paged("CidrReservationUsages", _usage),
    "CreateSecurityGroup": lambda sg: {"SecurityGroupId": sg.id},
    "DescribeInstanceTypes": _describe_types,
    "RunInstances": _run,
    "StartInstance": _empty,
    "StopInstance": _empty,
    "DeleteInstance": _empty,
    "CreateNetworkInterface": _create_eni,
    "AttachNetworkInterface": _empty,
    "DetachNetworkInterface": _empty,
    "DeleteNetworkInterface": _empty,
    "DescribeNetworkInterfaces": _describe_enis,
    "AssignPrivateIpAddresses": _assign,
    "UnassignPrivateIpAddresses": _empty,
}
