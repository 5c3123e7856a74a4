"""The address space of a vSwitch: addresses as ints, a bitmap with per-/28 block counts,
CIDR reservations, /28 prefixes, placement policies and fragmentation figures.

This layer knows nothing of ENIs, instances or the API; the cloud model (``simkit.ecs``)
builds on it.
"""

from simkit.net.addr import Cidr, MalformedAddress, MalformedCidr, format_ipv4, parse_ipv4
from simkit.net.policy import POLICIES, LowestPolicy, PackPolicy, PlacementPolicy, RandomPolicy
from simkit.net.space import AddressSpace, Refusal, Refused, Reservation, SpaceExhausted, SpaceStats
from simkit.net.states import (
    BLOCK,
    MAX_RESERVATIONS,
    PREFIX_LEN,
    VSWITCH_MASK_RANGE,
    AddrState,
    BlockState,
    ReservedFlag,
)

__all__ = [
    "BLOCK",
    "ReservedFlag",
    "AddrState",
    "AddressSpace",
    "BlockState",
    "Cidr",
    "LowestPolicy",
    "MAX_RESERVATIONS",
    "MalformedAddress",
    "MalformedCidr",
    "POLICIES",
    "PREFIX_LEN",
    "PackPolicy",
    "PlacementPolicy",
    "RandomPolicy",
    "Refusal",
    "Refused",
    "Reservation",
    "SpaceExhausted",
    "SpaceStats",
    "VSWITCH_MASK_RANGE",
    "format_ipv4",
    "parse_ipv4",
]
