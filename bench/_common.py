"""Shared helpers for the benches: the machine line and side-by-side tables."""

from __future__ import annotations

import platform
import sys


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, {platform.system()} {platform.machine()}"


def table(title: str, rows: list[tuple[str, float]], unit: str, baselines: dict[str, float]) -> str:
    """Rows of (name, rate) with one ratio column per baseline (rate / baseline rate)."""
    names = list(baselines)
    head = f"{'':<28} {unit:>14} " + " ".join(f"{'x ' + n:>16}" for n in names)
    out = [title, head]
    for name, rate in rows:
        ratios = " ".join(f"{rate / baselines[n]:>16.2f}" for n in names)
        out.append(f"{name:<28} {rate:>14,.0f} {ratios}")
    return "\n".join(out)
