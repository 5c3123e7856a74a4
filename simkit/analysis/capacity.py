"""Closed forms beside the simulation (issue 11, point 4): what a layout holds, worked out
without running it. A test checks that a simulated steady state agrees with them where they
apply. The offered load of a workload (Little's law) is ``simkit.scenario.offered``'s.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from simkit.agents import MODES, max_pods
from simkit.catalog import load_catalog
from simkit.net.states import BLOCK, SYSTEM_RESERVED_HEAD, SYSTEM_RESERVED_TAIL

__all__ = ["AddressBounds", "LayoutCost", "fleet_addresses", "layout_cost", "max_pods_per_node", "reservation_prefixes",
           "smallest_mask", "usable_addresses"]


def usable_addresses(mask: int) -> int:
    """Addresses of a vSwitch of prefix length ``mask`` that resources can take: 2^(32 - mask)
    less the system-reserved first address and last three (alibaba-facts §1). /24: 252; /29: 4."""
    if not 16 <= mask <= 29:
        raise ValueError(f"a vSwitch mask is /16 to /29, got /{mask}")
    return 2 ** (32 - mask) - SYSTEM_RESERVED_HEAD - SYSTEM_RESERVED_TAIL


def reservation_prefixes(mask: int) -> int:
    """/28 prefixes a CIDR reservation of prefix length ``mask`` holds: 2^(28 - mask)
    (16 addresses each). /26: 4."""
    if not mask <= 28:
        raise ValueError(f"a reservation's mask is at most /28, got /{mask}")
    return 2 ** (32 - mask) // BLOCK


def max_pods_per_node(instance_type: str) -> dict[str, int]:
    """Terway's max pods for ``instance_type`` in each agent mode (in prefix mode the limits'
    ceiling; the node's real max pods there is kubelet's setting)."""
    itype = load_catalog().require_ip_limits(instance_type)
    return {mode: max_pods(itype, mode) for mode in MODES}


class AddressBounds(NamedTuple):
    """The vSwitch addresses a fleet takes at a pod count: ``lower`` with empty pools, ``upper``
    with every node's pool full at ``max_idle``."""

    lower: int
    upper: int


def fleet_addresses(pods: int, nodes: int, max_idle: int, mode: str = "secondary-ip") -> AddressBounds:
    """The addresses of the node vSwitch a fleet of ``nodes`` takes while ``pods`` pods run, in
    a steady state (no call in flight): each node's primary ENI (1), the pods' addresses, and up
    to ``max_idle`` idle a node. In secondary-ip mode a secondary ENI's primary serves a pod, so
    it is among the pods' addresses; in exclusive-ENI mode the pool is 0. A centralized
    controller releases idle addresses at most once a pool period, so between releases a node
    may hold more idle than ``max_idle``; the bound holds after a release."""
    if mode not in ("secondary-ip", "exclusive-eni"):
        raise ValueError(f"fleet_addresses knows secondary-ip and exclusive-eni, got {mode!r}")
    idle = 0 if mode == "exclusive-eni" else max_idle
    return AddressBounds(nodes + pods, nodes + pods + nodes * idle)


def smallest_mask(addresses: int) -> int | None:
    """The longest vSwitch prefix length (the smallest vSwitch, /29 to /16) whose usable addresses
    hold ``addresses``; None when even a /16 (65,530) does not. 252 -> 24, 253 -> 23."""
    for mask in range(29, 15, -1):
        if usable_addresses(mask) >= addresses:
            return mask
    return None


class LayoutCost(NamedTuple):
    """What a layout takes, as ``size`` weighs layouts against each other: ``vpc_addresses``
    (the addresses of its vSwitches' CIDR blocks, taken from the VPC), ``reserved_addresses``
    (the addresses of its CIDR reservations, set aside inside those vSwitches) and ``nodes``."""

    vpc_addresses: int
    reserved_addresses: int
    nodes: int


def layout_cost(plan) -> LayoutCost:
    """The ``LayoutCost`` of a replay ``Plan``: a reservation given by its mask counts
    2^(32 - mask) addresses, one given by its CIDR its block's."""
    vpc = sum(ipaddress.ip_network(v.cidr).num_addresses for v in plan.vswitches)
    reserved = sum(2 ** (32 - r["mask"]) if "mask" in r else ipaddress.ip_network(r["cidr"]).num_addresses
                   for v in plan.vswitches for r in v.reservations)
    return LayoutCost(vpc, reserved, sum(f.count for f in plan.fleet))
