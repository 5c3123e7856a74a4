"""What every report folder holds, written in one place: the page from its template, summary.json,
one CSV per table, and report.xlsx (a summary sheet and one sheet per table), all inside one
atomic write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from simkit.report.atomic import atomic_directory
from simkit.report.exports import write_csv, write_json, write_xlsx
from simkit.report.render import render

__all__ = ["write_report_folder"]


def write_report_folder(out: Path, force: bool, *, template: str, context: Mapping[str, Any],
                        summary: Mapping[str, Any], csvs: Mapping[str, Any], rows: list[tuple[str, Any]],
                        sheets: Mapping[str, Any], created: dt.datetime) -> Path:
    """Write report.html (``template`` with ``context``), summary.json, each of ``csvs`` ({file
    name: DataFrame}) and report.xlsx (``rows`` on its summary sheet, then ``sheets``) to the
    folder ``out``, atomically. Returns report.html's path."""
    with atomic_directory(out, force) as folder:
        (folder / "report.html").write_text(render(template, context), encoding="utf-8")
        write_json(folder / "summary.json", summary)
        for name, frame in csvs.items():
            write_csv(folder / name, frame)
        write_xlsx(folder / "report.xlsx", rows, sheets, created, context["title"])
    return out / "report.html"
