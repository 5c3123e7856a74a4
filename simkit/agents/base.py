"""What every node agent shares: the idle pool and the waiting pods, its ENIs and their
attachment, and the rules of a real CNI (Terway) around every call: one call in flight, retries
with backoff and the same ClientToken, and blocking after exhaustion.

An agent never touches the cloud model directly: it sends typed requests
(``simkit.ecs.requests``) through ``ctx.call(...)`` (the engine hands them to the model and
records the outcome) and schedules its own follow-ups with ``ctx.after(...)``. Sources for the
behaviour: ``../shared/reference/alibaba-facts.md`` §5.
"""

from __future__ import annotations

import enum
from typing import Any, Callable, NamedTuple, Protocol

from simkit.agents.config import RETRYABLE, VSWITCH_EXHAUSTED, AgentConfig
from simkit.agents.pods import Node, Pod, PodState, WaitReason
from simkit.ecs.requests import AttachNetworkInterface
from simkit.errors import ApiError

__all__ = ["AgentContext", "AgentEni", "EniPhase", "NodeAgent"]


class EniPhase(enum.Enum):
    """Where one of an agent's ENIs is, as the agent knows it."""

    CREATED = "created"  # not attached (or its attach failed)
    ATTACHING = "attaching"
    READY = "ready"


class AgentEni:
    """What an agent knows of one of its secondary ENIs."""

    __slots__ = ("id", "phase", "slots", "primary", "addresses", "prefixes")

    def __init__(self, eni_id: str, primary: int, addresses: list[int], prefixes: list[int]):
        self.id = eni_id
        self.phase = EniPhase.CREATED
        self.primary = primary
        self.addresses = dict.fromkeys(addresses)  # secondary IPs, insertion-ordered: O(1) give-back
        self.prefixes = prefixes  # /28 bases (prefix mode)
        self.slots = 1 + len(addresses) + len(prefixes)  # private IPv4 slots in use, primary included


class AgentContext(Protocol):
    """What the engine gives an agent."""

    @property
    def now(self) -> float:
        """Simulated seconds."""

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """Run ``fn(arg)`` ``delay`` seconds from now."""

    def call(self, agent: "NodeAgent", request: Any, attempt: int) -> Any:
        """Send a typed request to the model; returns its result, raises its ApiError."""

    def pod_ready(self, pod: Pod) -> None:
        """``pod`` got its address."""

    def jitter(self) -> float:
        """A uniform draw in [0, 1) from the run's own generator (backoff jitter)."""


#: What holds an agent's waiting pods after a refusal with this code (others: RETRYING).
_HOLD_OF_CODE = {code: WaitReason.VSWITCH_ADDRESSES for code in VSWITCH_EXHAUSTED} | {
    "EniPerInstanceLimitExceeded": WaitReason.ENI_LIMIT,
    "MaxEniCountExceeded": WaitReason.ACCOUNT_ENI_QUOTA,
    "Throttling": WaitReason.THROTTLED,
}
#: How long the agent stops calling after giving up on a code (others: give_up_backoff).
_BLOCK_OF_HOLD = {WaitReason.VSWITCH_ADDRESSES: "block_exhausted", WaitReason.ENI_LIMIT: "block_eni_limit",
                  WaitReason.ACCOUNT_ENI_QUOTA: "block_eni_limit"}

#: What a mode does with a result: ``done(request, result)``.
Done = Callable[[Any, Any], None]


class _Retry(NamedTuple):
    request: Any
    done: Done
    gave_up: Callable[[Any], None] | None
    attempt: int


class NodeAgent:
    """The IPAM daemon of one node.

    This class owns the invariants every mode shares: the idle pool and the waiting pods, one
    call in flight at a time (``busy``), retries with the same request (so the same
    ClientToken), and blocking after exhaustion. A mode is a subclass that fills in ``grow``
    (one call towards more addresses), ``shrink`` (one call giving surplus back) and ``usable``
    (the addresses an attached ENI brings), and sends its calls with ``send``.
    """

    def __init__(self, ctx: AgentContext, node: Node, config: AgentConfig, attach_seconds: float):
        self.ctx = ctx
        self.node = node
        self.config = config
        self.attach_seconds = attach_seconds
        self.idle: list[int] = []
        self.waiting: list[Pod] = []
        self.running = 0
        self.busy = False  # a call, a retry or an attach is in flight
        self.blocked_until = 0.0
        #: What holds pods waiting here now (NONE when nothing does): stamped on each waiting
        #: pod that nothing held yet, so a pod's wait is put down to the first limit that held it.
        self.hold = WaitReason.NONE
        self._tokens = 0
        self.enis: list[AgentEni] = []
        self.eni_by_id: dict[str, AgentEni] = {}
        self.by_primary: dict[int, AgentEni] = {}
        self.per_eni = node.itype.private_ipv4_per_eni
        self.max_enis = node.itype.eni_quantity - 1  # the primary ENI is the node's own
        #: Told when this agent finds its vSwitch out of addresses (an IP-aware scheduler sets
        #: it: Terway then sets the node's SufficientIP condition false); None: nobody listens.
        self.on_vswitch_short: Callable[["NodeAgent"], None] | None = None

    # ---------------------------------------------------------------- pods

    def pod_start(self, pod: Pod) -> None:
        """``pod`` was placed here: give it an idle address, or let it wait for one."""
        pod.node = self
        if self.idle:
            self._give(pod, self.idle.pop())
        else:
            pod.state = PodState.WAITING
            self.waiting.append(pod)
            if self.hold and not pod.reason:
                pod.reason = self.hold
            if self.hold is WaitReason.VSWITCH_ADDRESSES and self.on_vswitch_short is not None:
                self.on_vswitch_short(self)  # its allocation fails on the exhausted vSwitch
        self.work()

    def pod_end(self, pod: Pod) -> None:
        """``pod`` ended: its address goes back to the idle pool (or it stops waiting)."""
        if pod.state is PodState.RUNNING:
            self.running -= 1
            self.idle.append(pod.ip)
            pod.ip = None
            self.serve()
        elif pod.state is PodState.WAITING:
            self.waiting.remove(pod)
        pod.state = PodState.DONE
        self.work()

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

    # ---------------------------------------------------------------- the work loop

    def kick(self, _: Any = None) -> None:
        """``work()``, as a clock callback (the end of a block)."""
        self.work()

    def work(self) -> None:
        """One step towards the pool's bounds: grow for waiting pods and ``min_idle``, else shrink
        past ``max_idle``. Nothing while a call is in flight or the agent is blocked."""
        if self.busy or (self.blocked_until and self.ctx.now < self.blocked_until):
            return
        need = len(self.waiting) + self.config.min_idle - len(self.idle)
        if need > 0:
            for eni in self.enis:
                if eni.phase is EniPhase.CREATED:  # an attach that failed earlier: try it again first
                    self.attach(eni)
                    return
            self.grow(need)
        else:
            self.shrink()

    def work_if_needed(self) -> None:
        """``work()``, skipped when the pool is within its bounds and nobody waits (the common
        case right after a call succeeded)."""
        idle = len(self.idle)
        cfg = self.config
        if self.waiting or idle < cfg.min_idle or idle > cfg.max_idle:
            self.work()

    def held_by(self, reason: WaitReason) -> None:
        """Something now holds the pods waiting here (NONE: nothing does any more)."""
        self.hold = reason
        if reason:
            for pod in self.waiting:
                if not pod.reason:
                    pod.reason = reason

    @property
    def capacity(self) -> int:  # pragma: no cover - every mode fills it in
        """Pod addresses this node's ENIs can hold at most: Terway's max pods for the mode,
        which it reports as the node's ``k8s.aliyun.com/max-available-ip``."""
        raise NotImplementedError

    def grow(self, need: int) -> None:  # pragma: no cover - every mode fills it in
        """Make one call towards ``need`` more addresses."""
        raise NotImplementedError

    def shrink(self) -> None:  # pragma: no cover - every mode fills it in
        """Make one call giving surplus idle addresses back, if there is surplus."""
        raise NotImplementedError

    def usable(self, eni: Any) -> list[int]:  # pragma: no cover - every mode fills it in
        """The addresses a newly attached ENI brings to the pool."""
        raise NotImplementedError

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
        """Attach one of this node's ENIs to it (busy until the attach completes)."""
        node = self.node
        self.send(AttachNetworkInterface(node.region_id, eni.id, node.instance_id), self._attaching)

    def _attaching(self, request: AttachNetworkInterface, result: None) -> None:
        eni = self.eni_by_id[request.network_interface_id]
        eni.phase = EniPhase.ATTACHING
        self.busy = True  # Terway polls until the ENI is InUse: nothing else meanwhile
        self.ctx.after(self.attach_seconds, self._attached, eni)

    def _attached(self, eni: AgentEni) -> None:
        eni.phase = EniPhase.READY
        self.busy = False
        self.idle.extend(self.usable(eni))
        self.serve()
        self.work()

    # ---------------------------------------------------------------- calls

    def token(self) -> str:
        """A fresh ClientToken (a retry reuses its request, so its token)."""
        self._tokens += 1
        return f"{self.node.instance_id}-{self._tokens}"

    def send(self, request: Any, done: Done, gave_up: Callable[[Any], None] | None = None, attempt: int = 1) -> None:
        """Send ``request``; the agent is busy until it is answered.

        On success the agent is free again and ``done(request, result)`` runs. On a retryable
        error the same request is sent again after a backoff (the agent stays busy); on any
        other error the agent gives up, blocks for as long as the error requires, and
        ``gave_up(request)`` runs.
        """
        self.busy = True
        try:
            result = self.ctx.call(self, request, attempt)
        except ApiError as exc:
            self._failed(exc.code, _Retry(request, done, gave_up, attempt))
            return
        self.busy = False
        if self.hold:
            self.held_by(WaitReason.NONE)
        done(request, result)

    def _resend(self, retry: _Retry) -> None:
        self.send(retry.request, retry.done, retry.gave_up, retry.attempt)

    def _failed(self, code: str, retry: _Retry) -> None:
        cfg = self.config
        ctx = self.ctx
        attempt = retry.attempt
        hold = _HOLD_OF_CODE.get(code, WaitReason.RETRYING)
        if hold is not self.hold:
            self.held_by(hold)
        if code in RETRYABLE and attempt < cfg.retry_attempts:
            delay = cfg.retry_backoff * cfg.retry_factor ** (attempt - 1) * (1 + (cfg.retry_jitter - 1) * ctx.jitter())
            ctx.after(delay, self._resend, retry._replace(attempt=attempt + 1))
            return
        self.busy = False
        block = _BLOCK_OF_HOLD.get(hold)
        wait = getattr(cfg, block) if block is not None else cfg.give_up_backoff
        self.blocked_until = ctx.now + wait
        ctx.after(wait, self.kick)
        if hold is WaitReason.VSWITCH_ADDRESSES and self.on_vswitch_short is not None:
            self.on_vswitch_short(self)
        if retry.gave_up is not None:
            retry.gave_up(retry.request)
