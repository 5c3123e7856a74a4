"""How a node agent behaves: its settings (the scenario's ``agent:`` block) and the error codes
Terway treats specially. Sources: ``../shared/reference/alibaba-facts.md`` §5."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, NamedTuple

__all__ = ["AgentConfig", "Backoff", "DEFAULT_RETRY", "IPAMS", "MODES", "RetryPolicy", "TERWAY_RETRIES", "VSWITCH_EXHAUSTED"]

#: After these Terway stops allocating on the vSwitch for its block time (10 minutes).
VSWITCH_EXHAUSTED = frozenset({
    "InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress",
    "InvalidVSwitchId.IpPrefixNotEnough", "InvalidOperation.VSwitchCidrReservationNotExist",
})


class Backoff(NamedTuple):
    """Kubernetes' ``wait.Backoff`` as Terway sets it (``pkg/backoff/backoff.go``): ``steps``
    attempts; before attempt ``i + 1`` a wait of ``duration * factor**(i - 1)`` stretched by
    ``1 + jitter * U[0, 1)`` (apimachinery's ``Jitter``: ``d + rand * jitter * d``), so
    ``eni_ip_ops``' 5 s with jitter 1.3 waits 5 to 11.5 s."""

    duration: float
    factor: float
    jitter: float
    steps: int

    def wait(self, attempt: int, draw: float) -> float:
        """The wait after failed attempt ``attempt`` (from 1), for a uniform ``draw`` in [0, 1)."""
        return self.duration * self.factor ** (attempt - 1) * (1.0 + self.jitter * draw)


class RetryPolicy(NamedTuple):
    """How the agent retries one action: with ``backoff``, after the error codes ``codes``
    (None: after any error), with the same request and so the same ClientToken."""

    backoff: Backoff
    codes: frozenset[str] | None

    def retries(self, code: str, attempt: int) -> bool:
        """Whether a call refused with ``code`` on attempt ``attempt`` is tried again."""
        return attempt < self.backoff.steps and (self.codes is None or code in self.codes)


#: Terway's retries, by action. The codes: ``pkg/aliyun/client/ecs.go`` (AssignPrivateIpAddresses
#: retries Throttling, InternalError and Operation.Conflict; CreateNetworkInterface only
#: Throttling and InternalError; ServiceUnavailable is in neither list); the other calls retry
#: any error (``pkg/factory/aliyun``: attach with ``wait_eni_status``, detach with
#: ``eni_release``, delete and unassign with ``eni_ops``). The backoffs: ``pkg/backoff/backoff.go``.
TERWAY_RETRIES: dict[str, RetryPolicy] = {
    "AssignPrivateIpAddresses": RetryPolicy(Backoff(5.0, 1.0, 1.3, 6),  # eni_ip_ops
                                            frozenset({"Throttling", "InternalError", "Operation.Conflict"})),
    "CreateNetworkInterface": RetryPolicy(Backoff(10.0, 2.0, 0.3, 2),  # eni_create
                                          frozenset({"Throttling", "InternalError"})),
    "AttachNetworkInterface": RetryPolicy(Backoff(3.0, 1.5, 0.5, 8), None),  # wait_eni_status
    "DetachNetworkInterface": RetryPolicy(Backoff(4.0, 2.0, 0.5, 8), None),  # eni_release
    "DeleteNetworkInterface": RetryPolicy(Backoff(5.0, 2.0, 0.3, 6), None),  # eni_ops
    "UnassignPrivateIpAddresses": RetryPolicy(Backoff(5.0, 2.0, 0.3, 6), None),  # eni_ops
}
#: Actions Terway's table leaves out retry as its default key does (2 s, x1.5, jitter 0.3, 6).
DEFAULT_RETRY = RetryPolicy(Backoff(2.0, 1.5, 0.3, 6), frozenset({"Throttling", "InternalError"}))

MODES = ("secondary-ip", "prefix", "exclusive-eni")


IPAMS = ("centralized", "daemon")


@dataclass(frozen=True)
class AgentConfig:
    """How a node agent behaves (the scenario's ``agent:`` block).

    ipam: "centralized" (Terway's controller; the Helm chart's default, ``centralizedIPAM:
      true``) or "daemon" (each node's own daemon). See ``simkit.agents.ipam``.
    mode: "secondary-ip" (Terway's shared-ENI multi-IP mode), "prefix" (/28 prefixes) or
      "exclusive-eni" (an ENI of its own for every pod).
    min_idle, max_idle: bounds of the idle address pool (Terway's min/max_pool_size; Helm
      defaults 0 and 5).
    batch: most secondary IPs asked in one Assign call, and most addresses a new ENI is created
      with, its primary included (Terway's 10).
    retries: action name -> RetryPolicy (Terway's, ``TERWAY_RETRIES``, unless the scenario
      changes one); an action not in it retries as ``DEFAULT_RETRY``.
    pool_sync_period: the daemon's pool sync, ``ip_pool_sync_period`` (120 s), stretched by
      1 + U[0, 1) each time (types/daemon/config.go, pkg/eni/manager.go).
    gc_period: how often the controller releases idle addresses and requeues a node
      (``multiIPGCPeriod``, 2 minutes; types/controlplane/config_default.go).
    block_exhausted: how long a vSwitch (or, for the daemon's Assign, an ENI) is left alone
      after it ran out; None: the IPAM's own, 20 minutes centralized (vSwitchCacheTTL), 10
      minutes daemon.
    block_eni_limit: the daemon creates no ENI for this long after EniPerInstanceLimitExceeded
      (1 minute).
    give_up_backoff: when the daemon asks again after any other refusal (kubelet's retry of the
      pod's sandbox; a choice, 1 minute).
    vswitch_selection: how a pod vSwitch is picked for a new ENI: "ordered" (most free addresses
      first by the cached DescribeVSwitches count; the Helm chart's and ACK's) or "random"
      (pkg/vswitch; Terway's code default).
    prefix_count: prefix mode: the /28 prefixes the controller keeps on each node
      (``ipv4_prefix_count``; pool.go ``syncPrefixAllocation``); the pool settings do not apply.
    """

    ipam: str = "centralized"
    mode: str = "secondary-ip"
    min_idle: int = 0
    max_idle: int = 5
    batch: int = 10
    retries: Mapping[str, RetryPolicy] = field(default_factory=lambda: MappingProxyType(dict(TERWAY_RETRIES)))
    pool_sync_period: float = 120.0
    gc_period: float = 120.0
    block_exhausted: float | None = None
    block_eni_limit: float = 60.0
    give_up_backoff: float = 60.0
    prefix_count: int | None = None
    vswitch_selection: str = "ordered"

    def __post_init__(self) -> None:
        if self.ipam not in IPAMS:
            raise ValueError(f"agent.ipam {self.ipam!r} is unknown; allowed: {', '.join(IPAMS)}")
        if self.mode not in MODES:
            raise ValueError(f"agent.mode {self.mode!r} is unknown; allowed: {', '.join(MODES)}")
        for name in ("min_idle", "max_idle", "batch"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < (1 if name == "batch" else 0):
                raise ValueError(f"agent.{name} must be a whole number >= {1 if name == 'batch' else 0}, got {v!r}")
        if self.min_idle > self.max_idle:
            raise ValueError(f"agent.min_idle ({self.min_idle}) must not exceed agent.max_idle ({self.max_idle})")
        for name in ("pool_sync_period", "gc_period", "block_exhausted", "block_eni_limit", "give_up_backoff"):
            v = getattr(self, name)
            if v is None and name == "block_exhausted":
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v < float("inf"):
                raise ValueError(f"agent.{name} must be a finite number >= 0, got {v!r}")
