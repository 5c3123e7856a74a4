"""A 90-day run of a 200-node cluster under growth: the wall time against the issue's target.

Issue 14 asks that a run covering months stays fast: "a 90-day run of a 200-node cluster in
under a minute on this machine". The scenario: 200 ecs.g7.xlarge nodes on a /18, pod churn at
0.02 pods/s growing +5 % a week (compounded: x1.87 by day 90), lifetimes of median 12 h and
p90 3 days (about 2,300 pods running at the start, 4,300 at the end), node pools scaled out by
20 nodes at 30 and at 60 days, hourly samples. Prints the wall time, pods, API calls and calls
per second, and the peak resident memory.

Run: make bench (or python bench/growth.py).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

from simkit.scenario import run  # noqa: E402

SCENARIO = {
    "name": "growth-bench",
    "seed": 5,
    "region": "cn-hangzhou",
    "duration": "90d",
    "sample_every": "1h",
    "vpc": {"cidr": "10.0.0.0/8"},
    "security_group": {"type": "enterprise"},
    "vswitches": [{"name": "nodes", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/18"}],
    "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 200, "vswitch": "nodes",
               "scale": [{"at": "30d", "count": 20}, {"at": "60d", "count": 20}]}],
    "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
    "workload": {"kind": "pod-churn", "arrival_rate": 0.02, "growth": "+5%/week",
                 "lifetime": {"median": "12h", "p90": "3d"}},
}

TARGET_SECONDS = 60.0


def main() -> None:
    print(machine())
    start = time.perf_counter()
    result = run(SCENARIO, progress=False)
    wall = time.perf_counter() - start
    s = result.summary
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"90-day run, 200 nodes (+40 scaled out), growth +5%/week: {wall:.1f} s wall "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if wall < TARGET_SECONDS else 'MISSED'})")
    print(f"  pods arrived {s['pods_arrived']:,}, API calls {s['calls']:,} ({s['calls'] / wall:,.0f} calls/s), "
          f"peak pods running {s['peak_pods_running']:,}, peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
