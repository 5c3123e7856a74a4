"""The report's tables as files: CSV (pandas), summary.json, and report.xlsx (XlsxWriter, one
sheet per table plus a summary sheet). The workbook's creation time is the report's, so the
same run written with the same creation time gives the same bytes."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Mapping

__all__ = ["SHEET_ROWS", "flatten", "plain", "write_csv", "write_json", "write_xlsx"]

#: Rows a worksheet holds (Excel's limit), the header included.
SHEET_ROWS = 1_048_576


def plain(value: Any) -> Any:
    """``value`` with every float that is not finite as None and numpy scalars as Python's, so
    that the JSON written is JSON (no NaN or Infinity)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) for every leaf of nested mappings and lists: the summary sheet's
    rows. An empty mapping or list is one row, shown empty."""
    if isinstance(value, Mapping):
        if not value:
            return [(prefix, "")]
        return [row for k, v in value.items() for row in flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, (list, tuple)):
        if not value:
            return [(prefix, "")]
        return [row for i, v in enumerate(value) for row in flatten(v, f"{prefix}.{i}")]
    value = plain(value)
    return [(prefix, "" if value is None else value)]


def write_csv(path: Path, frame: Any) -> None:
    """``frame`` as CSV, without its index."""
    frame.to_csv(path, index=False)


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented UTF-8 JSON, non-finite floats as null."""
    path.write_text(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_xlsx(path: Path, summary_rows: list[tuple[str, Any]], sheets: Mapping[str, Any], created: dt.datetime,
               title: str) -> list[str]:
    """report.xlsx: a ``summary`` sheet of (item, value) rows, then one sheet per table of
    ``sheets`` ({name: DataFrame}). A table longer than a sheet holds is cut to its first rows,
    and the summary sheet says so (the CSV beside it holds every row). Returns the notes made."""
    import pandas as pd

    notes = []
    cut = {}
    for name, frame in sheets.items():
        if len(frame) > SHEET_ROWS - 1:
            notes.append(f"sheet {name} holds the first {SHEET_ROWS - 1:,} of {len(frame):,} rows; {name}.csv holds all")
            cut[name] = frame.iloc[:SHEET_ROWS - 1]
    rows = list(summary_rows) + [("note", n) for n in notes]
    summary = pd.DataFrame(rows, columns=["item", "value"], dtype=object)
    # XlsxWriter stamps the workbook with its creation time (naive, taken as UTC); nothing else
    # in the file varies from one writing to the next.
    created = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        writer.book.set_properties({"title": title, "author": "simkit", "created": created})
        summary.to_excel(writer, sheet_name="summary", index=False)
        writer.sheets["summary"].set_column(0, 0, 38)
        writer.sheets["summary"].set_column(1, 1, 80)
        for name, frame in sheets.items():
            table = cut.get(name, frame)
            table.to_excel(writer, sheet_name=name, index=False)
            writer.sheets[name].freeze_panes(1, 0)
    return notes
