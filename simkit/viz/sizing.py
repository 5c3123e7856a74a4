"""Sweeps and sizing: a figure against the varied key with its spread over seeds, the sizing
search's candidates against the target with the chosen size marked, and the Pareto set when
several keys vary. Columns are read by the names docs/sweeps.md defines."""

from __future__ import annotations

from typing import Any

import numpy as np

from simkit.viz.style import OKABE_ITO, SERIES, axes, styled

__all__ = ["pareto", "size_curve", "sweep_band"]

#: Axis words and unit of the figures a sweep or a size search can be judged on.
FIGURE_LABELS = {
    "pod_failure_rate": "pod failure rate (share of pods)",
    "pod_wait_p99": "pod wait p99 (seconds)",
    "pod_wait_p50": "pod wait p50 (seconds)",
    "api_error_rate": "API error rate (share of calls)",
}


def _label(figure: str) -> str:
    return FIGURE_LABELS.get(figure, figure)


def _rate_scale(ax, figure: str, target: float | None) -> None:
    """A share near 0 beside one near 1 (a 0.1 % target beside a 30 % miss) is unreadable on a
    linear axis: rates go on a symmetric log axis, linear below a tenth of the target."""
    if figure.endswith("_rate"):
        ax.set_yscale("symlog", linthresh=(target or 0.001) / 10)
        ax.set_ylim(0, ax.get_ylim()[1] * 3)  # room for the labels above the highest point


def _positions(values: list) -> tuple[np.ndarray, list[str], bool]:
    """x positions of a key's values: the numbers themselves, or 0, 1, ... for CIDRs and names."""
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), [f"{v:g}" for v in values], True
    return np.arange(len(values), dtype=float), [str(v) for v in values], False


def sweep_band(table: Any, key: str, figure: str = "pod_failure_rate", ax=None, target: float | None = None):
    """``figure`` of a sweep table against ``key`` (a grid key path, or ``variant``): the median
    over the seeds of each value, a band from the lowest to the highest seed, every run as a dot,
    and the ``target`` as a dashed line. Values keep the order they first appear in the table.
    Raises KeyError naming the table's columns for a key or figure it does not have."""
    for column in (key, figure):
        if column not in table.columns:
            raise KeyError(f"no column {column!r} in this sweep table; its columns: {', '.join(map(str, table.columns))}")
    ok = table[table["error_type"] == ""] if "error_type" in table.columns else table
    values = list(dict.fromkeys(ok[key].tolist()))
    x, ticks, numeric = _positions(values)
    groups = [ok.loc[ok[key] == v, figure].to_numpy(dtype=float) for v in values]
    with styled():
        fig, ax = axes(ax)
        ax.fill_between(x, [g.min() for g in groups], [g.max() for g in groups], color=SERIES[5], alpha=0.35,
                        linewidth=0, label="lowest to highest seed")
        ax.plot(x, [np.median(g) for g in groups], color=SERIES[0], marker="o", label="median over seeds")
        for xi, g in zip(x, groups):
            ax.scatter(np.full(len(g), xi), g, s=8, color=SERIES[0], alpha=0.4, linewidths=0)
        if target is not None:
            ax.axhline(target, color=SERIES[1], linestyle="--", label=f"target: {target:g}")
        if not numeric:
            ax.set_xticks(x, ticks)
        _rate_scale(ax, figure, target)
        ax.set_xlabel(key)
        ax.set_ylabel(_label(figure))
        seeds = max(len(g) for g in groups) if groups else 0
        ax.set_title(f"{figure} against {key} ({seeds} seeds a value)")
        ax.legend(loc="best")
    return fig


def size_curve(size_result: Any, ax=None):
    """What ``simkit.size`` found along its last varied key: each candidate it ran, the mean and
    the highest of the target's figure over its seeds, the target as a dashed line, and the
    chosen candidate marked; each candidate is labelled with its misses out of its runs. With
    several keys, the line of the chosen layout's other values (all lines when none was chosen
    are drawn too, faintly)."""
    r = size_result
    key, figure = r.keys[-1], r.figure
    table = r.table
    if r.chosen is not None and len(r.keys) > 1:
        line = np.ones(len(table), dtype=bool)
        for other in r.keys[:-1]:
            line &= (table[other] == r.chosen[other]).to_numpy()
        table = table[line]
    order = {v: i for i, v in enumerate(r.candidates[key])}
    table = table.sort_values(key, key=lambda col: col.map(order))
    values = table[key].tolist()
    x = np.arange(len(values), dtype=float)
    chosen = r.chosen[key] if isinstance(r.chosen, dict) else r.chosen
    others = ", ".join(f"{k} = {r.chosen[k]}" for k in r.keys[:-1]) if isinstance(r.chosen, dict) else ""
    with styled():
        fig, ax = axes(ax)
        ax.plot(x, table[f"max {figure}"], color=SERIES[1], marker="v", label="highest over seeds")
        ax.plot(x, table[f"mean {figure}"], color=SERIES[0], marker="o", label="mean over seeds")
        ax.axhline(r.bound, color=OKABE_ITO["black"], linestyle="--", linewidth=1, label=f"target: {r.bound:g}")
        for xi, (_, row) in zip(x, table.iterrows()):
            ax.annotate(f"{row['misses']}/{row['runs']} missed", (xi, row[f"max {figure}"]), xytext=(0, 6),
                        textcoords="offset points", ha="center", fontsize=7)
        if chosen is not None and chosen in values:
            at = x[values.index(chosen)]
            ax.axvspan(at - 0.3, at + 0.3, color=SERIES[2], alpha=0.25, linewidth=0,
                       label=f"chosen: {chosen} ({r.confidence:.0%} confidence)")
        ax.set_xticks(x, [str(v) for v in values])
        ax.set_xlim(-0.6, len(values) - 0.4)
        _rate_scale(ax, figure, r.bound)
        ax.set_xlabel(key + (f" (with {others})" if others else ""))
        ax.set_ylabel(_label(figure))
        ax.set_title(f"Sizing {key}: {figure} at most {r.bound:g} in all but {r.risk:.0%} of runs")
        ax.legend(loc="upper right")
    return fig


def pareto(size_result: Any, ax=None):
    """Every layout ``simkit.size`` ran, by the addresses it takes from the VPC (x) and the
    highest of the target's figure over its seeds (y): filled when accepted, hollow when
    refused; the Pareto set ringed and labelled with its values."""
    r = size_result
    table, figure = r.table, r.figure
    front = {tuple(row) for row in r.pareto[list(r.keys)].itertuples(index=False)}
    with styled():
        fig, ax = axes(ax)
        y = table[f"max {figure}"].to_numpy(dtype=float)
        xs = table["vpc_addresses"].to_numpy(dtype=float)
        accepted = table["accepted"].to_numpy(dtype=bool)
        ax.scatter(xs[accepted], y[accepted], color=SERIES[0], label="accepted", zorder=3)
        ax.scatter(xs[~accepted], y[~accepted], facecolors="none", edgecolors=SERIES[1], label="refused", zorder=3)
        # Layouts of the same cost and figure sit on one point: one ring, their labels stacked.
        ringed: dict[tuple[float, float], list[str]] = {}
        for xi, yi, row in zip(xs, y, table[list(r.keys)].itertuples(index=False)):
            if tuple(row) in front:
                ringed.setdefault((xi, yi), []).append(", ".join(f"{k} = {v}" for k, v in zip(r.keys, row)))
        for i, ((xi, yi), labels) in enumerate(ringed.items()):
            ax.scatter([xi], [yi], s=160, facecolors="none", edgecolors=OKABE_ITO["black"], zorder=4,
                       label="Pareto set" if i == 0 else None)
            ax.annotate("\n".join(labels), (xi, yi), xytext=(8, 8), textcoords="offset points", fontsize=7)
        _rate_scale(ax, figure, r.bound)
        ax.axhline(r.bound, color=OKABE_ITO["black"], linestyle="--", linewidth=1, label=f"target: {r.bound:g}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("addresses taken from the VPC (vSwitch CIDR blocks, log scale)")
        ax.set_ylabel(f"highest {_label(figure)}")
        ax.set_title(f"Layouts of {' and '.join(r.keys)}")
        ax.legend(loc="upper right")
    return fig
