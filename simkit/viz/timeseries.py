"""A run over time: /28 block states, free addresses and whole free /28 blocks, pods running,
waiting and failed, the wait distribution, API errors by code, and addresses held against
addresses in use. Every series is a column or a count defined in docs/scenario.md ("What a run
tells you"); docs/figures.md says how each figure is drawn."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from simkit.analysis.words import clock_time
from simkit.net import BlockState
from simkit.viz.style import BLOCK_COLOURS, OKABE_ITO, SERIES, axes, styled

__all__ = ["TimeAxis", "addresses_held", "api_errors", "block_states", "failure_times", "free_addresses",
           "pod_waits", "pods", "time_axis"]

#: The words for each /28 block state, in the order the stacked areas are drawn (used first).
BLOCK_LABELS = {
    BlockState.PREFIX: "held as a /28 prefix",
    BlockState.FULL: "full (single addresses)",
    BlockState.PARTIAL: "partly used",
    BlockState.SYSTEM: "system-reserved",
    BlockState.RESERVED_FREE: "reserved, free",
    BlockState.FREE: "whole and free",
}


class TimeAxis(NamedTuple):
    """How times in seconds are shown: ``seconds / divisor`` in ``unit``, labelled ``label``."""

    unit: str
    divisor: float
    label: str


def time_axis(seconds: float) -> TimeAxis:
    """Hours for a run up to 3 days long, days beyond."""
    if seconds > 3 * 86400:
        return TimeAxis("d", 86400.0, "time into the run (days)")
    return TimeAxis("h", 3600.0, "time into the run (hours)")


def _vswitches(result: Any, vswitch: str | None) -> list[str]:
    names = [v.name for v in result.plan.vswitches]
    if vswitch is None:
        return names
    if vswitch not in names:
        raise KeyError(f"no vSwitch {vswitch!r} in this run; its vSwitches: {', '.join(names)}")
    return [vswitch]


def _fleet_rows(samples):
    """The samples' fleet-wide columns, once per sample (they repeat on every vSwitch's row)."""
    return samples[samples["vswitch"] == samples["vswitch"].iloc[0]]


def _mark_exhaustion(ax, result: Any, scale: TimeAxis, vswitches: list[str] | None = None) -> None:
    """A dotted vertical line at the first time each limit was hit (``Result.exhaustion()``; on
    these vSwitches, or on a resource that is not a vSwitch), labelled with the limit, the time
    and the resource."""
    names = {v.name for v in result.plan.vswitches}
    hits = result.exhaustion()
    shown = [hit for hit in hits.itertuples(index=False)
             if vswitches is None or hit.resource not in names or hit.resource in vswitches]
    for i, hit in enumerate(shown):
        at = hit.time / scale.divisor
        ax.axvline(at, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1)
        # Limits often run out minutes apart: each label a step lower, so they never print over each other.
        ax.annotate(f"{hit.limit} at {clock_time(hit.time)}\n({hit.resource})", (at, 1.0 - 0.12 * i),
                    xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points", ha="left",
                    va="top", fontsize=7, color=OKABE_ITO["vermillion"])


def block_states(result: Any, vswitch: str | None = None, ax=None):
    """The vSwitch's aligned /28 blocks by state at every sample, stacked (``Result.block_map``):
    the areas add up to the vSwitch's /28 blocks. ``vswitch``: a name, the first when None."""
    name = _vswitches(result, vswitch)[0]
    times = np.asarray(result.sample_times())
    counts = np.array([np.bincount(result.block_map(name, t), minlength=len(BlockState)) for t in times])
    scale = time_axis(times[-1] if len(times) else 0)
    with styled():
        fig, ax = axes(ax)
        order = list(BLOCK_LABELS)
        ax.stackplot(times / scale.divisor, *(counts[:, s] for s in order),
                     colors=[BLOCK_COLOURS[s] for s in order], labels=[BLOCK_LABELS[s] for s in order],
                     edgecolor="white", linewidth=0.3)
        ax.set_xlabel(scale.label)
        ax.set_ylabel("/28 blocks")
        ax.set_ylim(0, counts.sum(axis=1).max() if len(times) else 1)
        ax.set_title(f"/28 blocks of vSwitch {name} by state")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        _mark_exhaustion(ax, result, scale, [name])
    return fig


def free_addresses(result: Any, vswitch: str | None = None, ax=None):
    """Free addresses (``free_ips``, solid, left axis) and whole free /28 blocks
    (``free_blocks_28``, dashed, and ``free_blocks_28_reserved`` dotted where the vSwitch has
    reservations; right axis) of each vSwitch, or of ``vswitch``, over time, with the first
    exhaustion of each limit marked."""
    names = _vswitches(result, vswitch)
    samples = result.samples()
    scale = time_axis(samples["time"].max() if len(samples) else 0)
    reserved = {v.name for v in result.plan.vswitches if v.reservations}
    with styled():
        fig, ax = axes(ax)
        blocks = ax.twinx()
        blocks.spines["right"].set_visible(True)
        for i, name in enumerate(names):
            mine = samples[samples["vswitch"] == name]
            t = mine["time"] / scale.divisor
            colour = SERIES[i % len(SERIES)]
            ax.plot(t, mine["free_ips"], color=colour, label=f"{name}: free addresses")
            blocks.plot(t, mine["free_blocks_28"], color=colour, linestyle="--", label=f"{name}: whole free /28")
            if name in reserved:
                blocks.plot(t, mine["free_blocks_28_reserved"], color=colour, linestyle=":",
                            label=f"{name}: free /28 in reservations")
        ax.set_xlabel(scale.label)
        ax.set_ylabel("free addresses (outside reservations)")
        blocks.set_ylabel("whole free /28 blocks")
        ax.set_ylim(bottom=0)
        blocks.set_ylim(bottom=0)
        ax.set_title("Free addresses and whole free /28 blocks")
        lines = ax.get_legend_handles_labels()
        more = blocks.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", bbox_to_anchor=(1.12, 1.0),
                  borderaxespad=0)
        _mark_exhaustion(ax, result, scale, names)
    return fig


def failure_times(pods_table: Any, slo_pod_wait: float) -> np.ndarray:
    """When each failed pod failed, sorted (seconds): a pod fails when it has waited
    ``slo_pod_wait`` without an address, or when it expired sooner (docs/scenario.md: a pod
    fails when it expired or waited longer than the SLO), so at arrival + min(wait, SLO)."""
    wait = pods_table["wait"].to_numpy(dtype=float)
    failed = (wait > slo_pod_wait) | (pods_table["outcome"].to_numpy() == "expired")
    return np.sort(pods_table["arrival"].to_numpy(dtype=float)[failed] + np.minimum(wait[failed], slo_pod_wait))


def pods(result: Any, ax=None):
    """Pods running (``pods_running``) and waiting (``pods_pending``) at each sample, and pods
    failed so far (``failure_times``; at the end, the summary's failed pods)."""
    samples = _fleet_rows(result.samples())
    scale = time_axis(result.summary["duration"])
    failed = failure_times(result.pods(), result.summary["slo_pod_wait"])
    with styled():
        fig, ax = axes(ax)
        t = samples["time"] / scale.divisor
        ax.plot(t, samples["pods_running"], color=SERIES[0], label="running (hold an address)")
        ax.plot(t, samples["pods_pending"], color=SERIES[2], label="waiting (for a node or an address)")
        steps = np.concatenate([[0.0], failed, [result.summary["duration"]]]) / scale.divisor
        ax.step(steps, np.concatenate([[0], np.arange(1, len(failed) + 1), [len(failed)]]), where="post",
                color=SERIES[1], label="failed so far")
        ax.set_xlabel(scale.label)
        ax.set_ylabel("pods")
        ax.set_ylim(bottom=0)
        ax.set_title("Pods over time")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        _mark_exhaustion(ax, result, scale)
    return fig


def pod_waits(result: Any, ax=None):
    """The share of pods that waited at most x seconds (the empirical distribution of every
    pod's ``wait``), with the summary's p50 and p99 and the SLO marked."""
    waits = np.sort(result.pods()["wait"].to_numpy(dtype=float))
    s = result.summary
    with styled():
        fig, ax = axes(ax)
        if len(waits):
            ax.step(np.concatenate([[0.0], waits]), np.arange(len(waits) + 1) / len(waits), where="post",
                    color=SERIES[0], label="pods that waited at most this long")
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
        ax.set_ylim(0, 1.02)
        ax.axvline(s["slo_pod_wait"], color=SERIES[1], linestyle="--", label=f"SLO: {s['slo_pod_wait']:g} s")
        for key, style in (("p50", ":"), ("p99", "-.")):
            at = s["pod_wait_seconds"][key]
            ax.axvline(at, color=OKABE_ITO["black"], linestyle=style, linewidth=0.8, label=f"{key}: {at:,.1f} s")
        ax.set_xlabel("wait for an address (seconds, log scale above 1 s)")
        ax.set_ylabel("share of pods")
        ax.set_title(f"Pod waits ({len(waits):,} pods)")
        ax.legend(loc="lower right")
    return fig


def api_errors(result: Any, ax=None, bins: int = 48):
    """Refused API calls by error code, counted in ``bins`` equal spans of the run (stacked
    bars); the bars of a code add up to the summary's ``api_errors_by_code``."""
    events = result.events()
    duration = result.summary["duration"]
    scale = time_axis(duration)
    refused = events[events["code"] != ""]
    edges = np.linspace(0.0, duration, bins + 1)
    with styled():
        fig, ax = axes(ax)
        if refused.empty:
            ax.text(0.5, 0.5, f"no API errors in {len(events):,} calls", transform=ax.transAxes, ha="center",
                    va="center")
        bottom = np.zeros(bins)
        width = (edges[1] - edges[0]) / scale.divisor
        for i, (code, times) in enumerate(sorted(refused.groupby("code")["time"])):
            counts, _ = np.histogram(np.clip(times.to_numpy(dtype=float), 0, duration), bins=edges)
            ax.bar(edges[:-1] / scale.divisor, counts, width=width, bottom=bottom, align="edge",
                   color=SERIES[i % len(SERIES)], label=f"{code} ({len(times):,})")
            bottom += counts
        ax.set_xlim(0, duration / scale.divisor)
        ax.set_xlabel(scale.label)
        per = width * scale.divisor
        ax.set_ylabel(f"refused calls per {per / 60:g} min" if per < 3600 else f"refused calls per {per / 3600:g} h")
        ax.set_title(f"API errors by code ({len(refused):,} of {len(events):,} calls)")
        if not refused.empty:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    return fig


def addresses_held(result: Any, ax=None):
    """Addresses the agents held (``ips_held``) against those in use by pods (``ips_held`` -
    ``ips_idle``) at each sample; the shaded gap is the pools' idle overhead (``ips_idle``)."""
    samples = _fleet_rows(result.samples())
    scale = time_axis(result.summary["duration"])
    with styled():
        fig, ax = axes(ax)
        t = samples["time"] / scale.divisor
        held = samples["ips_held"].to_numpy()
        used = held - samples["ips_idle"].to_numpy()
        ax.plot(t, held, color=SERIES[0], label="held by the agents")
        ax.plot(t, used, color=SERIES[2], label="in use by pods")
        ax.fill_between(t, used, held, color=SERIES[5], alpha=0.4, linewidth=0, label="idle in the pools")
        ax.set_xlabel(scale.label)
        ax.set_ylabel("addresses")
        ax.set_ylim(bottom=0)
        ax.set_title("Addresses held and in use")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    return fig
