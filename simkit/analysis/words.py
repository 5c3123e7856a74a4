"""A run's summary in plain sentences, as the what-if panel and the report put it beside the
figures: what happened to the pods, what held them, what ran out first and when, the peak of
the address space, the API's refusals. Every figure is the summary's (docs/scenario.md, "The
summary")."""

from __future__ import annotations

__all__ = ["clock_time", "summary_in_words"]


def clock_time(seconds: float) -> str:
    """Seconds into a run as a person reads them: ``"10 h 1 min"``, ``"45 min"``, ``"12 s"``,
    ``"2 d 3 h"``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def summary_in_words(summary: dict) -> list[str]:
    """The sentences that say what a run found, most important first."""
    s = summary
    out = s["pod_outcomes"]
    waits = s["pod_wait_seconds"]
    arrived = s["pods_arrived"]
    if not arrived:
        pods = f"No pod arrived in {clock_time(s['duration'])}."
    else:
        lost = [f"{n:,} {what}" for n, what in ((out["expired"], "expired while waiting"),
                                                 (out["unscheduled"], "still waited for a node at the end"),
                                                 (out["waiting"], "still waited for an address at the end")) if n]
        pods = (f"{arrived:,} pods arrived in {clock_time(s['duration'])}: {out['served']:,} were served"
                + (f", {', '.join(lost)}" if lost else "") + ". "
                f"{s['pod_failure_rate']:.1%} failed (expired, or waited longer than the {s['slo_pod_wait']:g} s SLO); "
                + (f"at least half got their address at once" if waits["p50"] == 0
                   else f"half waited {waits['p50']:.1f} s or less")
                + f", 1 in 100 longer than {waits['p99']:.1f} s.")
    sentences = [pods]
    sentence = s["binding_limit"]["sentence"]
    sentences.append(sentence[0].upper() + sentence[1:] + ".")
    if s["exhaustion"]:
        ordered = sorted(s["exhaustion"].items(), key=lambda item: item[1]["time"])
        (limit, first), rest = ordered[0], ordered[1:]
        text = f"The first limit hit was {limit} on {first['resource']} at {clock_time(first['time'])}"
        text += f" ({first['code']})" if first["code"] else ""
        if rest:
            text += "; then " + ", ".join(f"{name} at {clock_time(e['time'])}" for name, e in rest)
        sentences.append(text + ".")
    else:
        sentences.append("No limit was hit.")
    for name, peak in s["peak_consumed_ips"].items():
        sentences.append(f"At its peak ({clock_time(peak['time'])}) vSwitch {name} had {peak['consumed']:,} addresses "
                         f"consumed, {peak['idle_in_pools']:,} of them idle in the agents' pools; its fewest free "
                         f"addresses were {s['min_free_ips'][name]:,}.")
    if s["api_errors"]:
        codes = ", ".join(f"{code} {n:,}" for code, n in sorted(s["api_errors_by_code"].items(), key=lambda kv: -kv[1]))
        sentences.append(f"{s['calls']:,} API calls, {s['api_errors']:,} refused ({s['api_error_rate']:.1%}): {codes}.")
    else:
        sentences.append(f"{s['calls']:,} API calls, none refused.")
    return sentences
