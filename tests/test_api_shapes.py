"""Success responses checked key by key against the documented shapes: the official SDK models
(tests/reference/sdk_shapes.json). Every key simkit writes must be documented, with the
documented type, and the keys a client relies on must be there."""

import json
from pathlib import Path

import pytest

from simkit import Cloud

from conftest import World

SHAPES = json.loads((Path(__file__).parent / "reference" / "sdk_shapes.json").read_text())
PY_TYPES = {"string": str, "integer": int, "boolean": bool, "number": (int, float)}


def check(body, shape, path="$"):
    """Every key in ``body`` is in ``shape`` with the documented type."""
    if isinstance(shape, dict):
        assert isinstance(body, dict), f"{path}: expected an object, got {body!r}"
        for key, value in body.items():
            assert key in shape, f"{path}.{key} is not in the documented shape ({sorted(shape)})"
            check(value, shape[key], f"{path}.{key}")
    elif isinstance(shape, list):
        assert isinstance(body, list), f"{path}: expected a list, got {body!r}"
        for i, item in enumerate(body):
            check(item, shape[0], f"{path}[{i}]")
    else:
        expected = PY_TYPES[shape]
        assert isinstance(body, expected) and not (shape == "integer" and isinstance(body, bool)), (
            f"{path}: expected {shape}, got {body!r}"
        )


def populated():
    w = World(Cloud(seed=0))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/22")
    sg = w.sg(vpc)
    (inst,) = w.instances(vsw, sg)
    rid = w.reserve(vsw, VSwitchCidrReservationMask=24)
    eni = w.eni(vsw, sg, SecondaryPrivateIpAddressCount=2)
    w.attach(eni, inst)
    w.assign(eni, Ipv4PrefixCount=1)
    return w, dict(vpc=vpc, vsw=vsw, sg=sg, inst=inst, rid=rid, eni=eni)


def calls(ids):
    """(action, params, keys that must be present at the top level)."""
    return [
        ("CreateVpc", {"CidrBlock": "192.168.0.0/16"}, {"RequestId", "VpcId", "VRouterId", "RouteTableId"}),
        ("CreateVSwitch", {"VpcId": ids["vpc"], "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.8.0/24"}, {"RequestId", "VSwitchId"}),
        ("DescribeVSwitches", {"VpcId": ids["vpc"]}, {"RequestId", "TotalCount", "PageNumber", "PageSize", "VSwitches"}),
        ("CreateVSwitchCidrReservation", {"VSwitchId": ids["vsw"], "VSwitchCidrReservationMask": 28}, {"RequestId", "VSwitchCidrReservationId"}),
        ("ListVSwitchCidrReservations", {"VSwitchId": ids["vsw"]}, {"RequestId", "TotalCount", "VSwitchCidrReservations"}),
        ("GetVSwitchCidrReservationUsage", {"VSwitchCidrReservationId": ids["rid"]}, {"RequestId", "TotalCount", "CidrReservationUsages"}),
        ("CreateSecurityGroup", {"VpcId": ids["vpc"]}, {"RequestId", "SecurityGroupId"}),
        ("DescribeInstanceTypes", {"InstanceTypes": ["ecs.g7.large", "ecs.g7a.large"]}, {"RequestId", "InstanceTypes"}),
        ("RunInstances", {"InstanceType": "ecs.g7.xlarge", "VSwitchId": ids["vsw"], "SecurityGroupId": ids["sg"], "Amount": 2},
         {"RequestId", "InstanceIdSets"}),
        ("CreateNetworkInterface", {"VSwitchId": ids["vsw"], "SecurityGroupId": ids["sg"], "SecondaryPrivateIpAddressCount": 1},
         {"RequestId", "NetworkInterfaceId", "Status", "PrivateIpAddress", "PrivateIpSets", "VSwitchId", "VpcId", "ZoneId"}),
        ("DescribeNetworkInterfaces", {"VSwitchId": ids["vsw"]}, {"RequestId", "TotalCount", "NetworkInterfaceSets"}),
        ("AssignPrivateIpAddresses", {"NetworkInterfaceId": ids["eni"], "SecondaryPrivateIpAddressCount": 1},
         {"RequestId", "AssignedPrivateIpAddressesSet"}),
        ("UnassignPrivateIpAddresses", {"NetworkInterfaceId": ids["eni"], "PrivateIpAddress": ["__first_secondary__"]}, {"RequestId"}),
        ("StopInstance", {"InstanceId": ids["inst"]}, {"RequestId"}),
    ]


def test_every_simulated_action_has_a_documented_shape():
    from simkit.ecs import ACTIONS

    assert set(ACTIONS) <= set(SHAPES)


@pytest.mark.parametrize("index", range(len(calls({k: "" for k in ("vpc", "vsw", "sg", "inst", "rid", "eni")}))))
def test_success_response_matches_the_documented_shape(index):
    w, ids = populated()
    action, params, required = calls(ids)[index]
    if params.get("PrivateIpAddress") == ["__first_secondary__"]:
        params["PrivateIpAddress"] = [w.describe_eni(ids["eni"])["PrivateIpSets"]["PrivateIpSet"][1]["PrivateIpAddress"]]
    body = w.call(action, **params)
    check(body, SHAPES[action]["response"])
    assert required <= set(body), f"{action}: missing {required - set(body)}"


def test_describe_network_interfaces_item_carries_what_a_cni_reads():
    w, ids = populated()
    item = w.describe_eni(ids["eni"])
    assert {"NetworkInterfaceId", "Status", "Type", "VSwitchId", "VpcId", "ZoneId", "InstanceId", "MacAddress",
            "PrivateIpAddress", "PrivateIpSets", "Ipv4PrefixSets", "SecurityGroupIds", "CreationTime"} <= set(item)
    sets = item["PrivateIpSets"]["PrivateIpSet"]
    assert sets[0]["Primary"] is True and all(s["Primary"] is False for s in sets[1:]) and len(sets) == 3
    assert len(item["Ipv4PrefixSets"]["Ipv4PrefixSet"]) == 1
    assert item["Ipv4PrefixSets"]["Ipv4PrefixSet"][0]["Ipv4Prefix"].endswith("/28")


def test_instance_types_leave_out_unknown_limits():
    w, _ = populated()
    types = w.call("DescribeInstanceTypes", InstanceTypes=["ecs.g7.large", "ecs.g7a.large"])["InstanceTypes"]["InstanceType"]
    by_id = {t["InstanceTypeId"]: t for t in types}
    assert (by_id["ecs.g7.large"]["EniQuantity"], by_id["ecs.g7.large"]["EniPrivateIpAddressQuantity"]) == (3, 6)
    assert by_id["ecs.g7a.large"]["EniQuantity"] == 3 and "EniPrivateIpAddressQuantity" not in by_id["ecs.g7a.large"]
