"""The scenarios whose results are pinned by hash (tests/test_golden_results.py).

Every shipped scenario, and more that reach the corners a refactor could move: prefix mode,
injected faults, throttling, a saturated fleet, a vSwitch that runs out, logged API calls,
diurnal churn with bursts and resource requests, two vSwitches with an idle pool.

Regenerate the pinned digests only for a change that is meant to change results, in a commit
of its own that says what changed and why:

    .venv/bin/python -m tests.golden.regenerate
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "scenarios"
SAMPLES = ROOT / "data" / "samples"


def _churn(**over) -> dict:
    scenario = {
        "seed": 3, "region": "cn-hangzhou", "duration": "3h", "sample_every": "5m",
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
        "placement": "random",
        "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 4, "vswitch": "vsw-a"}],
        "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
        "workload": {"kind": "pod-churn", "arrival_rate": "12/m", "lifetime": {"median": "10m", "p90": "40m"}},
    }
    scenario.update(over)
    return scenario


#: name -> scenario (a shipped file's path, or a dict).
SCENARIOS: dict[str, object] = {
    "shipped-default": SHIPPED / "default.yaml",
    "shipped-fleet-bound": SHIPPED / "fleet-bound.yaml",
    "shipped-pod-trace-sample": SHIPPED / "pod-trace-sample.yaml",
    "shipped-api-calls-sample": SHIPPED / "api-calls-sample.yaml",
    "api-calls-jsonl": {
        "name": "api-calls-jsonl", "seed": 2, "duration": "1h", "sample_every": "5m",
        "vpc": {"cidr": "172.16.0.0/16"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "172.16.0.0/24"}],
        "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a"}],
        "workload": {"kind": "api-calls", "path": str(SAMPLES / "api-calls.jsonl")},
    },
    "prefix-mode": _churn(
        name="prefix-mode", placement="pack",
        vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/23", "reservations": [{"mask": 25}]}],
        fleet=[{"instance_type": "ecs.g7.xlarge", "count": 4, "vswitch": "vsw-a", "max_pods": 32}],
        agent={"mode": "prefix", "prefix_count": 2},
    ),
    "faults": _churn(name="faults", faults={"AssignPrivateIpAddresses": {"InternalError": 0.05, "Throttling": 0.05},
                                             "CreateNetworkInterface": {"InternalError": 0.1},
                                             "AttachNetworkInterface": {"Operation.Conflict": 0.1}}),
    "throttled": _churn(name="throttled", agent={"mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
                        limits={"throttle_per_minute": {"AssignPrivateIpAddresses": 5, "UnassignPrivateIpAddresses": 5}}),
    "saturated-fleet": _churn(name="saturated-fleet", fleet=[{"instance_type": "ecs.g7.large", "count": 2, "vswitch": "vsw-a"}],
                              workload={"kind": "pod-churn", "arrival_rate": "30/m", "lifetime": {"median": "20m", "p90": "1h"}}),
    "small-vswitch": _churn(name="small-vswitch", placement="lowest",
                            vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/26"}]),
    "diurnal-bursts-resources": _churn(
        name="diurnal-bursts-resources", duration="6h", sample_every="10m",
        workload={"kind": "pod-churn", "arrival_rate": "6/m", "lifetime": {"median": "15m", "p90": "1h"},
                  "diurnal": {"amplitude": 0.8, "period": "6h", "peak": "3h"},
                  "bursts": [{"at": "1h", "pods": 80, "over": "2m"}], "cpu_milli": 500, "memory_mib": 1024},
    ),
    "two-vswitches-idle-pool": _churn(
        name="two-vswitches-idle-pool", placement="pack",
        vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/25"},
                   {"name": "vsw-b", "zone": "cn-hangzhou-i", "cidr": "10.0.1.0/25", "reservations": [{"mask": 28}]}],
        fleet=[{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "vsw-a"},
               {"instance_type": "ecs.g7.2xlarge", "count": 2, "vswitch": "vsw-b", "max_pods": 40}],
        agent={"mode": "secondary-ip", "min_idle": 3, "max_idle": 8, "batch": 4},
    ),
}
