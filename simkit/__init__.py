"""simkit: will this VPC layout hold this workload?

A capacity-planning and simulation toolkit for private-IP assignment (secondary IPv4
addresses and /28 prefixes on ENIs) on Alibaba Cloud ECS.

Layers, lowest first: ``catalog`` (instance-type limits, region capabilities), ``net`` (the
address space of a vSwitch). Higher layers import lower ones only.
"""

from simkit.catalog import Catalog, InstanceType, load_catalog
from simkit.net import AddressSpace, Cidr, Refused, SpaceExhausted, SpaceStats, format_ipv4, parse_ipv4

__version__ = "0.1.0"

__all__ = [
    "AddressSpace",
    "Catalog",
    "Cidr",
    "InstanceType",
    "Refused",
    "SpaceExhausted",
    "SpaceStats",
    "format_ipv4",
    "load_catalog",
    "parse_ipv4",
]
