"""The resources of the simulated account. Plain mutable records owned by ``Account``;
addresses are ints, prefixes are base ints of /28 blocks. ``created`` is simulated seconds.

Records compare by identity (``eq=False``): two ENIs with the same fields are still two ENIs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from simkit.catalog import InstanceType
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, ReservationStatus, SecurityGroupType, VSwitchStatus
from simkit.net import AddressSpace, Cidr, Reservation

__all__ = ["CidrReservation", "Eni", "Instance", "NO_LIMIT", "SecurityGroup", "Vpc", "VSwitch"]

#: An address capacity that limits nothing (an advanced group's, or a setting left at None).
NO_LIMIT = sys.maxsize


@dataclass(slots=True, eq=False)
class Vpc:
    """A VPC and the vSwitches in it."""

    id: str
    region_id: str
    cidr: Cidr
    name: str
    description: str
    created: float
    vswitch_ids: list[str] = field(default_factory=list)
    #: Private IPv4 addresses on the VPC's ENIs: primaries, secondaries, one per /28 prefix,
    #: at most ``address_cap`` (settings.vpc_private_ips).
    addresses: int = 0
    address_cap: int = NO_LIMIT
    reservations: int = 0  # CIDR reservations of its vSwitches (settings.reservations_per_vpc)

    @property
    def vrouter_id(self) -> str:
        """The VPC's router (named after the VPC: simkit models no routing)."""
        return "vrt-" + self.id[4:]

    @property
    def route_table_id(self) -> str:
        """The VPC's route table (named after the VPC: simkit models no routing)."""
        return "vtb-" + self.id[4:]


@dataclass(slots=True, eq=False)
class VSwitch:
    """A vSwitch: its CIDR block, its address space and its reservations."""

    id: str
    region_id: str
    vpc_id: str
    zone_id: str
    cidr: Cidr
    space: AddressSpace
    name: str
    description: str
    created: float
    status: VSwitchStatus = VSwitchStatus.AVAILABLE  # Pending is a simulation knob
    reservation_ids: list[str] = field(default_factory=list)
    eni_count: int = 0  # ENIs in the vSwitch, each holding one primary address


@dataclass(slots=True, eq=False)
class CidrReservation:
    """A CIDR reservation of a vSwitch (the block itself lives in the vSwitch's address space)."""

    id: str
    region_id: str
    vswitch_id: str
    vpc_id: str
    reservation: Reservation
    name: str
    description: str
    created: float
    status: ReservationStatus = ReservationStatus.ASSIGNING  # -> Assigned


@dataclass(slots=True, eq=False)
class SecurityGroup:
    """A security group of a type, how many ENIs are in it and the private addresses they hold."""

    id: str
    region_id: str
    vpc_id: str | None  # None: a classic-network group
    name: str
    description: str
    created: float
    type: SecurityGroupType = SecurityGroupType.NORMAL
    members: int = 0  # ENIs in the group (settings.security_group_capacity)
    #: Private IPv4 addresses on its ENIs: primaries, secondaries, one per /28 prefix, at most
    #: ``address_cap`` (a basic group's: settings.security_group_ip_capacity).
    addresses: int = 0
    address_cap: int = NO_LIMIT


@dataclass(slots=True, eq=False)
class Instance:
    """An ECS instance of one instance type, with its ENIs."""

    id: str
    region_id: str
    zone_id: str
    vpc_id: str
    vswitch_id: str
    type: InstanceType
    name: str
    created: float
    security_group_ids: list[str]
    status: InstanceStatus = InstanceStatus.PENDING
    eni_ids: list[str] = field(default_factory=list)  # primary first, then secondaries attached or attaching
    migrating: bool = False
    cloud_box: bool = False
    #: Counts the asynchronous operations started on the instance (start, stop), as for an ENI.
    operation: int = 0


@dataclass(slots=True, eq=False)
class Eni:
    """An elastic network interface: its primary IP, secondary IPs and /28 prefixes."""

    id: str
    region_id: str
    vswitch_id: str
    vpc_id: str
    zone_id: str
    type: EniType
    primary_ip: int
    security_group_ids: list[str]
    mac: str
    name: str
    description: str
    created: float
    status: EniStatus = EniStatus.AVAILABLE
    instance_id: str | None = None
    # Insertion-ordered sets: responses list addresses in the order they were assigned.
    secondaries: dict[int, None] = field(default_factory=dict)
    prefixes: dict[int, None] = field(default_factory=dict)
    service_managed: bool = False
    #: What its addresses count against: its security groups, then its VPC (``addresses`` and
    #: ``address_cap`` each).
    meters: tuple["SecurityGroup | Vpc", ...] = ()
    #: Counts the asynchronous operations started on the ENI (attach, detach, delete): a pending
    #: completion applies only if no other has started since, so a stale one cannot undo a newer
    #: state.
    operation: int = 0

    @property
    def ipv4_slots_used(self) -> int:
        """Private IPv4 slots in use: the primary, each secondary, and one per /28 prefix."""
        return 1 + len(self.secondaries) + len(self.prefixes)
