"""What a replay is given: the plan the scenario layer builds, already validated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from simkit.agents import AgentConfig, SchedulerConfig, max_pods
from simkit.catalog import InstanceType, load_catalog
from simkit.ecs import CloudSettings

__all__ = ["FleetSpec", "Plan", "VSwitchSpec", "fleet_pods"]


@dataclass(frozen=True)
class VSwitchSpec:
    """A vSwitch the plan builds."""

    name: str
    zone: str
    cidr: str
    reservations: tuple[dict, ...] = ()  # each {"cidr": "a.b.c.d/n"} or {"mask": n}


@dataclass(frozen=True)
class FleetSpec:
    """One group of identical nodes the plan launches."""

    instance_type: str
    count: int
    vswitch: str  # a VSwitchSpec name
    max_pods: int | None = None  # default: from the ENI limits and the agent mode
    pod_vswitches: tuple[str, ...] = ()  # VSwitchSpec names for pod ENIs (Terway's per-zone list)
    scale: tuple[tuple[float, int], ...] = ()  # (seconds from the start of the workload, nodes added)

    def pods_per_node(self, itype: InstanceType, mode: str) -> int:
        """Each node's max pods: ``max_pods`` when given, else what ``itype``'s ENI limits
        address in agent ``mode``."""
        return self.max_pods if self.max_pods is not None else max_pods(itype, mode)


@dataclass(frozen=True)
class Plan:
    """Everything a replay needs, already validated (the scenario layer builds it)."""

    seed: int
    region: str
    duration: float
    sample_every: float
    vpc_cidr: str
    vswitches: tuple[VSwitchSpec, ...]
    fleet: tuple[FleetSpec, ...]
    agent: AgentConfig
    settings: CloudSettings
    pods: Callable[[], Iterable[Any]] | None = None  # yields PodSpec-like (name, start, end, cpu_milli, memory_mib)
    api_calls: Callable[[], Iterable[Any]] | None = None  # yields ApiCall-like (time, action, params, creates)
    name: str = "scenario"
    source: str = "scenario"  # the file (or "scenario" for a dict), for messages
    slo_pod_wait: float = 30.0  # seconds a pod may wait for its address and count as served in time
    offered_pods: float | None = None  # pods the workload offers at once at its peak, when known
    setup_meets_faults: bool = False  # building the layout meets the settings' faults and throttling too
    security_group_type: str = "normal"  # the fleet's one security group: normal (basic) or enterprise (advanced)
    scheduler: SchedulerConfig = SchedulerConfig()  # how pods are placed on nodes
    state: dict[str, Any] | None = None  # a state (snapshot format) restored before the layout is built
    # Not read by the replay; carried for whoever reports on it:
    scenario: Mapping[str, Any] | None = None  # the scenario as given (a plain dict), to echo
    slo_targets: Mapping[str, float] | None = None  # the verdict's targets (scenario slo.targets())


def fleet_pods(plan: Plan) -> int:
    """Pods the plan's whole fleet can hold at once, scaled out in full: each node's max pods (``fleet[].max_pods``,
    or what its ENI limits address in the agent's mode; an IP-aware scheduler places no more
    than the latter), summed."""
    catalog = load_catalog()
    mode = plan.agent.mode
    total = 0
    for f in plan.fleet:
        itype = catalog.get(f.instance_type)
        per_node = f.pods_per_node(itype, mode)
        if plan.scheduler.ip_aware:
            per_node = min(per_node, max_pods(itype, mode))
        total += (f.count + sum(count for _at, count in f.scale)) * per_node  # at its largest
    return total
