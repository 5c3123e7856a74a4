"""Building a plan's VPC, vSwitches, reservations, security group and fleet in the model, through
the same typed requests every other caller sends."""

from __future__ import annotations

from simkit.agents import Node
from simkit.ecs import Account
from simkit.ecs import requests as rq
from simkit.engine.plan import Plan
from simkit.errors import ApiError
from simkit.net import Cidr

__all__ = ["Layout", "LayoutError", "build_layout", "launch"]

#: RunInstances takes 1-100 instances a call.
_RUN_AMOUNT = 100


class Layout:
    """The simulated ids of what the plan named."""

    __slots__ = ("vpc_id", "security_group_id", "vswitch_ids", "reservations", "nodes")

    def __init__(self, vpc_id: str, security_group_id: str, vswitch_ids: dict[str, str], nodes: list[Node],
                 reservations: dict[str, list[str]] | None = None):
        self.vpc_id = vpc_id
        self.security_group_id = security_group_id
        self.vswitch_ids = vswitch_ids  # scenario name -> simulated id
        self.nodes = nodes
        # scenario vSwitch name -> its reservations' CIDR blocks, as the model placed them (a
        # reservation given by its mask gets its block only when it is created)
        self.reservations = reservations if reservations is not None else {}


class LayoutError(ValueError):
    """The plan's layout does not fit the model: ``path`` is the scenario key it came from
    (``fleet[1]``, ``vswitches[0].reservations[2]``), the message speaks of the scenario's names."""

    def __init__(self, path: str, code: str, message: str):
        self.path = path
        self.code = code
        super().__init__(f"{code}: {message}")


def build_layout(model: Account, plan: Plan) -> Layout:
    """Create the plan's resources in ``model`` (at the clock's current time). Raises
    LayoutError when the layout does not fit (a fleet larger than its vSwitch, say)."""
    region = plan.region
    vswitch_ids: dict[str, str] = {}
    reservations: dict[str, list[str]] = {}
    names: dict[str, str] = {}  # simulated id -> the scenario's name for it (a key for the one VPC and group)

    def handle(path: str, request):
        try:
            return model.handle(request)
        except ApiError as exc:
            message = exc.message
            for sim_id, name in names.items():
                message = message.replace(sim_id, name)
            raise LayoutError(path, exc.code, message) from None

    # A state's resources are there before anything is built: its VPC and vSwitches with the
    # scenario's CIDR blocks are the scenario's own (and their reservations), the rest stays.
    existing_vpc, existing_vsw, existing_res = _restore(model, plan)
    vpc = existing_vpc or handle("vpc", rq.CreateVpc(region, cidr_block=Cidr.parse(plan.vpc_cidr))).id
    names[vpc] = "vpc"
    sg = handle("security_group", rq.CreateSecurityGroup(region, vpc_id=vpc, security_group_type=plan.security_group_type)).id
    names[sg] = "security_group"
    for i, v in enumerate(plan.vswitches):
        vsw = existing_vsw.get(v.cidr) if existing_vpc else None
        if vsw is None:
            vsw = handle(f"vswitches[{i}]", rq.CreateVSwitch(region, vpc, v.zone, Cidr.parse(v.cidr), vswitch_name=v.name)).id
        elif model.region(region).vswitches[vsw].zone_id != v.zone:
            raise LayoutError(f"vswitches[{i}]", "InvalidParameter", f"{v.name} ({v.cidr}) is in zone "
                              f"{model.region(region).vswitches[vsw].zone_id} in the state, not {v.zone}")
        vswitch_ids[v.name] = vsw
        names[vsw] = v.name
        reservations[v.name] = []
        for j, r in enumerate(v.reservations):
            if "cidr" in r and r["cidr"] in existing_res.get(vsw, ()):
                reservations[v.name].append(r["cidr"])
                continue
            made = handle(f"vswitches[{i}].reservations[{j}]", rq.CreateVSwitchCidrReservation(
                region, vsw, vswitch_cidr_reservation_cidr=Cidr.parse(r["cidr"]) if "cidr" in r else None,
                vswitch_cidr_reservation_mask=r.get("mask")))
            reservations[v.name].append(str(made.reservation.cidr))
    nodes: list[Node] = []
    layout = Layout(vpc, sg, vswitch_ids, nodes, reservations)
    for i, f in enumerate(plan.fleet):
        left = f.count
        while left:
            amount = min(left, _RUN_AMOUNT)
            nodes.extend(launch(model, plan, layout, i, amount, handle))
            left -= amount
    return layout


def launch(model: Account, plan: Plan, layout: Layout, index: int, amount: int, handle=None) -> list[Node]:
    """``amount`` (at most 100) more nodes of fleet group ``index``, in one RunInstances call;
    they are not added to ``layout.nodes`` (the caller does, in launch order). Raises ApiError
    for a refused call, or what ``handle(path, request)`` raises when given."""
    f = plan.fleet[index]
    region = plan.region
    itype = model.catalog.require_ip_limits(f.instance_type)
    vsw = layout.vswitch_ids[f.vswitch]
    pods = f.pods_per_node(itype, plan.agent.mode)
    # Terway keys pod vSwitches by zone: only those in the node's zone serve its ENIs.
    zone_of = {v.name: v.zone for v in plan.vswitches}
    zone = zone_of[f.vswitch]
    pod_vswitches = tuple((layout.vswitch_ids[n], n) for n in f.pod_vswitches if zone_of[n] == zone)
    request = rq.RunInstances(region, f.instance_type, vsw, security_group_id=layout.security_group_id, amount=amount)
    made = handle(f"fleet[{index}]", request) if handle is not None else model.handle(request)
    first = len(layout.nodes) + 1
    return [Node(f"node-{first + k:04d}", inst.id, itype, region, vsw, f.vswitch, layout.security_group_id, pods,
                 pod_vswitches) for k, inst in enumerate(made)]


def _restore(model: Account, plan: Plan) -> tuple[str | None, dict[str, str], dict[str, set[str]]]:
    """Restore the plan's state, if any. Returns the state's VPC with the plan's CIDR block (None
    when there is none), its vSwitches by CIDR block and their reservations' blocks."""
    if plan.state is None:
        return None, {}, {}
    model.restore(plan.state, keep_settings=True, source="state")
    region = model.region(plan.region)
    vpc = next((v for v in region.vpcs.values() if str(v.cidr) == plan.vpc_cidr), None)
    if vpc is None:
        return None, {}, {}
    vswitches = {str(region.vswitches[i].cidr): i for i in vpc.vswitch_ids}
    reserved = {i: {str(region.reservations[r].reservation.cidr) for r in region.vswitches[i].reservation_ids}
                for i in vpc.vswitch_ids}
    return vpc.id, vswitches, reserved
