"""Sweep speed: the default scenario over four days (runs of over a second) on 1 and on 2 local
worker processes and on a 2-worker Dask LocalCluster, side by side in one run, with runs per
minute and the ratios (targets: 2 local workers at least 1.7x one; Dask within 10 % of local
processes for runs of a second or more). Dask three ways: its default config; with the workers'
statistical profiler off (``distributed.worker.profile.enabled: false``); and quieter still, the
event-loop tick, system monitor and memory monitor also made rarer. Then the size search's saving:
the runs bisection made against the full grid, on one key and on two.

Fair on a noisy machine: ``--runs`` runs per executor in ``--rounds`` rounds (different seeds each
round, the same for every executor), local first in odd rounds and Dask first in even ones; each
executor is started afresh for its measurement and warmed with a short run on every worker
outside the clock; medians over rounds. Each measurement prints the CPU time the rest of the
machine used meanwhile (busy time in /proc/stat less our process tree), so noise is visible, and
where our own CPU went: the threads that ran the runs, the workers' other threads (Dask's event
loop: profiler, ticks, monitors, heartbeats), and this process (the client, and for a LocalCluster
its scheduler and nannies).
The ratios are also given over the rounds where both measurements compared were quiet (the rest
of the machine under 10 % of a core meanwhile).
Run: make bench (or python bench/sweep.py --runs 16 --rounds 2 for a quicker look).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, table  # noqa: E402

import simkit  # noqa: E402
from simkit.analysis.sweep import Task, sweep_seeds  # noqa: E402

SCENARIO = {**simkit.DEFAULT_SCENARIO, "duration": "4d"}  # runs of about a second here: the target is for those
WARM_UP = {**simkit.DEFAULT_SCENARIO, "duration": "1h"}
TICK = os.sysconf("SC_CLK_TCK")
QUIET = 0.1  # a round is quiet when the rest of the machine used less than this share of a core throughout
TASK_THREADS = "Dask-Default-Threads"  # in the name of the threads that run a Dask worker's tasks


# --- CPU accounting from /proc (Linux) ---------------------------------------------------------

def _fields(path: str) -> list[str] | None:
    """The fields of a /proc .../stat file after the command name (which may hold spaces)."""
    try:
        with open(path) as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None  # gone meanwhile


def _busy() -> float:
    """CPU seconds the whole machine has been busy (all but idle and iowait)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


class Snapshot(NamedTuple):
    wall: float
    busy: float
    tree: float  # our process tree, reaped children included
    main: float  # this process alone
    workers: list[int]  # our child processes' ids
    threads: dict[tuple[int, int], float]  # (process id, thread id): its CPU seconds


def snapshot() -> Snapshot:
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (f := _fields(f"/proc/{entry}/stat")):
            parent[int(entry)] = int(f[1])
    tree, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        frontier = [pid for pid, ppid in parent.items() if ppid in frontier and pid not in tree]
        tree.update(frontier)
    total, main, workers, threads = 0.0, 0.0, [], {}
    for pid in tree:
        f = _fields(f"/proc/{pid}/stat")
        if f is None:
            continue
        own, reaped = (int(f[11]) + int(f[12])) / TICK, (int(f[13]) + int(f[14])) / TICK
        total += own + reaped  # a child reaped meanwhile moves into its parent's reaped time
        if pid == os.getpid():
            main = own
            continue
        workers.append(pid)
        for tid in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else ():
            if t := _fields(f"/proc/{pid}/task/{tid}/stat"):
                threads[(pid, int(tid))] = (int(t[11]) + int(t[12])) / TICK
    return Snapshot(time.perf_counter(), _busy(), total, main, workers, threads)


class Cpu(NamedTuple):
    """CPU seconds during one measurement."""

    tasks: float  # the threads that ran the runs
    worker_other: float  # the worker processes' other threads
    this_process: float  # client (and a LocalCluster's scheduler and nannies)
    rest: float  # the rest of the machine


def cpu_between(a: Snapshot, b: Snapshot, task_threads: set[tuple[int, int]]) -> Cpu:
    tasks = sum(b.threads[k] - a.threads.get(k, 0.0) for k in task_threads if k in b.threads)
    tree, main = b.tree - a.tree, b.main - a.main
    return Cpu(tasks, tree - main - tasks, main, (b.busy - a.busy) - tree)


# --- executors ----------------------------------------------------------------------------------

#: Dask configs measured. A nanny hands its worker the config in force when the nanny is made.
PROFILER_OFF = {"distributed.worker.profile.enabled": False}
QUIETER = {**PROFILER_OFF, "distributed.admin.tick.interval": "1s", "distributed.admin.system-monitor.interval": "5s",
           "distributed.worker.memory.monitor-interval": "1s"}


class Measurement(NamedTuple):
    seconds: float
    workers: int
    cpu: Cpu
    run_seconds: list[float]  # time inside the run function, per run
    frame: object
    wakeups: float  # periodic callbacks a second in one worker (Dask)


def _measure(executor, workers: int, seeds: list[int], task_threads: Callable[[], set[tuple[int, int]]],
             wakeups: float = 0.0) -> Measurement:
    before = snapshot()
    frame = simkit.sweep(SCENARIO, seeds=seeds, executor=executor, progress=False)
    after = snapshot()
    assert (frame.error == "").all(), frame.error[frame.error != ""].iloc[0]
    return Measurement(after.wall - before.wall, workers, cpu_between(before, after, task_threads()),
                       list(frame.run_seconds), frame, wakeups)


def local(workers: int, seeds: list[int]) -> Measurement:
    from concurrent.futures import ProcessPoolExecutor

    already = set(snapshot().workers)  # a Dask cluster may leave a resource tracker behind
    with ProcessPoolExecutor(max_workers=workers) as pool:
        simkit.sweep(WARM_UP, seeds=workers, executor=pool, progress=False)
        ours = set(snapshot().workers) - already
        # A pool's worker runs its tasks on its main thread, whose id is the process id.
        return _measure(pool, workers, seeds, lambda: {(pid, pid) for pid in ours})


def dask(seeds: list[int], config: dict) -> Measurement:
    import dask as dask_
    from dask.distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dask_.config.set(config), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("simkit"))
            simkit.sweep(WARM_UP, seeds=2, executor=client, progress=False)
            wakeups = client.run(lambda dask_worker: sum(1000 / c.callback_time
                                                         for c in dask_worker.periodic_callbacks.values()))

            def task_threads() -> set[tuple[int, int]]:
                found = client.run(lambda: [(os.getpid(), t.native_id) for t in threading.enumerate()
                                            if TASK_THREADS in t.name])
                return {k for ks in found.values() for k in ks}

            return _measure(client, 2, seeds, task_threads, statistics.mean(wakeups.values()))


EXECUTORS: dict[str, Callable[[list[int]], Measurement]] = {
    "local, 1 worker": lambda seeds: local(1, seeds),
    "local, 2 workers": lambda seeds: local(2, seeds),
    "Dask, default config": lambda seeds: dask(seeds, {}),
    "Dask, profiler off": lambda seeds: dask(seeds, PROFILER_OFF),
    "Dask, quieter config": lambda seeds: dask(seeds, QUIETER),
}


# --- the bench ----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=64, help="runs per executor, over all rounds")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    per_round = args.runs // args.rounds
    seeds = sweep_seeds(per_round * args.rounds, SCENARIO["seed"])
    print(f"machine: {machine()}")
    print(f"{per_round * args.rounds} runs of the default scenario over {SCENARIO['duration']} per executor, in "
          f"{args.rounds} rounds of {per_round} (local first, then Dask first); medians over rounds")
    print(f"Dask profiler off: {PROFILER_OFF}\nDask quieter config: {QUIETER}\n")
    names = list(EXECUTORS)
    got: dict[str, list[Measurement]] = {n: [] for n in names}
    print("seconds (and the CPU seconds the rest of the machine used meanwhile)")
    print(f"{'round':<14}" + "".join(f"{n:>22}" for n in names))
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[2:] + names[:2]
        for name in order:
            got[name].append(EXECUTORS[name](seeds[r * per_round:(r + 1) * per_round]))
        cells = "".join(f"{f'{got[n][r].seconds:.1f} ({max(0.0, got[n][r].cpu.rest):.1f})':>22}" for n in names)
        print(f"{r + 1} {'local first' if r % 2 == 0 else 'Dask first':<12}{cells}", flush=True)
    seconds = {n: statistics.median(m.seconds for m in got[n]) for n in names}
    rate = {n: per_round / s * 60 for n, s in seconds.items()}
    print()
    print(table("medians over rounds", [(n, rate[n]) for n in names], "runs/min",
                {"local 1": rate[names[0]], "local 2": rate[names[1]]}))

    def quiet(m: Measurement) -> bool:
        return m.cpu.rest < QUIET * m.seconds

    def paired(n: str, against: str) -> str:  # over the rounds where both were measured quiet
        both = [r for r in range(args.rounds) if quiet(got[n][r]) and quiet(got[against][r])]
        return f"{statistics.median(got[n][r].seconds / got[against][r].seconds for r in both):.2f} " \
               f"({len(both)})" if both else "- (0)"

    print(f"rounds where the rest of the machine stayed under {QUIET * 100:.0f} % of a core, median time ratios "
          f"over them (how many rounds): local 1 worker / 2 workers {paired(names[0], names[1])}; against local 2 "
          "workers: " + ", ".join(f"{n.split(', ', 1)[1]} {paired(n, names[1])}" for n in names[2:]))

    print("\nper run, seconds (medians over rounds): inside the run function; the CPU of the threads that ran "
          "it; idle worker time\n(workers x elapsed less inside: gaps between runs and the tail); CPU of the "
          "workers' other threads, of this process\n(client, and a LocalCluster's scheduler and nannies) and of "
          "the rest of the machine; all our CPU (run, workers' other threads, this process); periodic callbacks a "
          "second in a worker")
    print(f"{'':<22} {'inside':>7} {'run CPU':>8} {'idle':>6} {'worker other':>13} {'this process':>13} "
          f"{'rest':>6} {'all ours':>9} {'wakeups/s':>10}")
    for n in names:
        def med(f):
            return statistics.median(f(m) for m in got[n])
        print(f"{n:<22} {med(lambda m: sum(m.run_seconds) / per_round):>7.3f} {med(lambda m: m.cpu.tasks / per_round):>8.3f} "
              f"{med(lambda m: (m.workers * m.seconds - sum(m.run_seconds)) / per_round):>6.3f} "
              f"{max(0.0, med(lambda m: m.cpu.worker_other / per_round)):>13.3f} "
              f"{med(lambda m: m.cpu.this_process / per_round):>13.3f} {med(lambda m: m.cpu.rest / per_round):>6.3f} "
              f"{med(lambda m: (m.cpu.tasks + m.cpu.worker_other + m.cpu.this_process) / per_round):>9.3f} "
              f"{med(lambda m: m.wakeups):>10.0f}")
    ours = {n: statistics.median((m.cpu.tasks + m.cpu.worker_other + m.cpu.this_process) / per_round for m in got[n])
            for n in names}
    print("all our CPU a run against local 2 workers (on 2 busy cores, the time follows it): "
          + ", ".join(f"{n.split(', ', 1)[1]} {ours[n] / ours[names[1]]:.2f}" for n in names[2:]))
    base = got[names[0]]
    same = all(got[n][r].frame.drop(columns="run_seconds").equals(base[r].frame.drop(columns="run_seconds"))
               for n in names[1:] for r in range(args.rounds))
    print(f"tables equal value for value (run_seconds aside) across executors: {same}")
    frame = base[0].frame
    row_bytes = [len(pickle.dumps(dict(zip(frame.columns, row)))) for row in frame.itertuples(index=False)]
    task_bytes = len(pickle.dumps(Task(0, {}, SCENARIO, seeds[0])))
    print(f"bytes a run, pickled: {task_bytes:,} sent (the task), {statistics.median(row_bytes):,.0f} back (its row)")

    speedup = seconds[names[0]] / seconds[names[1]]
    ratio = {n: seconds[n] / seconds[names[1]] for n in names[2:]}
    print(f"\ntarget 2 local workers >= 1.7x one: {'MET' if speedup >= 1.7 else 'MISSED'} ({speedup:.2f})")
    print(f"target Dask within 10 % of local processes: {'MET' if ratio[names[2]] <= 1.1 else 'MISSED'} "
          f"(Dask / local = {ratio[names[2]]:.2f}; with the profiler off {ratio[names[3]]:.2f}, "
          f"with the quieter config {ratio[names[4]]:.2f})")

    # The size search: 16 candidate fleet sizes, 4 seeds each, bisection against the full grid.
    small = {**simkit.DEFAULT_SCENARIO, "duration": "6h"}
    begin = time.perf_counter()
    found = simkit.size(small, vary="fleet.0.count", candidates=list(range(1, 17)), target={"pod_failure_rate": 0.05},
                        seeds=4, risk=0.6, executor="serial", progress=False)
    elapsed = time.perf_counter() - begin
    print(f"\nsize over 16 fleet sizes x 4 seeds: {found.runs} runs by bisection against {16 * 4} for the full grid "
          f"({16 * 4 / found.runs:.1f}x fewer, {elapsed:.1f} s); chosen {found.chosen}")
    # Two keys: 4 vSwitch sizes x 16 fleet sizes, the fleet bisected for each vSwitch.
    cidrs = ["192.168.0.0/25", "192.168.0.0/24", "192.168.0.0/23", "192.168.0.0/22"]
    begin = time.perf_counter()
    found = simkit.size(small, vary=["vswitches.0.cidr", "fleet.0.count"],
                        candidates={"vswitches.0.cidr": cidrs, "fleet.0.count": list(range(1, 17))},
                        target={"pod_failure_rate": 0.05}, seeds=4, risk=0.6, executor="serial", progress=False)
    elapsed = time.perf_counter() - begin
    full = len(cidrs) * 16 * 4
    print(f"size over 4 vSwitch sizes x 16 fleet sizes x 4 seeds: {found.runs} runs against {full} for the full grid "
          f"({full / found.runs:.1f}x fewer, {elapsed:.1f} s); chosen {found.chosen}, Pareto set of {len(found.pareto)}")


if __name__ == "__main__":
    main()
