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

__all__ = ["CloudSettings", "IP_EXHAUSTED_CODES", "reservations_per_space"]

#: The codes the sources name for an Assign that finds too few free IPs (Terway treats both alike).
IP_EXHAUSTED_CODES = ("InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress")
#: The settings that are a limit: a whole number, or None for no limit.
_LIMITS = ("account_eni_quota", "security_group_ip_capacity", "security_group_capacity", "security_groups_per_eni",
           "vswitches_per_vpc", "vpc_private_ips", "reservations_per_vpc", "reservations_per_vswitch")


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
    Limits that bind real clusters (issue 10 point 11; the sources, quoted with their dates, in
    docs/research/limits-sources.md). Each is a whole number, or None for no limit:
      security_group_ip_capacity: private IPv4 addresses on the ENIs of a basic (normal) security
        group: 6,000. ECS "Basic and advanced security groups" (Last Updated Apr 27 2026): "Basic
        security group - VPC: 6,000. Capacity usage is the total number of private IP addresses
        on all associated ENIs (primary and secondary), including primary private IPv4, IPv6,
        secondary private IPv4, IPv4 prefixes, and IPv6 prefixes" (quota
        q_vpc-normal-security-group-ip-count; the Oct 2023 and Apr 2024 pages said 2,000, raisable
        to 6,000). simkit counts each ENI's primary, its secondaries and one per /28 prefix (it
        models no IPv6). Past it: SecurityGroupInstanceLimitExceed, a code chosen (no source
        names the code for a full basic group).
      security_group_capacity: ENIs in a security group: 65,536, an advanced (enterprise) group's
        capacity on the same page ("based on the total number of ENIs (primary and secondary)").
        It applies to every group, as it did when it had no default; a basic group, whose ENIs
        hold at least one address each, reaches security_group_ip_capacity first unless that is
        raised past it. Past it: SecurityGroupInstanceLimitExceed (the documented code).
      security_groups_per_eni: security groups one ENI (or one instance's primary ENI) may be in:
        5. ECS "Manage ENIs in security groups": "By default, each ENI can be added to up to five
        security groups" (Terway's own config check allows 10: not ECS's default). And "Basic and
        advanced security groups": an instance's or ENI's groups "must be of the same type". Both
        refused with InvalidParameter (no source names a code).
      vswitches_per_vpc: 150. VPC quotas page (help.aliyun.com/zh/vpc/understanding-vpc-quotas-in-
        alibaba-cloud): vpc_quota_vswitches_num, 150; CreateVSwitch: "You can create at most 150
        vSwitches in a virtual private cloud (VPC)". Past it: QuotaExceeded.VSwitch (the
        CreateVSwitch error table, docs/research/error-codes-sources.md).
      vpc_private_ips: private addresses used by cloud resources in one VPC: 300,000 (the same
        quotas page: "the sum of the addresses assigned on its ENIs" for an instance with several
        ENIs or addresses). simkit counts as for a basic group: each ENI's primary, secondaries
        and one per /28 prefix (how the page counts a prefix is not said: a choice, the same rule
        as the security-group page's). Past it: QuotaExceeded.PrivateIpAddress, a code chosen
        (the page names none).
      reservations_per_vpc, reservations_per_vswitch: reserved IPv4 CIDR blocks. The sources
        disagree: the VPC quotas page and the Chinese "VPCs and vSwitches" page count 100 per VPC
        (so do the current Chinese and Spanish CreateVSwitchCidrReservation pages, the Spanish
        one updated Sep 2026), the English CreateVSwitchCidrReservation page (api-610154, last
        updated Jan 2026) still says 10 per vSwitch. Default: 100 per VPC and no bound per
        vSwitch, because the quotas page is where Alibaba lists its limits and the pages updated
        last say so; the English page's reading is reservations_per_vswitch=10,
        reservations_per_vpc=None. Past either: InvalidParameter (no source names a code).
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
    security_group_ip_capacity: int | None = 6000
    security_group_capacity: int | None = 65536
    security_groups_per_eni: int | None = 5
    vswitches_per_vpc: int | None = 150
    vpc_private_ips: int | None = 300_000
    reservations_per_vpc: int | None = 100
    reservations_per_vswitch: int | None = None
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
        for name in _LIMITS:
            value = getattr(self, name)
            least = 1 if name == "security_groups_per_eni" else 0  # an ENI is in one group at least
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < least):
                raise ValueError(f"settings.{name} must be a whole number >= {least} or None, got {value!r}")
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


def reservations_per_space(per_vswitch: int | None, per_vpc: int | None) -> int | None:
    """The most CIDR reservations one vSwitch's address space can hold: ``per_vswitch``
    (settings.reservations_per_vswitch), and never more than its VPC's ``per_vpc``
    (settings.reservations_per_vpc, counted across the VPC by the operation); None: no bound."""
    bounds = [b for b in (per_vswitch, per_vpc) if b is not None]
    return min(bounds) if bounds else None


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
