"""Node agents: Terway-like IPAM daemons that turn pod starts and ends into API calls, and the
scheduler that places pods on nodes. Each agent mode is a sibling subclass of ``NodeAgent``."""

from simkit.agents.base import AgentContext, AgentEni, EniPhase, NodeAgent
from simkit.agents.config import IPAMS, MODES, AgentConfig
from simkit.agents.ipam import Centralized, Daemon, Ipam, VSwitchBlocks
from simkit.agents.pods import Node, Pod, PodState, WaitReason
from simkit.agents.exclusive import ExclusiveEniAgent
from simkit.agents.prefix import PrefixAgent
from simkit.agents.scheduler import Scheduler, SchedulerConfig
from simkit.agents.secondary import SecondaryIpAgent

__all__ = ["AgentConfig", "AgentContext", "AgentEni", "Centralized", "Daemon", "EniPhase", "ExclusiveEniAgent", "IPAMS", "Ipam", "MODES", "Node", "NodeAgent", "Pod", "PodState",
           "PrefixAgent", "Scheduler", "SchedulerConfig", "SecondaryIpAgent", "VSwitchBlocks", "WaitReason", "make_agent", "max_pods"]

#: agent mode -> its agent class
AGENTS = {"secondary-ip": SecondaryIpAgent, "prefix": PrefixAgent, "exclusive-eni": ExclusiveEniAgent}


def max_pods(itype, mode: str) -> int:
    """Pods a node can address in ``mode`` (``InstanceType.max_pods_secondary_ip``,
    ``max_pods_prefix``, or EniQuantity - 1 for exclusive ENIs: Terway's formulas)."""
    if mode == "exclusive-eni":
        # Terway's limit.go ExclusiveENIPod(): Adapters - 1 (the primary ENI is the node's own).
        return itype.eni_quantity - 1
    return itype.max_pods_prefix if mode == "prefix" else itype.max_pods_secondary_ip


def make_agent(ctx, node: Node, config: AgentConfig, attach_seconds: float) -> NodeAgent:
    """The agent of ``node`` for ``config.mode``."""
    return AGENTS[config.mode](ctx, node, config, attach_seconds)
