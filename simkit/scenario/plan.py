"""Turning a scenario (a YAML path or a mapping) into a replay ``Plan``: read it, check it
against its one definition (``simkit.scenario.schema``), open the files its workload names.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from simkit.ecs import CloudSettings
from simkit.engine import FleetSpec, Plan, VSwitchSpec
from simkit.scenario.check import validate
from simkit.scenario.load import load_scenario
from simkit.scenario.rules import zone_of
from simkit.scenario.schema import Scenario
from simkit.scenario.state import load_state
from simkit.scenario.workload import check_workload

__all__ = ["build_plan"]


def build_plan(source: str | Path | Mapping) -> Plan:
    """Check a scenario (a YAML path or a mapping) and turn it into a replay ``Plan``.

    Raises ScenarioError naming the source, the key path, the value and what is allowed, for
    the first value that is wrong or out of its bounds (docs/scenario.md, "Bounds"), for a file
    that cannot be read or is not what it claims, and for a pod workload on a layout that cannot
    serve it (``simkit.scenario.rules``).
    """
    data, name, base = load_scenario(source)
    s = validate(data, name)
    workload = check_workload(name, s.workload, base, s.duration, s.seed)
    state = load_state(name, s.state, base) if s.state is not None else None
    vswitches = tuple(VSwitchSpec(v.name, zone_of(v, s.region), str(v.cidr),
                                  tuple({"mask": r.mask} if r.mask is not None else {"cidr": str(r.cidr)}
                                        for r in v.reservations))
                      for v in s.vswitches)
    fleet = tuple(FleetSpec(f.instance_type, f.count, f.vswitch, f.max_pods, tuple(f.pod_vswitches),
                            tuple((step.at, step.count) for step in f.scale)) for f in s.fleet)
    return Plan(seed=s.seed, region=s.region, duration=s.duration, sample_every=s.sample_every,
                vpc_cidr=str(s.vpc.cidr), vswitches=vswitches, fleet=fleet, agent=s.agent.config(),
                settings=settings_of(s), pods=workload.pods, api_calls=workload.api_calls, name=s.name, source=name,
                slo_pod_wait=s.slo.pod_wait, offered_pods=workload.offered_pods,
                setup_meets_faults=s.setup_meets_faults, security_group_type=s.security_group.type,
                scheduler=s.scheduler.config(), scenario=data, slo_targets=MappingProxyType(s.slo.targets()),
                state=state)


def settings_of(s: Scenario) -> CloudSettings:
    """The simulated cloud's settings of scenario ``s``: ``cloud``, ``limits``, ``placement``
    and ``faults``."""
    limits = s.limits
    return CloudSettings(placement=s.placement, faults=s.faults, throttle_per_minute=limits.throttle_per_minute,
                         account_eni_quota=limits.account_eni_quota,
                         security_group_ip_capacity=limits.security_group_ip_capacity,
                         security_group_capacity=limits.security_group_capacity,
                         security_groups_per_eni=limits.security_groups_per_eni,
                         vswitches_per_vpc=limits.vswitches_per_vpc, vpc_private_ips=limits.vpc_private_ips,
                         reservations_per_vpc=limits.reservations_per_vpc,
                         reservations_per_vswitch=limits.reservations_per_vswitch,
                         available_eni_max_secondary=limits.available_eni_max_secondary,
                         client_token_ttl_seconds=limits.client_token_ttl,
                         **{name: getattr(s.cloud, name) for name in type(s.cloud).model_fields})
