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


def _percent(share: float) -> str:
    """A share as a percentage to three figures: a bound of 0.0495 must not read as 5 % beside
    a risk of 5 %."""
    return f"{100 * share:.3g}%"


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


def _line_of(size_result: Any) -> dict:
    """The other keys' values of the line drawn in full: the chosen layout's, else those of the
    layout nearest to acceptance (lowest miss bound, then cheapest, as ``size``'s answer names it)."""
    r = size_result
    others = list(r.keys[:-1])
    if not others:
        return {}
    if isinstance(r.chosen, dict):
        return {k: r.chosen[k] for k in others}
    nearest = r.table.sort_values(["miss_bound", "vpc_addresses", "reserved_addresses", "nodes"], kind="stable")
    return {k: nearest.iloc[0][k] for k in others} if len(nearest) else {}


def size_curve(size_result: Any, ax=None):
    """What ``simkit.size`` found along its last varied key, each candidate at its place in
    ``candidates`` (bisection skips some): the highest and the mean of the target's figure over
    each layout's seeds, the target as a dashed line, the chosen candidate shaded, and each
    layout labelled with its misses out of its runs and its ``miss_bound`` against ``risk``
    (accepted when at most). With several keys, the line of the chosen layout's other values is
    drawn in full (when none was chosen, the line of the layout nearest to acceptance) and every
    other line's highest figure faintly, labelled with its values. Reads SizeResult by name."""
    r = size_result
    key, figure, others = r.keys[-1], r.figure, list(r.keys[:-1])
    table = r.table
    position = {v: i for i, v in enumerate(r.candidates[key])}
    mine = _line_of(r)

    def line(values: dict):
        rows = table[np.all([(table[k] == v).to_numpy() for k, v in values.items()], axis=0)] if values else table
        return rows.assign(_x=rows[key].map(position).astype(float)).sort_values("_x")

    combos = list(dict.fromkeys(tuple(row) for row in table[others].itertuples(index=False))) if others else [()]
    chosen = r.chosen[key] if isinstance(r.chosen, dict) else r.chosen
    with styled():
        fig, ax = axes(ax)
        faint = [dict(zip(others, c)) for c in combos if dict(zip(others, c)) != mine]
        for i, values in enumerate(faint):
            rows = line(values)
            ax.plot(rows["_x"], rows[f"max {figure}"], color=OKABE_ITO["black"], alpha=0.3, linewidth=0.8,
                    marker=".", label=f"highest, other values of {', '.join(others)}" if i == 0 else None)
            ax.annotate(", ".join(f"{k} = {v}" for k, v in values.items()), (rows["_x"].iloc[-1],
                        rows[f"max {figure}"].iloc[-1]), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=6, color=OKABE_ITO["black"], alpha=0.6)
        rows = line(mine)
        ax.plot(rows["_x"], rows[f"max {figure}"], color=SERIES[1], marker="v", label="highest over seeds")
        ax.plot(rows["_x"], rows[f"mean {figure}"], color=SERIES[0], marker="o", label="mean over seeds")
        ax.axhline(r.bound, color=OKABE_ITO["black"], linestyle="--", linewidth=1, label=f"target: {r.bound:g}")
        for _, row in rows.iterrows():
            sign = "\u2264" if row["accepted"] else ">"
            ax.annotate(f"{int(row['misses'])}/{int(row['runs'])} missed\nbound {_percent(row['miss_bound'])} {sign} "
                        f"{_percent(r.risk)}", (row["_x"], row[f"max {figure}"]), xytext=(0, 7),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7)
        if chosen is not None and chosen in position:
            at = position[chosen]
            ax.axvspan(at - 0.3, at + 0.3, color=SERIES[2], alpha=0.25, linewidth=0,
                       label=f"chosen: {chosen} ({r.confidence:.0%} confidence)")
        ticks = [str(v) for v in position]
        # Four CIDR blocks ("192.168.0.0/24") already overlap beside the legend: long labels lean.
        long = max(map(len, ticks), default=0) > 6
        ax.set_xticks(range(len(position)), ticks, rotation=30 if long else 0, ha="right" if long else "center",
                      rotation_mode="anchor")
        ax.set_xlim(-0.6, len(position) - 0.4)
        _rate_scale(ax, figure, r.bound)
        # Room for two lines of label above the highest point: most of a decade on a log axis.
        ax.set_ylim(0, ax.get_ylim()[1] * (5 if figure.endswith("_rate") else 1.3))
        along = ", ".join(f"{k} = {v}" for k, v in mine.items())
        ax.set_xlabel(key + (f" (with {along})" if along else ""))
        ax.set_ylabel(_label(figure))
        ax.set_title(f"Sizing {key}\n{figure} at most {r.bound:g} in all but {_percent(r.risk)} of runs")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                  title=None if r.chosen is not None else "none accepted")
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
