"""Every error code that can arise is provoked through Cloud.call, with its code and HTTP
status checked against literal values (from the AssignPrivateIpAddresses page, or the source
named in the registry row). Codes that cannot arise are injected through faults."""

import pytest

from simkit import Cloud
from simkit.errors import REGISTRY

from conftest import World, refused

# ---------------------------------------------------------------- how to provoke each code


def p_invalid_action(w):
    w.cloud.call("DescribeEverything", {"RegionId": "cn-hangzhou"})


def p_unsupported_parameter(w):
    *_, eni = w.basic()
    w.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1, Colour="blue")


def p_missing_parameter(w):
    w.call("AssignPrivateIpAddresses", SecondaryPrivateIpAddressCount=1)


def p_invalid_parameter(w):
    *_, eni = w.basic()
    w.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, Ipv4PrefixCount="11")


def p_conflict(w):
    *_, eni = w.basic()
    w.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1, PrivateIpAddress=["10.0.0.9"])


def p_region(w):
    w.cloud.call("AssignPrivateIpAddresses", {"RegionId": "mars-north-1", "NetworkInterfaceId": "eni-x", "SecondaryPrivateIpAddressCount": 1})


def p_throttling(w):
    *_, eni = w.basic()
    for _ in range(3):  # the limit is 2 a minute
        w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_idempotent_mismatch(w):
    *_, eni = w.basic()
    w.assign(eni, SecondaryPrivateIpAddressCount=1, ClientToken="tok-1")
    w.assign(eni, SecondaryPrivateIpAddressCount=2, ClientToken="tok-1")


def p_eni_malformed(w):
    w.call("AssignPrivateIpAddresses", NetworkInterfaceId="nic-123", SecondaryPrivateIpAddressCount=1)


def p_eni_not_found(w):
    w.call("AssignPrivateIpAddresses", NetworkInterfaceId="eni-doesnotexist", SecondaryPrivateIpAddressCount=1)


def p_instance_malformed(w):
    *_, eni = w.basic()
    w.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId="ins-123")


def p_ecs_not_found(w):
    _, vsw, sg, _, _ = w.basic()
    eni = w.eni(vsw, sg)
    w.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId="i-doesnotexist")


def p_instance_not_found(w):
    w.call("StartInstance", InstanceId="i-doesnotexist")


def p_vswitch_not_found(w):
    vpc = w.vpc()
    w.eni("vsw-doesnotexist", w.sg(vpc))


def p_sg_not_found(w):
    vpc = w.vpc()
    w.eni(w.vswitch(vpc, "10.0.0.0/24"), "sg-doesnotexist")


def p_sg_not_vpc(w):
    vpc = w.vpc()
    w.eni(w.vswitch(vpc, "10.0.0.0/24"), w.sg(None))


def p_vpc_mismatch(w):
    vpc, other = w.vpc(), w.vpc("192.168.0.0/16")
    w.eni(w.vswitch(vpc, "10.0.0.0/24"), w.sg(other))


def p_zone_mismatch(w):
    vpc = w.vpc()
    sg = w.sg(vpc)
    (inst,) = w.instances(w.vswitch(vpc, "10.0.0.0/24", zone="cn-hangzhou-h"), sg)
    eni = w.eni(w.vswitch(vpc, "10.0.1.0/24", zone="cn-hangzhou-i"), sg)
    w.attach(eni, inst)


def p_sg_capacity(w):
    vpc = w.vpc()
    vsw, sg = w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc)
    w.eni(vsw, sg)
    w.eni(vsw, sg)  # capacity is 1


def p_vswitch_quota(w):
    vpc = w.vpc()
    w.vswitch(vpc, "10.0.0.0/24")
    w.vswitch(vpc, "10.0.1.0/24")  # vswitches_per_vpc is 1


def p_invalid_eni_state(w):
    *_, inst, eni = w.basic()
    w.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=inst)  # already InUse


def p_operation_conflict(w):
    _, vsw, sg, inst, _ = w.basic()
    eni = w.eni(vsw, sg)
    w.attach(eni, inst, settle=False)  # Attaching for 2 simulated seconds
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_invalid_ecs_state(w):
    *_, inst, _ = w.basic()
    primary = w.call("DescribeNetworkInterfaces", InstanceId=inst, Type="Primary")["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]
    w.call("StopInstance", InstanceId=inst)  # Stopping for 5 simulated seconds
    w.assign(primary["NetworkInterfaceId"], SecondaryPrivateIpAddressCount=1)


def p_incorrect_instance_status(w):
    *_, inst, _ = w.basic()
    w.call("StartInstance", InstanceId=inst)  # it is Running


def p_detach_primary(w):
    *_, inst, _ = w.basic()
    primary = w.call("DescribeNetworkInterfaces", InstanceId=inst, Type="Primary")["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]
    w.call("DetachNetworkInterface", NetworkInterfaceId=primary["NetworkInterfaceId"], InstanceId=inst)


def p_migrating(w):
    *_, inst, eni = w.basic()
    w.cloud.model.set_instance_migrating(w.region, inst)
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_cloud_box(w):
    *_, inst, eni = w.basic()
    w.cloud.model.set_instance_cloud_box(w.region, inst)
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_service_managed(w):
    *_, eni = w.basic()
    w.cloud.model.set_eni_service_managed(w.region, eni)
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_vswitch_status(w):
    _, vsw, _, _, eni = w.basic()
    w.cloud.model.set_vswitch_status(w.region, vsw, "Pending")
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_vswitch_illegal_status(w):
    vpc = w.vpc()
    vsw, sg = w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc)
    w.cloud.model.set_vswitch_status(w.region, vsw, "Pending")
    w.eni(vsw, sg)


def p_max_eni_count(w):
    vpc = w.vpc()
    vsw, sg = w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc)
    for _ in range(3):  # the quota is 2
        w.eni(vsw, sg)


def p_eni_per_instance(w):
    _, vsw, sg, inst, _ = w.basic()  # ecs.g7.large: 3 ENIs, the primary and this one included
    w.attach(w.eni(vsw, sg), inst)
    w.attach(w.eni(vsw, sg), inst)


def p_max_eni_private_ips(w):
    vpc = w.vpc()
    eni = w.eni(w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc))
    w.assign(eni, SecondaryPrivateIpAddressCount=49)
    w.assign(eni, SecondaryPrivateIpAddressCount=1)


def p_ipv4_count_exceeded(w):
    *_, eni = w.basic()  # ecs.g7.large: 6 per ENI, the primary included
    w.assign(eni, SecondaryPrivateIpAddressCount=6)


def p_private_ip_count(w):
    *_, eni = w.basic()
    w.assign(eni, SecondaryPrivateIpAddressCount=101)


def p_count_malformed(w):
    *_, eni = w.basic()
    w.assign(eni, SecondaryPrivateIpAddressCount="two")


def p_ip_malformed(w):
    *_, eni = w.basic()
    w.assign(eni, PrivateIpAddress=["10.0.0.300"])


def p_ip_duplicated(w):
    *_, eni = w.basic()
    w.assign(eni, PrivateIpAddress=["10.0.0.9", "10.0.0.9"])


def p_ip_not_enough(w):
    vpc = w.vpc()
    eni = w.eni(w.vswitch(vpc, "10.0.0.0/29"), w.sg(vpc))  # 4 usable, the ENI's primary takes one
    w.assign(eni, SecondaryPrivateIpAddressCount=4)


def p_quota_private_ip(w):
    vpc = w.vpc()
    w.instances(w.vswitch(vpc, "10.0.0.0/29"), w.sg(vpc), amount=5)


def p_ip_invalid(w):
    *_, eni = w.basic()
    w.assign(eni, PrivateIpAddress=["10.0.0.255"])  # system-reserved


def p_ip_assigned(w):
    _, vsw, sg, _, eni = w.basic()
    w.eni(vsw, sg, PrimaryIpAddress="10.0.0.77")  # holds the address named below
    w.assign(eni, PrivateIpAddress=["10.0.0.77"])


def p_ip_repeated(w):
    *_, eni = w.basic()
    w.assign(eni, PrivateIpAddress=["10.0.0.77"])
    w.assign(eni, PrivateIpAddress=["10.0.0.77"])


def p_ip_unassigned(w):
    *_, eni = w.basic()
    w.call("UnassignPrivateIpAddresses", NetworkInterfaceId=eni, PrivateIpAddress=["10.0.0.99"])


def p_region_no_prefix(w):
    w.region = "cn-zhangjiakou"
    *_, eni = w.basic()
    w.assign(eni, Ipv4PrefixCount=1)


def _prefix_world(w):
    _, vsw, _, _, eni = w.basic()
    w.reserve(vsw, VSwitchCidrReservationCidr="10.0.0.64/27")
    return vsw, eni


def p_prefix_illegal(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.64"])


def p_prefix_mask_illegal(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.64/40"])


def p_prefix_not_strict(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.65/28"])


def p_prefix_mask_not_same(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.64/28", "10.0.0.80/29"])


def p_prefix_mask_invalid(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.64/27"])


def p_prefix_not_in_reservation(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.128/28"])


def p_prefix_not_available(w):
    _, eni = _prefix_world(w)
    w.assign(eni, Ipv4Prefix=["10.0.0.64/28"])
    w.assign(eni, Ipv4Prefix=["10.0.0.64/28"])


def p_prefix_not_enough(w):
    _, eni = _prefix_world(w)  # the /27 holds two /28 blocks
    w.assign(eni, Ipv4PrefixCount=3)


def p_no_reservation(w):
    *_, eni = w.basic()
    w.assign(eni, Ipv4PrefixCount=1)


def p_vpc_not_found(w):
    w.call("CreateVSwitch", VpcId="vpc-doesnotexist", ZoneId="cn-hangzhou-h", CidrBlock="10.0.0.0/24")


def p_zone_not_found(w):
    w.call("CreateVSwitch", VpcId=w.vpc(), ZoneId="eu-west-1a", CidrBlock="10.0.0.0/24")


def p_cidr_malformed(w):
    w.call("CreateVSwitch", VpcId=w.vpc(), ZoneId="cn-hangzhou-h", CidrBlock="10.0.0.0/33")


def p_cidr_mask_length(w):
    w.call("CreateVSwitch", VpcId=w.vpc(), ZoneId="cn-hangzhou-h", CidrBlock="10.0.0.0/30")


def p_cidr_overlapped(w):
    vpc = w.vpc()
    w.vswitch(vpc, "10.0.0.0/24")
    w.vswitch(vpc, "10.0.0.128/25")


def p_reservation_mask_and_cidr(w):
    vsw = w.vswitch(w.vpc(), "10.0.0.0/24")
    w.reserve(vsw, VSwitchCidrReservationCidr="10.0.0.64/28", VSwitchCidrReservationMask=28)


def p_instance_type(w):
    vpc = w.vpc()
    w.instances(w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc), itype="ecs.g7a.large")  # no IPs-per-ENI in the source


def p_amount(w):
    vpc = w.vpc()
    w.instances(w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc), amount=101)


def p_parameter_mismatch(w):
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/24")
    w.call("RunInstances", InstanceType="ecs.g7.large", VSwitchId=vsw, SecurityGroupId=w.sg(vpc), ZoneId="cn-hangzhou-i")


#: (code, HTTP status as the source gives it, settings, how to provoke it)
CASES = [
    ("InvalidAction", 400, {}, p_invalid_action),
    ("UnsupportedParameter", 400, {}, p_unsupported_parameter),
    ("MissingParameter", 400, {}, p_missing_parameter),
    ("InvalidParameter", 400, {}, p_invalid_parameter),
    ("InvalidParameter.Conflict", 400, {}, p_conflict),
    ("Forbidden.RegionId", 400, {}, p_region),
    ("Throttling", 400, {"throttle_per_minute": {"AssignPrivateIpAddresses": 2}}, p_throttling),
    ("IdempotentParameterMismatch", 400, {}, p_idempotent_mismatch),
    ("InvalidEniId.Malformed", 400, {}, p_eni_malformed),
    ("InvalidEniId.NotFound", 404, {}, p_eni_not_found),
    ("InvalidInstanceID.Malformed", 400, {}, p_instance_malformed),
    ("InvalidEcsId.NotFound", 404, {}, p_ecs_not_found),
    ("InvalidInstanceId.NotFound", 404, {}, p_instance_not_found),
    ("InvalidVSwitchId.NotFound", 404, {}, p_vswitch_not_found),
    ("InvalidSecurityGroupId.NotFound", 404, {}, p_sg_not_found),
    ("InvalidSecurityGroupId.NotVpc", 403, {}, p_sg_not_vpc),
    ("InvalidOperation.VpcMismatch", 403, {}, p_vpc_mismatch),
    ("InvalidOperation.AvailabilityZoneMismatch", 403, {}, p_zone_mismatch),
    ("SecurityGroupInstanceLimitExceed", 403, {"security_group_capacity": 1}, p_sg_capacity),
    ("InvalidOperation.InvalidEniState", 400, {}, p_invalid_eni_state),
    ("Operation.Conflict", 403, {}, p_operation_conflict),
    ("InvalidOperation.InvalidEcsState", 400, {}, p_invalid_ecs_state),
    ("IncorrectInstanceStatus", 403, {}, p_incorrect_instance_status),
    ("InvalidOperation.DetachPrimaryEniNotAllowed", 400, {}, p_detach_primary),
    ("InvalidStatus.InstanceIsMigrating", 400, {}, p_migrating),
    ("InvalidOperation.InstanceNotSupportMulitipleIp", 400, {}, p_cloud_box),
    ("InvalidOperation.EniServiceManaged", 403, {}, p_service_managed),
    ("IncorrectVSwitchStatus", 400, {}, p_vswitch_status),
    ("InvalidVSwitch.IllegalStatus", 400, {}, p_vswitch_illegal_status),
    ("MaxEniCountExceeded", 403, {"account_eni_quota": 2}, p_max_eni_count),
    ("EniPerInstanceLimitExceeded", 403, {}, p_eni_per_instance),
    ("MaxEniPrivateIpsCountExceeded", 403, {}, p_max_eni_private_ips),
    ("InvalidOperation.Ipv4CountExceeded", 403, {}, p_ipv4_count_exceeded),
    ("InvalidParameter.PrivateIpCount", 500, {}, p_private_ip_count),
    ("InvalidSecondaryPrivateIpAddressCount.Malformed", 400, {}, p_count_malformed),
    ("InvalidPrivateIpAddress.Malformed", 400, {}, p_ip_malformed),
    ("InvalidPrivateIpAddress.Duplicated", 400, {}, p_ip_duplicated),
    ("InvalidVSwitchId.IpNotEnough", 403, {}, p_ip_not_enough),
    ("QuotaExceeded.PrivateIpAddress", 400, {}, p_quota_private_ip),
    ("InvalidVSwitchId.IpInvalid", 403, {}, p_ip_invalid),
    ("InvalidIp.IpAssigned", 403, {}, p_ip_assigned),
    ("InvalidIp.IpRepeated", 403, {}, p_ip_repeated),
    ("InvalidIp.IpUnassigned", 403, {}, p_ip_unassigned),
    ("InvalidOperation.RegionNotSupportIpPrefix", 500, {}, p_region_no_prefix),
    ("InvalidIp.IpPrefixIllegal", 403, {}, p_prefix_illegal),
    ("InvalidIp.IpPrefixMaskIllegal", 403, {}, p_prefix_mask_illegal),
    ("InvalidIp.IpPrefixNotStrict", 403, {}, p_prefix_not_strict),
    ("InvalidIp.IpPrefixMaskNotSame", 403, {}, p_prefix_mask_not_same),
    ("InvalidIp.IpPrefixMaskInvalid", 403, {}, p_prefix_mask_invalid),
    ("InvalidIp.IpPrefixMustInReserveSegment", 403, {}, p_prefix_not_in_reservation),
    ("InvalidIp.IpPrefixNotAvailable", 403, {}, p_prefix_not_available),
    ("InvalidVSwitchId.IpPrefixNotEnough", 403, {}, p_prefix_not_enough),
    ("InvalidOperation.VSwitchCidrReservationNotExist", 404, {}, p_no_reservation),
    ("InvalidVpcId.NotFound", 404, {}, p_vpc_not_found),
    ("InvalidZoneId.NotFound", 404, {}, p_zone_not_found),
    ("InvalidCidrBlock.Malformed", 400, {}, p_cidr_malformed),
    ("InvalidCirdrBlock.MaskLength", 400, {}, p_cidr_mask_length),
    ("InvalidCidrBlock.Overlapped", 400, {}, p_cidr_overlapped),
    ("QuotaExceeded.VSwitch", 400, {"vswitches_per_vpc": 1}, p_vswitch_quota),
    ("Conflict.VSwitchCidrReservationMaskAndVSwitchCidrReservationCidr", 400, {}, p_reservation_mask_and_cidr),
    ("InvalidInstanceType.ValueNotSupported", 400, {}, p_instance_type),
    ("InvalidParam.Amount", 403, {}, p_amount),
    ("InvalidParameter.Mismatch", 400, {}, p_parameter_mismatch),
]


@pytest.mark.parametrize("code, status, settings, provoke", CASES, ids=[c[0] for c in CASES])
def test_each_arising_code_is_provoked_through_cloud_call(code, status, settings, provoke):
    w = World(Cloud(seed=0, placement="lowest", **settings))
    err = refused(provoke, w)
    assert (err.code, err.http_status) == (code, status), err
    assert err.request_id and len(err.request_id) == 36
    assert err.message


def test_every_code_that_can_arise_has_a_provoking_case():
    arising = {code for code, row in REGISTRY.items() if row.arises}
    assert arising == {c[0] for c in CASES}


INJECTED = sorted(code for code, row in REGISTRY.items() if not row.arises)


@pytest.mark.parametrize("code", INJECTED)
def test_codes_that_cannot_arise_are_injected_by_faults(code):
    w = World(Cloud(seed=0, faults={"AssignPrivateIpAddresses": {code: 1.0}}))
    *_, eni = w.basic()  # other actions are untouched
    err = refused(w.assign, eni, SecondaryPrivateIpAddressCount=1)
    assert (err.code, err.http_status) == (code, REGISTRY[code].http_status)
    assert w.describe_eni(eni)["PrivateIpSets"]["PrivateIpSet"][1:] == []  # nothing was assigned


def test_a_refused_call_changes_nothing():
    w = World(Cloud(seed=0, placement="lowest"))
    _, vsw, _, _, eni = w.basic()
    before = w.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
    for bad in (dict(SecondaryPrivateIpAddressCount=6), dict(PrivateIpAddress=["10.0.0.9", "10.0.0.300"]),
                dict(PrivateIpAddress=["10.0.0.9", "10.0.0.255"]), dict(Ipv4PrefixCount=1)):
        refused(w.assign, eni, **bad)
    after = w.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
    assert before == after
    assert len(w.describe_eni(eni)["PrivateIpSets"]["PrivateIpSet"]) == 1
