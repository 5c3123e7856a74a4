"""The rules of DESIGN.md ("Rules the model must hold"), each with literal values from
../shared/reference (alibaba-facts.md §1-3, the AssignPrivateIpAddresses page)."""

import pytest

from simkit import Cloud

from conftest import World, refused


def available(w, vsw):
    return w.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]


def ips_of(w, eni):
    return [s["PrivateIpAddress"] for s in w.describe_eni(eni)["PrivateIpSets"]["PrivateIpSet"]]


# ---------------------------------------------------------------- vSwitch addressing


@pytest.mark.parametrize("cidr, count", [("10.0.0.0/24", 252), ("10.0.0.0/29", 4), ("10.0.0.0/16", 65532)])
def test_available_ip_count_excludes_the_four_system_reserved(world, cidr, count):
    assert available(world, world.vswitch(world.vpc(), cidr)) == count


def test_first_address_and_last_three_are_never_handed_out(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/29"), world.sg(vpc)
    eni = world.eni(vsw, sg, SecondaryPrivateIpAddressCount=3)
    assert sorted(ips_of(world, eni)) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    assert available(world, vsw) == 0


def test_a_28_reservation_in_a_24_leaves_236_and_the_count_choice_is_a_setting():
    for includes, expected in ((False, 236), (True, 252)):
        w = World(Cloud(available_ip_count_includes_reserved=includes))
        vsw = w.vswitch(w.vpc(), "10.0.0.0/24")
        w.reserve(vsw, VSwitchCidrReservationMask=28)
        assert available(w, vsw) == expected


# ---------------------------------------------------------------- CIDR reservations and prefixes


def test_at_most_ten_reservations_per_vswitch_as_the_english_page_has_it():
    # The default counts 100 per VPC instead (tests/test_vpc_limits.py); the English
    # CreateVSwitchCidrReservation page's reading is this setting.
    world = World(Cloud(seed=0, placement="lowest", reservations_per_vswitch=10, reservations_per_vpc=None))
    vsw = world.vswitch(world.vpc(), "10.0.0.0/24")
    for _ in range(10):
        world.reserve(vsw, VSwitchCidrReservationMask=28)
    err = refused(world.reserve, vsw, VSwitchCidrReservationMask=28)
    assert err.code == "InvalidParameter" and "at most 10" in err.message
    assert err.limit == "vswitch_reservations"
    listed = world.call("ListVSwitchCidrReservations", VSwitchId=vsw, MaxResults=100)
    assert listed["TotalCount"] == 10


@pytest.mark.parametrize("mask, ok", [(25, False), (26, True), (28, True), (29, False)])
def test_reservation_mask_two_bits_longer_than_the_vswitch_and_at_most_28(world, mask, ok):
    vsw = world.vswitch(world.vpc(), "10.0.0.0/24")
    if ok:
        world.reserve(vsw, VSwitchCidrReservationMask=mask)
    else:
        assert refused(world.reserve, vsw, VSwitchCidrReservationMask=mask).code == "InvalidParameter"


def test_reservation_is_assigned_asynchronously_and_prefixes_wait_for_it(world):
    _, vsw, _, _, eni = world.basic()
    rid = world.reserve(vsw, settle=False, VSwitchCidrReservationCidr="10.0.0.64/27")
    (item,) = world.call("ListVSwitchCidrReservations", VSwitchId=vsw)["VSwitchCidrReservations"]
    assert (item["VSwitchCidrReservationId"], item["Status"]) == (rid, "Assigning")
    assert refused(world.assign, eni, Ipv4PrefixCount=1).code == "InvalidVSwitchId.IpPrefixNotEnough"
    world.cloud.advance(1.0)
    (item,) = world.call("ListVSwitchCidrReservations", VSwitchId=vsw)["VSwitchCidrReservations"]
    assert item["Status"] == "Assigned" and (item["AssignedCidrCount"], item["AvailableCidrCount"]) == (0, 2)
    got = world.assign(eni, Ipv4PrefixCount=1)["Ipv4PrefixSet"]["Ipv4Prefixes"]
    assert got == ["10.0.0.64/28"]
    usage = world.call("GetVSwitchCidrReservationUsage", VSwitchCidrReservationId=rid)
    assert usage["CidrReservationUsages"] == [
        {"IpPrefixCidr": "10.0.0.64/28", "ResourceId": eni, "ResourceType": "NetworkInterface"}
    ]


def test_single_ips_never_come_from_a_reservation(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/26"), world.sg(vpc)
    world.reserve(vsw, VSwitchCidrReservationCidr="10.0.0.16/28")
    eni = world.eni(vsw, sg, SecondaryPrivateIpAddressCount=43)  # 60 usable - 16 reserved = 44 in all
    assert not any(ip.startswith("10.0.0.1") and 16 <= int(ip.rsplit(".", 1)[1]) < 32 for ip in ips_of(world, eni))
    assert refused(world.assign, eni, SecondaryPrivateIpAddressCount=1).code == "InvalidVSwitchId.IpNotEnough"
    assert refused(world.assign, eni, PrivateIpAddress=["10.0.0.20"]).code == "InvalidVSwitchId.IpInvalid"


@pytest.mark.parametrize("region, ok", [("cn-hangzhou", True), ("ap-southeast-1", True), ("cn-zhangjiakou", False)])
def test_prefixes_only_in_regions_that_support_them(region, ok):
    w = World(Cloud(), region=region)
    _, vsw, _, _, eni = w.basic()
    w.reserve(vsw, VSwitchCidrReservationMask=27)
    if ok:
        assert len(w.assign(eni, Ipv4PrefixCount=1)["Ipv4PrefixSet"]["Ipv4Prefixes"]) == 1
    else:
        err = refused(w.assign, eni, Ipv4PrefixCount=1)
        assert (err.code, err.http_status) == ("InvalidOperation.RegionNotSupportIpPrefix", 500)


# ---------------------------------------------------------------- per-ENI limits


def test_g7_large_fresh_secondary_eni_takes_five_prefixes(world):
    """ip-prefix page: ecs.g7.large, 6 private IPv4 per ENI with the primary, so 5 prefixes."""
    _, vsw, _, _, eni = world.basic(vsw_cidr="10.0.0.0/22", itype="ecs.g7.large")
    world.reserve(vsw, VSwitchCidrReservationMask=24)
    assert len(world.assign(eni, Ipv4PrefixCount=5)["Ipv4PrefixSet"]["Ipv4Prefixes"]) == 5
    err = refused(world.assign, eni, Ipv4PrefixCount=1)
    assert (err.code, err.http_status) == ("InvalidOperation.Ipv4CountExceeded", 403)


def test_each_secondary_ip_removes_one_prefix_slot(world):
    _, vsw, _, _, eni = world.basic(vsw_cidr="10.0.0.0/22", itype="ecs.g7.large")
    world.reserve(vsw, VSwitchCidrReservationMask=24)
    world.assign(eni, SecondaryPrivateIpAddressCount=1)
    world.assign(eni, Ipv4PrefixCount=4)
    assert refused(world.assign, eni, Ipv4PrefixCount=1).code == "InvalidOperation.Ipv4CountExceeded"
    assert refused(world.assign, eni, SecondaryPrivateIpAddressCount=1).code == "InvalidOperation.Ipv4CountExceeded"


@pytest.mark.parametrize("itype, per_eni", [("ecs.g7.large", 6), ("ecs.g7.xlarge", 15), ("ecs.g7.4xlarge", 30)])
def test_inuse_eni_holds_the_instance_types_ips_per_eni_primary_included(itype, per_eni):
    w = World(Cloud())
    *_, eni = w.basic(vsw_cidr="10.0.0.0/24", itype=itype)
    w.assign(eni, SecondaryPrivateIpAddressCount=per_eni - 1)
    assert len(ips_of(w, eni)) == per_eni
    assert refused(w.assign, eni, SecondaryPrivateIpAddressCount=1).code == "InvalidOperation.Ipv4CountExceeded"


def test_available_eni_holds_49_secondaries(world):
    vpc = world.vpc()
    eni = world.eni(world.vswitch(vpc, "10.0.0.0/24"), world.sg(vpc))
    world.assign(eni, SecondaryPrivateIpAddressCount=40)
    world.assign(eni, SecondaryPrivateIpAddressCount=9)
    assert len(ips_of(world, eni)) == 50  # the primary and 49 secondaries
    err = refused(world.assign, eni, SecondaryPrivateIpAddressCount=1)
    assert (err.code, err.http_status) == ("MaxEniPrivateIpsCountExceeded", 403)


def test_at_most_32_named_addresses_per_call_on_an_available_eni(world):
    vpc = world.vpc()
    eni = world.eni(world.vswitch(vpc, "10.0.0.0/24"), world.sg(vpc))
    names = [f"10.0.0.{i}" for i in range(100, 133)]
    err = refused(world.assign, eni, PrivateIpAddress=names)  # 33
    assert err.code == "InvalidParameter" and "32" in err.message
    world.assign(eni, PrivateIpAddress=names[:32])
    assert len(ips_of(world, eni)) == 33


def test_at_most_10_prefixes_per_call(world):
    vpc = world.vpc()
    vsw = world.vswitch(vpc, "10.0.0.0/20")
    eni = world.eni(vsw, world.sg(vpc))
    world.reserve(vsw, VSwitchCidrReservationMask=24)
    assert refused(world.assign, eni, Ipv4PrefixCount=11).code == "InvalidParameter"
    named = [f"10.0.1.{16 * i}/28" for i in range(11)]
    assert refused(world.assign, eni, Ipv4Prefix=named).code == "InvalidParameter"
    assert len(world.assign(eni, Ipv4PrefixCount=10)["Ipv4PrefixSet"]["Ipv4Prefixes"]) == 10


def test_attaching_an_eni_with_more_ips_than_the_type_allows_is_refused(world):
    _, vsw, sg, inst, _ = world.basic(itype="ecs.g7.large")
    eni = world.eni(vsw, sg, SecondaryPrivateIpAddressCount=6)  # 7 with the primary
    err = refused(world.attach, eni, inst)
    assert (err.code, err.http_status) == ("InvalidOperation.Ipv4CountExceeded", 403)


# ---------------------------------------------------------------- ENIs per instance and account


def test_enis_per_instance_count_the_primary_and_attaching_ones(world):
    _, vsw, sg, inst, _ = world.basic(itype="ecs.g7.large")  # 3 ENIs: primary + basic's + one more
    world.attach(world.eni(vsw, sg), inst, settle=False)  # still Attaching, yet counted
    err = refused(world.attach, world.eni(vsw, sg), inst)
    assert (err.code, err.http_status) == ("EniPerInstanceLimitExceeded", 403)


def test_account_eni_quota_per_region():
    w = World(Cloud(account_eni_quota=100))
    vpc = w.vpc()
    vsw, sg = w.vswitch(vpc, "10.0.0.0/24"), w.sg(vpc)
    for _ in range(100):
        w.eni(vsw, sg)
    assert refused(w.eni, vsw, sg).code == "MaxEniCountExceeded"
    other = World(w.cloud, region="cn-beijing")  # another region has its own quota
    ovpc = other.vpc()
    other.eni(other.vswitch(ovpc, "10.0.0.0/24", zone="cn-beijing-h"), other.sg(ovpc))


# ---------------------------------------------------------------- exclusions


@pytest.mark.parametrize(
    "params",
    [
        dict(SecondaryPrivateIpAddressCount=1, PrivateIpAddress=["10.0.0.9"]),
        dict(Ipv4PrefixCount=1, Ipv4Prefix=["10.0.0.64/28"]),
        dict(SecondaryPrivateIpAddressCount=1, Ipv4PrefixCount=1),
        dict(PrivateIpAddress=["10.0.0.9"], Ipv4Prefix=["10.0.0.64/28"]),
    ],
)
def test_mutually_exclusive_parameters(world, params):
    *_, eni = world.basic()
    err = refused(world.assign, eni, **params)
    assert (err.code, err.http_status) == ("InvalidParameter.Conflict", 400)


# ---------------------------------------------------------------- states over simulated time


def test_attach_and_detach_are_asynchronous(world):
    _, vsw, sg, inst, _ = world.basic()
    eni = world.eni(vsw, sg)
    world.attach(eni, inst, settle=False)
    assert world.describe_eni(eni)["Status"] == "Attaching"
    world.cloud.advance(1.9)
    assert world.describe_eni(eni)["Status"] == "Attaching"
    world.cloud.advance(0.1)
    assert world.describe_eni(eni)["Status"] == "InUse"
    world.call("DetachNetworkInterface", NetworkInterfaceId=eni, InstanceId=inst)
    assert world.describe_eni(eni)["Status"] == "Detaching"
    assert refused(world.assign, eni, SecondaryPrivateIpAddressCount=1).code == "Operation.Conflict"
    world.call("DetachNetworkInterface", NetworkInterfaceId=eni, InstanceId=inst)  # may be sent again
    world.cloud.advance(2)
    item = world.describe_eni(eni)
    assert (item["Status"], item["InstanceId"]) == ("Available", "")


def test_delete_is_asynchronous_and_returns_the_addresses(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/24"), world.sg(vpc)
    eni = world.eni(vsw, sg, SecondaryPrivateIpAddressCount=4)
    assert available(world, vsw) == 247
    world.call("DeleteNetworkInterface", NetworkInterfaceId=eni)
    assert world.describe_eni(eni)["Status"] == "Deleting"
    assert refused(world.assign, eni, SecondaryPrivateIpAddressCount=1).code == "InvalidOperation.InvalidEniState"
    world.cloud.advance(1)
    assert world.call("DescribeNetworkInterfaces", NetworkInterfaceId=[eni])["TotalCount"] == 0
    assert available(world, vsw) == 252
    assert refused(world.assign, eni, SecondaryPrivateIpAddressCount=1).code == "InvalidEniId.NotFound"


def test_primary_eni_takes_ips_when_the_instance_is_running_or_stopped(world):
    *_, inst, _ = world.basic()
    primary = world.call("DescribeNetworkInterfaces", InstanceId=inst, Type="Primary")["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]["NetworkInterfaceId"]
    world.assign(primary, SecondaryPrivateIpAddressCount=1)  # Running
    world.call("StopInstance", InstanceId=inst)
    assert refused(world.assign, primary, SecondaryPrivateIpAddressCount=1).code == "InvalidOperation.InvalidEcsState"
    world.cloud.advance(5)
    world.assign(primary, SecondaryPrivateIpAddressCount=1)  # Stopped
    assert len(ips_of(world, primary)) == 3


def test_deleting_an_instance_releases_its_primary_and_detaches_secondaries(world):
    _, vsw, _, inst, eni = world.basic()
    world.assign(eni, SecondaryPrivateIpAddressCount=2)
    before = available(world, vsw)
    assert refused(world.call, "DeleteInstance", InstanceId=inst).code == "IncorrectInstanceStatus"
    world.call("DeleteInstance", InstanceId=inst, Force="true")
    assert available(world, vsw) == before + 1  # the primary ENI's address
    item = world.describe_eni(eni)
    assert (item["Status"], item["InstanceId"], len(item["PrivateIpSets"]["PrivateIpSet"])) == ("Available", "", 3)


# ---------------------------------------------------------------- idempotence, throttling, faults


def test_client_token_same_parameters_returns_the_first_response_and_allocates_nothing(world):
    _, vsw, _, _, eni = world.basic()
    first = world.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2, ClientToken="abc")
    before = available(world, vsw)
    again = world.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount="2", ClientToken="abc")
    assert again["AssignedPrivateIpAddressesSet"] == first["AssignedPrivateIpAddressesSet"]
    assert again["RequestId"] != first["RequestId"]
    assert available(world, vsw) == before and len(ips_of(world, eni)) == 3
    err = refused(world.assign, eni, SecondaryPrivateIpAddressCount=1, ClientToken="abc")
    assert (err.code, err.http_status) == ("IdempotentParameterMismatch", 400)


def test_a_failed_call_does_not_use_up_its_token(world):
    *_, eni = world.basic()
    refused(world.assign, eni, SecondaryPrivateIpAddressCount=6, ClientToken="t")  # over the limit
    assert len(world.assign(eni, SecondaryPrivateIpAddressCount=6 - 1, ClientToken="t")["PrivateIpSet"]["PrivateIpAddress"]) == 5


@pytest.mark.parametrize("token", ["x" * 65, "ключ"])
def test_client_token_is_at_most_64_ascii_characters(world, token):
    *_, eni = world.basic()
    err = refused(world.assign, eni, SecondaryPrivateIpAddressCount=1, ClientToken=token)
    assert err.code == "InvalidParameter" and "ClientToken" in err.message


def test_throttling_per_api_per_region_per_minute():
    w = World(Cloud(throttle_per_minute={"AssignPrivateIpAddresses": 400}))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/16")
    sg = w.sg(vpc)
    enis = [w.eni(vsw, sg) for _ in range(10)]
    for i in range(400):
        w.call("AssignPrivateIpAddresses", NetworkInterfaceId=enis[i % 10], SecondaryPrivateIpAddressCount=1)
    err = refused(w.assign, enis[0], SecondaryPrivateIpAddressCount=1)
    assert (err.code, err.http_status) == ("Throttling", 400)
    w.call("DescribeNetworkInterfaces")  # another API is not throttled
    w.cloud.advance(60)  # throttled in minute T, allowed again from T+1
    w.assign(enis[0], SecondaryPrivateIpAddressCount=1)


def test_injected_faults_follow_the_seed():
    def outcomes(seed):
        w = World(Cloud(seed=seed, faults={"InternalError": 0.3}))
        out = []
        for _ in range(40):
            try:
                w.call("DescribeInstanceTypes", InstanceTypes=["ecs.g7.large"])
                out.append("ok")
            except Exception as exc:  # noqa: BLE001
                out.append(exc.code)
        return out

    a = outcomes(1)
    assert a == outcomes(1) and a != outcomes(2)
    assert 4 <= a.count("InternalError") <= 20


def test_placement_is_the_same_with_and_without_faults_on_other_actions():
    def addresses(faults):
        w = World(Cloud(seed=3, faults=faults))
        *_, eni = w.basic()
        return ips_of(w, eni)

    assert addresses({}) == addresses({"DeleteNetworkInterface": {"InternalError": 0.5}})


# ---------------------------------------------------------------- unassign


def test_unassign_returns_addresses_and_prefixes(world):
    _, vsw, _, _, eni = world.basic()
    world.reserve(vsw, VSwitchCidrReservationCidr="10.0.0.64/27")
    ips = world.assign(eni, SecondaryPrivateIpAddressCount=2)["PrivateIpSet"]["PrivateIpAddress"]
    before = available(world, vsw)
    world.call("UnassignPrivateIpAddresses", NetworkInterfaceId=eni, **{"PrivateIpAddress.1": ips[0]})
    assert available(world, vsw) == before + 1 and ips[0] not in ips_of(world, eni)
    prefix = world.assign(eni, Ipv4PrefixCount=1)["Ipv4PrefixSet"]["Ipv4Prefixes"][0]
    world.call("UnassignPrivateIpAddresses", NetworkInterfaceId=eni, Ipv4Prefix=[prefix])
    assert world.describe_eni(eni)["Ipv4PrefixSets"]["Ipv4PrefixSet"] == []


def test_unassign_refuses_the_primary_ip(world):
    *_, eni = world.basic()
    primary = world.describe_eni(eni)["PrivateIpAddress"]
    err = refused(world.call, "UnassignPrivateIpAddresses", NetworkInterfaceId=eni, PrivateIpAddress=[primary])
    assert err.code == "InvalidIp.IpUnassigned" and "primary" in err.message


# ---------------------------------------------------------------- parameters on the wire


def test_flat_and_list_forms_are_the_same_call():
    a, b = World(Cloud(seed=1)), World(Cloud(seed=1))
    *_, ea = a.basic()
    *_, eb = b.basic()
    ra = a.assign(ea, **{"PrivateIpAddress.2": "10.0.0.41", "PrivateIpAddress.1": "10.0.0.40"})
    rb = b.assign(eb, PrivateIpAddress=["10.0.0.40", "10.0.0.41"])
    assert ra == rb and ra["PrivateIpSet"]["PrivateIpAddress"] == ["10.0.0.40", "10.0.0.41"]


def test_documented_parameters_simkit_does_not_model_are_accepted(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/24"), world.sg(vpc)
    world.call("CreateNetworkInterface", VSwitchId=vsw, SecurityGroupId=sg, **{"Tag.1.Key": "team", "Tag.1.Value": "net",
                                                                                "QueueNumber": "2"})
    err = refused(world.call, "CreateNetworkInterface", VSwitchId=vsw, SecurityGroupId=sg, DryRun="true")
    assert err.code == "UnsupportedParameter" and "DryRun" in err.message


def test_instance_apis_find_the_region_without_region_id(world):
    *_, inst, _ = world.basic()
    world.cloud.call("StopInstance", {"InstanceId": inst})
    world.cloud.advance(5)
    world.cloud.call("StartInstance", {"InstanceId": inst})


def test_describe_network_interfaces_pages(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/24"), world.sg(vpc)
    made = [world.eni(vsw, sg) for _ in range(25)]
    seen, token = [], None
    while True:
        params = {"MaxResults": 3, "VSwitchId": vsw}  # below 10 reads as 10 (SDK docstring)
        if token:
            params["NextToken"] = token
        page = world.call("DescribeNetworkInterfaces", **params)
        seen += [e["NetworkInterfaceId"] for e in page["NetworkInterfaceSets"]["NetworkInterfaceSet"]]
        assert len(page["NetworkInterfaceSets"]["NetworkInterfaceSet"]) <= 10
        token = page["NextToken"]
        if not token:
            break
    assert seen == made
    page3 = world.call("DescribeNetworkInterfaces", VSwitchId=vsw, PageNumber=3, PageSize=10)
    assert [e["NetworkInterfaceId"] for e in page3["NetworkInterfaceSets"]["NetworkInterfaceSet"]] == made[20:]
    assert refused(world.call, "DescribeNetworkInterfaces", PageNumber=1, NextToken="10").code == "InvalidParameter"


def test_create_network_interface_is_all_or_nothing(world):
    vpc = world.vpc()
    vsw, sg = world.vswitch(vpc, "10.0.0.0/29"), world.sg(vpc)  # 4 usable addresses
    err = refused(world.eni, vsw, sg, SecondaryPrivateIpAddressCount=4)  # 5 with the primary
    assert err.code == "InvalidVSwitchId.IpNotEnough"
    assert available(world, vsw) == 4
    err = refused(world.eni, vsw, sg, Ipv4PrefixCount=1)  # the primary is taken, then no reservation
    assert err.code == "InvalidOperation.VSwitchCidrReservationNotExist"
    assert available(world, vsw) == 4
    err = refused(world.eni, vsw, sg, PrimaryIpAddress="10.0.0.2", PrivateIpAddress=["10.0.0.3", "10.0.0.7"])
    assert err.code == "InvalidVSwitchId.IpInvalid"  # .7 is system-reserved in a /29
    assert available(world, vsw) == 4 and world.call("DescribeNetworkInterfaces")["TotalCount"] == 0


def test_params_must_be_a_mapping():
    with pytest.raises(TypeError, match="mapping"):
        Cloud().call("DescribeVSwitches", [("RegionId", "cn-hangzhou")])


def test_an_eni_attaching_to_an_instance_deleted_meanwhile_ends_available_and_usable(world):
    """Attach (2 s), force-delete the instance at once, advance 5 s: the pending attach must not
    complete onto the deleted instance. The ENI is Available with no instance, takes an address
    and can be deleted, its addresses freed (before the fix: InUse with InstanceId "", Assign
    raised KeyError, Delete was refused and the addresses leaked)."""
    vpc, vsw, sg, inst, _ = world.basic()
    eni = world.eni(vsw, sg)
    world.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=inst)
    world.call("DeleteInstance", InstanceId=inst, Force="true")
    world.cloud.advance(5)
    item = world.describe_eni(eni)
    assert (item["Status"], item["InstanceId"]) == ("Available", "")
    assert len(world.assign(eni, SecondaryPrivateIpAddressCount="1")["PrivateIpSet"]["PrivateIpAddress"]) == 1
    free_before = world.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
    world.call("DeleteNetworkInterface", NetworkInterfaceId=eni)
    world.cloud.advance(1)
    free_after = world.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
    assert free_after == free_before + 2  # its primary and its secondary


def test_a_stale_detach_does_not_complete_on_the_next_attach(world):
    """Detach from A (2 s), force-delete A, attach to B within the 2 s: the detach begun on A must
    not complete on the attach to B. The ENI ends InUse on B, counted among B's ENIs, and can be
    detached from B (before the fix: InUse with InstanceId "", still counted in B's ENIs, and
    impossible to detach)."""
    vpc, vsw, sg, a, eni = world.basic()
    (b,) = world.instances(vsw, sg)
    world.call("DetachNetworkInterface", NetworkInterfaceId=eni, InstanceId=a)
    world.call("DeleteInstance", InstanceId=a, Force="true")
    world.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=b)
    world.cloud.advance(1.5)  # the detach would have completed at 2 s from its start
    world.cloud.advance(1.0)
    item = world.describe_eni(eni)
    assert (item["Status"], item["InstanceId"]) == ("InUse", b)
    world.call("DetachNetworkInterface", NetworkInterfaceId=eni, InstanceId=b)
    world.cloud.advance(2)
    assert world.describe_eni(eni)["Status"] == "Available"
