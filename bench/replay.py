"""End-to-end replay speed: a pod-churn scenario of about 1,000,000 API calls on 2,000 nodes.

Agents keep no idle addresses (min_idle 0, max_idle 0), through the agents, the scheduler, the
model and the recorder. Terway's IPAMs batch their calls (addresses go back at a pool sync or a
pool period), so the calls a pod causes depend on the IPAM: the bench prints the cost per pod
under both, side by side in one run (the calls per second are kept for the floor's ratio). Prints calls per second of wall time,
the event columns' bytes per recorded call, and the process's peak resident memory. Beside it,
in the same run, the floor: the same number of bare ``Account.handle`` calls with no engine,
agents or recording, so the ratio shows what the replay machinery costs.

Then the saturated case: a fleet offered twice the pods it can hold, at 500 and at 2,000 nodes,
so most pods wait for a node; the cost per pod should not grow with the fleet (target: the
2,000-node cost within 1.5x of the 500-node cost).
Run: make bench (or python bench/replay.py --calls 200000 for a quicker look).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

from simkit.engine import Replay  # noqa: E402
from simkit.scenario import build_plan  # noqa: E402


def scenario(calls: int, ipam: str = "centralized") -> dict:
    # About 20 pods per node at a time, so nearly every pod start and end is a call (an
    # ENI's primary address serves a pod without one).
    lifetime_mean = 1800 * 1.165  # lognormal, median 30 min, p90 60 min
    rate = 2000 * 20 / lifetime_mean
    pods = calls // 2
    duration = pods / rate
    return {
        "name": "replay-bench",
        "seed": 11,
        "region": "cn-hangzhou",
        "duration": duration,
        "sample_every": "5m",
        "vpc": {"cidr": "10.0.0.0/8"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/16"},
                      {"name": "vsw-b", "zone": "cn-hangzhou-h", "cidr": "10.1.0.0/16"}],
        "placement": "lowest",
        # ~42,000 addresses on the fleet's ENIs: past a basic group's 6,000, so an advanced group
        # (65,536 ENIs), or the bench would measure refusals.
        "security_group": {"type": "enterprise"},
        "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 1000, "vswitch": "vsw-a"},
                  {"instance_type": "ecs.g7.xlarge", "count": 1000, "vswitch": "vsw-b"}],
        "agent": {"ipam": ipam, "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "workload": {"kind": "pod-churn", "arrival_rate": rate,
                     "lifetime": {"median": "30m", "p90": "60m"}},
    }


def saturated(nodes: int, lifetimes: float) -> dict:
    """A fleet of ecs.g7.large (12 pods each) offered twice what it holds, for ``lifetimes``
    mean pod lifetimes (the fleet is full after about half of one)."""
    capacity = nodes * 12
    lifetime_mean = 600 * 1.165  # lognormal, median 10 min, p90 20 min
    rate = 2 * capacity / lifetime_mean
    return {
        "name": f"saturated-{nodes}", "seed": 5, "region": "cn-hangzhou", "duration": lifetimes * lifetime_mean,
        "sample_every": "5m",
        "vpc": {"cidr": "10.0.0.0/8"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/16"}],
        "placement": "lowest",
        "security_group": {"type": "enterprise"},  # 500 nodes: 500 + 500 x 12 addresses, past a basic group's 6,000
        "fleet": [{"instance_type": "ecs.g7.large", "count": nodes, "vswitch": "vsw-a"}],
        "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "workload": {"kind": "pod-churn", "arrival_rate": rate, "lifetime": {"median": "10m", "p90": "20m"}},
    }


def per_pod_seconds(scenario_dict: dict) -> tuple[float, int]:
    replay = Replay(build_plan(scenario_dict))
    t = time.perf_counter()
    result = replay.run()
    return (time.perf_counter() - t) / result.summary["pods_arrived"], result.summary["pods_arrived"]


def floor(n: int) -> float:
    """Bare model calls: assign one address to an ENI and give it back, n calls in all."""
    from simkit import Cloud

    cloud = Cloud(seed=1, placement="lowest")
    r = {"RegionId": "cn-hangzhou"}
    vpc = cloud.call("CreateVpc", {**r, "CidrBlock": "10.0.0.0/16"})["VpcId"]
    vsw = cloud.call("CreateVSwitch", {**r, "VpcId": vpc, "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.0.0/16"})["VSwitchId"]
    sg = cloud.call("CreateSecurityGroup", {**r, "VpcId": vpc})["SecurityGroupId"]
    eni = cloud.call("CreateNetworkInterface", {**r, "VSwitchId": vsw, "SecurityGroupId": sg})["NetworkInterfaceId"]
    from simkit.ecs.requests import AssignPrivateIpAddresses, UnassignPrivateIpAddresses

    handle = cloud.model.handle
    start = time.perf_counter()
    for _ in range(n // 2):
        ips = handle(AssignPrivateIpAddresses("cn-hangzhou", eni, secondary_private_ip_address_count=1)).addresses
        handle(UnassignPrivateIpAddresses("cn-hangzhou", eni, private_ip_address=ips))
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--saturated-lifetimes", type=float, default=4.0)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    plan = build_plan(scenario(args.calls))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    replay = Replay(plan)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = replay.run()
    elapsed = time.perf_counter() - t1
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rec = result.recorder
    n = rec.n_calls
    rate = n / elapsed
    per_event = rec.nbytes() / n
    per_pod = rec.pods.nbytes() / max(len(rec.pods), 1)
    bare = floor(min(n, 400_000))
    s = result.summary
    print(f"pod churn on {len(result.node_ids):,} nodes ({plan.fleet[0].instance_type}), {plan.duration / 3600:g} h simulated, "
          f"{s['pods_arrived']:,} pods; set-up {setup:.1f} s\n")
    print(f"{'':<44} {'calls/s':>12}")
    print(f"{'replay end to end (agents, model, recording)':<44} {rate:>12,.0f}   {n:,} calls in {elapsed:.1f} s")
    print(f"{'bare Account.handle, no engine (floor)':<44} {bare:>12,.0f}   replay / floor = {rate / bare:.2f}")
    print(f"\nevent columns: {per_event:.1f} bytes per recorded call; process peak RSS {rss1 / 1024:,.0f} MiB "
          f"(+{(rss1 - rss0) / 1024:,.0f} MiB during the run, {(rss1 - rss0) * 1024 / n:.0f} bytes per call)")
    print(f"errors {s['api_errors']:,}; pod outcomes {s['pod_outcomes']}")
    # Terway's IPAMs batch their calls (releases at a pool sync or a pool period), so calls per
    # pod depend on the IPAM: the cost per pod is what compares across IPAMs and versions.
    print(f"\n{'per pod, by IPAM':<44} {'us per pod':>12} {'calls per pod':>14}")
    print(f"{'centralized (the default)':<44} {elapsed / s['pods_arrived'] * 1e6:>12,.1f} {n / s['pods_arrived']:>14.2f}")
    daemon = Replay(build_plan(scenario(args.calls, "daemon")))
    t2 = time.perf_counter()
    d = daemon.run()
    d_elapsed = time.perf_counter() - t2
    d_pods = d.summary["pods_arrived"]
    print(f"{'daemon':<44} {d_elapsed / d_pods * 1e6:>12,.1f} {d.recorder.n_calls / d_pods:>14.2f}")
    small, n_small = per_pod_seconds(saturated(500, args.saturated_lifetimes))
    large, n_large = per_pod_seconds(saturated(2000, args.saturated_lifetimes))
    print(f"\nsaturated fleet (offered 2x what it holds): 500 nodes {small * 1e6:.1f} us per pod ({n_small:,} pods), "
          f"2,000 nodes {large * 1e6:.1f} us per pod ({n_large:,} pods): 2,000 / 500 = {large / small:.2f}")
    print(f"\ntarget >= 150,000 calls/s end to end: {'MET' if rate >= 150_000 else 'MISSED'} ({rate:,.0f})")
    print(f"target replay within 3x of the floor: {'MET' if bare / rate <= 3 else 'MISSED'} (floor / replay = {bare / rate:.1f})")
    print(f"target saturated per-pod cost within 1.5x from 500 to 2,000 nodes: {'MET' if large / small <= 1.5 else 'MISSED'} "
          f"({large / small:.2f})")
    print(f"target < 200 bytes of memory per recorded event: {'MET' if per_event < 200 else 'MISSED'} ({per_event:.0f})")
    print(f"target <= 40 bytes of memory per recorded pod: {'MET' if per_pod <= 40 else 'MISSED'} ({per_pod:.0f})")


if __name__ == "__main__":
    main()
