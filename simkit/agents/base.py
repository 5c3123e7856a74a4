"""What every node agent shares: its settings, the pods and nodes it serves, the context the
engine gives it, and the retry/backoff and blocking rules of a real CNI (Terway).

An agent never touches the cloud model directly: it calls ``ctx.call(...)`` (the engine
invokes the model and records the outcome) and schedules its own follow-ups with
``ctx.after(...)``. Sources for the behaviour: ``../shared/reference/alibaba-facts.md`` §5.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Protocol

from simkit.catalog import InstanceType
from simkit.errors import ApiError

__all__ = ["AgentConfig", "AgentContext", "FAILED", "Node", "NodeAgent", "Pod", "RETRYABLE"]

#: What ``NodeAgent.call`` returns when the call was refused (some calls return None on success).
FAILED = object()

#: Terway retries AssignPrivateIpAddresses on these (pkg/aliyun/client/ecs.go, retry list).
RETRYABLE = frozenset({"Throttling", "InternalError", "Operation.Conflict", "ServiceUnavailable"})
#: After these Terway stops allocating on the vSwitch for its block time (10 minutes).
VSWITCH_EXHAUSTED = frozenset({
    "InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress",
    "InvalidVSwitchId.IpPrefixNotEnough", "InvalidOperation.VSwitchCidrReservationNotExist",
})
#: After this Terway stops for 1 minute.
ENI_LIMIT = frozenset({"EniPerInstanceLimitExceeded", "MaxEniCountExceeded"})


@dataclass(frozen=True)
class AgentConfig:
    """How a node agent behaves (the scenario's ``agent:`` block).

    mode: "secondary-ip" (Terway's shared-ENI multi-IP mode) or "prefix" (/28 prefixes).
    min_idle, max_idle: bounds of the idle address pool (Terway's min/max_pool_size; Helm
      defaults 0 and 5).
    batch: most secondary IPs asked in one Assign call (the API takes more; Terway batches).
    retry_attempts, retry_backoff, retry_factor, retry_jitter: retries of Throttling,
      InternalError and Operation.Conflict, with the same ClientToken (Terway's eni_ip_ops:
      5 s, jitter 1.3, 6 steps).
    block_exhausted: no calls on the vSwitch for this long after it ran out (Terway: 10 min).
    block_eni_limit: the same after EniPerInstanceLimitExceeded (Terway: 1 min).
    give_up_backoff: when to look again after an error that is neither retried nor blocking.
    """

    mode: str = "secondary-ip"
    min_idle: int = 0
    max_idle: int = 5
    batch: int = 10
    retry_attempts: int = 6
    retry_backoff: float = 5.0
    retry_factor: float = 1.0
    retry_jitter: float = 1.3
    block_exhausted: float = 600.0
    block_eni_limit: float = 60.0
    give_up_backoff: float = 60.0

    def __post_init__(self) -> None:
        if self.mode not in ("secondary-ip", "prefix"):
            raise ValueError(f"agent.mode {self.mode!r} is unknown; allowed: secondary-ip, prefix")
        for name in ("min_idle", "max_idle", "batch", "retry_attempts"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < (1 if name in ("batch", "retry_attempts") else 0):
                raise ValueError(f"agent.{name} must be a whole number >= {1 if name in ('batch', 'retry_attempts') else 0}, got {v!r}")
        if self.min_idle > self.max_idle:
            raise ValueError(f"agent.min_idle ({self.min_idle}) must not exceed agent.max_idle ({self.max_idle})")
        for name in ("retry_backoff", "retry_factor", "retry_jitter", "block_exhausted", "block_eni_limit", "give_up_backoff"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise ValueError(f"agent.{name} must be a number >= 0, got {v!r}")


@dataclass(frozen=True)
class Node:
    """One instance of the fleet, as its agent and the scheduler see it."""

    name: str
    instance_id: str
    itype: InstanceType
    region_id: str
    vswitch_id: str
    security_group_id: str
    max_pods: int

    @property
    def cpu_milli(self) -> int:
        return self.itype.vcpu * 1000

    @property
    def memory_mib(self) -> int:
        return int(self.itype.memory_gib * 1024)


class Pod:
    """A pod of the workload; mutable while it lives."""

    __slots__ = ("name", "start", "end", "cpu_milli", "memory_mib", "node", "ip", "asked_at", "state")

    def __init__(self, name: str, start: float, end: float | None, cpu_milli: int | None, memory_mib: int | None):
        self.name = name
        self.start = start
        self.end = end
        self.cpu_milli = cpu_milli or 0
        self.memory_mib = memory_mib or 0
        self.node: "NodeAgent | None" = None
        self.ip: int | None = None
        self.asked_at = start
        self.state = "new"  # new, unscheduled, waiting (for an address), running, done


class AgentContext(Protocol):
    """What the engine gives an agent."""

    @property
    def now(self) -> float: ...

    def after(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None: ...

    def call(self, node: "NodeAgent", action: str, args: dict, eni: str, asked: int, attempt: int) -> Any: ...

    def pod_ready(self, pod: Pod) -> None: ...

    def jitter(self) -> float: ...


class NodeAgent:
    """The IPAM daemon of one node. Subclasses fill in how addresses are obtained and given
    back; this class owns the idle pool, the waiting pods, retries and blocking."""

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
        self._tokens = 0

    # ---------------------------------------------------------------- pods

    def pod_start(self, pod: Pod) -> None:
        pod.node = self
        if self.idle:
            self._give(pod, self.idle.pop())
        else:
            pod.state = "waiting"
            self.waiting.append(pod)
        self.kick()

    def pod_end(self, pod: Pod) -> None:
        if pod.state == "running":
            self.running -= 1
            self.idle.append(pod.ip)
            pod.ip = None
            self._serve()
        elif pod.state == "waiting":
            self.waiting.remove(pod)
        pod.state = "done"
        self.kick()

    def _give(self, pod: Pod, ip: int) -> None:
        pod.ip = ip
        pod.state = "running"
        self.running += 1
        self.ctx.pod_ready(pod)

    def _serve(self) -> None:
        idle, waiting = self.idle, self.waiting
        while idle and waiting:
            self._give(waiting.pop(0), idle.pop())

    @property
    def held(self) -> int:
        """Addresses this node holds for pods (running plus idle)."""
        return self.running + len(self.idle)

    # ---------------------------------------------------------------- the work loop

    def kick(self, _: Any = None) -> None:
        """Look at the pool and do the next call if one is needed and none is in flight."""
        if not self.busy:
            self.work()

    def work(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def work_if_needed(self) -> None:
        """``work()``, skipped when the pool is within its bounds and nobody waits (the common
        case right after a call succeeded)."""
        idle = len(self.idle)
        cfg = self.config
        if self.waiting or idle < cfg.min_idle or idle > cfg.max_idle:
            self.work()

    def token(self) -> str:
        self._tokens += 1
        return f"{self.node.instance_id}-{self._tokens}"

    def call(self, action: str, args: dict, eni: str, asked: int, retry: tuple, attempt: int) -> Any:
        """Call through the context. ``retry`` is (method, arguments): on a retryable error
        ``method(*arguments, attempt + 1)`` runs after a backoff (the caller reuses its
        ClientToken); on exhaustion the agent blocks. Returns the result, or FAILED when the
        call was refused (then the agent is busy until the retry, or blocked, as the error
        requires)."""
        try:
            return self.ctx.call(self, action, args, eni, asked, attempt)
        except ApiError as exc:
            # The retry closure is built only when needed: most calls succeed.
            self.failed(exc.code, partial(retry[0], *retry[1]), attempt)
            return FAILED

    def failed(self, code: str, retry: Callable[[int], None], attempt: int) -> None:
        cfg = self.config
        ctx = self.ctx
        if code in RETRYABLE and attempt < cfg.retry_attempts:
            self.busy = True
            delay = cfg.retry_backoff * cfg.retry_factor ** (attempt - 1) * (1 + (cfg.retry_jitter - 1) * ctx.jitter())
            ctx.after(delay, retry, attempt + 1)
            return
        self.busy = False
        if code in VSWITCH_EXHAUSTED:
            wait = cfg.block_exhausted
        elif code in ENI_LIMIT:
            wait = cfg.block_eni_limit
        else:
            wait = cfg.give_up_backoff
        self.blocked_until = ctx.now + wait
        ctx.after(wait, self.kick)
