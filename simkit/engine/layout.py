"""Building a plan's VPC, vSwitches, reservations, security group and fleet in the model, through
the same typed requests every other caller sends."""

from __future__ import annotations

from simkit.agents import Node, max_pods
from simkit.ecs import Account
from simkit.ecs import requests as rq
from simkit.engine.plan import Plan
from simkit.net import Cidr

__all__ = ["Layout", "build_layout"]

#: RunInstances takes 1-100 instances a call.
_RUN_AMOUNT = 100


class Layout:
    """The simulated ids of what the plan named."""

    __slots__ = ("vpc_id", "security_group_id", "vswitch_ids", "nodes")

    def __init__(self, vpc_id: str, security_group_id: str, vswitch_ids: dict[str, str], nodes: list[Node]):
        self.vpc_id = vpc_id
        self.security_group_id = security_group_id
        self.vswitch_ids = vswitch_ids  # scenario name -> simulated id
        self.nodes = nodes


def build_layout(model: Account, plan: Plan) -> Layout:
    """Create the plan's resources in ``model`` (at the clock's current time). Raises ApiError
    when the layout does not fit (a fleet larger than its vSwitch, say)."""
    region = plan.region
    vpc = model.handle(rq.CreateVpc(region, cidr_block=Cidr.parse(plan.vpc_cidr))).id
    sg = model.handle(rq.CreateSecurityGroup(region, vpc_id=vpc)).id
    vswitch_ids: dict[str, str] = {}
    for v in plan.vswitches:
        vsw = model.handle(rq.CreateVSwitch(region, vpc, v.zone, Cidr.parse(v.cidr), vswitch_name=v.name)).id
        vswitch_ids[v.name] = vsw
        for r in v.reservations:
            model.handle(rq.CreateVSwitchCidrReservation(
                region, vsw, vswitch_cidr_reservation_cidr=Cidr.parse(r["cidr"]) if "cidr" in r else None,
                vswitch_cidr_reservation_mask=r.get("mask")))
    nodes: list[Node] = []
    for f in plan.fleet:
        itype = model.catalog.require_ip_limits(f.instance_type)
        vsw = vswitch_ids[f.vswitch]
        pods = f.max_pods if f.max_pods is not None else max_pods(itype, plan.agent.mode)
        left = f.count
        while left:
            amount = min(left, _RUN_AMOUNT)
            for inst in model.handle(rq.RunInstances(region, f.instance_type, vsw, security_group_id=sg, amount=amount)):
                nodes.append(Node(f"node-{len(nodes) + 1:04d}", inst.id, itype, region, vsw, sg, pods))
            left -= amount
    return Layout(vpc, sg, vswitch_ids, nodes)
