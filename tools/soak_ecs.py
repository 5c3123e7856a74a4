"""A long random soak of the cloud model through ``Cloud.call``, with faults and throttling on,
checking every invariant after every step: an offline check, too long for the test suite.

Each step is a random API call (run, stop, start and delete instances, forced or not; create,
attach, detach and delete ENIs; assign and unassign addresses and prefixes, by count and named,
valid or not) or a random advance of time, often landing inside a transition. After every step:
- only ``ApiError`` with a registry code is ever raised;
- no address is held twice, every address lies in its vSwitch outside the system-reserved ones,
  single IPs outside the reservation and prefixes inside it;
- an InUse ENI holds at most its instance type's addresses, an Available one at most 49
  secondaries; no instance has more ENIs than its type allows; every ENI names an instance
  that exists, or none;
- DescribeVSwitches' AvailableIpAddressCount equals the free single addresses counted from the
  ENIs.
- the security group's and the VPC's count of private addresses (each ENI's primary, secondaries
  and prefixes, one each: a basic group's capacity and the VPC's quota) equal the ENIs' holdings.

Run: .venv/bin/python tools/soak_ecs.py --steps 1000000 (prints violations, 0 expected).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simkit import ApiError, Cloud  # noqa: E402
from simkit.errors import REGISTRY  # noqa: E402
from simkit.net import Cidr, format_ipv4, parse_ipv4  # noqa: E402

R = {"RegionId": "cn-hangzhou"}
ITYPE, PER_ENI, ENIS = "ecs.g7.large", 6, 3


class Soak:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.cloud = Cloud(seed=seed, placement=self.rng.choice(["random", "lowest", "pack"]),
                           faults={"InternalError": 0.02, "AssignPrivateIpAddresses": {"Operation.Conflict": 0.02}},
                           throttle_per_minute={"AssignPrivateIpAddresses": 200, "CreateNetworkInterface": 30})
        self.cidr = Cidr.parse("10.0.0.0/24")
        self.reservation = Cidr.parse("10.0.0.64/26")
        # The set-up itself may meet a fault: retry it until it passes.
        self.vpc = self.retry("CreateVpc", CidrBlock="10.0.0.0/16")["VpcId"]
        self.vsw = self.retry("CreateVSwitch", VpcId=self.vpc, ZoneId="cn-hangzhou-h", CidrBlock=str(self.cidr))["VSwitchId"]
        self.sg = self.retry("CreateSecurityGroup", VpcId=self.vpc)["SecurityGroupId"]
        self.retry("CreateVSwitchCidrReservation", VSwitchId=self.vsw, VSwitchCidrReservationCidr=str(self.reservation))
        self.cloud.advance(1)
        self.steps = 0
        self.violations: list[str] = []

    def retry(self, action: str, **params):
        while True:
            try:
                return self.cloud.call(action, {**R, **params})
            except ApiError as exc:
                if exc.code not in ("InternalError", "Throttling"):
                    raise
                self.cloud.advance(60)

    def call(self, action: str, **params):
        try:
            return self.cloud.call(action, {**R, **params})
        except ApiError as exc:
            if exc.code not in REGISTRY:
                self.violations.append(f"step {self.steps}: {action} raised an unregistered code {exc.code}")
            return None
        except Exception as exc:  # the soak's point: nothing else may escape
            self.violations.append(f"step {self.steps}: {action} raised {type(exc).__name__}: {exc}")
            return None

    def enis(self):
        # The checks read the model past its faults and throttling (they are not the workload).
        with self.cloud.model.gateway.exempt():
            return self._enis()

    def _enis(self):
        out = []
        token = None
        while True:
            params = {"VSwitchId": self.vsw, "MaxResults": 500}
            if token:
                params["NextToken"] = token
            body = self.cloud.call("DescribeNetworkInterfaces", {**R, **params})
            out += body["NetworkInterfaceSets"]["NetworkInterfaceSet"]
            token = body["NextToken"]
            if not token:
                return out

    def instances(self, enis) -> list[str]:
        return sorted({e["InstanceId"] for e in enis if e["Type"] == "Primary"})

    def step(self) -> None:
        self.steps += 1
        rng = self.rng
        # Targets come from the model's records (fast); every 100 steps the checks read the wire.
        region = self.cloud.model.region("cn-hangzhou")
        secondary = [e.id for e in region.enis.values() if e.type == "Secondary"]
        instances = sorted(region.instances)
        anyone = bool(region.enis) and rng.choice(list(region.enis))
        kind = rng.random()
        if kind < 0.15:
            self.cloud.advance(rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 60.0]))
        elif kind < 0.22 or not instances:
            self.call("RunInstances", InstanceType=ITYPE, VSwitchId=self.vsw, SecurityGroupId=self.sg, Amount=rng.randint(1, 2))
        elif kind < 0.27:
            self.call("DeleteInstance", InstanceId=rng.choice(instances), Force=rng.choice(["true", "false"]))
        elif kind < 0.32:
            self.call(rng.choice(["StopInstance", "StartInstance"]), InstanceId=rng.choice(instances))
        elif kind < 0.42:
            params = {"VSwitchId": self.vsw, "SecurityGroupId": self.sg}
            if rng.random() < 0.3:
                params["SecondaryPrivateIpAddressCount"] = rng.randint(1, 6)
            elif rng.random() < 0.3:
                params["Ipv4PrefixCount"] = rng.randint(1, 3)
            self.call("CreateNetworkInterface", **params)
        elif kind < 0.52 and secondary:
            self.call("AttachNetworkInterface", NetworkInterfaceId=rng.choice(secondary), InstanceId=rng.choice(instances))
        elif kind < 0.58 and secondary:
            self.call("DetachNetworkInterface", NetworkInterfaceId=rng.choice(secondary), InstanceId=rng.choice(instances))
        elif kind < 0.62 and secondary:
            self.call("DeleteNetworkInterface", NetworkInterfaceId=rng.choice(secondary))
        elif kind < 0.80 and anyone:
            r = rng.random()
            if r < 0.6:
                self.call("AssignPrivateIpAddresses", NetworkInterfaceId=anyone, SecondaryPrivateIpAddressCount=rng.randint(1, 4),
                          ClientToken=f"t{rng.randint(0, 50)}")
            elif r < 0.8:
                self.call("AssignPrivateIpAddresses", NetworkInterfaceId=anyone, Ipv4PrefixCount=rng.randint(1, 2))
            else:
                named = [format_ipv4(self.cidr.base + rng.randint(0, 255)) for _ in range(rng.randint(1, 3))]
                self.call("AssignPrivateIpAddresses", NetworkInterfaceId=anyone, PrivateIpAddress=named)
        elif anyone:
            eni = region.enis[anyone]
            ips = [format_ipv4(a) for a in (eni.primary_ip, *eni.secondaries)]
            prefixes = [f"{format_ipv4(p)}/28" for p in eni.prefixes]
            if prefixes and rng.random() < 0.4:
                self.call("UnassignPrivateIpAddresses", NetworkInterfaceId=anyone, Ipv4Prefix=rng.sample(prefixes, 1))
            else:  # may name the primary, or an address of another ENI: refused, and nothing changes
                pool = ips + [format_ipv4(self.cidr.base + rng.randint(0, 255))]
                self.call("UnassignPrivateIpAddresses", NetworkInterfaceId=anyone,
                          PrivateIpAddress=rng.sample(pool, min(len(pool), rng.randint(1, 2))))
        self.check(self.enis() if self.steps % 100 == 0 else self.records())

    def records(self) -> list[dict]:
        """The ENIs as the model holds them, in the shape of the wire's items (what check reads)."""
        region = self.cloud.model.region("cn-hangzhou")
        return [{"NetworkInterfaceId": e.id, "Type": str(e.type), "Status": str(e.status), "InstanceId": e.instance_id or "",
                 "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": format_ipv4(a)} for a in (e.primary_ip, *e.secondaries)]},
                 "Ipv4PrefixSets": {"Ipv4PrefixSet": [{"Ipv4Prefix": f"{format_ipv4(p)}/28"} for p in e.prefixes]}}
                for e in region.enis.values() if e.vswitch_id == self.vsw]

    def check(self, enis: list[dict]) -> None:
        live = set(self.instances(enis))
        seen: set[int] = set()
        per_instance: dict[str, int] = {}
        system = {self.cidr.base, self.cidr.last - 2, self.cidr.last - 1, self.cidr.last}
        for e in enis:
            ips = [parse_ipv4(s["PrivateIpAddress"]) for s in e["PrivateIpSets"]["PrivateIpSet"]]
            prefixes = [Cidr.parse(p["Ipv4Prefix"]) for p in e["Ipv4PrefixSets"]["Ipv4PrefixSet"]]
            held = ips + [a for p in prefixes for a in range(p.base, p.base + 16)]
            for a in held:
                if a in seen:
                    self.violations.append(f"step {self.steps}: {format_ipv4(a)} held twice")
                seen.add(a)
                if a not in self.cidr or a in system:
                    self.violations.append(f"step {self.steps}: {format_ipv4(a)} outside the vSwitch or system-reserved")
            if any(a in self.reservation for a in ips) or any(not self.reservation.contains_block(p) for p in prefixes):
                self.violations.append(f"step {self.steps}: {e['NetworkInterfaceId']} singles in the reservation or prefixes outside")
            slots = len(ips) + len(prefixes)
            if e["Status"] == "InUse" and slots > PER_ENI:
                self.violations.append(f"step {self.steps}: {e['NetworkInterfaceId']} InUse with {slots} > {PER_ENI} slots")
            if e["Status"] == "Available" and slots - 1 > 49:
                self.violations.append(f"step {self.steps}: {e['NetworkInterfaceId']} Available with {slots - 1} > 49")
            owner = e["InstanceId"]
            if owner:
                if owner not in live:
                    self.violations.append(f"step {self.steps}: {e['NetworkInterfaceId']} names a gone instance {owner}")
                per_instance[owner] = per_instance.get(owner, 0) + 1
            elif e["Status"] in ("InUse", "Attaching", "Detaching"):
                self.violations.append(f"step {self.steps}: {e['NetworkInterfaceId']} is {e['Status']} with no instance")
        for owner, n in per_instance.items():
            if n > ENIS:
                self.violations.append(f"step {self.steps}: {owner} has {n} > {ENIS} ENIs")
        free = sum(1 for a in range(self.cidr.base, self.cidr.last + 1)
                   if a not in seen and a not in system and a not in self.reservation)
        with self.cloud.model.gateway.exempt():
            vsw = self.cloud.call("DescribeVSwitches", {**R, "VSwitchId": self.vsw})["VSwitches"]["VSwitch"][0]
        if vsw["AvailableIpAddressCount"] != free:
            self.violations.append(f"step {self.steps}: AvailableIpAddressCount {vsw['AvailableIpAddressCount']} != {free}")
        region = self.cloud.model.region("cn-hangzhou")
        slots = sum(len(e["PrivateIpSets"]["PrivateIpSet"]) + len(e["Ipv4PrefixSets"]["Ipv4PrefixSet"]) for e in enis)
        counted = (region.security_groups[self.sg].addresses, region.vpcs[self.vpc].addresses)
        if counted != (slots, slots):
            self.violations.append(f"step {self.steps}: the group and the VPC count {counted} addresses, the ENIs hold {slots}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="independent runs (seeds 0..runs-1) sharing the steps")
    args = parser.parse_args()
    t0 = time.perf_counter()
    total, violations = 0, []
    per_run = args.steps // args.runs
    for seed in range(args.runs):
        soak = Soak(seed)
        for i in range(per_run):
            soak.step()
            if (i + 1) % 20_000 == 0:
                print(f"seed {seed}: {i + 1:,} steps, {len(soak.violations)} violations so far "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
        total += soak.steps
        violations += [f"seed {seed}: {v}" for v in soak.violations]
        print(f"seed {seed}: {soak.steps:,} steps, {len(soak.violations)} violations ({time.perf_counter() - t0:.0f} s)", flush=True)
    for v in violations[:20]:
        print(v)
    print(f"{total:,} steps, {len(violations)} violations")


if __name__ == "__main__":
    main()
