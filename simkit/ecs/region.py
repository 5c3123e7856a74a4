"""One region's resources, and the lookups every operation shares (each refuses a missing or
malformed id with the API's own code)."""

from __future__ import annotations

from simkit.ecs.resources import CidrReservation, Eni, Instance, SecurityGroup, Vpc, VSwitch
from simkit.ecs.settings import CloudSettings
from simkit.errors import api_error

__all__ = ["Region"]


class Region:
    """The resources of one region, by id."""

    __slots__ = ("id", "vpcs", "vswitches", "reservations", "security_groups", "instances", "enis", "secondary_enis")

    def __init__(self, region_id: str):
        self.id = region_id
        self.vpcs: dict[str, Vpc] = {}
        self.vswitches: dict[str, VSwitch] = {}
        self.reservations: dict[str, CidrReservation] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.instances: dict[str, Instance] = {}
        self.enis: dict[str, Eni] = {}
        self.secondary_enis = 0  # counted against settings.account_eni_quota

    def eni(self, eni_id: str) -> Eni:
        """Raises InvalidEniId.Malformed or InvalidEniId.NotFound."""
        if not isinstance(eni_id, str) or not eni_id.startswith("eni-"):
            raise api_error("InvalidEniId.Malformed")
        eni = self.enis.get(eni_id)
        if eni is None:
            raise api_error("InvalidEniId.NotFound", eni_id)
        return eni

    def instance(self, instance_id: str, not_found: str = "InvalidInstanceId.NotFound") -> Instance:
        """Raises InvalidInstanceID.Malformed, or ``not_found`` (the code differs by API)."""
        if not isinstance(instance_id, str) or not instance_id.startswith("i-"):
            raise api_error("InvalidInstanceID.Malformed", instance_id)
        instance = self.instances.get(instance_id)
        if instance is None:
            raise api_error(not_found, instance_id)
        return instance

    def vswitch(self, vswitch_id: str) -> VSwitch:
        """Raises InvalidVSwitchId.NotFound."""
        vsw = self.vswitches.get(vswitch_id)
        if vsw is None:
            raise api_error("InvalidVSwitchId.NotFound", vswitch_id)
        return vsw

    def vpc(self, vpc_id: str) -> Vpc:
        """Raises InvalidVpcId.NotFound."""
        vpc = self.vpcs.get(vpc_id)
        if vpc is None:
            raise api_error("InvalidVpcId.NotFound", vpc_id)
        return vpc

    def joinable_security_groups(self, ids: list[str], vpc_id: str, new_members: int, settings: CloudSettings,
                                 mismatch: str = "InvalidOperation.VpcMismatch") -> list[SecurityGroup]:
        """The groups ``new_members`` new ENIs in ``vpc_id`` join, each ENI all of them.

        Raises InvalidParameter (more groups than settings.security_groups_per_eni, or groups of
        both types: an ENI's groups are all basic or all advanced), InvalidSecurityGroupId.NotFound,
        InvalidSecurityGroupId.NotVpc, ``mismatch`` (the code differs by API) or
        SecurityGroupInstanceLimitExceed past settings.security_group_capacity ENIs."""
        per_eni = settings.security_groups_per_eni
        if per_eni is not None and len(ids) > per_eni:
            raise api_error("InvalidParameter", "SecurityGroupIds.N",
                            f"{len(ids)} security groups; an ENI is in at most {per_eni} (limits.security_groups_per_eni)")
        capacity = settings.security_group_capacity
        groups = []
        for sg_id in ids:
            sg = self.security_group(sg_id)
            if sg.vpc_id is None:
                raise api_error("InvalidSecurityGroupId.NotVpc", sg_id)
            if sg.vpc_id != vpc_id:
                raise api_error(mismatch, sg_id, vpc_id) if mismatch == "InvalidOperation.VpcMismatch" else \
                    api_error(mismatch, "SecurityGroupId", f"{sg_id} is in {sg.vpc_id}, the vSwitch in {vpc_id}")
            if capacity is not None and sg.members + new_members > capacity:
                raise api_error("SecurityGroupInstanceLimitExceed", sg_id,
                                f"(it holds {sg.members:,} ENIs, and at most {capacity:,})", limit="security_group_enis")
            if groups and sg.type is not groups[0].type:
                raise api_error("InvalidParameter", "SecurityGroupIds.N",
                                f"{groups[0].id} is {groups[0].type} and {sg_id} {sg.type}; an ENI's security groups "
                                f"are all of one type")
            groups.append(sg)
        return groups

    def security_group(self, sg_id: str) -> SecurityGroup:
        """Raises InvalidSecurityGroupId.NotFound."""
        sg = self.security_groups.get(sg_id)
        if sg is None:
            raise api_error("InvalidSecurityGroupId.NotFound", sg_id)
        return sg
