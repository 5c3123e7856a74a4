"""The embedded default scenario: what ``make demo`` runs."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_SCENARIO"]

#: An ACK-like node pool of ten ecs.g7.2xlarge (Terway's shared-ENI mode can address 45 pods on
#: each: (4 - 1) x 15) in one /24 pod vSwitch (252 usable addresses, 10 of them the nodes' own),
#: with pod churn that peaks at 14:00 every day (6 pods a minute on average, 60 % more at the
#: peak; lifetimes with a median of 20 minutes). The fleet can hold 450 pods; the workload offers
#: ~277 at the peak, but with each node keeping up to 5 idle addresses the vSwitch runs out
#: first: at the peak, pods wait for addresses and many miss the 30 s SLO.
#: data/scenarios/default.yaml is the same scenario as a file (a test keeps them equal).
DEFAULT_SCENARIO: dict[str, Any] = {
    "name": "ack-node-pool-daily-peak",
    "seed": 7,
    "region": "cn-hangzhou",
    "duration": "1d",
    "sample_every": "5m",
    "vpc": {"cidr": "192.168.0.0/16"},
    "vswitches": [{"name": "pods-h", "zone": "cn-hangzhou-h", "cidr": "192.168.0.0/24"}],
    "placement": "random",
    "fleet": [{"instance_type": "ecs.g7.2xlarge", "count": 10, "vswitch": "pods-h"}],
    "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
    "workload": {
        "kind": "pod-churn",
        "arrival_rate": "6/m",
        "lifetime": {"median": "20m", "p90": "1h"},
        "diurnal": {"amplitude": 0.6, "period": "1d", "peak": "14h"},
        "cpu_milli": 100,
        "memory_mib": 256,
    },
    "limits": {"throttle_per_minute": {"AssignPrivateIpAddresses": 400}},
    "slo": {"pod_wait": "30s"},
}
