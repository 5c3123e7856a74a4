"""The candidates ``size`` tries for a key when the caller names none, worked out from the
closed forms (``simkit.analysis.capacity``) and the workload's offered load, so the search starts
from what the layout must at least hold and stops a doubling past what it can ever use.

Derived for four kinds of key; any other key needs its candidates given:

- ``vswitches.N.cidr``: the vSwitch's own network address at every prefix length from the
  smallest block that holds the node primaries and the pods the workload offers at its least
  busy plausible peak, to one doubling past the block that holds every pod the fleet can hold
  with every node's pool full (``fleet_addresses``' upper bound). In prefix mode the pods'
  addresses are each node's ``prefix_count`` whole /28 prefixes.
- ``vswitches.N.reservations.M.mask``: from the mask that holds the /28 prefixes its nodes keep
  (prefix mode; /28 otherwise) to the vSwitch's own mask.
- ``fleet.N.count``: from the nodes the offered load needs at its least plausible peak to one
  doubling past what it needs at its most plausible peak.
- ``agent.mode``: every agent mode (an unordered key: every one is tried).

"Plausible peak": with Poisson arrivals the pods alive at once are Poisson distributed with
mean m, the offered load (Little's law; M/G/inf occupancy, any lifetime distribution), so the
range is m - 4 sqrt(m) to m + 4 sqrt(m) (four standard deviations). For a pod trace m is the
trace's own peak and the same margin is kept. Candidates the scenario refuses (a block that
leaves the VPC or overlaps another vSwitch, a reservation that no longer fits) are left out.
"""

from __future__ import annotations

import ipaddress
import math
import re
import warnings
from typing import NamedTuple

from simkit.agents import MODES
from simkit.analysis.capacity import smallest_mask
from simkit.analysis.keypaths import with_value
from simkit.catalog import load_catalog
from simkit.engine import Plan
from simkit.net.states import BLOCK
from simkit.scenario import ScenarioError, build_plan

__all__ = ["DERIVED_KEYS", "Derived", "derive_candidates"]

#: The key paths whose candidates are derived, as the docs and messages write them.
DERIVED_KEYS = ("vswitches.N.cidr", "vswitches.N.reservations.M.mask", "fleet.N.count", "agent.mode")

_VSWITCH_CIDR = re.compile(r"vswitches\.(\d+)\.cidr")
_RESERVATION_MASK = re.compile(r"vswitches\.(\d+)\.reservations\.(\d+)\.mask")
_FLEET_COUNT = re.compile(r"fleet\.(\d+)\.count")
_SIGMAS = 4  # standard deviations of the Poisson count of pods alive at once


class Derived(NamedTuple):
    """Candidates worked out for a key: ``values`` (smallest first) and ``why`` (in words)."""

    values: list
    why: str


def derive_candidates(data: dict, path: str, source: str = "size") -> Derived:
    """The candidates for ``path`` in scenario ``data`` (a checked scenario's mapping), from the
    closed forms. Raises ScenarioError naming the path when simkit derives none for it, or when
    the scenario refuses every candidate."""
    plan = _plan(data)
    if (m := _VSWITCH_CIDR.fullmatch(path)) is not None:
        values, why = _vswitch_cidrs(plan, _index(plan.vswitches, m.group(1), path, source))
    elif (m := _RESERVATION_MASK.fullmatch(path)) is not None:
        vswitch = _index(plan.vswitches, m.group(1), path, source)
        _index(vswitch.reservations, m.group(2), path, source)
        values, why = _reservation_masks(plan, vswitch)
    elif (m := _FLEET_COUNT.fullmatch(path)) is not None:
        _index(plan.fleet, m.group(1), path, source)
        values, why = _fleet_counts(plan, int(m.group(1)))
    elif path == "agent.mode":
        values, why = list(MODES), "every agent mode"
    else:
        raise ScenarioError(source, f"candidates.{path}", f"give the candidates to try: simkit derives them only for "
                                                          f"{', '.join(DERIVED_KEYS)}")
    kept = [v for v in values if _accepted(data, path, v)]
    if not kept:
        raise ScenarioError(source, path, f"the scenario refuses every derived candidate ({why}): "
                                          f"{', '.join(map(str, values))}")
    return Derived(kept, why)


def _plan(data: dict) -> Plan:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_plan(data)


def _accepted(data: dict, path: str, value) -> bool:
    try:
        _plan(with_value(data, path, value))
    except ScenarioError:
        return False
    return True


def _index(items, index: str, path: str, source: str):
    if int(index) >= len(items):
        raise ScenarioError(source, path, f"the scenario has {len(items)} item(s) there; allowed: an index from 0 "
                                          f"to {len(items) - 1}")
    return items[int(index)]


def _peak_range(plan: Plan, capacity: int) -> tuple[float, float]:
    """Pods alive at once at the workload's peak: (least, most) plausible, the most capped at
    nothing (the fleet may need to grow), the least at ``capacity`` (what the fleet can hold)."""
    m = plan.offered_pods if plan.offered_pods is not None else float(capacity)
    spread = _SIGMAS * math.sqrt(m)
    return min(max(m - spread, 0.0), capacity), m + spread


def _per_node(plan: Plan) -> list[int]:
    catalog = load_catalog()
    return [f.pods_per_node(catalog.get(f.instance_type), plan.agent.mode) for f in plan.fleet]


def _vswitch_cidrs(plan: Plan, vswitch) -> tuple[list[str], str]:
    per_node = _per_node(plan)
    capacity = sum(f.count * n for f, n in zip(plan.fleet, per_node))
    least, _ = _peak_range(plan, capacity)
    primaries = sum(f.count for f in plan.fleet if f.vswitch == vswitch.name)
    # The pods this vSwitch addresses: every pod of a fleet whose pods it alone addresses, a share of those it
    # splits with others (at least), all of them (at most).
    pod_nodes = sum(f.count for f in plan.fleet if vswitch.name in (f.pod_vswitches or (f.vswitch,)))
    pod_capacity = sum(f.count * n for f, n in zip(plan.fleet, per_node)
                       if vswitch.name in (f.pod_vswitches or (f.vswitch,)))
    share = sum(f.count * n / len(f.pod_vswitches or (f.vswitch,)) for f, n in zip(plan.fleet, per_node)
                if vswitch.name in (f.pod_vswitches or (f.vswitch,)))
    pods_low = least * share / capacity if capacity else 0.0
    if plan.agent.mode == "prefix":
        held = pod_nodes * (plan.agent.prefix_count or 0) * BLOCK
        low, high = primaries + held, primaries + held
        basis = f"{primaries} node primaries and {held} addresses of /28 prefixes"
    else:
        idle = 0 if plan.agent.mode == "exclusive-eni" else plan.agent.max_idle
        low = primaries + math.ceil(pods_low)
        high = primaries + pod_capacity + pod_nodes * idle
        basis = (f"{primaries} node primaries and {math.ceil(pods_low)} pods at least (the offered peak less "
                 f"{_SIGMAS} standard deviations), {pod_capacity} pods and {pod_nodes * idle} idle at most")
    first = smallest_mask(max(low, 1)) or 16
    last = max(16, (smallest_mask(high) or 16) - 1)  # one doubling past what the fleet can use
    network = ipaddress.ip_network(vswitch.cidr)
    values = [str(ipaddress.ip_network(f"{network.network_address}/{mask}", strict=False))
              for mask in range(first, last - 1, -1)]
    return values, f"/{first} to /{last} for {basis}"


def _reservation_masks(plan: Plan, vswitch) -> tuple[list[int], str]:
    vswitch_mask = ipaddress.ip_network(vswitch.cidr).prefixlen
    if plan.agent.mode == "prefix":
        nodes = sum(f.count for f in plan.fleet if vswitch.name in (f.pod_vswitches or (f.vswitch,)))
        prefixes = max(1, nodes * (plan.agent.prefix_count or 0))
        first = 28 - math.ceil(math.log2(prefixes))
        basis = f"{prefixes} /28 prefixes its nodes keep"
    else:
        first, basis = 28, "one /28"
    first = max(first, vswitch_mask)
    values = list(range(first, vswitch_mask - 1, -1))
    return values, f"/{first} ({basis}) to /{vswitch_mask} (the vSwitch's own)"


def _fleet_counts(plan: Plan, index: int) -> tuple[list[int], str]:
    per_node = _per_node(plan)
    others = sum(f.count * n for i, (f, n) in enumerate(zip(plan.fleet, per_node)) if i != index)
    capacity = others + plan.fleet[index].count * per_node[index]
    m = plan.offered_pods if plan.offered_pods is not None else float(capacity)
    spread = _SIGMAS * math.sqrt(m)
    least = max(1, math.floor((m - spread - others) / per_node[index]))
    most = max(least, math.ceil((m + spread - others) / per_node[index]))
    last = 2 * most  # one doubling past the most plausible need
    return (list(range(least, last + 1)),
            f"{least} to {last} nodes of {per_node[index]} pods for {m:,.0f} pods offered at the peak "
            f"(± {_SIGMAS} standard deviations, then one doubling)")

