"""The report of a forecast (``simkit forecast --out``): what runs out first and when, as the
verdict, each limit's first-hit times over the seeds, and the tables beside it (limits.csv,
runs.csv, summary.json, report.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from simkit.analysis.words import clock_time
from simkit.report.atomic import check_destination
from simkit.report.exports import flatten
from simkit.report.folder import write_report_folder
from simkit.report.provenance import created_time, provenance, provenance_context
from simkit.report.render import table_html

__all__ = ["FORECAST_FILES", "forecast_context", "write_forecast_report"]

FORECAST_FILES = ("report.html", "summary.json", "limits.csv", "runs.csv", "report.xlsx")


def _spread(row: Any) -> str:
    """A limit's p10 / p50 / p90 in words; a percentile too few seeds reached is "not reached"."""
    return ", ".join(f"{p} {clock_time(row[p]) if row[p] is not None and row[p] == row[p] else 'not reached'}"
                     for p in ("p10", "p50", "p90"))


def forecast_context(f: Any, *, data: dict, seeds: int, meta: dict, files: tuple[str, ...] = ()) -> dict[str, Any]:
    """Everything the forecast template shows, from a ``Forecast``."""
    duration = data.get("duration", "1d")
    checks = [{"met": False, "text": f"{row['limit']} on {row['resource']}: hit in {row['seeds_hit']:.0%} of the "
                                      f"seeds ({_spread(row)}); first in "
                                      f"{f.first.get((row['limit'], row['resource']), 0)} of {seeds}"}
              for _, row in f.limits.iterrows()]
    if checks:
        first = f.limits.iloc[0]
        earliest = f.runs["time"].min()
        advice = {"text": (f"Raise {first['limit']} on {first['resource']} (or spread the load) before "
                           f"{clock_time(earliest)} into the run, the earliest any seed hit a limit; "
                           "simkit size on this scenario finds by how much."),
                  "command": None}
    else:
        checks = [{"met": True, "text": f"no limit was hit within {duration} in any of {seeds} seeds"}]
        advice = {"text": "Nothing runs out within the scenario's duration: lengthen it to see further.",
                  "command": None}
    return {
        "title": f"Forecast: {data.get('name', 'scenario')}",
        "subtitle": f"{seeds} seeds of {duration}; when each limit is first hit, and what first",
        "verdict_met": f.limits.empty,
        "verdict_headline": "nothing runs out" if f.limits.empty else f"{len(f.limits)} limit(s) run out",
        "checks": checks,
        "sentences": [f.sentence],
        "advice": advice,
        "limits_table": table_html(f.limits),
        "runs_table": table_html(f.runs),
        **provenance_context(meta, files),
    }


def write_forecast_report(f: Any, out: str | Path, *, data: dict, seeds: int, force: bool = False,
                          created: dt.datetime | None = None, scenario_file: str | None = None,
                          base: Path | None = None) -> Path:
    """Write a forecast's report (``f``, a ``Forecast`` of ``seeds`` seeds) to the folder
    ``out``, atomically: ``FORECAST_FILES``. Returns report.html's path."""
    out = check_destination(out, force)
    created = created_time(created)
    meta = provenance(data, seed={"root": data.get("seed", 0), "runs": sorted(set(f.runs["seed"].tolist()))},
                      created=created, scenario_file=scenario_file, base=base)
    context = forecast_context(f, data=data, seeds=seeds, meta=meta, files=FORECAST_FILES[1:])
    summary = {**meta, "seeds": seeds, "sentence": f.sentence,
               "first": [{"limit": k[0], "resource": k[1], "seeds": v} for k, v in f.first.items()],
               "verdict": context["checks"], "recommendation": context["advice"], "files": list(FORECAST_FILES)}
    rows = [("report", context["title"]), ("answer", f.sentence), ("recommendation", context["advice"]["text"])]
    rows += flatten({k: v for k, v in meta.items() if k != "scenario"})
    rows += flatten({"scenario": meta["scenario"]})
    return write_report_folder(out, force, template="forecast.html.j2", context=context, summary=summary,
                               csvs={"limits.csv": f.limits, "runs.csv": f.runs}, rows=rows,
                               sheets={"limits": f.limits, "runs": f.runs}, created=created)
