"""How a node agent behaves: its settings (the scenario's ``agent:`` block) and the error codes
Terway treats specially. Sources: ``../shared/reference/alibaba-facts.md`` §5."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AgentConfig", "MODES", "RETRYABLE", "VSWITCH_EXHAUSTED"]

#: Terway retries AssignPrivateIpAddresses on these (pkg/aliyun/client/ecs.go, retry list).
RETRYABLE = frozenset({"Throttling", "InternalError", "Operation.Conflict", "ServiceUnavailable"})
#: After these Terway stops allocating on the vSwitch for its block time (10 minutes).
VSWITCH_EXHAUSTED = frozenset({
    "InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress",
    "InvalidVSwitchId.IpPrefixNotEnough", "InvalidOperation.VSwitchCidrReservationNotExist",
})

MODES = ("secondary-ip", "prefix")


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
        if self.mode not in MODES:
            raise ValueError(f"agent.mode {self.mode!r} is unknown; allowed: {', '.join(MODES)}")
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
