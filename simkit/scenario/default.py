"""The embedded default scenario."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_SCENARIO"]

#: The embedded default scenario (DESIGN.md's example): what ``make demo`` runs.
DEFAULT_SCENARIO: dict[str, Any] = {
    "name": "pod-churn-demo",
    "seed": 7,
    "region": "cn-hangzhou",
    "duration": "1d",
    "sample_every": "5m",
    "vpc": {"cidr": "10.0.0.0/16"},
    "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22", "reservations": [{"mask": 25}]}],
    "placement": "random",
    "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 8, "vswitch": "vsw-a"}],
    "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
    "workload": {"kind": "pod-churn", "arrival_rate": "0.5/s", "lifetime": {"median": "10m", "p90": "2h"}},
    "faults": {"InternalError": 0.0},
    "limits": {"throttle_per_minute": {"AssignPrivateIpAddresses": 400}},
}
