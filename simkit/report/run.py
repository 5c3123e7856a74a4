"""The report of one run: its context for the template (verdict, sentences, recommendation,
figures, tables, provenance), the HTML, and the folder ``simkit run --out`` writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from simkit.analysis.advice import recommend
from simkit.analysis.verdict import run_verdict
from simkit.analysis.words import clock_time, summary_in_words
from simkit.report.atomic import check_destination
from simkit.report.exports import flatten
from simkit.report.figures import embed, run_figures
from simkit.report.folder import write_report_folder
from simkit.report.provenance import created_time, provenance, provenance_context
from simkit.report.render import render, table_html

__all__ = ["RUN_FILES", "result_html", "run_context", "write_run_report"]

#: What ``write_run_report`` puts in its folder, report.html first.
RUN_FILES = ("report.html", "summary.json", "events.csv", "samples.csv", "pods.csv", "exhaustion.csv", "report.xlsx")


def errors_frame(summary: dict):
    """Refused calls by code: code, HTTP status, calls refused, share of all calls."""
    import pandas as pd

    from simkit.errors import REGISTRY

    rows = [{"code": code, "HTTP status": REGISTRY[code].http_status if code in REGISTRY else None, "refused calls": n,
             "share of calls": f"{summary['api_error_rate_by_code'][code]:.2%}"}
            for code, n in sorted(summary["api_errors_by_code"].items(), key=lambda kv: -kv[1])]
    return pd.DataFrame(rows)


def _exhaustion_html(result: Any):
    frame = result.exhaustion()
    if len(frame) == 0:
        return None
    frame = frame.assign(**{"into the run": [clock_time(t) for t in frame["time"]]})
    return table_html(frame[["limit", "into the run", "time", "resource", "code"]].rename(columns={"time": "seconds"}))


def run_context(result: Any, *, created: dt.datetime | None = None, scenario_file: str | None = None,
                base: Path | None = None, files: tuple[str, ...] = (), figures: bool = True) -> dict[str, Any]:
    """Everything the run template shows, as plain values: ``checks`` (the verdict),
    ``sentences``, ``advice``, ``maps``/``series``/``error_figures`` (embedded figures),
    ``errors_table``, ``exhaustion_table``, ``meta`` (``provenance``) and ``scenario_yaml``."""
    s = result.summary
    checks = run_verdict(s, result.slo)
    missed = sum(not c.met for c in checks)
    meta = provenance(result.scenario, seed=s["seed"], created=created_time(created), scenario_file=scenario_file,
                      base=base)
    drawn = run_figures(result) if figures else {"maps": [], "series": [], "errors": []}
    nodes = sum(f.count for f in result.plan.fleet)
    types = ", ".join(dict.fromkeys(f.instance_type for f in result.plan.fleet))
    return {
        "title": f"Capacity report: {s['scenario']}",
        "subtitle": (f"{clock_time(s['duration'])} simulated, seed {s['seed']}; {len(result.plan.vswitches)} vSwitch(es), "
                     f"{nodes:,} nodes ({types}), agent mode {result.plan.agent.mode}; "
                     f"SLO: a pod waits at most {s['slo_pod_wait']:g} s"),
        "verdict_met": not missed,
        "verdict_headline": "meets every target" if not missed else f"misses {missed} of {len(checks)} targets",
        "checks": checks,
        "sentences": summary_in_words(s),
        "advice": recommend(result, checks, scenario_file),
        "maps": embed(drawn["maps"]),
        "series": embed(drawn["series"]),
        "error_figures": embed(drawn["errors"]),
        "errors_table": table_html(errors_frame(s)),
        "exhaustion_table": _exhaustion_html(result),
        **provenance_context(meta, files),
    }


def result_html(result: Any, *, document: bool = False, figures: bool = True, **kwargs: Any) -> str:
    """The report of ``result`` as HTML: the fragment a notebook shows (``Result._repr_html_``),
    or with ``document`` the whole page; ``kwargs`` as ``run_context`` takes them."""
    return render("run.html.j2", run_context(result, figures=figures, **kwargs), document=document)


def write_run_report(result: Any, out: str | Path, *, force: bool = False, created: dt.datetime | None = None,
                     scenario_file: str | None = None, base: Path | None = None) -> Path:
    """Write the report of ``result`` to the folder ``out``, atomically (``atomic_directory``):
    ``RUN_FILES``. ``created``: the report's time (``created_time``: SOURCE_DATE_EPOCH or now
    when None); ``scenario_file`` and ``base``: the scenario's path and folder, for the
    provenance. Returns the path of report.html. Raises ReportExists when ``out`` exists and
    ``force`` is false."""
    out = check_destination(out, force)
    created = created_time(created)
    context = run_context(result, created=created, scenario_file=scenario_file, base=base, files=RUN_FILES[1:])
    tables = {"events": result.events(), "samples": result.samples(), "pods": result.pods(),
              "exhaustion": result.exhaustion()}
    meta = context["meta"]
    summary = {**meta, "slo": result.slo,
               "verdict": [{"figure": c.figure, "value": c.value, "target": c.target, "met": c.met} for c in context["checks"]],
               "recommendation": context["advice"]._asdict(), "sentences": context["sentences"],
               "summary": result.summary, "files": list(RUN_FILES)}
    rows = [("report", context["title"])]
    rows += [(f"verdict.{c.figure}", ("✓ " if c.met else "✗ ") + c.text) for c in context["checks"]]
    rows += [("recommendation", str(context["advice"]))]
    rows += [(f"sentence.{i}", text) for i, text in enumerate(context["sentences"], 1)]
    rows += flatten({k: v for k, v in meta.items() if k != "scenario"})
    rows += flatten({"slo": result.slo, "summary": result.summary, "scenario": meta["scenario"]})
    return write_report_folder(out, force, template="run.html.j2", context=context, summary=summary,
                               csvs={f"{name}.csv": frame for name, frame in tables.items()}, rows=rows,
                               sheets=tables, created=created)
