"""Node agents: Terway-like IPAM daemons that turn pod starts and ends into API calls, and the
scheduler that places pods on nodes."""

from simkit.agents.base import AgentConfig, AgentContext, Node, NodeAgent, Pod
from simkit.agents.prefix import PrefixAgent
from simkit.agents.scheduler import Scheduler
from simkit.agents.secondary import SecondaryIpAgent

__all__ = ["AgentConfig", "AgentContext", "Node", "NodeAgent", "Pod", "PrefixAgent", "Scheduler", "SecondaryIpAgent",
           "make_agent", "max_pods"]


def max_pods(itype, mode: str) -> int:
    """Pods a node can address: Terway's (EniQuantity - 1) x EniPrivateIpAddressQuantity in
    secondary-ip mode; (EniQuantity - 1) x (EniPrivateIpAddressQuantity - 1) x 16 in prefix mode."""
    if mode == "prefix":
        return (itype.eni_quantity - 1) * (itype.private_ipv4_per_eni - 1) * 16
    return (itype.eni_quantity - 1) * itype.private_ipv4_per_eni


def make_agent(ctx, node: Node, config: AgentConfig, attach_seconds: float) -> NodeAgent:
    cls = PrefixAgent if config.mode == "prefix" else SecondaryIpAgent
    return cls(ctx, node, config, attach_seconds)
