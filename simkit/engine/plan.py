"""What a replay is given: the plan the scenario layer builds, already validated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from simkit.agents import AgentConfig
from simkit.ecs import CloudSettings

__all__ = ["FleetSpec", "Plan", "VSwitchSpec"]


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
