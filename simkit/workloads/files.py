"""Opening workload files as text, and the errors for files that are not what they claim: a file
that cannot be opened, and text that is not UTF-8. Each error is a WorkloadError naming the file
and, where there is one, the line."""

from __future__ import annotations

from typing import IO

from simkit.errors import QUOTED, quoted
from simkit.workloads.records import WorkloadError

__all__ = ["cut", "not_utf8", "open_text"]

#: How much of a value or a file name a message quotes, so that it stays one readable line.
_QUOTED = QUOTED
#: ``value`` as a message quotes it (``simkit.errors.quoted``: every layer quotes alike).
cut = quoted


def open_text(name: str, newline: str | None = None) -> IO[str]:
    """``name`` opened for reading as UTF-8 text (a byte-order mark skipped).

    Raises WorkloadError naming the file for one that cannot be opened (missing, a directory,
    a name too long for the file system, no permission). Text that is not UTF-8 shows up while
    reading, as UnicodeDecodeError: readers turn it into ``not_utf8(name)``.
    """
    try:
        return open(name, newline=newline, encoding="utf-8-sig")
    except OSError as exc:
        shown = name if len(name) <= _QUOTED else cut(name) + f" ({len(name):,} characters)"
        raise WorkloadError(f"{shown}: cannot be read: {exc.strerror or exc}") from None


def not_utf8(name: str) -> WorkloadError:
    """The error for ``name``, which does not decode as UTF-8: the first line that does not,
    the column and the byte. The file is read again, as bytes, line by line: a newline byte
    never occurs inside a UTF-8 sequence, so each line decodes on its own exactly as the whole
    would. Called only once reading has failed, so the normal path pays nothing for it."""
    try:
        with open(name, "rb") as stream:
            for lineno, raw in enumerate(stream, 1):
                try:
                    raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    good = raw[:exc.start].decode("utf-8-sig" if lineno == 1 else "utf-8")
                    return WorkloadError(
                        f"{name}, line {lineno}, column {len(good) + 1}: byte 0x{raw[exc.start]:02x} is not UTF-8 "
                        f"text; allowed: a file encoded as UTF-8 (save or convert it as UTF-8, e.g. with iconv)"
                    )
    except OSError as exc:  # gone or changed since it was opened
        return WorkloadError(f"{name}: cannot be read: {exc.strerror or exc}")
    return WorkloadError(f"{name}: is not UTF-8 text; allowed: a file encoded as UTF-8")
