"""Memory on a long trace: a generated 2,000,000-pod CSV replayed end to end, with the process's
peak resident memory after the replay, after the summary, and after the ``Result``.

The trace is written to a temporary folder: Poisson arrivals over one day (about 23 pods a
second) and lognormal lifetimes (median 5 min, p90 20 min), both from one seeded numpy
generator, so about 12,500 pods are alive at once. The fleet (400 x ecs.g7.xlarge, 45 pods a
node, 18,000 in all) and its one /16 vSwitch hold them, so no pod waits for a node or an
address and the run measures the machinery, not a shortage.

The trace is written, and each case run, in a fresh child process, so that its peak is its own:
Linux carries a process's peak RSS over into a child it starts, so the parent here imports
neither numpy nor simkit. The peaks are ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (a high-water
mark): "replay" is read when the replay hands its records to the summary (the summary step is
wrapped here, in the bench, not in simkit), "summary" when the summary returns, "result" once
``simkit.run`` has built the ``Result``. tracemalloc, started just before the summary, gives the
summary's own allocations (numpy's included) without slowing the replay down.

Cases: the trace in start order (read lazily, row by row) and the same rows shuffled (read
whole and sorted in memory by the reader, about 60 bytes a row: see bench/pod_trace.py).
Target: the summary's peak within 1.2x of the replay's own, printed as MET or MISSED.
Run: python bench/long_trace.py [--pods N] [--shuffled-too]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's simkit, whichever one the interpreter installed
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

DAY = 86_400.0
MEDIAN, P90 = 300.0, 1200.0  # seconds
NODES, TYPE = 400, "ecs.g7.xlarge"
TARGET = 1.2


def write_trace(path: Path, pods: int, seed: int, shuffled: bool) -> None:
    """``pods`` rows of name,start,end: Poisson arrivals over a day, lognormal lifetimes; in
    start order, or shuffled with the same generator. Written in chunks so the writer stays
    small."""
    import numpy as np

    rng = np.random.default_rng(seed)
    starts = np.cumsum(rng.exponential(DAY / pods, pods))
    sigma = math.log(P90 / MEDIAN) / 1.2815515655446004
    ends = starts + rng.lognormal(math.log(MEDIAN), sigma, pods)
    order = rng.permutation(pods) if shuffled else np.arange(pods)
    with path.open("w") as f:
        f.write("name,start,end\n")
        for lo in range(0, pods, 100_000):
            idx = order[lo:lo + 100_000]
            f.write("".join(f"pod-{i:07d},{s:.3f},{e:.3f}\n" for i, s, e in zip(idx.tolist(), starts[idx].tolist(),
                                                                                 ends[idx].tolist())))


def scenario(trace: Path) -> dict:
    """One day on 400 nodes in one /16, replaying ``trace``."""
    return {
        "name": "long-trace", "seed": 1, "region": "cn-hangzhou", "duration": "1d", "sample_every": "5m",
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/16"}],
        "placement": "random",
        "security_group": {"type": "enterprise"},  # ~12,500 pods at once: past a basic group's 6,000 addresses
        "fleet": [{"instance_type": TYPE, "count": NODES, "vswitch": "vsw-a"}],
        "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
        "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end",
                     "name_column": "name"},
    }


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(trace: Path) -> None:
    """Run the scenario on ``trace`` in this process and print one JSON line of figures."""
    import tracemalloc

    import simkit
    from simkit.engine import replay as replay_module

    figures: dict[str, float] = {"start": _maxrss_mib()}
    summarize = replay_module.summarize

    def measured(*args, **kwargs):
        figures["replay"] = _maxrss_mib()
        figures["replay_seconds"] = time.perf_counter() - figures["t0"]
        tracemalloc.start()
        t = time.perf_counter()
        summary = summarize(*args, **kwargs)
        figures["summary_seconds"] = time.perf_counter() - t
        figures["summary_traced_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        figures["summary"] = _maxrss_mib()
        return summary

    replay_module.summarize = measured
    figures["t0"] = time.perf_counter()
    result = simkit.run(scenario(trace), progress=False)
    figures["result"] = _maxrss_mib()
    figures["pods"] = result.summary["pods_arrived"]
    figures["served"] = result.summary["pod_outcomes"]["served"]
    figures["calls"] = result.summary["calls"]
    figures["pod_bytes"] = result._run.recorder.pods.nbytes()
    figures["event_bytes"] = result._run.recorder.nbytes()
    print(json.dumps(figures))


def measure(trace: Path) -> dict:
    """The figures of ``child(trace)``, run in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--child", str(trace)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_in_child(trace: Path, pods: int, seed: int, shuffled: bool) -> None:
    """``write_trace`` in a fresh process, so that numpy's arrays never raise this one's peak."""
    subprocess.run([sys.executable, __file__, "--write", str(trace), "--pods", str(pods), "--seed", str(seed)]
                   + (["--shuffled"] if shuffled else []), check=True)


def report(label: str, f: dict) -> bool:
    ratio = f["summary"] / f["replay"]
    print(f"\n{label}: {f['pods']:,.0f} pods ({f['served']:,.0f} served), {f['calls']:,.0f} calls; "
          f"replay {f['replay_seconds']:.1f} s, summary {f['summary_seconds']:.2f} s")
    print(f"  peak RSS after import           {f['start']:>8,.0f} MiB")
    print(f"  peak RSS after the replay       {f['replay']:>8,.0f} MiB   (pod columns {f['pod_bytes'] / 2**20:,.0f} MiB, "
          f"event columns {f['event_bytes'] / 2**20:,.0f} MiB)")
    print(f"  peak RSS after the summary      {f['summary']:>8,.0f} MiB   (the summary's own allocations peak at "
          f"{f['summary_traced_peak']:,.1f} MiB, {f['summary_traced_peak'] * 2**20 / f['pods']:.1f} bytes a pod: "
          f"tracemalloc)")
    print(f"  peak RSS after the Result       {f['result']:>8,.0f} MiB")
    met = ratio <= TARGET
    print(f"  target summary peak within {TARGET}x of the replay's own: {'MET' if met else 'MISSED'} ({ratio:.3f}x)")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--shuffled-too", action="store_true", help="also replay the rows shuffled (read whole)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shuffled", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.write:
        write_trace(args.write, args.pods, args.seed, args.shuffled)
        return
    print(f"machine: {machine()}")
    print(f"{args.pods:,} pods over 1 d (lifetimes median {MEDIAN:g} s, p90 {P90:g} s) on {NODES} x {TYPE}, one /16")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("in start order (lazy)", False)] + ([("shuffled (read whole, sorted)", True)] if args.shuffled_too else [])
        for label, shuffled in cases:
            trace = Path(tmp) / ("shuffled.csv" if shuffled else "sorted.csv")
            t = time.perf_counter()
            write_in_child(trace, args.pods, args.seed, shuffled)
            print(f"\nwrote {trace.name}: {trace.stat().st_size / 2**20:,.0f} MiB in {time.perf_counter() - t:.1f} s")
            report(label, measure(trace))


if __name__ == "__main__":
    main()
