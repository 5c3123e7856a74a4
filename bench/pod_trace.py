"""Reading a pod trace: rows per second and memory per row, for a file in start order (read
lazily, row by row) and the same rows out of order (read whole, then sorted in memory).

The trace is the real openb one (../shared/data/real/alibaba-gpu-v2023-openb), replayed by its
``scheduled_time``, which is out of order in the file, and by ``creation_time``, by which it is
sorted. Memory is tracemalloc's peak while every pod is pulled (the pods themselves are dropped
as they come, as the replay does), divided by the rows; numpy's arrays are traced too. The
sorted path has a fixed part (a chunk of rows being handed out, the csv reader), so the bench
also reads ten shuffled copies of the trace (names made unique) and reports what each row
beyond the first copy adds.
Run: python bench/pod_trace.py [--trace PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

from simkit.workloads import TraceStats, read_pod_trace  # noqa: E402

OPENB = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "alibaba-gpu-v2023-openb" / "openb_pod_list_default.csv"


def measure(path: Path, start: str, repeat: int) -> tuple[int, float, float]:
    """(rows, rows per second, peak traced bytes per row) reading every pod of ``path``."""

    def pods():
        return read_pod_trace(path, start, "deletion_time", name_column="name", cpu_column="cpu_milli",
                              memory_column="memory_mib", stats=stats)

    best = float("inf")
    for _ in range(repeat):
        stats = TraceStats()
        t = time.perf_counter()
        deque(pods(), maxlen=0)
        best = min(best, time.perf_counter() - t)
    stats = TraceStats()
    tracemalloc.start()
    deque(pods(), maxlen=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return stats.rows, stats.rows / best, peak / stats.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", type=Path, default=OPENB)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.trace.exists():
        print(f"no trace at {args.trace}; skipped")
        return
    print(machine())
    print(f"{'':<34} {'rows':>8} {'rows/s':>12} {'peak bytes/row':>15}")
    for label, column in (("in order (creation_time): lazy", "creation_time"),
                          ("out of order (scheduled_time)", "scheduled_time")):
        rows, rate, per_row = measure(args.trace, column, args.repeat)
        print(f"{label:<34} {rows:>8,} {rate:>12,.0f} {per_row:>15,.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "openb-x10-shuffled.csv"
        copies(args.trace, big, 10)
        big_rows, big_rate, big_per_row = measure(big, "scheduled_time", 1)
    print(f"{'out of order, 10 shuffled copies':<34} {big_rows:>8,} {big_rate:>12,.0f} {big_per_row:>15,.1f}")
    added = (big_per_row * big_rows - per_row * rows) / (big_rows - rows)
    print(f"out of order: each row beyond the first copy adds {added:,.1f} bytes")


def copies(trace: Path, out: Path, n: int) -> None:
    """``n`` copies of ``trace``'s rows, names suffixed -0 .. -n-1, shuffled (seed 0), into ``out``."""
    with trace.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    many = [{**row, "name": f"{row['name']}-{k}"} for k in range(n) for row in rows]
    random.Random(0).shuffle(many)
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(many)


if __name__ == "__main__":
    main()
