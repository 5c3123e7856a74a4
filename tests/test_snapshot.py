"""Cloud.snapshot() / Cloud.restore(): a Cloud restored from a snapshot (through JSON text)
answers every further call exactly as the original does, whatever was in flight: ENIs
attaching, instances stopping, remembered ClientTokens, throttling windows, injected faults,
and each placement policy's generator or order. And a snapshot that contradicts itself is
refused with every contradiction named."""

import copy
import json
import random

import pytest

from simkit import ApiError, Cloud
from simkit.ecs import SnapshotError
from simkit.ecs.snapshot import VERSION

REGION = "cn-hangzhou"


class Driver:
    """Random API calls, chosen from ``rng`` and what earlier responses said, so that two
    Clouds that answer alike are driven alike."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.vswitches: list[str] = []
        self.sgs: list[str] = []
        self.instances: list[str] = []
        self.enis: list[str] = []
        self.reservations: list[str] = []
        self.addresses: dict[str, list[str]] = {}

    def next_call(self):
        r = self.rng
        pick = r.random()
        token = {"ClientToken": f"t{r.randrange(6)}"} if r.random() < 0.3 else {}
        if pick < 0.12:
            return "advance", r.choice([0.5, 1.0, 2.0, 3.0, 61.0])
        if pick < 0.25 and self.vswitches:
            params = {"VSwitchId": r.choice(self.vswitches), "SecurityGroupId": r.choice(self.sgs), **token}
            if r.random() < 0.5:
                params["SecondaryPrivateIpAddressCount"] = r.randrange(1, 6)
            elif r.random() < 0.3:
                params["Ipv4PrefixCount"] = 1
            return "CreateNetworkInterface", params
        if pick < 0.33 and self.enis and self.instances:
            return "AttachNetworkInterface", {"NetworkInterfaceId": r.choice(self.enis), "InstanceId": r.choice(self.instances)}
        if pick < 0.38 and self.enis and self.instances:
            return "DetachNetworkInterface", {"NetworkInterfaceId": r.choice(self.enis), "InstanceId": r.choice(self.instances)}
        if pick < 0.43 and self.enis:
            return "DeleteNetworkInterface", {"NetworkInterfaceId": r.choice(self.enis)}
        if pick < 0.62 and self.enis:
            params = {"NetworkInterfaceId": r.choice(self.enis), **token}
            if r.random() < 0.8:
                params["SecondaryPrivateIpAddressCount"] = r.randrange(1, 5)
            else:
                params["Ipv4PrefixCount"] = r.randrange(1, 3)
            return "AssignPrivateIpAddresses", params
        if pick < 0.70 and self.addresses:
            eni = r.choice(sorted(self.addresses))
            held = self.addresses[eni]
            if held:
                return "UnassignPrivateIpAddresses", {"NetworkInterfaceId": eni, "PrivateIpAddress": r.sample(held, min(len(held), 2))}
        if pick < 0.74 and self.instances:
            return r.choice(["StopInstance", "StartInstance"]), {"InstanceId": r.choice(self.instances)}
        if pick < 0.76 and self.instances:
            return "DeleteInstance", {"InstanceId": r.choice(self.instances), "Force": True}
        if pick < 0.80 and self.vswitches:
            return "RunInstances", {"InstanceType": "ecs.g7.xlarge", "VSwitchId": r.choice(self.vswitches),
                                    "SecurityGroupId": r.choice(self.sgs), "Amount": r.randrange(1, 3), **token}
        if pick < 0.82 and self.vswitches:
            return "CreateVSwitchCidrReservation", {"VSwitchId": r.choice(self.vswitches), "VSwitchCidrReservationMask": 28}
        if pick < 0.86 and self.reservations:
            return "GetVSwitchCidrReservationUsage", {"VSwitchCidrReservationId": r.choice(self.reservations)}
        if pick < 0.90 and self.vswitches:
            return "ListVSwitchCidrReservations", {"VSwitchId": r.choice(self.vswitches)}
        if pick < 0.94:
            return "DescribeVSwitches", {"VpcId": self.vpc}
        return "DescribeNetworkInterfaces", {"PageSize": 100}

    def learn(self, action, body):
        if action == "CreateNetworkInterface":
            self.enis.append(body["NetworkInterfaceId"])
        elif action == "RunInstances":
            self.instances.extend(body["InstanceIdSets"]["InstanceIdSet"])
        elif action == "CreateVSwitchCidrReservation":
            self.reservations.append(body["VSwitchCidrReservationId"])
        elif action == "DescribeNetworkInterfaces":
            self.addresses = {
                e["NetworkInterfaceId"]: [p["PrivateIpAddress"] for p in e["PrivateIpSets"]["PrivateIpSet"] if not p["Primary"]]
                for e in body["NetworkInterfaceSets"]["NetworkInterfaceSet"]
            }


def outcome(cloud: Cloud, step):
    action, params = step
    if action == "advance":
        cloud.advance(params)
        return ("advance", cloud.now)
    try:
        return ("ok", cloud.call(action, {"RegionId": REGION, **params}))
    except ApiError as exc:
        return ("error", exc.code, exc.http_status, str(exc), exc.request_id)


def build(seed: int, **settings) -> tuple[Cloud, Driver]:
    cloud = Cloud(seed=seed, **settings)
    driver = Driver(seed)
    call = lambda action, **p: cloud.call(action, {"RegionId": REGION, **p})  # noqa: E731
    driver.vpc = call("CreateVpc", CidrBlock="10.0.0.0/16")["VpcId"]
    for i, cidr in enumerate(["10.0.0.0/24", "10.0.1.0/25"]):
        vsw = call("CreateVSwitch", VpcId=driver.vpc, ZoneId="cn-hangzhou-h", CidrBlock=cidr)["VSwitchId"]
        driver.vswitches.append(vsw)
        driver.reservations.append(call("CreateVSwitchCidrReservation", VSwitchId=vsw, VSwitchCidrReservationMask=27 + i)["VSwitchCidrReservationId"])
    driver.sgs = [call("CreateSecurityGroup", VpcId=driver.vpc)["SecurityGroupId"],
                  call("CreateSecurityGroup", VpcId=driver.vpc, SecurityGroupType="enterprise")["SecurityGroupId"]]
    driver.instances = call("RunInstances", InstanceType="ecs.g7.xlarge", VSwitchId=driver.vswitches[0],
                            SecurityGroupId=driver.sgs[0], Amount=3)["InstanceIdSets"]["InstanceIdSet"]
    return cloud, driver


def through_json(data):
    return json.loads(json.dumps(data))


SETTINGS = [
    {"placement": "random"},
    {"placement": "lowest", "client_token_ttl_seconds": 30.0},
    {"placement": "pack", "faults": {"InternalError": 0.05}, "throttle_per_minute": {"AssignPrivateIpAddresses": 25}},
    {"placement": "random", "faults": {"AssignPrivateIpAddresses": {"Throttling": 0.1}}, "account_eni_quota": 12},
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s["placement"] + ("+" if len(s) > 1 else ""))
def test_restored_cloud_answers_as_the_original(seed, settings):
    original, driver = build(seed, **settings)
    for _ in range(150):
        step = driver.next_call()
        out = outcome(original, step)
        if out[0] == "ok":
            driver.learn(step[0], out[1])
    saved = through_json(original.snapshot())
    restored = Cloud(seed=99).restore(saved)
    assert through_json(restored.snapshot()) == saved
    for i in range(300):
        step = driver.next_call()
        a, b = outcome(original, step), outcome(restored, step)
        assert a == b, f"step {i}: {step}"
        if a[0] == "ok":
            driver.learn(step[0], a[1])
    assert through_json(restored.snapshot()) == through_json(original.snapshot())


def test_in_flight_transitions_complete_after_restore():
    cloud = Cloud(seed=4, eni_attach_seconds=5.0)
    call = lambda action, **p: cloud.call(action, {"RegionId": REGION, **p})  # noqa: E731
    vpc = call("CreateVpc", CidrBlock="10.0.0.0/16")["VpcId"]
    vsw = call("CreateVSwitch", VpcId=vpc, ZoneId="cn-hangzhou-h", CidrBlock="10.0.0.0/24")["VSwitchId"]
    sg = call("CreateSecurityGroup", VpcId=vpc)["SecurityGroupId"]
    inst = call("RunInstances", InstanceType="ecs.g7.xlarge", VSwitchId=vsw, SecurityGroupId=sg)["InstanceIdSets"]["InstanceIdSet"][0]
    eni = call("CreateNetworkInterface", VSwitchId=vsw, SecurityGroupId=sg)["NetworkInterfaceId"]
    call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=inst)
    cloud.advance(2)
    saved = cloud.snapshot()
    assert [p["event"] for p in saved["pending"]] == ["eni-attached"]
    again = Cloud().restore(through_json(saved))
    status = lambda c: c.call("DescribeNetworkInterfaces", {"RegionId": REGION, "NetworkInterfaceId.1": eni})[  # noqa: E731
        "NetworkInterfaceSets"]["NetworkInterfaceSet"][0]["Status"]
    assert status(again) == "Attaching"
    again.advance(3)
    assert status(again) == "InUse"


def test_an_api_call_log_replayed_with_a_snapshot_midway():
    # A log of calls played to its middle, snapshotted, restored: the second half answers alike.
    original, driver = build(7, placement="pack")
    steps = []
    for _ in range(400):
        step = driver.next_call()
        out = outcome(original, step)
        steps.append((step, out))
        if out[0] == "ok":
            driver.learn(step[0], out[1])
    replayed, driver2 = build(7, placement="pack")
    midway = None
    for i, (step, expected) in enumerate(steps):
        if i == 200:
            midway = Cloud().restore(through_json(replayed.snapshot()))
            replayed = midway
        assert outcome(replayed, step) == expected, f"call {i}: {step}"
    assert midway is not None


# ---------------------------------------------------------------------------- refusals


def small_snapshot():
    cloud, _ = build(1)
    cloud.call("CreateNetworkInterface", {"RegionId": REGION, "VSwitchId": _.vswitches[0], "SecurityGroupId": _.sgs[0],
                                          "SecondaryPrivateIpAddressCount": 3})
    return through_json(cloud.snapshot())


def test_unknown_version_is_refused_in_one_line():
    data = small_snapshot()
    data["version"] = VERSION + 1
    with pytest.raises(SnapshotError, match=rf"version {VERSION + 1} is not one this simkit reads \(it reads version {VERSION}\)"):
        Cloud().restore(data)
    with pytest.raises(SnapshotError, match="not a simkit state"):
        Cloud().restore({"VSwitches": []})


def test_a_snapshot_that_contradicts_itself_is_refused_line_by_line():
    data = small_snapshot()
    region = data["regions"][0]
    enis = region["enis"]
    # An address in two ENIs; an ENI in a vSwitch the snapshot lacks; a prefix outside any reservation.
    enis[1]["secondary_ips"].append(enis[0]["primary_ip"])
    enis[2]["vswitch_id"] = "vsw-nowhere"
    enis[-1]["prefixes"] = ["10.0.0.240/28"]
    with pytest.raises(SnapshotError) as info:
        Cloud().restore(data)
    problems = info.value.problems
    assert any(f"{enis[0]['primary_ip']} is already in use (held by ENI {enis[0]['id']})" in p for p in problems), problems
    assert any(f"ENI {enis[2]['id']} is in vSwitch vsw-nowhere, which is not in the state" in p for p in problems), problems
    assert any("prefix 10.0.0.240/28 is not inside a CIDR reservation of the vSwitch" in p for p in problems), problems
    assert str(info.value).count("\n  - ") == len(problems) >= 3


def test_restore_needs_a_new_cloud():
    data = small_snapshot()
    cloud = Cloud()
    cloud.call("CreateVpc", {"RegionId": REGION})
    with pytest.raises(ValueError, match="restore needs a new account"):
        cloud.restore(data)


def test_a_refused_snapshot_leaves_nothing_behind():
    data = small_snapshot()
    bad = copy.deepcopy(data)
    bad["regions"][0]["enis"][0]["vswitch_id"] = "vsw-nowhere"
    cloud = Cloud()
    with pytest.raises(SnapshotError):
        cloud.restore(bad)
    assert cloud.model.regions == {}
