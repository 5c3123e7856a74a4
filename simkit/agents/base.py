"""What every node agent shares: the idle pool and the waiting pods, its ENIs and their
attachment, and the rules of a real CNI (Terway) around every call: one call in flight, retries
with backoff and the same ClientToken, as Terway retries each action.

When an agent calls is its IPAM's business (``simkit.agents.ipam``: Terway's daemon, or its
centralized controller); what it calls is its mode's (a subclass: secondary IPs, prefixes,
exclusive ENIs).

An agent never touches the cloud model directly: it sends typed requests
(``simkit.ecs.requests``) through ``ctx.call(...)`` (the engine hands them to the model and
records the outcome) and schedules its own follow-ups with ``ctx.after(...)``. Sources for the
behaviour: ``../shared/reference/alibaba-facts.md`` §5 and docs/terway.md.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Protocol

from simkit.agents.config import DEFAULT_RETRY, AgentConfig, RetryPolicy
from simkit.agents.pods import Node, Pod, PodState, WaitReason
from simkit.ecs.requests import AttachNetworkInterface, DeleteNetworkInterface, DescribeVSwitches, DetachNetworkInterface
from simkit.errors import ApiError

if TYPE_CHECKING:
    from simkit.agents.ipam import Ipam, VSwitchBlocks

__all__ = ["AgentContext", "AgentEni", "DETACH_WAIT", "EniPhase", "NodeAgent"]

#: After detaching an ENI, Terway waits this long before it deletes it: the first wait of its
#: ``wait_eni_status`` backoff (pkg/backoff/backoff.go; pkg/factory/aliyun sleeps it, the
#: controller polls from it). A delete that comes too early is retried as DeleteNetworkInterface is.
DETACH_WAIT = 3.0


class EniPhase(enum.Enum):
    """Where one of an agent's ENIs is, as the agent knows it."""

    CREATED = "created"  # not attached (or its attach failed)
    ATTACHING = "attaching"
    READY = "ready"
    DELETING = "deleting"  # being detached and deleted: it serves no pod any more


class AgentEni:
    """What an agent knows of one of its secondary ENIs. ``asked`` is how many addresses it was
    created with, primary included (an attaching ENI's addresses count towards the demand)."""

    __slots__ = ("id", "phase", "slots", "primary", "addresses", "prefixes", "asked", "inhibited_until", "vswitch_id")

    def __init__(self, eni_id: str, primary: int, addresses: list[int], prefixes: list[int], vswitch_id: str = ""):
        self.id = eni_id
        self.vswitch_id = vswitch_id  # the vSwitch it was created on
        self.phase = EniPhase.CREATED
        self.primary = primary
        self.addresses = dict.fromkeys(addresses)  # secondary IPs, insertion-ordered: O(1) give-back
        self.prefixes = prefixes  # /28 bases (prefix mode)
        self.slots = 1 + len(addresses) + len(prefixes)  # private IPv4 slots in use, primary included
        self.asked = self.slots
        self.inhibited_until = 0.0  # the daemon asks nothing of it before (after IpNotEnough)


class AgentContext(Protocol):
    """What the engine gives an agent."""

    @property
    def now(self) -> float:
        """Simulated seconds."""

    @property
    def vswitches(self) -> "VSwitchBlocks":
        """The cluster's view of its vSwitches (blocked after exhaustion), for a centralized IPAM."""

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """Run ``fn(arg)`` ``delay`` seconds from now."""

    def call(self, agent: "NodeAgent", request: Any, attempt: int) -> Any:
        """Send a typed request to the model; returns its result, raises its ApiError."""

    def pod_ready(self, pod: Pod) -> None:
        """``pod`` got its address."""

    def jitter(self) -> float:
        """A uniform draw in [0, 1) from the run's own generator (backoff jitter)."""


#: What a mode does with a result: ``done(request, result)``.
Done = Callable[[Any, Any], None]


class _Retry(NamedTuple):
    request: Any
    done: Done
    gave_up: Callable[[Any], None] | None
    attempt: int


class NodeAgent:
    """The IPAM of one node.

    This class owns the invariants every mode shares: the idle pool and the waiting pods, one
    call in flight at a time (``busy``), retries with the same request (so the same
    ClientToken) as Terway retries each action (``AgentConfig.retries``), and the ENIs' life
    (created, attached, detached and deleted). Its IPAM (``self.ipam``) says when to call; a
    mode is a subclass that fills in ``grow`` (one call towards more addresses), ``release``
    (one call giving idle ones back) and ``usable`` (the addresses an attached ENI brings).
    """

    #: Whether the agent creates no second ENI while one attaches (Terway's shared-ENI modes:
    #: requests queue on the ENI being created); an exclusive-ENI agent creates one per pod.
    one_eni_at_a_time = True

    def __init__(self, ctx: AgentContext, node: Node, config: AgentConfig, attach_seconds: float):
        from simkit.agents.ipam import IPAM_CLASSES, IPAM_OF_MODE  # the IPAMs drive agents: imported here, once built

        self.ctx = ctx
        self.node = node
        self.config = config
        self.attach_seconds = attach_seconds
        self.idle: list[int] = []
        self.waiting: list[Pod] = []
        self.running = 0
        self.busy = False  # a call or its retries are in flight
        #: What holds pods waiting here now (NONE when nothing does): stamped on each waiting
        #: pod that nothing held yet, so a pod's wait is put down to the first limit that held it.
        self.hold = WaitReason.NONE
        self._tokens = 0
        self.enis: list[AgentEni] = []
        self.eni_by_id: dict[str, AgentEni] = {}
        self.by_primary: dict[int, AgentEni] = {}
        self.per_eni = node.itype.private_ipv4_per_eni
        self.max_enis = node.itype.eni_quantity - 1  # the primary ENI is the node's own
        #: request type -> how it is retried (read once: the same for every call of a run)
        self._retry: dict[type, RetryPolicy] = {}
        #: Told when this agent finds its vSwitch out of addresses (an IP-aware scheduler sets
        #: it: Terway then sets the node's SufficientIP condition false); None: nobody listens.
        self.on_vswitch_short: Callable[["NodeAgent"], None] | None = None
        self.ipam: Ipam = IPAM_OF_MODE.get(config.mode, IPAM_CLASSES[config.ipam])(self)

    def start(self) -> None:
        """The workload starts: the IPAM's first sync."""
        self.ipam.start()

    # ---------------------------------------------------------------- pods

    def pod_start(self, pod: Pod) -> None:
        """``pod`` was placed here: give it an idle address (if the IPAM hands them out at once),
        or let it wait for one."""
        pod.node = self
        if self.idle and self.ipam.serves_at_once:
            self._give(pod, self.idle.pop())
            return
        pod.state = PodState.WAITING
        self.waiting.append(pod)
        if self.hold and not pod.reason:
            pod.reason = self.hold
        if self.hold is WaitReason.VSWITCH_ADDRESSES and self.on_vswitch_short is not None:
            self.on_vswitch_short(self)  # its allocation fails on the exhausted vSwitch
        self.ipam.pod_waiting()

    def pod_end(self, pod: Pod) -> None:
        """``pod`` ended: its address goes back to the idle pool (or it stops waiting); it goes
        back to the cloud only when the IPAM releases idle addresses."""
        if pod.state is PodState.RUNNING:
            self.running -= 1
            self.idle.append(pod.ip)
            pod.ip = None
            if self.ipam.serves_at_once:
                self.serve()
        elif pod.state is PodState.WAITING:
            self.waiting.remove(pod)
        pod.state = PodState.DONE
        self.ipam.pod_ended()

    def _give(self, pod: Pod, ip: int) -> None:
        pod.ip = ip
        pod.state = PodState.RUNNING
        self.running += 1
        self.ctx.pod_ready(pod)

    def serve(self) -> None:
        """Hand idle addresses to waiting pods, first come first served."""
        idle, waiting = self.idle, self.waiting
        while idle and waiting:
            self._give(waiting.pop(0), idle.pop())

    @property
    def held(self) -> int:
        """Addresses this node holds for pods (running plus idle)."""
        return self.running + len(self.idle)

    def held_by(self, reason: WaitReason) -> None:
        """Something now holds the pods waiting here (NONE: nothing does any more)."""
        self.hold = reason
        if reason:
            for pod in self.waiting:
                if not pod.reason:
                    pod.reason = reason
            if reason is WaitReason.VSWITCH_ADDRESSES and self.on_vswitch_short is not None:
                self.on_vswitch_short(self)  # Terway sets the node's SufficientIP condition false

    # ---------------------------------------------------------------- what a mode fills in

    @property
    def capacity(self) -> int:  # pragma: no cover - every mode fills it in
        """Pod addresses this node's ENIs can hold at most: Terway's max pods for the mode,
        which it reports as the node's ``k8s.aliyun.com/max-available-ip``."""
        raise NotImplementedError

    def grow(self, need: int) -> bool:  # pragma: no cover - every mode fills it in
        """Make one call towards ``need`` more addresses; False when no call can be made now
        (every ENI full, blocked or attaching)."""
        raise NotImplementedError

    def release(self, surplus: int, deletes: Callable[[AgentEni, int], bool]) -> tuple[int, Callable[[], None]] | None:  # pragma: no cover
        """Plan one call giving back up to ``surplus`` idle addresses, from the ENI with the
        fewest first; a whole ENI none of whose addresses is in use is detached and deleted when
        ``deletes(eni, surplus)`` says so (Terway's rule differs by IPAM). Returns (addresses
        it gives back, the call to make), or None when nothing can be given back."""
        raise NotImplementedError

    def usable(self, eni: Any) -> list[int]:  # pragma: no cover - every mode fills it in
        """The addresses a newly attached ENI brings to the pool."""
        raise NotImplementedError

    def vswitch_of(self, request: Any) -> str:
        """The vSwitch a request of this agent's draws addresses from: the one it names (a new
        ENI), else its ENI's, else the node's."""
        vswitch = getattr(request, "vswitch_id", None)
        if vswitch:
            return vswitch
        eni = self.eni_by_id.get(getattr(request, "network_interface_id", None) or "")
        return eni.vswitch_id if eni is not None and eni.vswitch_id else self.node.vswitch_id

    def all_blocked(self, blocks: "VSwitchBlocks", now: float) -> WaitReason:
        """What holds pods when every vSwitch this node could take addresses from is blocked
        (NONE when one is not)."""
        candidates = [v for v, _ in self.node.pod_vswitches] or [self.node.vswitch_id]
        candidates += [e.vswitch_id for e in self.enis if e.vswitch_id]
        reasons = [blocks.blocked(v, now) for v in candidates]
        return reasons[0] if all(reasons) else WaitReason.NONE

    def describe_vswitch(self, vswitch_id: str) -> int | None:
        """DescribeVSwitches for one vSwitch (recorded as any call): its AvailableIpAddressCount,
        or None when the call is refused."""
        try:
            page = self.ctx.call(self, DescribeVSwitches(self.node.region_id, vswitch_id=vswitch_id), 1)
        except ApiError:
            return None
        return page.items[0].available_ip_count if page.items else None

    def attaching(self) -> int:
        """Addresses asked with ENIs still attaching (Terway subtracts them from the demand)."""
        return sum(e.asked for e in self.enis if e.phase is EniPhase.ATTACHING)

    # ---------------------------------------------------------------- ENIs

    def adopt(self, eni: AgentEni) -> None:
        """A new ENI of this node's (just created): attach it."""
        self.enis.append(eni)
        self.eni_by_id[eni.id] = eni
        self.by_primary[eni.primary] = eni
        self.attach(eni)

    def eni_holding(self, address: int) -> str:
        """The id of this node's ENI that holds ``address`` ("" when none does)."""
        eni = self.by_primary.get(address)
        return eni.id if eni is not None else ""

    def attach(self, eni: AgentEni) -> None:
        """Attach one of this node's ENIs to it. The attach completes ``attach_seconds`` later,
        and meanwhile the agent may call for its other ENIs (Terway attaches in a task of its own)."""
        node = self.node
        self.send(AttachNetworkInterface(node.region_id, eni.id, node.instance_id), self._attaching,
                  self._attach_failed)

    def _attaching(self, request: AttachNetworkInterface, result: None) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        eni.phase = EniPhase.ATTACHING
        self.ctx.after(self.attach_seconds, self._attached, eni)
        self.ipam.settled()

    def _attach_failed(self, request: AttachNetworkInterface) -> None:
        # Terway deletes an ENI it could not attach (the daemon rolls it back; the controller
        # marks its failed attach task's ENI Deleting).
        eni = self.eni_by_id[request.network_interface_id]
        eni.phase = EniPhase.DELETING
        self.ctx.after(0.0, self._delete, eni)

    def _attached(self, eni: AgentEni) -> None:
        eni.phase = EniPhase.READY
        self.idle.extend(self.usable(eni))
        self.ipam.addresses_came()

    def delete_eni(self, eni: AgentEni) -> None:
        """Detach ``eni`` and delete it once it is Available, giving every address it holds,
        its primary included, back to the vSwitch (Terway's idle-ENI release)."""
        eni.phase = EniPhase.DELETING
        gone = set(self.usable(eni))
        self.idle = [ip for ip in self.idle if ip not in gone]
        node = self.node
        self.send(DetachNetworkInterface(node.region_id, eni.id, node.instance_id), self._detached)

    def _detached(self, request: DetachNetworkInterface, result: None) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        # Terway waits for the ENI to be Available (wait_eni_status) before it deletes it.
        self.busy = True
        self.ctx.after(DETACH_WAIT, self._delete, eni)

    def _delete(self, eni: AgentEni) -> None:
        self.busy = False
        self.send(DeleteNetworkInterface(self.node.region_id, eni.id), self._deleted)

    def _deleted(self, request: DeleteNetworkInterface, result: None) -> None:
        eni = self.eni_by_id.pop(request.network_interface_id)
        self.enis.remove(eni)
        self.by_primary.pop(eni.primary, None)
        self.forget(eni)
        self.ipam.settled()

    def forget(self, eni: AgentEni) -> None:
        """A deleted ENI's addresses are no longer this node's (a mode drops its own indexes)."""

    # ---------------------------------------------------------------- calls

    def token(self) -> str:
        """A fresh ClientToken (a retry reuses its request, so its token)."""
        self._tokens += 1
        return f"{self.node.instance_id}-{self._tokens}"

    def send(self, request: Any, done: Done, gave_up: Callable[[Any], None] | None = None, attempt: int = 1) -> None:
        """Send ``request``; the agent is busy until it is answered.

        On success the agent is free again and ``done(request, result)`` runs. On an error its
        action retries, the same request is sent again after a backoff (the agent stays busy);
        on any other error the agent gives up, its IPAM decides what follows
        (``Ipam.refused``), and ``gave_up(request)`` runs.
        """
        self.busy = True
        try:
            result = self.ctx.call(self, request, attempt)
        except ApiError as exc:
            self._failed(exc.code, exc.limit, _Retry(request, done, gave_up, attempt))
            return
        self.busy = False
        if self.hold:
            self.held_by(WaitReason.NONE)
        done(request, result)

    def _resend(self, retry: _Retry) -> None:
        self.send(retry.request, retry.done, retry.gave_up, retry.attempt)

    def _failed(self, code: str, limit: str | None, retry: _Retry) -> None:
        ctx = self.ctx
        attempt = retry.attempt
        hold = self.ipam.hold_of(code, limit)
        if hold is not self.hold:
            self.held_by(hold)
        kind = type(retry.request)
        policy = self._retry.get(kind)
        if policy is None:
            policy = self._retry[kind] = self.config.retries.get(kind.__name__, DEFAULT_RETRY)
        if policy.retries(code, attempt):
            ctx.after(policy.backoff.wait(attempt, ctx.jitter()), self._resend, retry._replace(attempt=attempt + 1))
            return
        self.busy = False
        if retry.gave_up is not None:
            retry.gave_up(retry.request)
        self.ipam.refused(code, retry.request)
