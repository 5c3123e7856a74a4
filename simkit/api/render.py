"""Model results -> the documented response bodies (keys and nesting as the official SDK
models read them; see tests/reference/sdk_shapes.json). Addresses become text here."""

from __future__ import annotations

from typing import Any, Callable

from simkit.ecs import Account
from simkit.ecs.resources import Eni, Instance, VSwitch
from simkit.net import format_ipv4

__all__ = ["RENDER"]

Body = dict[str, Any]


def _prefix(base: int) -> str:
    return f"{format_ipv4(base)}/28"


def _eni(model: Account, eni: Eni) -> Body:
    return {
        "NetworkInterfaceId": eni.id,
        "NetworkInterfaceName": eni.name,
        "Description": eni.description,
        "Status": eni.status,
        "Type": eni.type,
        "VpcId": eni.vpc_id,
        "VSwitchId": eni.vswitch_id,
        "ZoneId": eni.zone_id,
        "InstanceId": eni.instance_id or "",
        "MacAddress": eni.mac,
        "PrivateIpAddress": format_ipv4(eni.primary_ip),
        "CreationTime": model.timestamp(eni.created),
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


def _vswitch(model: Account, v: VSwitch) -> Body:
    return {
        "VSwitchId": v.id,
        "VpcId": v.vpc_id,
        "Status": v.status,
        "CidrBlock": str(v.cidr),
        "ZoneId": v.zone_id,
        "AvailableIpAddressCount": model.available_ip_count(v),
        "VSwitchName": v.name,
        "Description": v.description,
        "CreationTime": model.timestamp(v.created),
        "IsDefault": False,
        "EnabledIpv6": False,
        "Ipv6CidrBlock": "",
    }


def _instance_type(t) -> Body:
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


def _reservation(model: Account, res) -> Body:
    assigned, available = model.reservation_counts(res)
    return {
        "VSwitchCidrReservationId": res.id,
        "VSwitchCidrReservationCidr": str(res.reservation.cidr),
        "VSwitchCidrReservationName": res.name,
        "VSwitchCidrReservationDescription": res.description,
        "Type": "prefix",
        "IpVersion": "IPv4",
        "Status": res.status,
        "VSwitchId": res.vswitch_id,
        "VpcId": res.vpc_id,
        "AssignedCidrCount": assigned,
        "AvailableCidrCount": available,
        "CreationTime": model.timestamp(res.created),
        "Tags": [],
    }


def _paged_token(items_key: str, wrap: str | None, render_item: Callable[[Any], Body]):
    def render(model: Account, result) -> Body:
        page, total, token, max_results = result
        items = [render_item(model, x) for x in page]
        return {
            "TotalCount": total,
            "NextToken": token or "",
            "MaxResults": max_results,
            items_key: {wrap: items} if wrap else items,
        }

    return render


def _describe_enis(model: Account, result) -> Body:
    page, total, number, size, token, max_results = result
    body: Body = {"TotalCount": total, "NextToken": token or ""}
    if number is not None:
        body["PageNumber"] = number
        body["PageSize"] = size
    body["NetworkInterfaceSets"] = {"NetworkInterfaceSet": [_eni(model, e) for e in page]}
    return body


def _describe_vswitches(model: Account, result) -> Body:
    page, total, number, size = result
    return {"TotalCount": total, "PageNumber": number, "PageSize": size,
            "VSwitches": {"VSwitch": [_vswitch(model, v) for v in page]}}


def _describe_types(model: Account, result) -> Body:
    page, _total, token, _max = result
    return {"NextToken": token or "", "InstanceTypes": {"InstanceType": [_instance_type(t) for t in page]}}


def _assign(model: Account, result) -> Body:
    eni_id, ips, prefixes = result
    return {
        "AssignedPrivateIpAddressesSet": {
            "NetworkInterfaceId": eni_id,
            "PrivateIpSet": {"PrivateIpAddress": [format_ipv4(a) for a in ips]},
            "Ipv4PrefixSet": {"Ipv4Prefixes": [_prefix(p) for p in prefixes]},
        }
    }


def _run(model: Account, instances: list[Instance]) -> Body:
    return {"InstanceIdSets": {"InstanceIdSet": [i.id for i in instances]}}


def _usage(model: Account, item) -> Body:
    base, eni_id = item
    return {"IpPrefixCidr": _prefix(base), "ResourceId": eni_id, "ResourceType": "NetworkInterface"}


def _empty(model: Account, result) -> Body:
    return {}


def _create_eni(model: Account, eni: Eni) -> Body:
    body = _eni(model, eni)
    del body["CreationTime"], body["InstanceId"]
    return body


RENDER: dict[str, Callable[[Account, Any], Body]] = {
    "CreateVpc": lambda m, v: {"VpcId": v.id, "VRouterId": v.vrouter_id, "RouteTableId": v.route_table_id, "ResourceGroupId": ""},
    "CreateVSwitch": lambda m, v: {"VSwitchId": v.id},
    "DescribeVSwitches": _describe_vswitches,
    "CreateVSwitchCidrReservation": lambda m, r: {"VSwitchCidrReservationId": r.id if r is not None else ""},
    "ListVSwitchCidrReservations": _paged_token("VSwitchCidrReservations", None, _reservation),
    "GetVSwitchCidrReservationUsage": _paged_token("CidrReservationUsages", None, _usage),
    "CreateSecurityGroup": lambda m, sg: {"SecurityGroupId": sg.id},
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
