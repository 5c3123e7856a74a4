"""Read pod lifecycles from a CSV trace (e.g. Alibaba's cluster traces) with a column mapping."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator

from simkit.workloads.records import PodSpec, TraceStats, WorkloadError


def read_pod_trace(
    path: str | os.PathLike,
    start_column: str,
    end_column: str,
    *,
    name_column: str | None = None,
    cpu_column: str | None = None,
    memory_column: str | None = None,
    stats: TraceStats | None = None,
) -> Iterator[PodSpec]:
    """Yield one PodSpec per CSV row of ``path``, lazily, in file order.

    Times are seconds as in the file (not shifted). A row with an empty start is skipped (a pod
    that never started, e.g. Pending in the Alibaba openb trace; counted in
    ``stats.skipped_no_start``); an empty end gives ``end=None`` (alive to the end of the run;
    ``stats.open_ended``). The name defaults to ``row-<line>``.

    Raises WorkloadError, naming the file, line and column, for a column that is not in the
    header (listing those that are), a value that is not a finite number, an end before its
    start, and a start earlier than the previous row's: rows must be sorted by the start
    column. Errors surface while iterating, since reading is lazy.

    >>> pods = read_pod_trace("data/samples/pods.csv", "scheduled_time", "deletion_time",
    ...                       name_column="name")  # doctest: +SKIP
    """
    name = os.fspath(path)
    wanted = {
        "start_column": start_column,
        "end_column": end_column,
        "name_column": name_column,
        "cpu_column": cpu_column,
        "memory_column": memory_column,
    }
    with open(name, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        header = reader.fieldnames
        if not header:
            raise WorkloadError(f"{name}: the file is empty; expected a header row naming the columns")
        for argument, column in wanted.items():
            if column is not None and column not in header:
                raise WorkloadError(
                    f"{name}, line 1: {argument} {column!r} is not a column of the file; "
                    f"columns: {', '.join(header)}"
                )
        previous, previous_line = -math.inf, 0
        for row in reader:
            line = reader.line_num
            if stats is not None:
                stats.rows += 1
            start = _seconds(row, start_column, name, line)
            if start is None:
                if stats is not None:
                    stats.skipped_no_start += 1
                continue
            if start < previous:
                raise WorkloadError(
                    f"{name}, line {line}: column {start_column!r} is {start:.15g}, before {previous:.15g} "
                    f"on line {previous_line}; rows must be sorted by the start column — sort the "
                    f"file by {start_column!r}"
                )
            previous, previous_line = start, line
            end = _seconds(row, end_column, name, line)
            if end is None:
                if stats is not None:
                    stats.open_ended += 1
            elif end < start:
                raise WorkloadError(
                    f"{name}, line {line}: column {end_column!r} is {end:.15g}, before column "
                    f"{start_column!r} ({start:.15g}); an end must not precede its start"
                )
            pod_name = (row.get(name_column) or "").strip() if name_column else ""
            yield PodSpec(
                pod_name or f"row-{line}",
                start,
                end,
                _count(row, cpu_column, name, line),
                _count(row, memory_column, name, line),
            )


def _text(row: dict, column: str) -> str:
    # A short row leaves missing cells as None.
    return (row.get(column) or "").strip()


def _number(row: dict, column: str, name: str, line: int, ok, allowed: str) -> float | None:
    """The column's value as a float (None when empty); WorkloadError unless ``ok(value)``."""
    text = _text(row, column)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not ok(value):
        raise WorkloadError(f"{name}, line {line}: column {column!r} is {text!r}; allowed: {allowed}, or empty")
    return value


def _seconds(row: dict, column: str, name: str, line: int) -> float | None:
    return _number(row, column, name, line, lambda v: True, "seconds as a finite number")


def _count(row: dict, column: str | None, name: str, line: int) -> int | None:
    if column is None:
        return None
    value = _number(row, column, name, line, lambda v: v.is_integer() and v >= 0, "a whole number >= 0")
    return None if value is None else int(value)
