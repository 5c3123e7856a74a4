"""Read pod lifecycles from a CSV trace (e.g. Alibaba's cluster traces) with a column mapping."""

from __future__ import annotations

import csv
import math
import os
from array import array
from collections.abc import Iterator
from typing import NamedTuple

from simkit.workloads.files import cut, not_utf8, open_text
from simkit.workloads.records import PodSpec, TraceStats, WorkloadError


#: Rows turned into pods per step when a sorted trace is handed out from memory: numpy gathers
#: each column for a chunk at once, and a chunk's Python values never sit in memory whole.
_CHUNK = 1024
#: What DictReader puts in the cells a short row lacks: not None, which could not be told
#: from an empty cell by a reader that strips text, but a mark of its own.
_MISSING = object()
#: The values of a column the trace does not have, for a chunk of pods: all empty (NaN).
_NONE_CHUNK = [math.nan] * _CHUNK


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
    """Yield one PodSpec per CSV row of ``path``, in order of the start column.

    Times are seconds as in the file (not shifted). A row with an empty start is skipped (a pod
    that never started, e.g. Pending in the Alibaba openb trace; counted in
    ``stats.skipped_no_start``); an empty end gives ``end=None`` (alive to the end of the run;
    ``stats.open_ended``). The name defaults to ``row-<line>``.

    Order: the rows need not be sorted by the start column. A first pass reads only the start
    column to see whether they are (about a seventh of the cost of the full read). If they are,
    the pods are read lazily, row by row, and the trace never sits in memory whole. If they are
    not, every row is read and checked, then sorted by start with a stable sort (numpy's
    ``argsort(kind="stable")``): rows with the same start keep their file order. Until the last
    pod is handed out, the sorted trace is held in memory as columns: 8 bytes for each of start,
    end, the sort order and, when the trace has them, CPU and memory, and the name as UTF-8 in
    one buffer (its length and 8 bytes). Measured with ``bench/pod_trace.py`` (tracemalloc) on
    the openb trace by ``scheduled_time``, which is out of order: a peak of 0.8 MB for its 8,152
    rows (101 bytes a row), and 60 bytes for each further row, so 10 million unsorted rows take
    about 600 MB (names as a list of Python strings took 103). Sort a larger file beforehand (by
    the start column, numerically) to keep the lazy path.

    Raises WorkloadError, naming the file, line and column, for a file that cannot be opened or
    is not UTF-8 text, text that is not CSV (a cell longer than the csv module's limit of
    131,072 characters, a NUL byte), a column that is not in the header (listing those that
    are), a row with fewer cells than the header has columns, a value that is not a finite
    number and an end before its start. Errors surface while iterating: on a sorted file when
    the bad row is reached, on an unsorted one at the first pod, since every row is read before
    any is handed out.

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
    columns = (start_column, end_column, name_column, cpu_column, memory_column)
    if _in_start_order(name, wanted):
        yield from _rows(name, *columns, stats, in_order=True)
    else:
        yield from _sorted_by_start(_rows(name, *columns, stats, in_order=False), cpu_column is not None,
                                    memory_column is not None)


def _in_start_order(name: str, wanted: dict[str, str | None]) -> bool:
    """Check the header (WorkloadError for a missing column) and say whether the starts never
    go down. Reads only the start column, with the plain csv reader, at a fraction of the cost
    of the full read that follows."""
    with open_text(name, newline="") as stream:
        reader = csv.reader(stream)
        done = 0  # where the last row read ends (messages only)
        try:
            index = _start_index(name, next(reader, None), wanted)
            previous = -math.inf
            done = reader.line_num
            for row in reader:
                done = reader.line_num
                text = row[index].strip() if index < len(row) else ""
                if not text:
                    continue  # a short row among them: the full read stops there with its error
                try:
                    start = float(text)
                except ValueError:
                    return True  # the full read stops at this row with its error
                if not math.isfinite(start):
                    return True  # the same
                if start < previous:
                    return False
                previous = start
        except csv.Error as exc:
            raise _not_csv(name, done, reader.line_num, exc) from None
        except UnicodeDecodeError:
            raise not_utf8(name) from None
    return True


def _start_index(name: str, header: list[str] | None, wanted: dict[str, str | None]) -> int:
    """The index of the start column in ``header``; WorkloadError for an empty file or a column
    that is not in it."""
    if not header:
        raise WorkloadError(f"{name}: the file is empty; expected a header row naming the columns")
    for argument, column in wanted.items():
        if column is not None and column not in header:
            raise WorkloadError(
                f"{name}, line 1: {argument} {column!r} is not a column of the file; "
                f"columns: {', '.join(header)}"
            )
    # DictReader, which the full read uses, keeps the last of two columns of one name.
    return len(header) - 1 - header[::-1].index(wanted["start_column"])


class TraceStarts(NamedTuple):
    """What the start column of a pod trace holds (``trace_starts``): ``rows`` with a start
    that is a finite number, the ``lowest`` and ``highest`` of them (NaN when there are none),
    and how many are ``negative``, with the line and value of the first (0 and NaN when none)."""

    rows: int
    lowest: float
    highest: float
    negative: int
    first_negative_line: int
    first_negative: float


def trace_starts(path: str | os.PathLike, start_column: str) -> TraceStarts:
    """The start times of a pod trace at a glance, as the file has them (not scaled): how many,
    the lowest and highest, and the negative ones. Reads the start column alone, with the plain
    csv reader (a fraction of the cost of ``read_pod_trace``); a start that is not a number is
    passed over, for ``read_pod_trace`` to report.

    Raises WorkloadError, naming the file and line, for a file that cannot be opened, is not
    UTF-8 text or not CSV, is empty, or has no such column.

    >>> trace_starts("data/samples/pods.csv", "scheduled_time").rows  # doctest: +SKIP
    """
    name = os.fspath(path)
    rows = negative = first_line = 0
    lowest, highest, first = math.inf, -math.inf, math.nan
    with open_text(name, newline="") as stream:
        reader = csv.reader(stream)
        done = 0  # where the last row read ends (messages only)
        try:
            index = _start_index(name, next(reader, None), {"start_column": start_column})
            done = reader.line_num
            for row in reader:
                done = reader.line_num
                text = row[index].strip() if index < len(row) else ""
                if not text:
                    continue
                try:
                    start = float(text)
                except ValueError:
                    continue
                if not math.isfinite(start):
                    continue
                rows += 1
                if start < lowest:
                    lowest = start
                if start > highest:
                    highest = start
                if start < 0:
                    negative += 1
                    if negative == 1:
                        first_line, first = reader.line_num, start
        except csv.Error as exc:
            raise _not_csv(name, done, reader.line_num, exc) from None
        except UnicodeDecodeError:
            raise not_utf8(name) from None
    if not rows:
        lowest = highest = math.nan
    return TraceStarts(rows, lowest, highest, negative, first_line, first)


def _rows(name: str, start_column: str, end_column: str, name_column: str | None, cpu_column: str | None,
          memory_column: str | None, stats: TraceStats | None, in_order: bool) -> Iterator[PodSpec]:
    """The checked pods of the file's rows, in file order. ``in_order``: the first pass found the
    starts in order, so a start that goes down means the file changed since."""
    with open_text(name, newline="") as stream:
        reader = csv.DictReader(stream, restval=_MISSING)
        previous, previous_line = -math.inf, 0
        line = 0  # where the last row read ends
        # Zero-cost until raised: the csv module and the decoder fail inside the loop, on the
        # row they were reading.
        try:
            fields = reader.fieldnames
            last = fields[-1] if fields else None
            line = reader.line_num
            for row in reader:
                # The row ends on line, the one before it on before (for messages).
                before, line = line, reader.line_num
                if row.get(last) is _MISSING:  # DictReader fills a short row's last cells
                    raise _short_row(name, row, before, line, fields)
                if stats is not None:
                    stats.rows += 1
                start = _seconds(row, start_column)
                if start is None:
                    if stats is not None:
                        stats.skipped_no_start += 1
                    continue
                if in_order:
                    if start < previous:
                        raise WorkloadError(
                            f"{_where(name, row, before, line)}: column {start_column!r} is {start:.15g}, before "
                            f"{previous:.15g} on line {previous_line}, although the rows were in order when first read: the file "
                            f"changed while it was being read"
                        )
                    previous, previous_line = start, line
                end = _seconds(row, end_column)
                if end is None:
                    if stats is not None:
                        stats.open_ended += 1
                elif end < start:
                    raise WorkloadError(
                        f"{_where(name, row, before, line)}: column {end_column!r} is {end:.15g}, before column "
                        f"{start_column!r} ({start:.15g}); an end must not precede its start"
                    )
                pod_name = (row.get(name_column) or "").strip() if name_column else ""
                yield PodSpec(
                    pod_name or f"row-{line}",
                    start,
                    end,
                    _count(row, cpu_column),
                    _count(row, memory_column),
                )
        except _BadCell as bad:
            raise WorkloadError(f"{_where(name, row, before, line)}: column {bad.column!r} is {cut(bad.text)}; "
                                f"allowed: {bad.allowed}, or empty") from None
        except csv.Error as exc:
            raise _not_csv(name, line, reader.line_num, exc) from None
        except UnicodeDecodeError:
            raise not_utf8(name) from None


def _not_csv(name: str, done: int, line: int, exc: csv.Error) -> WorkloadError:
    """The error for text the csv module refuses on ``line``, the line it was reading, in a row
    that began after ``done`` (where the row before it ended): lines apart when a quoted cell
    runs over several, most likely from a quote left open."""
    spans = done + 1 < line
    where = f"lines {done + 1} to {line}" if spans else f"line {line}"
    problem = str(exc)
    if problem.startswith("field larger than field limit"):
        hint = "a quoted cell runs over these lines: is a closing quote missing?" if spans else "is this a CSV file?"
        problem = (f"a cell is longer than {csv.field_size_limit():,} characters (the csv module's limit); "
                   f"allowed: CSV with shorter cells ({hint})")
    else:
        problem = f"not CSV ({problem}); allowed: comma-separated text with a header row"
    return WorkloadError(f"{name}, {where}: {problem}")


def _where(name: str, row: dict, before: int, line: int) -> str:
    """Where a row is, for a message: ``"<file>, line <n>"``, or ``"<file>, lines <first> to <n>"``
    for a row that quoted cells stretch over several lines (``line`` is its last, the csv
    module's count; ``before`` the last of the row before it)."""
    first = _first_line(row, before, line)
    return f"{name}, line {line}" if first == line else f"{name}, lines {first} to {line}"


def _first_line(row: dict, before: int, line: int) -> int:
    """The line a row that ends on ``line`` begins on: earlier by the line breaks in its cells
    (\\n, \\r and \\r\\n each one, as the csv module counts lines), and after ``before``,
    where the row before it ended (a quote left open to the end of the file holds the last line
    break too; blank lines between rows are not in any cell). Worked out only for a message."""
    cells = [value for value in row.values() if isinstance(value, str)]
    extra = row.get(None)  # cells beyond the header's columns, as a list
    if isinstance(extra, list):
        cells += extra
    breaks = sum(text.count("\n") + text.count("\r") - text.count("\r\n") for text in cells)
    return max(before + 1, line - breaks)


def _short_row(name: str, row: dict, before: int, line: int, fields: list[str]) -> WorkloadError:
    """The error for a row with fewer cells than the header has columns. When quoted cells
    stretch it over several lines, a quote was most likely left open: the quoted cell swallowed
    the rows after it (to the end of the file, if it is never closed), and the message says so."""
    cells = next(i for i, field in enumerate(fields) if row.get(field) is _MISSING)
    quote = "" if _first_line(row, before, line) == line else (
        ", and a quoted cell runs over these lines (is a closing quote missing?)")
    return WorkloadError(
        f"{_where(name, row, before, line)}: the row has {cells} cell{'' if cells == 1 else 's'} and the header "
        f"{len(fields)} columns (no cell for column {fields[cells]!r}){quote}; allowed: a cell for every column, "
        f"an empty one written as nothing between two commas"
    )


def _sorted_by_start(pods: Iterator[PodSpec], has_cpu: bool, has_memory: bool) -> Iterator[PodSpec]:
    """``pods`` stably sorted by start, held meanwhile as columns: an array of 8-byte floats
    for each number (NaN for none: checked values are finite; CPU and memory only when the trace
    has those columns, ``has_cpu``, ``has_memory``), and the names as one buffer of UTF-8 with
    an array of where each ends. A list of names cost about 70 bytes a pod (a str object and its
    pointer); the buffer costs the name's length and 8 bytes."""
    import numpy as np

    names = bytearray()
    name_ends = array("q")
    starts, ends = array("d"), array("d")
    # Without the column every value is None: no array is kept, and NaN stands in when read.
    cpus, mems = array("d") if has_cpu else None, array("d") if has_memory else None
    nan = math.nan
    for pod in pods:
        names += pod.name.encode("utf-8", "surrogatepass")
        name_ends.append(len(names))
        starts.append(pod.start)
        ends.append(nan if pod.end is None else pod.end)
        if cpus is not None:
            cpus.append(nan if pod.cpu_milli is None else pod.cpu_milli)
        if mems is not None:
            mems.append(nan if pod.memory_mib is None else pod.memory_mib)
    columns = [None if a is None else np.frombuffer(a, dtype=np.float64) if len(a) else np.empty(0)
               for a in (starts, ends, cpus, mems)]
    name_stops = np.frombuffer(name_ends, dtype=np.int64) if len(name_ends) else np.empty(0, dtype=np.int64)
    order = np.argsort(columns[0], kind="stable")
    text = memoryview(names)
    for lo in range(0, len(order), _CHUNK):
        chunk = order[lo:lo + _CHUNK]
        start, end, cpu, mem = (_NONE_CHUNK if column is None else column[chunk].tolist() for column in columns)
        stops = name_stops[chunk].tolist()
        firsts = np.where(chunk > 0, name_stops[chunk - 1], 0).tolist()
        for k in range(len(stops)):
            e, c, m = end[k], cpu[k], mem[k]
            # x != x only for NaN, the mark of an empty cell.
            yield PodSpec(str(text[firsts[k]:stops[k]], "utf-8", "surrogatepass"), start[k], None if e != e else e,
                          None if c != c else int(c), None if m != m else int(m))


def _text(row: dict, column: str) -> str:
    # A short row leaves missing cells as None.
    return (row.get(column) or "").strip()


class _BadCell(Exception):
    """A cell that is not the number its column holds; ``_rows`` turns it into a WorkloadError
    naming the file and the row's lines."""

    def __init__(self, column: str, text: str, allowed: str):
        super().__init__(column)
        self.column, self.text, self.allowed = column, text, allowed


def _number(row: dict, column: str, ok, allowed: str) -> float | None:
    """The column's value as a float (None when empty); _BadCell unless ``ok(value)``."""
    text = _text(row, column)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not ok(value):
        raise _BadCell(column, text, allowed)
    return value


def _seconds(row: dict, column: str) -> float | None:
    return _number(row, column, lambda v: True, "seconds as a finite number")


def _count(row: dict, column: str | None) -> int | None:
    if column is None:
        return None
    value = _number(row, column, lambda v: v.is_integer() and v >= 0, "a whole number >= 0")
    return None if value is None else int(value)
