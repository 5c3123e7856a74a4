"""API churn through Cloud.call, beside moto's EC2 mock on the same trace.

200 ENIs in a /20, each with a primary and 9 secondary IPs (the /20 about half full), then a
seeded trace of calls: each picks an ENI and either assigns 1-4 secondary IPs
(AssignPrivateIpAddresses with SecondaryPrivateIpAddressCount) or unassigns 1-4 of those it
holds (UnassignPrivateIpAddresses naming them), steering towards the starting occupancy and
keeping each ENI under 20 secondaries. Both sides get the same calls with the same string
parameters and read the addresses back from the responses, as a client does. Calls per second
are calls divided by the wall time of the whole loop; duplicates are addresses held by two
ENIs at the end, as the client sees them.

moto (an optional bench dependency: pip install -e '.[bench]') is skipped with a note when
it is not installed. Run: make bench.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

from simkit import Cloud  # noqa: E402

ENIS = 200
START_SECONDARIES = 9
CAP = 19
SEED = 7
CALLS = 300_000
CALLS_MOTO = 5_000
REGION = "cn-hangzhou"


def make_trace(n: int, seed: int):
    rng = random.Random(seed)
    held = [START_SECONDARIES] * ENIS
    total = target = ENIS * START_SECONDARIES
    trace = []
    for _ in range(n):
        i = rng.randrange(ENIS)
        k = rng.randint(1, 4)
        take = rng.random() < (0.55 if total < target else 0.45)
        if take and held[i] + k > CAP:
            take = False
        if not take and held[i] < k:
            take = True
        trace.append((i, take, k))
        held[i] += k if take else -k
        total += k if take else -k
    return trace


def run_simkit(trace) -> tuple[float, int, int]:
    cloud = Cloud(seed=SEED)
    call = cloud.call
    vpc = call("CreateVpc", {"RegionId": REGION, "CidrBlock": "10.0.0.0/16"})["VpcId"]
    vsw = call("CreateVSwitch", {"RegionId": REGION, "VpcId": vpc, "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.0.0/20"})["VSwitchId"]
    sg = call("CreateSecurityGroup", {"RegionId": REGION, "VpcId": vpc})["SecurityGroupId"]
    enis, owned = [], []
    for _ in range(ENIS):
        body = call("CreateNetworkInterface", {"RegionId": REGION, "VSwitchId": vsw, "SecurityGroupId": sg,
                                               "SecondaryPrivateIpAddressCount": START_SECONDARIES})
        enis.append(body["NetworkInterfaceId"])
        owned.append([s["PrivateIpAddress"] for s in body["PrivateIpSets"]["PrivateIpSet"][1:]])
    errors = 0
    start = time.perf_counter()
    for i, take, k in trace:
        mine = owned[i]
        if take:
            body = call("AssignPrivateIpAddresses", {"RegionId": REGION, "NetworkInterfaceId": enis[i],
                                                     "SecondaryPrivateIpAddressCount": k})
            mine += body["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"]
        else:
            call("UnassignPrivateIpAddresses", {"RegionId": REGION, "NetworkInterfaceId": enis[i],
                                                "PrivateIpAddress": mine[-k:]})
            del mine[-k:]
    elapsed = time.perf_counter() - start
    listed = []
    for page in _describe_all(cloud, vsw):
        for item in page:
            listed += [s["PrivateIpAddress"] for s in item["PrivateIpSets"]["PrivateIpSet"]]
    return len(trace) / elapsed, len(listed) - len(set(listed)), errors


def _describe_all(cloud, vsw):
    token = None
    while True:
        params = {"RegionId": REGION, "VSwitchId": vsw, "MaxResults": 500}
        if token:
            params["NextToken"] = token
        body = cloud.call("DescribeNetworkInterfaces", params)
        yield body["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        token = body["NextToken"]
        if not token:
            return


def run_moto(trace) -> tuple[float, int, int] | None:
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        return None
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20")["Subnet"]["SubnetId"]
        enis, owned = [], []
        for _ in range(ENIS):
            eni = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=START_SECONDARIES)["NetworkInterface"]
            enis.append(eni["NetworkInterfaceId"])
            owned.append([a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"] if not a["Primary"]])
        start = time.perf_counter()
        for i, take, k in trace:
            mine = owned[i]
            if take:
                body = ec2.assign_private_ip_addresses(NetworkInterfaceId=enis[i], SecondaryPrivateIpAddressCount=k)
                # moto answers with the ENI's whole list: the new ones are those not held before.
                have = set(mine)
                mine += [a["PrivateIpAddress"] for a in body["AssignedPrivateIpAddresses"] if a["PrivateIpAddress"] not in have][-k:]
            else:
                ec2.unassign_private_ip_addresses(NetworkInterfaceId=enis[i], PrivateIpAddresses=mine[-k:])
                del mine[-k:]
        elapsed = time.perf_counter() - start
        listed = []
        for eni in ec2.describe_network_interfaces(NetworkInterfaceIds=enis)["NetworkInterfaces"]:
            listed += [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]]
        return len(trace) / elapsed, len(listed) - len(set(listed)), 0


def main() -> None:
    print(f"machine: {machine()}")
    print(f"API churn: {ENIS} ENIs in a /20 with {START_SECONDARIES} secondaries each (~49 % full); "
          f"assign 1-4 / unassign 1-4 per call; {CALLS:,} calls through Cloud.call, {CALLS_MOTO:,} through moto\n")
    trace = make_trace(CALLS, SEED)
    rate, dups, _ = run_simkit(trace)
    moto = run_moto(trace[:CALLS_MOTO])
    print(f"{'':<34} {'calls/s':>12} {'duplicate IPs':>14}")
    print(f"{'simkit Cloud.call (full checks)':<34} {rate:>12,.0f} {dups:>14}")
    if moto is None:
        print("moto EC2 mock_aws                  (moto not installed: pip install -e '.[bench]')")
    else:
        mrate, mdups, _ = moto
        print(f"{'moto EC2 mock_aws':<34} {mrate:>12,.0f} {mdups:>14}")
        print(f"\nsimkit / moto: {rate / mrate:,.0f}x (target >= 200x)")
    print(f"target >= 100,000 calls/s through Cloud.call: {'MET' if rate >= 100_000 else 'MISSED'} ({rate:,.0f})")


if __name__ == "__main__":
    main()
