"""The pods of a workload and the nodes that run them, as the agents and the scheduler see them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simkit.catalog import InstanceType

if TYPE_CHECKING:
    from simkit.agents.base import NodeAgent

__all__ = ["Node", "Pod", "PodState", "WaitReason"]


@dataclass(frozen=True)
class Node:
    """One instance of the fleet, as its agent and the scheduler see it."""

    name: str
    instance_id: str
    itype: InstanceType
    region_id: str
    vswitch_id: str
    vswitch_name: str  # as the scenario names it
    security_group_id: str
    max_pods: int
    #: The vSwitches its agent creates pod ENIs on, (id, name), in the node's zone: Terway's
    #: ``vswitches`` for the zone; empty: the node's own vSwitch.
    pod_vswitches: tuple[tuple[str, str], ...] = ()

    @property
    def cpu_milli(self) -> int:
        """Allocatable CPU: the instance type's vCPUs, in millicores."""
        return self.itype.vcpu * 1000

    @property
    def memory_mib(self) -> int:
        """Allocatable memory: the instance type's, in MiB."""
        return int(self.itype.memory_gib * 1024)


class PodState(enum.Enum):
    """Where a pod is in its life."""

    NEW = "new"
    UNSCHEDULED = "unscheduled"  # no node had room
    WAITING = "waiting"  # on a node, for an address
    RUNNING = "running"  # has its address
    DONE = "done"


class WaitReason(enum.IntEnum):
    """What held a pod that waited: the first limit that did (docs/scenario.md, "Pod outcomes")."""

    NONE = 0  # it did not wait
    IN_FLIGHT = 1  # only for calls in flight: an ENI being created and attached, say
    FLEET_PODS = 2  # no node had room: every node ran its max pods
    FLEET_CPU = 3  # no node with room for one more pod had the CPU it requests
    FLEET_MEMORY = 4  # ... nor the memory
    VSWITCH_ADDRESSES = 5  # its node's vSwitch was out of addresses (or its reservations of /28 blocks)
    ENI_LIMIT = 6  # its node's ENIs were full and it had as many as its instance type allows
    ACCOUNT_ENI_QUOTA = 7  # the account's ENI quota in the region was reached
    THROTTLED = 8  # its node's calls were throttled and retried
    RETRYING = 9  # its node's calls failed otherwise (InternalError, Operation.Conflict...) and were retried
    SECURITY_GROUP = 10  # its node's security group was full: a basic group's addresses, or a group's ENIs
    VPC_ADDRESSES = 11  # the VPC held its quota of private addresses used by cloud resources
    NODE_PREFIXES = 12  # prefix mode: every address of its node's agent.prefix_count prefixes was in use
    FLEET_ADDRESSES = 13  # no node it fit had addresses: an IP-aware scheduler skipped them (SufficientIP false)


class Pod:
    """A pod of the workload; mutable while it lives. ``index`` is its place in arrival order
    (the row of its record)."""

    __slots__ = ("name", "start", "end", "cpu_milli", "memory_mib", "node", "ip", "asked_at", "state", "index", "reason")

    def __init__(self, name: str, start: float, end: float | None, cpu_milli: int | None, memory_mib: int | None,
                 index: int = -1):
        self.name = name
        self.start = start
        self.end = end
        self.cpu_milli = cpu_milli or 0
        self.memory_mib = memory_mib or 0
        self.node: "NodeAgent | None" = None
        self.ip: int | None = None
        self.asked_at = start
        self.state = PodState.NEW
        self.index = index
        self.reason = WaitReason.NONE
