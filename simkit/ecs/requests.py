"""Typed requests: one NamedTuple per API action, named after it, with the parameters simkit
models as snake_case fields (``network_interface_id``; addresses as ints, CIDR blocks and
prefixes as ``Cidr``). Every caller of the model builds these: the wire layer from parsed
text, the replay's set-up, and the node agents, so there is one door into the model.

Fields default to what the API does when the parameter is left out.
"""

from __future__ import annotations

from typing import NamedTuple

from simkit.net import Cidr

__all__ = [
    "REQUESTS", "AssignPrivateIpAddresses", "AttachNetworkInterface", "CreateNetworkInterface", "CreateSecurityGroup",
    "CreateVSwitch", "CreateVSwitchCidrReservation", "CreateVpc", "DeleteInstance", "DeleteNetworkInterface",
    "DescribeInstanceTypes", "DescribeNetworkInterfaces", "DescribeVSwitches", "DetachNetworkInterface",
    "GetVSwitchCidrReservationUsage", "ListVSwitchCidrReservations", "Request", "RunInstances", "StartInstance",
    "StopInstance", "UnassignPrivateIpAddresses",
]


# ---------------------------------------------------------------- VPC, vSwitch, reservations


class CreateVpc(NamedTuple):
    """Create a VPC (a CIDR block from /8 to /28; 172.16.0.0/12 when none is given)."""

    region_id: str
    cidr_block: Cidr | None = None  # the API's default: 172.16.0.0/12
    vpc_name: str = ""
    description: str = ""
    client_token: str | None = None


class CreateVSwitch(NamedTuple):
    """Create a vSwitch in a zone, with a CIDR block (/16 to /29) inside its VPC's."""

    region_id: str
    vpc_id: str
    zone_id: str
    cidr_block: Cidr
    vswitch_name: str = ""
    description: str = ""
    client_token: str | None = None


class DescribeVSwitches(NamedTuple):
    """List vSwitches by VPC, id or zone (PageNumber paging, at most 50 a page)."""

    region_id: str
    vpc_id: str | None = None
    vswitch_id: str | None = None
    zone_id: str | None = None
    page_number: int = 1
    page_size: int = 10


class CreateVSwitchCidrReservation(NamedTuple):
    """Reserve a CIDR block of a vSwitch for /28 prefixes, by CIDR or by mask."""

    region_id: str
    vswitch_id: str
    vswitch_cidr_reservation_cidr: Cidr | None = None
    vswitch_cidr_reservation_mask: int | None = None
    ip_version: str = "IPv4"
    vswitch_cidr_reservation_type: str = "prefix"
    vswitch_cidr_reservation_name: str = ""
    vswitch_cidr_reservation_description: str = ""
    dry_run: bool = False
    client_token: str | None = None


class ListVSwitchCidrReservations(NamedTuple):
    """List a vSwitch's CIDR reservations with their prefix counts (NextToken paging)."""

    region_id: str
    vswitch_id: str
    vswitch_cidr_reservation_ids: list[str] | None = None
    ip_version: str | None = None
    next_token: str | None = None
    max_results: int = 10


class GetVSwitchCidrReservationUsage(NamedTuple):
    """List the /28 prefixes in use in one CIDR reservation (NextToken paging)."""

    region_id: str
    vswitch_cidr_reservation_id: str
    next_token: str | None = None
    max_results: int = 10


class CreateSecurityGroup(NamedTuple):
    """Create a security group (in a VPC, or a classic one when no VPC is named)."""

    region_id: str
    vpc_id: str | None = None
    security_group_name: str = ""
    description: str = ""
    security_group_type: str = "normal"
    client_token: str | None = None


# ---------------------------------------------------------------- instance types and instances


class DescribeInstanceTypes(NamedTuple):
    """List instance types with their ENI limits (at most 10 named; NextToken paging)."""

    region_id: str
    instance_types: list[str] | None = None
    instance_type_family: str | None = None
    next_token: str | None = None
    max_results: int = 1600


class RunInstances(NamedTuple):
    """Launch 1-100 instances on a vSwitch, each with a primary ENI and primary IP."""

    region_id: str
    instance_type: str
    vswitch_id: str
    security_group_id: str | None = None
    security_group_ids: list[str] | None = None
    amount: int = 1
    image_id: str | None = None
    instance_name: str = ""
    zone_id: str | None = None
    private_ip_address: int | None = None
    client_token: str | None = None


# The instance APIs' SDK models carry no RegionId: when it is None the gateway finds the
# instance's region.


class StartInstance(NamedTuple):
    """Start a Stopped instance."""

    instance_id: str
    region_id: str | None = None


class StopInstance(NamedTuple):
    """Stop a Running instance."""

    instance_id: str
    region_id: str | None = None
    force_stop: bool = False


class DeleteInstance(NamedTuple):
    """Delete a Stopped instance (any, with ``force``); its primary ENI goes with it."""

    instance_id: str
    region_id: str | None = None
    force: bool = False


# ---------------------------------------------------------------- ENIs and their addresses


class CreateNetworkInterface(NamedTuple):
    """Create a secondary ENI with its primary IP and, optionally, secondary IPs or /28 prefixes."""

    region_id: str
    vswitch_id: str
    security_group_id: str | None = None
    security_group_ids: list[str] | None = None
    primary_ip_address: int | None = None
    secondary_private_ip_address_count: int | None = None
    private_ip_address: list[int] | None = None
    ipv4_prefix: list[Cidr] | None = None
    ipv4_prefix_count: int | None = None
    network_interface_name: str = ""
    description: str = ""
    instance_type: str = "Secondary"
    client_token: str | None = None


class AttachNetworkInterface(NamedTuple):
    """Attach an Available secondary ENI to an instance."""

    region_id: str
    network_interface_id: str
    instance_id: str


class DetachNetworkInterface(NamedTuple):
    """Detach a secondary ENI from its instance."""

    region_id: str
    network_interface_id: str
    instance_id: str


class DeleteNetworkInterface(NamedTuple):
    """Delete an Available secondary ENI, freeing its addresses."""

    region_id: str
    network_interface_id: str


class DescribeNetworkInterfaces(NamedTuple):
    """List ENIs by id, instance, vSwitch, VPC, type, status or address."""

    region_id: str
    network_interface_id: list[str] | None = None
    instance_id: str | None = None
    vswitch_id: str | None = None
    vpc_id: str | None = None
    type: str | None = None
    status: str | None = None
    private_ip_address: list[int] | None = None
    page_number: int | None = None
    page_size: int | None = None
    next_token: str | None = None
    max_results: int | None = None


class AssignPrivateIpAddresses(NamedTuple):
    """Assign secondary private IPs (by count or named) or /28 prefixes (by count or named) to an ENI."""

    region_id: str
    network_interface_id: str
    secondary_private_ip_address_count: int | None = None
    private_ip_address: list[int] | None = None
    ipv4_prefix: list[Cidr] | None = None
    ipv4_prefix_count: int | None = None
    client_token: str | None = None


class UnassignPrivateIpAddresses(NamedTuple):
    """Give back named secondary private IPs or /28 prefixes of an ENI."""

    region_id: str
    network_interface_id: str
    private_ip_address: list[int] | None = None
    ipv4_prefix: list[Cidr] | None = None


Request = (
    CreateVpc | CreateVSwitch | DescribeVSwitches | CreateVSwitchCidrReservation | ListVSwitchCidrReservations
    | GetVSwitchCidrReservationUsage | CreateSecurityGroup | DescribeInstanceTypes | RunInstances | StartInstance
    | StopInstance | DeleteInstance | CreateNetworkInterface | AttachNetworkInterface | DetachNetworkInterface
    | DeleteNetworkInterface | DescribeNetworkInterfaces | AssignPrivateIpAddresses | UnassignPrivateIpAddresses
)

#: API action name -> its request type (the class is named after the action).
REQUESTS: dict[str, type] = {t.__name__: t for t in Request.__args__}
