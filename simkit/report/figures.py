"""The report's figures: which of ``simkit.viz``'s figures a run, a sweep or a size search shows,
in the report's order, and each embedded as PNG data (no file, no network), so the HTML stands
alone and prints."""

from __future__ import annotations

import base64
import io
from typing import Any, NamedTuple

from simkit.analysis.words import clock_time

__all__ = ["Embedded", "embed", "run_figures", "size_figures", "sweep_figures"]

#: Resolution of the embedded images: sharp on screen and on paper, a few hundred KB a report.
DPI = 130


class Embedded(NamedTuple):
    """A figure as the report holds it: its title and a ``data:image/png;base64,...`` URI."""

    title: str
    uri: str


def embed(figures: list[tuple[str, Any]], dpi: int = DPI) -> list[Embedded]:
    """Each (title, matplotlib Figure) as PNG data; the figure is cleared afterwards (it was
    made for the report, outside pyplot's state, and is not shown again)."""
    out = []
    for title, fig in figures:
        buffer = io.BytesIO()
        # bbox "tight": the legends drawn beside the axes are kept, not clipped. No Software
        # entry, so the same figure gives the same bytes.
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        fig.clear()
        out.append(Embedded(title, "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")))
    return out


def worst_time(result: Any, vswitch: str) -> float | None:
    """The worst moment of ``vswitch``: the sample where it had the most addresses consumed
    (the summary's ``peak_consumed_ips``), None when it was never sampled."""
    peak = result.summary["peak_consumed_ips"].get(vswitch)
    return None if peak is None else float(peak["time"])


def run_figures(result: Any) -> dict[str, list[tuple[str, Any]]]:
    """A run's figures by section: ``maps`` (each vSwitch's address map at its worst moment and
    at the end), ``series`` (the time series) and ``errors`` (refused calls by code)."""
    from simkit import viz

    maps = []
    times = result.sample_times()
    end = times[-1] if times else None
    for v in result.plan.vswitches:
        worst = worst_time(result, v.name)
        if worst is not None and worst != end:
            maps.append((f"vSwitch {v.name} at its worst moment ({clock_time(worst)} in: the most addresses consumed)",
                         viz.address_map(result, v.name, worst)))
        maps.append((f"vSwitch {v.name} at the end ({clock_time(end or 0)} in)"
                     + (": also its worst moment" if worst is not None and worst == end else ""),
                     viz.address_map(result, v.name, end)))
    series = [("Pods running, waiting and failed", viz.pods(result)),
              ("How long pods waited", viz.pod_waits(result)),
              ("Free addresses and whole free /28 blocks", viz.free_addresses(result))]
    series += [(f"/28 blocks of vSwitch {v.name} by state", viz.block_states(result, v.name))
               for v in result.plan.vswitches]
    series.append(("Addresses held by the agents, and in use by pods", viz.addresses_held(result)))
    errors = [("Refused API calls by code", viz.api_errors(result))] if result.summary["api_errors"] else []
    return {"maps": maps, "series": series, "errors": errors}


def sweep_figures(table: Any, keys: list[str], targets: dict[str, float]) -> list[tuple[str, Any]]:
    """A sweep's figures: each target's figure against each grid key (or the variants), its
    spread over seeds and the target."""
    from simkit.viz import sweep_band

    out = []
    for key in keys:
        for figure, target in targets.items():
            if figure in table.columns:
                out.append((f"{figure} against {key}", sweep_band(table, key, figure=figure, target=target)))
    return out


def size_figures(size_result: Any) -> list[tuple[str, Any]]:
    """A size search's figures: the sizing curve along its last key, and the Pareto set of
    layouts when several keys varied."""
    from simkit.viz import pareto, size_curve

    out = [(f"Sizing {size_result.keys[-1]}", size_curve(size_result))]
    if len(size_result.keys) > 1:
        out.append(("Layouts tried, by the addresses they take from the VPC", pareto(size_result)))
    return out
