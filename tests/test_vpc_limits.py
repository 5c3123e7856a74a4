"""The limits that bind real clusters (issue 10 point 11), provoked through Cloud.call with
literal values: a basic security group's 6,000 private addresses, an advanced group's 65,536
ENIs, 5 security groups per ENI, 150 vSwitches, 300,000 private addresses and 100 CIDR
reservations per VPC. Sources: simkit.CloudSettings' docstring; the codes: docs/error-codes.md
(SecurityGroupInstanceLimitExceed for a full basic group and QuotaExceeded.PrivateIpAddress for
a full VPC are chosen, not sourced)."""

import pytest

from simkit import Cloud, CloudSettings, ScenarioError, run

from conftest import World, refused


def addresses_of(w: World, sg: str) -> int:
    """Private addresses the model counts on the group's ENIs."""
    return w.cloud.model.region(w.region).security_groups[sg].addresses


def free(w: World, vsw: str) -> int:
    return w.call("DescribeVSwitches", VSwitchId=vsw)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]


def primary_eni(w: World, instance: str) -> str:
    (item,) = w.call("DescribeNetworkInterfaces", InstanceId=instance)["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    return item["NetworkInterfaceId"]


def test_the_defaults_are_the_sources_figures():
    s = CloudSettings()
    assert (s.security_group_ip_capacity, s.security_group_capacity, s.security_groups_per_eni) == (6000, 65536, 5)
    assert (s.vswitches_per_vpc, s.vpc_private_ips) == (150, 300_000)
    assert (s.reservations_per_vpc, s.reservations_per_vswitch) == (100, None)


# ---------------------------------------------------------------- a basic group: 6,000 addresses


def test_a_basic_group_holds_6000_private_addresses_every_call_that_adds_one_is_refused_past_them():
    w = World(Cloud(seed=0, placement="lowest"))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/18")  # 16,380 usable: the vSwitch never binds here
    sg = w.sg(vpc)  # SecurityGroupType left out: normal, a basic group
    (inst,) = w.instances(vsw, sg)  # its primary ENI: 1
    enis = [w.eni(vsw, sg, SecondaryPrivateIpAddressCount=49) for _ in range(119)]  # 119 x 50 = 5,950
    last = w.eni(vsw, sg, SecondaryPrivateIpAddressCount=39)  # 40: 5,991
    w.assign(last, SecondaryPrivateIpAddressCount=9)  # 49 secondaries, the most on an Available ENI: 6,000
    assert addresses_of(w, sg) == 6000
    before = free(w, vsw)

    for provoke in (lambda: w.eni(vsw, sg),  # a new ENI's primary
                    lambda: w.instances(vsw, sg),  # a new instance's primary ENI
                    lambda: w.call("AssignPrivateIpAddresses", NetworkInterfaceId=primary_eni(w, inst),
                                   SecondaryPrivateIpAddressCount=1)):
        err = refused(provoke)
        assert (err.code, err.http_status, err.limit) == ("SecurityGroupInstanceLimitExceed", 403, "security_group_addresses")
        assert "6,001" in err.message and "6,000" in err.message
    assert addresses_of(w, sg) == 6000 and free(w, vsw) == before  # refused calls took nothing

    # Giving one back makes room for one.
    gone = w.describe_eni(enis[0])["PrivateIpSets"]["PrivateIpSet"][1]["PrivateIpAddress"]
    w.call("UnassignPrivateIpAddresses", NetworkInterfaceId=enis[0], PrivateIpAddress=[gone])
    w.assign(enis[0], SecondaryPrivateIpAddressCount=1)
    assert addresses_of(w, sg) == 6000


def test_a_prefix_counts_one_address_of_a_basic_group_and_deleting_an_eni_gives_its_addresses_back():
    w = World(Cloud(seed=0, placement="lowest", security_group_ip_capacity=7))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/24")
    w.reserve(vsw, VSwitchCidrReservationMask=26)  # 4 free /28 blocks
    sg = w.sg(vpc)
    eni = w.eni(vsw, sg, Ipv4PrefixCount=3)  # its primary and 3 prefixes (48 addresses of the vSwitch): 4
    other = w.eni(vsw, sg, SecondaryPrivateIpAddressCount=2)  # 3 more: 7, the capacity
    assert addresses_of(w, sg) == 7
    err = refused(w.assign, eni, Ipv4PrefixCount=1)
    assert (err.code, err.http_status, err.limit) == ("SecurityGroupInstanceLimitExceed", 403, "security_group_addresses")
    w.call("DeleteNetworkInterface", NetworkInterfaceId=other)
    assert addresses_of(w, sg) == 7  # Deleting: its addresses are held until the delete completes
    w.cloud.advance(w.cloud.settings.eni_delete_seconds)
    assert addresses_of(w, sg) == 4
    w.assign(eni, Ipv4PrefixCount=1)  # room again: 5
    assert addresses_of(w, sg) == 5


# ---------------------------------------------------------------- an advanced group: 65,536 ENIs


def test_an_advanced_group_holds_65536_enis_and_counts_no_addresses():
    w = World(Cloud(seed=0, placement="lowest"))
    vpc = w.vpc("10.0.0.0/8")
    vswitches = [w.vswitch(vpc, f"10.{i}.0.0/16") for i in range(2)]  # 65,532 usable each
    sg = w.call("CreateSecurityGroup", VpcId=vpc, SecurityGroupType="enterprise")["SecurityGroupId"]
    for vsw in vswitches:
        for _ in range(327):
            w.instances(vsw, sg, amount=100)  # 2 x 32,700 = 65,400 primary ENIs, far past 6,000 addresses
    w.instances(vswitches[0], sg, amount=100)  # 65,500
    w.instances(vswitches[1], sg, amount=36)  # 65,536
    err = refused(w.eni, vswitches[1], sg)
    assert (err.code, err.http_status, err.limit) == ("SecurityGroupInstanceLimitExceed", 403, "security_group_enis")
    assert "65,536" in err.message
    err = refused(w.instances, vswitches[1], sg)
    assert (err.code, err.limit) == ("SecurityGroupInstanceLimitExceed", "security_group_enis")


def test_security_group_capacity_counts_enis_of_every_group_as_before():
    w = World(Cloud(seed=0, security_group_capacity=2))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/24")
    sg = w.sg(vpc)
    w.instances(vsw, sg)
    w.eni(vsw, sg)
    err = refused(w.eni, vsw, sg)
    assert (err.code, err.http_status, err.limit) == ("SecurityGroupInstanceLimitExceed", 403, "security_group_enis")


# ---------------------------------------------------------------- groups of one ENI


def test_an_eni_is_in_at_most_5_groups_all_of_one_type():
    w = World(Cloud(seed=0))
    vpc = w.vpc()
    vsw = w.vswitch(vpc, "10.0.0.0/24")
    groups = [w.sg(vpc) for _ in range(6)]
    w.call("CreateNetworkInterface", VSwitchId=vsw, SecurityGroupIds=groups[:5])
    err = refused(w.call, "CreateNetworkInterface", VSwitchId=vsw, SecurityGroupIds=groups)
    assert (err.code, err.http_status) == ("InvalidParameter", 400) and "at most 5" in err.message
    err = refused(w.call, "RunInstances", InstanceType="ecs.g7.large", VSwitchId=vsw, SecurityGroupIds=groups)
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    advanced = w.call("CreateSecurityGroup", VpcId=vpc, SecurityGroupType="enterprise")["SecurityGroupId"]
    err = refused(w.call, "CreateNetworkInterface", VSwitchId=vsw, SecurityGroupIds=[groups[0], advanced])
    assert (err.code, err.http_status) == ("InvalidParameter", 400) and "one type" in err.message
    err = refused(w.call, "CreateSecurityGroup", VpcId=vpc, SecurityGroupType="premium")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)


# ---------------------------------------------------------------- per VPC


def test_a_vpc_holds_150_vswitches():
    w = World(Cloud(seed=0))
    vpc = w.vpc("10.0.0.0/16")
    for i in range(150):
        w.vswitch(vpc, f"10.0.{i}.0/24")
    err = refused(w.vswitch, vpc, "10.0.150.0/24")
    assert (err.code, err.http_status, err.limit) == ("QuotaExceeded.VSwitch", 400, "vpc_vswitches")
    assert len(w.call("DescribeVSwitches", VpcId=vpc, PageSize=50, PageNumber=4)["VSwitches"]["VSwitch"]) == 0
    other = w.vpc("10.0.0.0/16")  # the quota is per VPC
    w.vswitch(other, "10.0.0.0/24")


def test_a_vpc_holds_300000_private_addresses_on_its_enis():
    w = World(Cloud(seed=0, placement="lowest"))
    vpc = w.vpc("10.0.0.0/8")
    vswitches = [w.vswitch(vpc, f"10.{i}.0.0/16") for i in range(5)]
    sg = w.call("CreateSecurityGroup", VpcId=vpc, SecurityGroupType="enterprise")["SecurityGroupId"]  # no address cap
    enis = [w.eni(vswitches[i // 1200], sg, SecondaryPrivateIpAddressCount=49) for i in range(6000)]  # 6,000 x 50
    assert w.cloud.model.region(w.region).vpcs[vpc].addresses == 300_000
    err = refused(w.eni, vswitches[4], sg)
    assert (err.code, err.http_status, err.limit) == ("QuotaExceeded.PrivateIpAddress", 400, "vpc_private_ips")
    assert "300,000" in err.message
    w.call("DeleteNetworkInterface", NetworkInterfaceId=enis[0])
    w.cloud.advance(w.cloud.settings.eni_delete_seconds)  # 50 back
    w.eni(vswitches[4], sg, SecondaryPrivateIpAddressCount=49)
    err = refused(w.instances, vswitches[4], sg)
    assert (err.code, err.limit) == ("QuotaExceeded.PrivateIpAddress", "vpc_private_ips")


def test_a_vpc_holds_100_reservations_by_default_more_than_10_on_one_vswitch():
    w = World(Cloud(seed=0, placement="lowest"))
    vpc = w.vpc("10.0.0.0/16")
    vswitches = [w.vswitch(vpc, f"10.0.{4 * i}.0/22") for i in range(5)]
    for vsw in vswitches[:4]:
        for _ in range(25):  # a /22 has 64 /28 blocks
            w.reserve(vsw, settle=False, VSwitchCidrReservationMask=28)
    err = refused(w.reserve, vswitches[4], VSwitchCidrReservationMask=28)
    assert (err.code, err.http_status, err.limit) == ("InvalidParameter", 400, "vpc_reservations")
    listed = w.call("ListVSwitchCidrReservations", VSwitchId=vswitches[0], MaxResults=100)
    assert listed["TotalCount"] == 25


def test_the_english_pages_reading_is_10_per_vswitch_and_none_per_vpc():
    w = World(Cloud(seed=0, placement="lowest", reservations_per_vswitch=10, reservations_per_vpc=None))
    vpc = w.vpc("10.0.0.0/16")
    vswitches = [w.vswitch(vpc, f"10.0.{4 * i}.0/22") for i in range(11)]
    for vsw in vswitches:
        for _ in range(10):
            w.reserve(vsw, settle=False, VSwitchCidrReservationMask=28)  # 110 in the VPC
    err = refused(w.reserve, vswitches[0], VSwitchCidrReservationMask=28)
    assert (err.code, err.http_status, err.limit) == ("InvalidParameter", 400, "vswitch_reservations")


def test_settings_refuse_a_limit_that_is_not_a_whole_number():
    for name, bad in (("security_group_ip_capacity", -1), ("vpc_private_ips", 1.5), ("security_groups_per_eni", 0),
                      ("reservations_per_vpc", True)):
        with pytest.raises(ValueError, match=name):
            CloudSettings(**{name: bad})


# ---------------------------------------------------------------- in a scenario


def _scenario(**over) -> dict:
    scenario = {
        "duration": "10m", "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
        "fleet": [{"instance_type": "ecs.g7.large", "count": 3, "vswitch": "vsw"}],
        "workload": {"kind": "pod-churn", "arrival_rate": "1/m", "lifetime": {"median": "1m", "p90": "2m"}},
    }
    scenario.update(over)
    return scenario


def test_a_scenario_past_the_vpcs_limits_is_refused_before_it_runs():
    vswitches = [{"name": f"v{i}", "cidr": f"10.0.{i}.0/24"} for i in range(151)]
    with pytest.raises(ScenarioError, match=r"vswitches: 151 vSwitches; a VPC holds at most 150"):
        run(_scenario(vswitches=vswitches, fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v0"}]),
            progress=False)
    vswitches = [{"name": f"v{i}", "cidr": f"10.0.{4 * i}.0/22", "reservations": [{"mask": 28}] * 20} for i in range(6)]
    with pytest.raises(ScenarioError, match=r"vswitches\[5\]\.reservations\[0\]: one CIDR reservation more than the VPC holds: at most 100"):
        run(_scenario(vswitches=vswitches, fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v0"}]),
            progress=False)
    eleven = [{"name": "v", "cidr": "10.0.0.0/22", "reservations": [{"mask": 28}] * 11}]
    run(_scenario(vswitches=eleven, fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v"}]), progress=False)
    with pytest.raises(ScenarioError, match=r"vswitches\[0\]\.reservations\[10\]: .*at most 10 per vSwitch"):
        run(_scenario(vswitches=eleven, fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v"}],
                      limits={"reservations_per_vswitch": 10}), progress=False)


def test_a_fleet_larger_than_its_basic_group_is_refused_naming_the_fleet_and_the_group():
    with pytest.raises(ScenarioError, match=r"fleet\[0\]: building the scenario failed: SecurityGroupInstanceLimitExceed: "
                                            r".*security_group \(a basic group; its ENIs would hold 3 private IP "
                                            r"addresses, and it holds at most 2\)"):
        run(_scenario(limits={"security_group_ip_capacity": 2}), progress=False)
    # The same fleet on an advanced group: its capacity is in ENIs.
    run(_scenario(limits={"security_group_ip_capacity": 2}, security_group={"type": "enterprise"}), progress=False)


def test_the_security_group_type_is_a_choice():
    with pytest.raises(ScenarioError, match=r"security_group\.type: 'advanced' is unknown; allowed: normal, enterprise"):
        run(_scenario(security_group={"type": "advanced"}), progress=False)


# ---------------------------------------------------------------- a run that stops at its group


def test_a_terway_fleet_on_one_basic_group_stops_at_its_capacity(tmp_path):
    """Hand-worked: 4 ecs.g7.xlarge nodes (EniQuantity 4, 15 addresses an ENI: 45 pods a node)
    on a /18 vSwitch (16,380 usable addresses, never short here), one basic group whose capacity
    is lowered to 100 (limits.security_group_ip_capacity), Terway daemons (ipam daemon) in
    secondary-ip mode with no idle addresses wanted (min_idle 0). A trace of 110 pods that never end: pod i (from 1)
    arrives at 30 + 60 (i - 1) s, so the last at 6,570 s of the 7,200 s run; the scheduler
    places them round robin, pod i on node (i - 1) mod 4.

    The group counts every private address on its ENIs. Before the workload: the 4 nodes'
    primary ENIs, 4. Each pod arrives alone (60 s apart; an ENI attaches in 2 s) and its node
    asks for exactly one address, 0.3 s after the pod arrives (the daemon gathers pods for
    300 ms): its 1st and 16th pods a new ENI with no secondary (that ENI's primary serves the
    pod, after the 2 s attach), the others one secondary on the ENI with room; every pod waited
    for calls in flight (in_flight). So each pod adds one: after pod 96 (5,730 s) the
    group holds 4 + 96 = 100, its capacity; each node then has 24 pods, on an ENI of 15 and one
    of 9 addresses.

    Pod 97 arrives at 5,790 s on node 0, whose Assign of 1 at 5,790.3 s would make 101: refused
    with SecurityGroupInstanceLimitExceed, the first time (exhaustion: security_group_addresses).
    The code is neither retried nor blocking, so the daemon looks again give_up_backoff (60 s)
    later, and is refused again, every 60 s while its pods wait; a pod arriving meanwhile adds
    no call. Nodes 1, 2, 3 are first refused at 5,850.3, 5,910.3, 5,970.3 s (pods 98-100), each
    then every 60 s: their last calls at 7,170.3 s. Refusals: 24 + 23 + 22 + 21 = 90.

    Calls that succeed, per node: 2 CreateNetworkInterface, 2 AttachNetworkInterface, 22
    AssignPrivateIpAddresses (pods 2-15 and 17-24): 104 in all; with the 90 refused Assigns,
    194 calls. Pods: 96 served (8 of them after an attach), 14 (pods 97-110) still waiting at
    the end, each for at least 7,200 - 6,570 = 630 s: 14 failed, held by the security group.
    The vSwitch holds 100 addresses (12 ENI primaries, 88 secondaries) and has 16,280 free.
    """
    trace = tmp_path / "pods.csv"
    trace.write_text("name,start,end\n" + "".join(f"pod-{i},{30 + 60 * (i - 1)},\n" for i in range(1, 111)))
    result = run({
        "name": "basic-group", "duration": "2h", "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "pods", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/18"}],
        "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 4, "vswitch": "pods"}],
        "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
        "security_group": {"type": "normal"},
        "limits": {"security_group_ip_capacity": 100},
        "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end",
                     "name_column": "name"},
    }, progress=False)
    s = result.summary
    assert s["exhaustion"] == {"security_group_addresses": {"time": pytest.approx(5790.3), "resource": "security_group",
                                                            "code": "SecurityGroupInstanceLimitExceed"}}
    assert s["api_errors_by_code"] == {"SecurityGroupInstanceLimitExceed": 90}
    assert s["calls"] == 194
    assert s["calls_by_action"] == {"AssignPrivateIpAddresses": 178, "AttachNetworkInterface": 8,
                                    "CreateNetworkInterface": 8}
    assert s["pods_arrived"] == 110
    assert s["pod_outcomes"] == {"served": 96, "expired": 0, "unscheduled": 0, "waiting": 14}
    assert s["pod_waits_by_reason"] == {"in_flight": 96, "security_group": 14}
    assert s["pod_failure_rate"] == 14 / 110
    assert s["binding_limit"] == {
        "limit": "security_group", "pods": 14,
        "sentence": "14 pods waited because the fleet's basic security group was full: it holds at most 100 private "
                    "addresses (limits.security_group_ip_capacity), and first refused a call at 5,790 s (1 h 36 min "
                    "into the run)"}
    pods = result.pods()
    assert pods.loc[pods["outcome"] == "waiting", "pod"].tolist() == [f"pod-{i}" for i in range(97, 111)]
    assert set(pods.loc[pods["outcome"] == "waiting", "waited_for"]) == {"security_group"}
    refusals = result.events().query("code == 'SecurityGroupInstanceLimitExceed'")
    assert refusals["http_status"].unique().tolist() == [403]
    table = refusals.groupby("node", observed=True)["time"].agg(["min", "max", "count"]).values.ravel().tolist()
    assert table == pytest.approx([5790.3, 7170.3, 24, 5850.3, 7170.3, 23, 5910.3, 7170.3, 22, 5970.3, 7170.3, 21])
    last = result.samples().iloc[-1]
    assert (last["primary_ips"], last["secondary_ips"], last["free_ips"]) == (12, 88, 16280)


def test_a_fleet_that_fills_its_vpcs_quota_waits_for_the_vpc_not_the_vswitch(tmp_path):
    """Hand-worked: 2 ecs.g7.xlarge nodes under Terway's controller (ipam centralized, the
    default), the VPC's quota lowered to 6 private addresses (limits.vpc_private_ips), pod i at
    30 + 60 (i - 1) s alternating between the nodes, 6 pods, a 900 s run. The nodes' primaries
    make 2. Pod 1 (30 s, node 0): the controller asks pods waiting 1 + max(0, 0 + 1 - 0) = 2
    addresses, a new ENI with its primary and one secondary (4 in the VPC); pod 2 (90 s, node 1)
    the same (6). Pods 3 and 4 (150, 210 s) take the idle secondaries at once. Pod 5 arrives at
    270 s on node 0, which its requeue (150 s + the 2-minute pool period) has just reconciled,
    so its own reconcile comes a second later (at most one a second): at 271 s an Assign of 2 is
    refused with QuotaExceeded.PrivateIpAddress; the controller
    takes that code for an exhausted vSwitch and blocks it for every node for 20 minutes
    (vSwitchCacheTTL), past the run: pod 6 (330 s, node 1) causes no call. 1 refusal; pods 5
    and 6 wait, held by the VPC, not by the vSwitch (a /24 with 246 addresses free)."""
    trace = tmp_path / "pods.csv"
    trace.write_text("name,start,end\n" + "".join(f"pod-{i},{30 + 60 * (i - 1)},\n" for i in range(1, 7)))
    result = run({
        "duration": "15m", "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "pods", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
        "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "pods"}],
        "agent": {"mode": "secondary-ip", "min_idle": 0},
        "limits": {"vpc_private_ips": 6},
        "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end"},
    }, progress=False)
    s = result.summary
    assert s["exhaustion"] == {"vpc_private_ips": {"time": 271.0, "resource": "vpc", "code": "QuotaExceeded.PrivateIpAddress"}}
    assert s["api_errors_by_code"] == {"QuotaExceeded.PrivateIpAddress": 1}
    assert s["pod_outcomes"]["waiting"] == 2 and s["pod_waits_by_reason"]["vpc_addresses"] == 2
    assert s["binding_limit"]["sentence"] == (
        "2 pods waited because the VPC was full: it holds at most 6 private addresses used by cloud resources "
        "(limits.vpc_private_ips), and first refused a call at 271 s (0 h 4 min into the run)")
    assert s["min_free_ips"] == {"pods": 246}
