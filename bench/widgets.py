"""How long the what-if panel takes to answer a moved control: a one-day scenario on a /22 (the
default fleet and workload), re-run and redrawn (address map, time series, summary in words).

Side by side in one run: the bare ``simkit.run`` of the same scenario, so the ratio shows what
drawing costs on top of the run. Issue "9 of 12" asks for a redraw within about a second on this
machine. Medians over ``--repeats`` moves of a control (the seed, so each move is a new run).
Run: make bench (or python bench/widgets.py --repeats 3).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

import simkit  # noqa: E402
from simkit.widgets import WhatIf  # noqa: E402

ON_A_22 = {**simkit.DEFAULT_SCENARIO, "name": "one-day-on-a-/22",
           "vswitches": [{"name": "pods-h", "zone": "cn-hangzhou-h", "cidr": "192.168.0.0/22"}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"bench/widgets.py on {machine()}")
    panel = WhatIf(ON_A_22)  # the first draw pays matplotlib's imports and font cache
    redraws, runs = [], []
    for seed in range(1, args.repeats + 1):
        start = time.perf_counter()
        simkit.run({**ON_A_22, "seed": seed}, progress=False)
        runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        panel.controls["seed"].value = seed
        redraws.append(time.perf_counter() - start)
        assert panel.result is not None and panel.result.summary["seed"] == seed
    run, redraw = statistics.median(runs), statistics.median(redraws)
    print(f"one day on a /22, {panel.result.summary['pods_arrived']:,} pods; median of {args.repeats} moves of the seed")
    print(f"{'':<34} {'seconds':>8} {'x bare run':>11}")
    print(f"{'bare simkit.run':<34} {run:>8.3f} {1.0:>11.2f}")
    print(f"{'what-if panel: run and redraw':<34} {redraw:>8.3f} {redraw / run:>11.2f}")
    print(f"target: about 1 s a redraw -> {'met' if redraw <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    main()
