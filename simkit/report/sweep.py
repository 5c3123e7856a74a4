"""The report of a sweep (``simkit sweep --out``): every grid point judged against the
scenario's targets with a stated confidence over its seeds, the figures against each grid key,
the table per point, and every run's row beside it (sweep.csv, report.xlsx)."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path
from typing import Any, Mapping

from simkit.analysis.keypaths import with_value
from simkit.analysis.verdict import FIGURES, SweepCheck, describe_target, sweep_verdict
from simkit.report.atomic import check_destination
from simkit.report.exports import flatten
from simkit.report.figures import embed, sweep_figures
from simkit.report.folder import write_report_folder
from simkit.report.provenance import created_time, provenance, provenance_context
from simkit.report.render import table_html

__all__ = ["SWEEP_FILES", "Point", "sweep_context", "sweep_points", "write_sweep_report"]

SWEEP_FILES = ("report.html", "summary.json", "sweep.csv", "points.csv", "report.xlsx")


class Point(dict):
    """One grid point (or variant): ``labels`` {key: value}, ``rows`` (its runs), ``checks``
    (SweepChecks), ``met`` (every check met), ``cost`` (a LayoutCost, or None)."""


def _point_scenario(data: dict, labels: Mapping[str, Any], variants: Mapping[str, Mapping] | None, name: str) -> dict:
    changes = dict(variants[labels["variant"]]) if variants and "variant" in labels else labels
    for path, value in changes.items():
        data = with_value(data, path, value, name)
    return data


def sweep_points(table: Any, data: dict, name: str, keys: list[str], variants: Mapping[str, Mapping] | None = None,
                 confidence: float = 0.95, risk: float = 0.05) -> list[Point]:
    """The sweep's grid points in table order, each judged against its own scenario's targets
    (a grid over ``slo`` keys judges each point by its own)."""
    from simkit.analysis.capacity import layout_cost
    from simkit.scenario import build_plan

    points = []
    seen: dict[tuple, Point] = {}
    for _, row in table.iterrows():
        labels = {k: row[k] for k in keys}
        key = tuple(map(repr, labels.values()))
        if key not in seen:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = build_plan(_point_scenario(data, labels, variants, name))
            seen[key] = Point(labels=labels, targets=dict(plan.slo_targets), cost=layout_cost(plan), indices=[])
            points.append(seen[key])
        seen[key]["indices"].append(row.name)
    for p in points:
        rows = table.loc[p["indices"]]
        p["rows"] = rows
        p["checks"] = sweep_verdict(rows, p["targets"], confidence, risk)
        p["met"] = all(c.met for c in p["checks"])
    return points


def _where(labels: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in labels.items()) or "the scenario"


def points_frame(points: list[Point]):
    """One row per point: its values, runs, failed runs, and per target the mean and highest
    figure, the runs that missed, the miss bound and the verdict."""
    import pandas as pd

    out = []
    for p in points:
        rows = p["rows"]
        row = {**p["labels"], "runs": len(rows), "failed runs": int((rows["error"] != "").sum())}
        for c in p["checks"]:
            values = rows[c.figure]
            row[f"mean {c.figure}"] = float(values.mean())
            row[f"max {c.figure}"] = float(values.max())
            row[f"{c.figure} target"] = c.target
            row[f"{c.figure} misses"] = c.misses
            row[f"{c.figure} miss bound"] = c.miss_bound
            row[f"{c.figure} met"] = c.met
        row["meets every target"] = p["met"]
        out.append(row)
    return pd.DataFrame(out)


def _sentences(table: Any, points: list[Point], keys: list[str], seeds: list[int], confidence: float) -> list[str]:
    runs, failed = len(table), int((table["error"] != "").sum())
    what = (f"{len(points)} {'variants' if keys == ['variant'] else 'grid points'} of {', '.join(keys)} × "
            f"{len(seeds)} seeds" if keys else f"the scenario with {len(seeds)} seeds, nothing varied")
    out = [f"{runs:,} runs: {what}" + (f"; {failed} runs failed (their rows say why)." if failed else ".")]
    met = [p for p in points if p["met"]]
    out.append(f"{len(met)} of {len(points)} met every target with {confidence:.0%} confidence"
               + (f": {'; '.join(_where(p['labels']) for p in met)}." if met else "."))
    for figure, label in FIGURES.items():
        if figure not in table.columns:
            continue
        means = [(float(p["rows"][figure].mean()), p) for p in points]
        means = [m for m in means if m[0] == m[0]]  # a point whose runs all failed has no mean
        if means:
            lo, hi = min(means, key=lambda m: m[0]), max(means, key=lambda m: m[0])
            show = (lambda v: f"{v:,.1f} s") if figure == "pod_wait_p99" else (lambda v: f"{v:.2%}")
            if show(lo[0]) == show(hi[0]):
                out.append(f"Mean {label} over seeds: {show(lo[0])} at every point.")
            else:
                out.append(f"Mean {label} over seeds: from {show(lo[0])} ({_where(lo[1]['labels'])}) to "
                           f"{show(hi[0])} ({_where(hi[1]['labels'])}).")
    return out


def _size_key(keys: list[str]) -> str | None:
    """The grid key a size search would bisect: the first that sizes a vSwitch, a reservation
    or a fleet (a ``.cidr``, ``.mask`` or ``.count``), else the first; None for variants."""
    if not keys or keys == ["variant"]:
        return None
    return next((k for k in keys if k.rsplit(".", 1)[-1] in ("cidr", "mask", "count")), keys[0])


def _advice(points: list[Point], keys: list[str], seeds: list[int], confidence: float, scenario_file: str | None) -> dict:
    met = [p for p in points if p["met"]]
    if met:
        best = min(met, key=lambda p: tuple(p["cost"]))
        return {"text": f"{_where(best['labels'])} meets every target with {confidence:.0%} confidence taking the "
                        f"fewest addresses from the VPC ({best['cost'].vpc_addresses:,}, {best['cost'].nodes:,} nodes) "
                        f"of the {len(met)} point(s) that do.", "command": None}
    clean = [p for p in points if all(c.misses == 0 for c in p["checks"])]
    pod = next((c for c in points[0]["checks"] if c.figure == "pod_failure_rate"), points[0]["checks"][0])
    value = f"{pod.target:g}"
    key = _size_key(keys)
    command = (f"simkit size {scenario_file or 'SCENARIO.yaml'} --vary {key} --target {pod.figure}={value} --out sizing/"
               if key else None)
    if clean:
        best = min(clean, key=lambda p: tuple(p["cost"]))
        text = (f"{_where(best['labels'])} met every target in all {len(best['rows'])} of its runs, taking the fewest "
                f"addresses of those that did; {len(seeds)} seeds cannot show it with {confidence:.0%} confidence "
                f"(59 runs without a miss are needed at a 5 % risk).")
    else:
        nearest = min(points, key=lambda p: (sum(c.misses for c in p["checks"]), tuple(p["cost"])))
        text = (f"No point met every target in all its runs; the nearest was {_where(nearest['labels'])} "
                f"({'; '.join(c.text for c in nearest['checks'] if c.misses)}). Try larger values.")
    if command:
        text += f" To find the smallest {key} meeting {describe_target(pod.figure, pod.target)} with confidence, run:"
    return {"text": text, "command": command}


def _marks(points: list[Point]) -> list[dict]:
    return [{"where": _where(p["labels"]), "met": p["met"],
             "checks": [{"met": c.met, "text": c.text,
                         "short": f"{c.runs - c.misses}/{c.runs} runs met" + (", too few" if not c.met and not c.misses
                                                                               else "")} for c in p["checks"]]}
            for p in points]


def sweep_context(table: Any, *, data: dict, name: str, keys: list[str], seeds: list[int], meta: dict,
                  variants: Mapping[str, Mapping] | None = None, confidence: float = 0.95, risk: float = 0.05,
                  files: tuple[str, ...] = ()) -> dict[str, Any]:
    """Everything the sweep template shows."""
    points = sweep_points(table, data, name, keys, variants, confidence, risk)
    met = sum(p["met"] for p in points)
    targets = points[0]["targets"] if points else {}
    return {
        "title": f"Sweep report: {data.get('name', 'scenario')}",
        "subtitle": (f"{len(table):,} runs: " + (f"{', '.join(keys)} over {len(points)} values, " if keys else "")
                     + f"{len(seeds)} seeds each; targets judged at {confidence:.0%} confidence, {risk:.0%} risk"),
        "verdict_met": met == len(points),
        "verdict_headline": f"{met} of {len(points)} meet every target with {confidence:.0%} confidence",
        "confidence_text": f"{confidence:.0%}", "risk_text": f"{risk:.0%}",
        "needed": math.ceil(math.log(1 - confidence) / math.log(1 - risk)),
        "figures_judged": [FIGURES[f] for f in FIGURES if f in targets],
        "points": _marks(points),
        "sentences": _sentences(table, points, keys, seeds, confidence),
        "advice": _advice(points, keys, seeds, confidence, meta["scenario_file"]),
        "figures": embed(sweep_figures(table, keys, targets)),
        "points_table": table_html(points_frame(points)),
        "_points": points,
        **provenance_context(meta, files),
    }


def write_sweep_report(table: Any, out: str | Path, *, data: dict, name: str, keys: list[str], seeds: list[int],
                       root_seed: int | None = None, variants: Mapping[str, Mapping] | None = None,
                       confidence: float = 0.95, risk: float = 0.05, force: bool = False,
                       created: dt.datetime | None = None, scenario_file: str | None = None,
                       base: Path | None = None) -> Path:
    """Write a sweep's report to the folder ``out``, atomically: ``SWEEP_FILES``. ``table``:
    ``simkit.sweep``'s; ``data``: the scenario swept (a dict), ``keys`` its grid's key paths
    (or ``["variant"]``; none when nothing varied), ``seeds`` the seeds each point ran with.
    Returns report.html's path."""
    out = check_destination(out, force)
    created = created_time(created)
    meta = provenance(data, seed={"root": root_seed, "runs": seeds}, created=created, scenario_file=scenario_file,
                      base=base)
    context = sweep_context(table, data=data, name=name, keys=keys, seeds=seeds, meta=meta, variants=variants,
                            confidence=confidence, risk=risk, files=SWEEP_FILES[1:])
    points = points_frame(context["_points"])
    summary = {**meta, "keys": keys, "confidence": confidence, "risk": risk,
               "verdict": [{"point": p["labels"], "met": p["met"],
                            "checks": [c._asdict() for c in p["checks"]]} for p in context["_points"]],
               "recommendation": context["advice"], "sentences": context["sentences"], "files": list(SWEEP_FILES)}
    rows = [("report", context["title"]), ("verdict", context["verdict_headline"])]
    rows += [("recommendation", " ".join(filter(None, [context["advice"]["text"], context["advice"]["command"]])))]
    rows += [(f"sentence.{i}", text) for i, text in enumerate(context["sentences"], 1)]
    rows += flatten({k: v for k, v in meta.items() if k != "scenario"})
    rows += flatten({"scenario": meta["scenario"]})
    return write_report_folder(out, force, template="sweep.html.j2", context=context, summary=summary,
                               csvs={"sweep.csv": table, "points.csv": points}, rows=rows,
                               sheets={"runs": table, "points": points}, created=created)
