"""The report of a size search (``simkit size --out``): the answer as the verdict and the
recommendation, the sizing curve (and the Pareto set when several keys varied), the layouts
tried, and the table beside it (size.csv, pareto.csv, report.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from simkit.analysis.verdict import describe_target
from simkit.report.atomic import check_destination
from simkit.report.exports import flatten
from simkit.report.figures import embed, size_figures
from simkit.report.folder import write_report_folder
from simkit.report.provenance import created_time, provenance, provenance_context
from simkit.report.render import table_html

__all__ = ["SIZE_FILES", "size_context", "write_size_report"]

SIZE_FILES = ("report.html", "summary.json", "size.csv", "pareto.csv", "report.xlsx")


def _layout(r: Any) -> str:
    return (", ".join(f"{k} = {v}" for k, v in r.chosen.items()) if isinstance(r.chosen, dict)
            else f"{r.keys[0]} = {r.chosen}")


def _chosen_row(r: Any):
    table = r.table
    mask = None
    values = r.chosen if isinstance(r.chosen, dict) else {r.keys[0]: r.chosen}
    for key, value in values.items():
        here = table[key] == value
        mask = here if mask is None else mask & here
    rows = table[mask]
    return rows.iloc[0] if len(rows) else None


def _current(data: dict, key: str) -> Any:
    here: Any = data
    for part in key.split("."):
        try:
            here = here[int(part)] if isinstance(here, list) else here[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return here


def size_context(r: Any, *, data: dict, meta: dict, files: tuple[str, ...] = ()) -> dict[str, Any]:
    """Everything the size template shows, from a ``SizeResult``."""
    target = describe_target(r.figure, r.bound)
    rule = f"{target} in all but {r.risk:.0%} of runs, with {r.confidence:.0%} confidence"
    if r.chosen is not None:
        row = _chosen_row(r)
        how = (f": {row['misses']} of {row['runs']} runs missed; at most {row['miss_bound']:.1%} would miss"
               if row is not None else "")
        checks = [{"met": True, "text": f"{_layout(r)} meets {rule}{how}"}]
        now = ", ".join(f"{k} is {_current(data, k)!r}" for k in r.keys)
        advice = {"text": f"Set {_layout(r)} (the scenario as run: {now}).", "command": None}
    else:
        checks = [{"met": False, "text": f"no layout tried meets {rule}"}]
        advice = {"text": "No layout tried meets the target: give larger candidates (--candidates), or vary another "
                          "key.", "command": None}
    return {
        "title": f"Sizing report: {data.get('name', 'scenario')}",
        "subtitle": (f"{', '.join(r.keys)} searched for {target}; {r.runs:,} runs, "
                     f"{r.confidence:.0%} confidence, {r.risk:.0%} risk"),
        "verdict_met": r.chosen is not None,
        "verdict_headline": "a layout meets the target" if r.chosen is not None else "no layout meets the target",
        "checks": checks,
        "sentences": [r.answer],
        "advice": advice,
        "figures": embed(size_figures(r)),
        "size_table": table_html(r.table),
        "pareto_table": table_html(r.pareto) if len(r.keys) > 1 else None,
        **provenance_context(meta, files),
    }


def write_size_report(r: Any, out: str | Path, *, data: dict, seeds: int, force: bool = False,
                      created: dt.datetime | None = None, scenario_file: str | None = None,
                      base: Path | None = None) -> Path:
    """Write a size search's report (``r``, a ``SizeResult``) to the folder ``out``,
    atomically: ``SIZE_FILES``. Returns report.html's path."""
    out = check_destination(out, force)
    created = created_time(created)
    meta = provenance(data, seed={"root": data.get("seed", 0), "runs_per_layout": seeds}, created=created,
                      scenario_file=scenario_file, base=base)
    context = size_context(r, data=data, meta=meta, files=SIZE_FILES[1:])
    summary = {**meta, "keys": list(r.keys), "target": {r.figure: r.bound}, "confidence": r.confidence,
               "risk": r.risk, "chosen": r.chosen, "runs": r.runs, "answer": r.answer, "candidates": r.candidates,
               "verdict": context["checks"], "recommendation": context["advice"], "files": list(SIZE_FILES)}
    rows = [("report", context["title"]), ("verdict", context["checks"][0]["text"]), ("answer", r.answer),
            ("recommendation", context["advice"]["text"])]
    rows += flatten({k: v for k, v in meta.items() if k != "scenario"})
    rows += flatten({"scenario": meta["scenario"]})
    return write_report_folder(out, force, template="size.html.j2", context=context, summary=summary,
                               csvs={"size.csv": r.table, "pareto.csv": r.pareto}, rows=rows,
                               sheets={"layouts": r.table, "pareto": r.pareto}, created=created)
