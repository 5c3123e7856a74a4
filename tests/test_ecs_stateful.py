"""Hypothesis drives random API sequences (create/attach/detach/delete ENIs, assign/unassign IPs
and prefixes, stop/start, run and delete instances (forced or not), time passing, landing inside
transitions) through Cloud.call. A plain reference model
predicts each outcome that the rules decide (capacity, states, exhaustion) and, after every
step, DescribeNetworkInterfaces and DescribeVSwitches must agree with it: no address held
twice, every limit held."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from simkit import ApiError, Cloud
from simkit.net import Cidr, format_ipv4, parse_ipv4

REGION = "cn-hangzhou"
PER_ENI = {"ecs.g7.large": 6, "ecs.g7.xlarge": 15}
ENIS_PER_INSTANCE = {"ecs.g7.large": 3, "ecs.g7.xlarge": 4}
AVAILABLE_MAX = 49


class RefEni:
    def __init__(self, eni_id, primary, instance=None, status="Available", kind="Secondary"):
        self.id = eni_id
        self.primary = primary
        self.secondaries: set[int] = set()
        self.prefixes: set[int] = set()
        self.instance = instance
        self.status = status
        self.kind = kind
        self.due = None  # (time, next status) of an asynchronous transition


class CloudMachine(RuleBasedStateMachine):
    @initialize(policy=st.sampled_from(["random", "lowest", "pack"]), seed=st.integers(0, 1000),
                mask=st.sampled_from([24, 25, 26]), itype=st.sampled_from(list(PER_ENI)))
    def setup(self, policy, seed, mask, itype):
        self.cloud = Cloud(seed=seed, placement=policy)
        self.vsw_cidr = Cidr(parse_ipv4("10.0.0.0"), mask)
        vpc = self.call("CreateVpc", CidrBlock="10.0.0.0/16")["VpcId"]
        self.vsw = self.call("CreateVSwitch", VpcId=vpc, ZoneId="cn-hangzhou-h", CidrBlock=str(self.vsw_cidr))["VSwitchId"]
        self.sg = self.call("CreateSecurityGroup", VpcId=vpc)["SecurityGroupId"]
        self.reservation = Cidr(self.vsw_cidr.base + self.vsw_cidr.size // 4, mask + 2)  # the second quarter
        self.call("CreateVSwitchCidrReservation", VSwitchId=self.vsw, VSwitchCidrReservationCidr=str(self.reservation))
        self.cloud.advance(1)
        self.itype = itype
        self.instances: dict[str, dict] = {}
        self.enis: dict[str, RefEni] = {}
        for iid in self.call("RunInstances", InstanceType=itype, VSwitchId=self.vsw, SecurityGroupId=self.sg, Amount=2)["InstanceIdSets"]["InstanceIdSet"]:
            self.instances[iid] = {"status": "Running", "due": None}
        for item in self.describe():
            eni = RefEni(item["NetworkInterfaceId"], parse_ipv4(item["PrivateIpAddress"]), item["InstanceId"], "InUse", "Primary")
            self.enis[eni.id] = eni

    # ---------------------------------------------------------------- helpers

    def call(self, action, **params):
        params.setdefault("RegionId", REGION)
        return self.cloud.call(action, params)

    def describe(self):
        return self.call("DescribeNetworkInterfaces", VSwitchId=self.vsw, PageSize=500)["NetworkInterfaceSets"]["NetworkInterfaceSet"]

    def held(self):
        out = set()
        for e in self.enis.values():
            out |= {e.primary} | e.secondaries
        return out

    def free_singles(self):
        c, r = self.vsw_cidr, self.reservation
        taken = self.held() | {c.base, c.last - 2, c.last - 1, c.last}
        return sum(1 for a in range(c.base, c.last + 1) if a not in taken and a not in r)

    def free_prefixes(self):
        used = {p for e in self.enis.values() for p in e.prefixes}
        return self.reservation.size // 16 - len(used)

    def enis_of(self, iid):
        return [e for e in self.enis.values() if e.instance == iid]

    def expect(self, code, fn, *args, **kwargs):
        """Run fn; with code None it must succeed, else fail with that code. Returns the body."""
        if code is None:
            return fn(*args, **kwargs)
        with pytest.raises(ApiError) as err:
            fn(*args, **kwargs)
        assert err.value.code == code, (code, err.value)
        return None

    # ---------------------------------------------------------------- rules

    @rule(n=st.integers(0, 4))
    def create_eni(self, n):
        params = {"SecondaryPrivateIpAddressCount": n} if n else {}
        code = "InvalidVSwitchId.IpNotEnough" if 1 + n > self.free_singles() else None
        body = self.expect(code, self.call, "CreateNetworkInterface", VSwitchId=self.vsw, SecurityGroupId=self.sg, **params)
        if body:
            eni = RefEni(body["NetworkInterfaceId"], parse_ipv4(body["PrivateIpAddress"]))
            eni.secondaries = {parse_ipv4(s["PrivateIpAddress"]) for s in body["PrivateIpSets"]["PrivateIpSet"][1:]}
            assert len(eni.secondaries) == n
            self.enis[eni.id] = eni

    @rule(data=st.data())
    def create_and_attach(self, data):
        # Reaching the per-instance ENI limit takes several attaches; this shortcut makes it common.
        before = set(self.enis)
        self.create_eni(0)
        new = set(self.enis) - before
        if new:
            (eni_id,) = new
            self.attach_eni(self.enis[eni_id], data.draw(st.sampled_from(sorted(self.instances))))

    def pick(self, data, kind=None):
        candidates = sorted(e.id for e in self.enis.values() if kind is None or e.kind == kind)
        return self.enis[data.draw(st.sampled_from(candidates))] if candidates else None

    @rule(data=st.data(), n=st.integers(1, 8))
    def assign(self, data, n):
        eni = self.pick(data)
        code = self.assign_refusal(eni, n)
        if code is None and n > self.free_singles():
            code = "InvalidVSwitchId.IpNotEnough"
        body = self.expect(code, self.call, "AssignPrivateIpAddresses", NetworkInterfaceId=eni.id, SecondaryPrivateIpAddressCount=n)
        if body:
            got = {parse_ipv4(a) for a in body["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"]}
            assert len(got) == n and not got & self.held()
            eni.secondaries |= got

    @rule(data=st.data(), n=st.integers(1, 3))
    def assign_prefixes(self, data, n):
        eni = self.pick(data)
        code = self.assign_refusal(eni, n)
        if code is None and n > self.free_prefixes():
            code = "InvalidVSwitchId.IpPrefixNotEnough"
        body = self.expect(code, self.call, "AssignPrivateIpAddresses", NetworkInterfaceId=eni.id, Ipv4PrefixCount=n)
        if body:
            got = {Cidr.parse(p).base for p in body["AssignedPrivateIpAddressesSet"]["Ipv4PrefixSet"]["Ipv4Prefixes"]}
            assert len(got) == n and all(p in self.reservation for p in got)
            eni.prefixes |= got

    @rule(data=st.data(), offsets=st.lists(st.integers(-2, 70), min_size=1, max_size=3))
    def assign_named(self, data, offsets):
        # Named addresses near the start of the vSwitch: some outside it, some system-reserved,
        # some in the reservation, some held by this or another ENI.
        eni = self.pick(data)
        c = self.vsw_cidr
        addrs = [c.base + o for o in offsets]
        code = self.assign_refusal(eni, len(addrs))
        if code is None:
            held_by = {a: e for e in self.enis.values() for a in ({e.primary} | e.secondaries)}
            system = {c.base, c.last - 2, c.last - 1, c.last}
            seen = set()
            if len(set(addrs)) != len(addrs):
                code = "InvalidPrivateIpAddress.Duplicated"
            for a in addrs:
                if code:
                    break
                if a not in c or a in system or a in self.reservation:
                    code = "InvalidVSwitchId.IpInvalid"
                elif a in held_by:
                    code = "InvalidIp.IpRepeated" if held_by[a] is eni else "InvalidIp.IpAssigned"
                seen.add(a)
        body = self.expect(code, self.call, "AssignPrivateIpAddresses", NetworkInterfaceId=eni.id,
                           PrivateIpAddress=[format_ipv4(a) for a in addrs])
        if body:
            got = [parse_ipv4(a) for a in body["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"]]
            assert got == addrs
            eni.secondaries |= set(addrs)

    @rule(data=st.data(), blocks=st.lists(st.integers(0, 12), min_size=1, max_size=2))
    def assign_named_prefixes(self, data, blocks):
        # /28 blocks from the start of the vSwitch: the reservation is its second quarter.
        eni = self.pick(data)
        c = self.vsw_cidr
        bases = [c.base + 16 * b for b in blocks]
        code = self.assign_refusal(eni, len(bases))
        if code is None:
            used = {p for e in self.enis.values() for p in e.prefixes}
            for i, p in enumerate(bases):
                if not (p in self.reservation and p + 15 in self.reservation):
                    code = "InvalidIp.IpPrefixMustInReserveSegment"
                elif p in used or p in bases[:i]:
                    code = "InvalidIp.IpPrefixNotAvailable"
                if code:
                    break
        body = self.expect(code, self.call, "AssignPrivateIpAddresses", NetworkInterfaceId=eni.id,
                           Ipv4Prefix=[f"{format_ipv4(p)}/28" for p in bases])
        if body:
            eni.prefixes |= set(bases)

    def assign_refusal(self, eni, n):
        if eni.status in ("Attaching", "Detaching"):
            return "Operation.Conflict"
        if eni.status == "Deleting":
            return "InvalidOperation.InvalidEniState"
        if eni.kind == "Primary" and self.instances[eni.instance]["status"] not in ("Running", "Stopped"):
            return "InvalidOperation.InvalidEcsState"
        if eni.status == "InUse":
            if 1 + len(eni.secondaries) + len(eni.prefixes) + n > PER_ENI[self.itype]:
                return "InvalidOperation.Ipv4CountExceeded"
        elif len(eni.secondaries) + len(eni.prefixes) + n > AVAILABLE_MAX:
            return "MaxEniPrivateIpsCountExceeded"
        return None

    @rule(data=st.data(), k=st.integers(1, 3), with_prefix=st.booleans())
    def unassign(self, data, k, with_prefix):
        eni = self.pick(data)
        ips = sorted(eni.secondaries)[:k]
        prefixes = sorted(eni.prefixes)[:1] if with_prefix else []
        if not ips and not prefixes:
            return
        code = self.assign_refusal(eni, 0) if eni.status != "InUse" or eni.kind == "Primary" else None
        if code in ("InvalidOperation.Ipv4CountExceeded", "MaxEniPrivateIpsCountExceeded"):
            code = None
        params = {}
        if ips:
            params["PrivateIpAddress"] = [format_ipv4(a) for a in ips]
        if prefixes:
            params["Ipv4Prefix"] = [f"{format_ipv4(p)}/28" for p in prefixes]
        if self.expect(code, self.call, "UnassignPrivateIpAddresses", NetworkInterfaceId=eni.id, **params) is not None:
            eni.secondaries -= set(ips)
            eni.prefixes -= set(prefixes)

    @rule(data=st.data())
    def attach(self, data):
        eni = self.pick(data, "Secondary")
        if eni is None:
            return
        self.attach_eni(eni, data.draw(st.sampled_from(sorted(self.instances))))

    def attach_eni(self, eni, iid):
        inst = self.instances[iid]
        if eni.status in ("Attaching", "Detaching"):
            code = "Operation.Conflict"
        elif eni.status != "Available":
            code = "InvalidOperation.InvalidEniState"
        elif inst["status"] not in ("Running", "Stopped"):
            code = "InvalidOperation.InvalidEcsState"
        elif len(self.enis_of(iid)) >= ENIS_PER_INSTANCE[self.itype]:
            code = "EniPerInstanceLimitExceeded"
        elif 1 + len(eni.secondaries) + len(eni.prefixes) > PER_ENI[self.itype]:
            code = "InvalidOperation.Ipv4CountExceeded"
        else:
            code = None
        if self.expect(code, self.call, "AttachNetworkInterface", NetworkInterfaceId=eni.id, InstanceId=iid) is not None:
            eni.status, eni.instance, eni.due = "Attaching", iid, (self.cloud.now + 2.0, "InUse")

    @rule(data=st.data())
    def detach(self, data):
        eni = self.pick(data, "Secondary")
        if eni is None or eni.instance is None:
            return
        self.detach_eni(eni)

    def detach_eni(self, eni):
        inst = self.instances[eni.instance]
        if eni.status == "Detaching":
            code = None
        elif eni.status != "InUse":
            code = "InvalidOperation.InvalidEniState"
        elif inst["status"] not in ("Running", "Stopped"):
            code = "InvalidOperation.InvalidEcsState"
        else:
            code = None
        if self.expect(code, self.call, "DetachNetworkInterface", NetworkInterfaceId=eni.id, InstanceId=eni.instance) is not None:
            if eni.status == "InUse":
                eni.status, eni.due = "Detaching", (self.cloud.now + 2.0, "Available")

    @rule(data=st.data())
    def delete(self, data):
        eni = self.pick(data, "Secondary")
        if eni is None:
            return
        if eni.status in ("Attaching", "Detaching"):
            code = "Operation.Conflict"
        elif eni.status != "Available":
            code = "InvalidOperation.InvalidEniState"
        else:
            code = None
        if self.expect(code, self.call, "DeleteNetworkInterface", NetworkInterfaceId=eni.id) is not None:
            eni.status, eni.due = "Deleting", (self.cloud.now + 1.0, None)

    @rule(data=st.data(), stop=st.booleans())
    def stop_or_start(self, data, stop):
        iid = data.draw(st.sampled_from(sorted(self.instances)))
        inst = self.instances[iid]
        if stop:
            code = None if inst["status"] == "Running" else "IncorrectInstanceStatus"
            if self.expect(code, self.call, "StopInstance", InstanceId=iid) is not None:
                inst["status"], inst["due"] = "Stopping", (self.cloud.now + 5.0, "Stopped")
        else:
            code = None if inst["status"] == "Stopped" else "IncorrectInstanceStatus"
            if self.expect(code, self.call, "StartInstance", InstanceId=iid) is not None:
                inst["status"] = "Running"  # instance_start_seconds is 0

    @rule(data=st.data(), force=st.booleans())
    def delete_instance(self, data, force):
        """Deleting an instance takes its primary ENI along and leaves its secondary ENIs, attached,
        attaching or detaching, Available with no instance at once (their pending attach or detach
        voided)."""
        if len(self.instances) <= 1:
            return  # keep one to attach to
        self.delete_instance_now(data.draw(st.sampled_from(sorted(self.instances))), force)

    def delete_instance_now(self, iid, force):
        code = None if self.instances[iid]["status"] == "Stopped" or force else "IncorrectInstanceStatus"
        if self.expect(code, self.call, "DeleteInstance", InstanceId=iid, Force="true" if force else "false") is None:
            return
        del self.instances[iid]
        for eni in list(self.enis.values()):
            if eni.instance == iid:
                if eni.kind == "Primary":
                    del self.enis[eni.id]
                else:
                    eni.status, eni.instance, eni.due = "Available", None, None

    @rule(data=st.data(), force=st.booleans())
    def lose_the_instance_mid_transition(self, data, force):
        """Start an attach or a detach, then delete the instance at once (a race a controller
        can lose): the ENI's pending transition must not complete onto the gone instance."""
        eni = self.pick(data, "Secondary")
        if eni is None or len(self.instances) <= 1:
            return
        if eni.status == "Available":
            self.attach_eni(eni, data.draw(st.sampled_from(sorted(self.instances))))
        elif eni.status == "InUse":
            self.detach_eni(eni)
        if eni.instance is not None and len(self.instances) > 1:
            if self.instances[eni.instance]["status"] == "Stopped" or force:
                self.delete_instance_now(eni.instance, force)

    @rule()
    def run_instance(self):
        code = None if self.free_singles() > 0 else "QuotaExceeded.PrivateIpAddress"
        body = self.expect(code, self.call, "RunInstances", InstanceType=self.itype, VSwitchId=self.vsw,
                           SecurityGroupId=self.sg, Amount=1)
        if body is None:
            return
        (iid,) = body["InstanceIdSets"]["InstanceIdSet"]
        self.instances[iid] = {"status": "Running", "due": None}  # instance_start_seconds is 0
        (item,) = self.call("DescribeNetworkInterfaces", InstanceId=iid, Type="Primary")["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        self.enis[item["NetworkInterfaceId"]] = RefEni(item["NetworkInterfaceId"], parse_ipv4(item["PrivateIpAddress"]), iid,
                                                        "InUse", "Primary")

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.0, 5.0]))
    def advance(self, seconds):
        self.cloud.advance(seconds)
        now = self.cloud.now
        for inst in self.instances.values():
            if inst["due"] and inst["due"][0] <= now:
                inst["status"], inst["due"] = inst["due"][1], None
        for eni in list(self.enis.values()):
            if eni.due and eni.due[0] <= now:
                status = eni.due[1]
                eni.due = None
                if status is None:
                    del self.enis[eni.id]
                    continue
                eni.status = status
                if status == "Available":
                    eni.instance = None

    # ---------------------------------------------------------------- after every step

    @invariant()
    def describe_agrees_with_the_reference(self):
        if not hasattr(self, "cloud"):
            return
        seen: list[int] = []
        listed = {}
        for item in self.describe():
            listed[item["NetworkInterfaceId"]] = item
            seen += [parse_ipv4(s["PrivateIpAddress"]) for s in item["PrivateIpSets"]["PrivateIpSet"]]
        assert len(seen) == len(set(seen)), "an address is held twice"
        assert set(listed) == set(self.enis)
        for eni in self.enis.values():
            item = listed[eni.id]
            ips = [parse_ipv4(s["PrivateIpAddress"]) for s in item["PrivateIpSets"]["PrivateIpSet"]]
            prefixes = {Cidr.parse(p["Ipv4Prefix"]).base for p in item["Ipv4PrefixSets"]["Ipv4PrefixSet"]}
            assert (item["Status"], item["InstanceId"] or None) == (eni.status, eni.instance)
            assert ips[0] == eni.primary and set(ips[1:]) == eni.secondaries and prefixes == eni.prefixes
            assert all(a in self.vsw_cidr and a not in self.reservation for a in ips)
            assert all(p in self.reservation for p in prefixes)
            slots = len(ips) + len(prefixes)
            if eni.status == "InUse":
                assert slots <= PER_ENI[self.itype]
            else:
                assert slots - 1 <= AVAILABLE_MAX
        for iid in self.instances:
            assert len(self.enis_of(iid)) <= ENIS_PER_INSTANCE[self.itype]
        vsw = self.call("DescribeVSwitches", VSwitchId=self.vsw)["VSwitches"]["VSwitch"][0]
        assert vsw["AvailableIpAddressCount"] == self.free_singles()
        # The capacities that count every address on an ENI (a basic group's, the VPC's) count
        # what the ENIs hold: each primary, secondary and prefix one, through every transition.
        region = self.cloud.model.region(REGION)
        held = sum(1 + len(e.secondaries) + len(e.prefixes) for e in self.enis.values())
        sg = region.security_groups[self.sg]
        assert (sg.addresses, sg.members) == (held, len(self.enis))
        assert region.vpcs[region.vswitches[self.vsw].vpc_id].addresses == held


TestCloudSequences = settings(
    max_examples=100, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)(CloudMachine).TestCase
