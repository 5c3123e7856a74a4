"""Sweep speed: 64 runs of the default scenario on 1 and on 2 local worker processes and on a
2-worker Dask LocalCluster, side by side in one run, with runs per minute and the ratios (targets:
2 local workers at least 1.7x one; Dask within 10 % of local processes for runs of a second or
more). Then the size search's saving: the runs bisection made against the full grid, on one key
and on two.
Run: make bench (or python bench/sweep.py --runs 16 for a quicker look).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

import simkit  # noqa: E402

SCENARIO = {**simkit.DEFAULT_SCENARIO, "duration": "2d"}


def timed(executor, runs: int) -> float:
    start = time.perf_counter()
    simkit.sweep(SCENARIO, seeds=runs, executor=executor, progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=64)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        one = timed(pool, args.runs)
    with ProcessPoolExecutor(max_workers=2) as pool:
        two = timed(pool, args.runs)
    from dask.distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            client.run(lambda: __import__("simkit"))  # workers import simkit before the clock starts
            dask = timed(client, args.runs)
    per_run = one / args.runs
    print(f"{args.runs} runs of the default scenario over {SCENARIO['duration']} ({per_run:.2f} s a run on one worker)\n")
    print(f"{'':<36} {'seconds':>9} {'runs/min':>10} {'x one worker':>13}")
    for name, seconds in (("local, 1 worker", one), ("local, 2 workers", two), ("Dask LocalCluster, 2 workers", dask)):
        print(f"{name:<36} {seconds:>9.1f} {args.runs / seconds * 60:>10.1f} {one / seconds:>13.2f}")
    print(f"\ntarget 2 local workers >= 1.7x one: {'MET' if one / two >= 1.7 else 'MISSED'} ({one / two:.2f})")
    print(f"target Dask within 10 % of local processes: {'MET' if dask / two <= 1.1 else 'MISSED'} "
          f"(Dask / local = {dask / two:.2f})")
    # The size search: 16 candidate fleet sizes, 4 seeds each, bisection against the full grid.
    small = {**simkit.DEFAULT_SCENARIO, "duration": "6h"}
    start = time.perf_counter()
    found = simkit.size(small, vary="fleet.0.count", candidates=list(range(1, 17)), target={"pod_failure_rate": 0.05},
                        seeds=4, risk=0.6, executor="serial", progress=False)
    elapsed = time.perf_counter() - start
    print(f"\nsize over 16 fleet sizes x 4 seeds: {found.runs} runs by bisection against {16 * 4} for the full grid "
          f"({16 * 4 / found.runs:.1f}x fewer, {elapsed:.1f} s); chosen {found.chosen}")
    # Two keys: 4 vSwitch sizes x 16 fleet sizes, the fleet bisected for each vSwitch.
    cidrs = ["192.168.0.0/25", "192.168.0.0/24", "192.168.0.0/23", "192.168.0.0/22"]
    start = time.perf_counter()
    found = simkit.size(small, vary=["vswitches.0.cidr", "fleet.0.count"],
                        candidates={"vswitches.0.cidr": cidrs, "fleet.0.count": list(range(1, 17))},
                        target={"pod_failure_rate": 0.05}, seeds=4, risk=0.6, executor="serial", progress=False)
    elapsed = time.perf_counter() - start
    full = len(cidrs) * 16 * 4
    print(f"size over 4 vSwitch sizes x 16 fleet sizes x 4 seeds: {found.runs} runs against {full} for the full grid "
          f"({full / found.runs:.1f}x fewer, {elapsed:.1f} s); chosen {found.chosen}, Pareto set of {len(found.pareto)}")


if __name__ == "__main__":
    main()
