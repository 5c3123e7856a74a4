"""Opening workload files as text, and the errors for files that are not what they claim: a file
that cannot be opened, and text that is not UTF-8. Each error is a WorkloadError naming the file
and, where there is one, the line."""

from __future__ import annotations

import reprlib

from typing import IO, Any

from simkit.workloads.records import WorkloadError

__all__ = ["cut", "not_utf8", "open_text"]

#: How much of a value or a file name a message quotes, so that it stays one readable line.
_QUOTED = 60


_SHORT = reprlib.Repr()  # (Python 3.11's Repr takes no arguments: its limits are attributes)
_SHORT.maxlevel = 3
_SHORT.maxtuple = _SHORT.maxlist = _SHORT.maxdict = _SHORT.maxset = 4


def cut(value: Any) -> str:
    """``value`` as a message quotes it: its repr, cut to 60 characters ("..." marks the cut).
    An integer too long for Python to write out (over 4,300 digits) is described instead.

    >>> cut("9" * 400)[:12], len(cut("9" * 400))
    ("'99999999999", 60)
    """
    try:
        # reprlib stops at a few items a level: a nested YAML value ("billion laughs") that
        # stands for millions of items is never spelled out before being cut.
        shown = _SHORT.repr(value) if isinstance(value, (list, dict, tuple, set)) else repr(value)
    except ValueError:  # sys.get_int_max_str_digits(): an int of thousands of digits
        shown = f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    return shown if len(shown) <= _QUOTED else shown[:_QUOTED - 3] + "..."


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
