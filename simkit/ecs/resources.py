"""The resources of the simulated account. Plain mutable records owned by ``Account``;
addresses are ints, prefixes are base ints of /28 blocks."""

from __future__ import annotations

from simkit.catalog import InstanceType
from simkit.net import AddressSpace, Cidr, Reservation

__all__ = ["CidrReservation", "Eni", "Instance", "SecurityGroup", "Vpc", "VSwitch"]


class Vpc:
    __slots__ = ("id", "region_id", "cidr", "name", "description", "created", "vswitch_ids", "vrouter_id", "route_table_id")

    def __init__(self, id: str, region_id: str, cidr: Cidr, name: str, description: str, created: float):
        self.id = id
        self.region_id = region_id
        self.cidr = cidr
        self.name = name
        self.description = description
        self.created = created
        self.vswitch_ids: list[str] = []
        self.vrouter_id = "vrt-" + id[4:]
        self.route_table_id = "vtb-" + id[4:]


class VSwitch:
    __slots__ = ("id", "region_id", "vpc_id", "zone_id", "cidr", "space", "status", "name", "description", "created", "reservation_ids")

    def __init__(self, id, region_id, vpc_id, zone_id, cidr: Cidr, space: AddressSpace, name, description, created):
        self.id = id
        self.region_id = region_id
        self.vpc_id = vpc_id
        self.zone_id = zone_id
        self.cidr = cidr
        self.space = space
        self.status = "Available"
        self.name = name
        self.description = description
        self.created = created
        self.reservation_ids: list[str] = []


class CidrReservation:
    __slots__ = ("id", "region_id", "vswitch_id", "vpc_id", "reservation", "status", "name", "description", "created")

    def __init__(self, id, region_id, vswitch_id, vpc_id, reservation: Reservation, name, description, created):
        self.id = id
        self.region_id = region_id
        self.vswitch_id = vswitch_id
        self.vpc_id = vpc_id
        self.reservation = reservation
        self.status = "Assigning"
        self.name = name
        self.description = description
        self.created = created


class SecurityGroup:
    __slots__ = ("id", "region_id", "vpc_id", "name", "description", "created", "members")

    def __init__(self, id, region_id, vpc_id, name, description, created):
        self.id = id
        self.region_id = region_id
        self.vpc_id = vpc_id  # None: a classic-network group
        self.name = name
        self.description = description
        self.created = created
        self.members = 0  # ENIs in the group


class Instance:
    __slots__ = (
        "id", "region_id", "zone_id", "vpc_id", "vswitch_id", "type", "status", "name", "created",
        "eni_ids", "security_group_ids", "migrating", "cloud_box",
    )

    def __init__(self, id, region_id, zone_id, vpc_id, vswitch_id, type: InstanceType, name, created, security_group_ids):
        self.id = id
        self.region_id = region_id
        self.zone_id = zone_id
        self.vpc_id = vpc_id
        self.vswitch_id = vswitch_id
        self.type = type
        self.status = "Pending"
        self.name = name
        self.created = created
        self.eni_ids: list[str] = []  # primary first, then secondaries attached or attaching
        self.security_group_ids = security_group_ids
        self.migrating = False
        self.cloud_box = False


class Eni:
    __slots__ = (
        "id", "region_id", "vswitch_id", "vpc_id", "zone_id", "type", "status", "instance_id", "primary_ip",
        "secondaries", "prefixes", "security_group_ids", "mac", "name", "description", "created", "service_managed",
    )

    def __init__(self, id, region_id, vswitch: "VSwitch", type, primary_ip: int, security_group_ids, mac, name, description, created):
        self.id = id
        self.region_id = region_id
        self.vswitch_id = vswitch.id
        self.vpc_id = vswitch.vpc_id
        self.zone_id = vswitch.zone_id
        self.type = type  # "Primary" or "Secondary"
        self.status = "Available"
        self.instance_id: str | None = None
        self.primary_ip = primary_ip
        # Insertion-ordered sets: responses list addresses in the order they were assigned.
        self.secondaries: dict[int, None] = {}
        self.prefixes: dict[int, None] = {}
        self.security_group_ids = security_group_ids
        self.mac = mac
        self.name = name
        self.description = description
        self.created = created
        self.service_managed = False

    @property
    def ipv4_slots_used(self) -> int:
        """Private IPv4 slots in use: the primary, each secondary, and one per /28 prefix."""
        return 1 + len(self.secondaries) + len(self.prefixes)
