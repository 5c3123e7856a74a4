"""What the model's operations return, read by name. Operations that create or change one
resource return the resource record itself (``Vpc``, ``Eni``...); the rest return one of these.
A result carries everything its response needs, so rendering never asks the model again."""

from __future__ import annotations

from typing import Any, NamedTuple

from simkit.ecs.resources import CidrReservation, VSwitch
from simkit.net import SpaceStats

__all__ = ["AssignResult", "Page", "PrefixUsage", "ReservationListing", "VSwitchListing", "VSwitchUsage"]


class AssignResult(NamedTuple):
    """AssignPrivateIpAddresses: the addresses, or the /28 prefix bases, it assigned."""

    network_interface_id: str
    addresses: list[int]
    prefixes: list[int]


class Page(NamedTuple):
    """One page of a listing. ``page_number``/``page_size`` for PageNumber paging,
    ``next_token``/``max_results`` for NextToken paging (``next_token`` None on the last page);
    the other pair is None."""

    items: list[Any]
    total_count: int
    page_number: int | None = None
    page_size: int | None = None
    next_token: str | None = None
    max_results: int | None = None


class VSwitchListing(NamedTuple):
    """A vSwitch as DescribeVSwitches lists it."""

    vswitch: VSwitch
    available_ip_count: int


class ReservationListing(NamedTuple):
    """A CIDR reservation as ListVSwitchCidrReservations lists it."""

    reservation: CidrReservation
    assigned_cidr_count: int  # /28 prefixes allocated from it
    available_cidr_count: int  # /28 blocks of it still free


class PrefixUsage(NamedTuple):
    """One /28 prefix of a reservation in use (GetVSwitchCidrReservationUsage)."""

    prefix: int  # base address
    network_interface_id: str


class VSwitchUsage(NamedTuple):
    """How a vSwitch's addresses are used now: ``stats`` (the address space's figures) and
    ``primary_ips``, the addresses held as ENI primaries (one per ENI in the vSwitch); the rest of
    ``stats.used_ips`` are secondary IPs."""

    stats: SpaceStats
    primary_ips: int
