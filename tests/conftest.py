"""Shared helpers: a small world (VPC, vSwitch, security group, instances) built through
``Cloud.call``, so every test talks to the model in the API's vocabulary."""

from __future__ import annotations

import pytest

from simkit import ApiError, Cloud
from simkit.catalog import default_zone

REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-h"


class World:
    """A Cloud plus shortcuts that return ids. ``call`` passes RegionId for you."""

    def __init__(self, cloud: Cloud, region: str = REGION):
        self.cloud = cloud
        self.region = region

    def call(self, action: str, **params):
        params.setdefault("RegionId", self.region)
        return self.cloud.call(action, params)

    def vpc(self, cidr="10.0.0.0/16") -> str:
        return self.call("CreateVpc", CidrBlock=cidr)["VpcId"]

    def vswitch(self, vpc: str, cidr: str, zone: str | None = None) -> str:
        return self.call("CreateVSwitch", VpcId=vpc, ZoneId=zone or self.zone, CidrBlock=cidr)["VSwitchId"]

    @property
    def zone(self) -> str:
        """cn-hangzhou-h in the default region, else the region's first sourced zone."""
        return ZONE if self.region == REGION else default_zone(self.region)

    def sg(self, vpc: str | None) -> str:
        params = {"VpcId": vpc} if vpc else {}
        return self.call("CreateSecurityGroup", **params)["SecurityGroupId"]

    def instances(self, vsw: str, sg: str, itype: str = "ecs.g7.large", amount: int = 1) -> list[str]:
        body = self.call("RunInstances", InstanceType=itype, VSwitchId=vsw, SecurityGroupId=sg, Amount=amount)
        return body["InstanceIdSets"]["InstanceIdSet"]

    def eni(self, vsw: str, sg: str, **params) -> str:
        return self.call("CreateNetworkInterface", VSwitchId=vsw, SecurityGroupId=sg, **params)["NetworkInterfaceId"]

    def attach(self, eni: str, instance: str, settle: bool = True) -> None:
        self.call("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=instance)
        if settle:
            self.cloud.advance(self.cloud.settings.eni_attach_seconds)

    def assign(self, eni: str, **params) -> dict:
        return self.call("AssignPrivateIpAddresses", NetworkInterfaceId=eni, **params)["AssignedPrivateIpAddressesSet"]

    def describe_eni(self, eni: str) -> dict:
        (item,) = self.call("DescribeNetworkInterfaces", NetworkInterfaceId=[eni])["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        return item

    def reserve(self, vsw: str, settle: bool = True, **params) -> str:
        rid = self.call("CreateVSwitchCidrReservation", VSwitchId=vsw, **params)["VSwitchCidrReservationId"]
        if settle:
            self.cloud.advance(self.cloud.settings.reservation_assign_seconds)
        return rid

    def basic(self, vsw_cidr="10.0.0.0/24", itype="ecs.g7.large"):
        """VPC 10.0.0.0/16, one vSwitch, one security group, one instance, one attached secondary ENI."""
        vpc = self.vpc()
        vsw = self.vswitch(vpc, vsw_cidr)
        sg = self.sg(vpc)
        (inst,) = self.instances(vsw, sg, itype)
        eni = self.eni(vsw, sg)
        self.attach(eni, inst)
        return vpc, vsw, sg, inst, eni


def refused(fn, *args, **kwargs) -> ApiError:
    """Call and return the ApiError it raises (fails the test when nothing is raised)."""
    with pytest.raises(ApiError) as err:
        fn(*args, **kwargs)
    return err.value


@pytest.fixture
def world() -> World:
    return World(Cloud(seed=0, placement="lowest"))


# ---------------------------------------------------------------- the default scenario's report

#: The report's creation time in the tests (SOURCE_DATE_EPOCH): 2026-01-01T00:00:00Z.
REPORT_EPOCH = "1767225600"


def simkit_process(*args, cwd=None, env=None, timeout=300):
    """``python -m simkit ARGS`` in a process of its own, importing this checkout's simkit."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import simkit

    source = str(Path(simkit.__file__).resolve().parent.parent)
    env = {**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "simkit", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


@pytest.fixture(scope="session")
def default_report(tmp_path_factory):
    """The folder ``simkit run --out`` writes for the embedded default scenario (in a process of
    its own, as a user runs it, its creation time fixed), and that process's output."""
    folder = tmp_path_factory.mktemp("default-report")
    out = simkit_process("run", "--out", str(folder / "report"), cwd=folder, env={"SOURCE_DATE_EPOCH": REPORT_EPOCH})
    assert out.returncode == 0, out.stderr
    return folder / "report", out
