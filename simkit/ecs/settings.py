"""Settings of the simulated cloud: where the sources are silent, a documented choice.

Every field has a default that follows the sources (``../shared/reference/alibaba-facts.md``)
or, where they say nothing, the least surprising choice, named as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

from simkit.errors import REGISTRY
from simkit.net.policy import POLICIES

__all__ = ["CloudSettings", "IP_EXHAUSTED_CODES"]

#: The codes the sources name for an Assign that finds too few free IPs (Terway treats both alike).
IP_EXHAUSTED_CODES = ("InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress")


@dataclass(frozen=True)
class CloudSettings:
    """How the simulated account behaves where a choice has to be made.

    Limits (facts §3.1, §2.1):
      available_eni_max_secondary: secondary IPs (and prefixes, one each) on an unattached ENI:
        49 (the current page; older pages said 10 and 50).
      max_named_ips_per_call: PrivateIpAddress.N on an Available ENI: 32.
      max_prefixes_per_call: Ipv4Prefix.N / Ipv4PrefixCount: 10.
      account_eni_quota: secondary ENIs per region, or None for no limit (the 2021 docs said 100;
        newer ones point to Quota Center).
      security_group_capacity: ENIs per security group, or None (no published number).
    Behaviour (sources silent, so chosen):
      placement: how a free IP is picked: "random" (default), "lowest" or "pack".
      ip_exhausted_code: the code Assign returns when the vSwitch has too few free IPs; Terway
        treats both candidates alike.
      available_ip_count_includes_reserved: whether DescribeVSwitches' AvailableIpAddressCount
        counts free addresses inside CIDR reservations (default False: it counts what single IPs
        can still use).
      eni_attach_seconds, eni_detach_seconds, eni_delete_seconds, reservation_assign_seconds,
      instance_start_seconds, instance_stop_seconds: simulated durations of the asynchronous
        operations (intermediate states are visible meanwhile).
      client_token_ttl_seconds: how long a ClientToken is remembered (None: for the whole run;
        the validity period is not published).
    Throttling and faults:
      throttle_per_minute: {Action: calls per minute per region}; no throttling unless set.
      faults: {Code: rate} for every action, or {Action: {Code: rate}}; drawn from the seeded
        generator. Codes must be in the error registry.
    """

    available_eni_max_secondary: int = 49
    max_named_ips_per_call: int = 32
    max_prefixes_per_call: int = 10
    account_eni_quota: int | None = None
    security_group_capacity: int | None = None
    placement: str = "random"
    ip_exhausted_code: str = "InvalidVSwitchId.IpNotEnough"
    available_ip_count_includes_reserved: bool = False
    eni_attach_seconds: float = 2.0
    eni_detach_seconds: float = 2.0
    eni_delete_seconds: float = 1.0
    reservation_assign_seconds: float = 1.0
    instance_start_seconds: float = 0.0
    instance_stop_seconds: float = 5.0
    client_token_ttl_seconds: float | None = None
    throttle_per_minute: Mapping[str, int] = field(default_factory=dict)
    faults: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("available_eni_max_secondary", "max_named_ips_per_call", "max_prefixes_per_call"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"settings.{name} must be a whole number >= 1, got {value!r}")
        for name in ("account_eni_quota", "security_group_capacity"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"settings.{name} must be a whole number >= 0 or None, got {value!r}")
        if self.placement not in POLICIES:
            raise ValueError(f"settings.placement {self.placement!r} is unknown; allowed: {', '.join(POLICIES)}")
        if self.ip_exhausted_code not in IP_EXHAUSTED_CODES:
            raise ValueError(
                f"settings.ip_exhausted_code {self.ip_exhausted_code!r} is not allowed; allowed: {', '.join(IP_EXHAUSTED_CODES)}"
            )
        for f in fields(self):
            if f.name.endswith("_seconds"):
                value = getattr(self, f.name)
                if value is None and f.name == "client_token_ttl_seconds":
                    continue
                # NaN would pass "< 0" and stall a transition for good; infinity would leave one
                # pending forever (the token TTL says "forever" with None).
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < math.inf:
                    forever = " (None: remembered for the whole run)" if f.name == "client_token_ttl_seconds" else ""
                    raise ValueError(f"settings.{f.name} must be a finite number of seconds >= 0{forever}, got {value!r}")
        throttle = dict(self.throttle_per_minute)
        for action, limit in throttle.items():
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise ValueError(f"limits.throttle_per_minute.{action} must be a whole number >= 1, got {limit!r}")
        object.__setattr__(self, "throttle_per_minute", MappingProxyType(throttle))
        object.__setattr__(self, "faults", MappingProxyType(_normalise_faults(self.faults)))

    def with_(self, **changes: Any) -> "CloudSettings":
        """A copy with some fields changed (validated like a new one)."""
        return replace(self, **changes)

    def fault_table(self, action: str) -> tuple[tuple[str, float], ...]:
        """The (code, rate) pairs that apply to ``action``, in a fixed order."""
        return self.faults.get(action, ()) + self.faults.get("*", ())


def _normalise_faults(faults: Mapping[str, Any]) -> dict[str, tuple[tuple[str, float], ...]]:
    """{Code: rate} or {Action: {Code: rate}} -> {Action or "*": ((code, rate), ...)}."""
    out: dict[str, list[tuple[str, float]]] = {}
    for key, value in dict(faults).items():
        if isinstance(value, Mapping):
            action, table = key, value
        else:
            action, table = "*", {key: value}
        for code, rate in table.items():
            if code not in REGISTRY:
                raise ValueError(f"faults: {code!r} is not an error code simkit knows (see docs/error-codes.md)")
            if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate <= 1:
                raise ValueError(f"faults.{code} must be a rate between 0 and 1, got {rate!r}")
            if rate:
                out.setdefault(action, []).append((code, float(rate)))
    return {action: tuple(sorted(pairs)) for action, pairs in out.items()}
