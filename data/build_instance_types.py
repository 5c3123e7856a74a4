"""Build data/instance_types.csv from the shared, sourced instance-type table.

Usage (from anywhere; relative paths given on the command line are taken
from the current directory)::

    python data/build_instance_types.py [SOURCE_CSV [OUTPUT_CSV]]

SOURCE_CSV defaults to ``../shared/data/instance_types_sourced.csv`` next to
the repository root; OUTPUT_CSV defaults to ``data/instance_types.csv`` in the
repository. The output keeps every row and column of the source, in the
source's order and with the ``source`` and ``notes`` cells verbatim, and adds
one column, ``ip_limits_known``: ``true`` when both ``eni_quantity`` and
``private_ipv4_per_eni`` are present, else ``false``.

Standard library only, so it runs before the project's venv exists.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "instance_types_sourced.csv"
DEFAULT_OUTPUT = REPO_ROOT / "data" / "instance_types.csv"

# The exact header expected from the source: a renamed, added or reordered
# column must be looked at by a person, not carried through silently.
SOURCE_COLUMNS = (
    "instance_type",
    "family",
    "vcpu",
    "memory_gib",
    "eni_quantity",
    "private_ipv4_per_eni",
    "ipv6_per_eni",
    "eni_total_quantity",
    "eni_trunk_supported",
    "source",
    "notes",
)
ADDED_COLUMN = "ip_limits_known"


def build(source_text: str, source_name: str = "<source>") -> str:
    """Return the text of instance_types.csv built from the source CSV text.

    Raises ValueError (naming ``source_name`` and the line) if the header is
    not SOURCE_COLUMNS or a row has the wrong number of fields.
    """
    reader = csv.reader(io.StringIO(source_text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != SOURCE_COLUMNS:
        raise ValueError(
            f"{source_name}:1: unexpected header {header!r}; expected {list(SOURCE_COLUMNS)}"
        )
    eni_col = SOURCE_COLUMNS.index("eni_quantity")
    ipv4_col = SOURCE_COLUMNS.index("private_ipv4_per_eni")

    out = io.StringIO(newline="")
    # LF endings keep git diffs of the shipped file clean; cells are written
    # with the csv module's minimal quoting, which reproduces the source's.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*SOURCE_COLUMNS, ADDED_COLUMN])
    for row in reader:
        if len(row) != len(SOURCE_COLUMNS):
            raise ValueError(
                f"{source_name}:{reader.line_num}: expected {len(SOURCE_COLUMNS)} fields, "
                f"got {len(row)}"
            )
        known = bool(row[eni_col].strip()) and bool(row[ipv4_col].strip())
        writer.writerow([*row, "true" if known else "false"])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build the output file; return a process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 2:
        print("usage: build_instance_types.py [SOURCE_CSV [OUTPUT_CSV]]", file=sys.stderr)
        return 2
    source = Path(args[0]) if args else DEFAULT_SOURCE
    output = Path(args[1]) if len(args) > 1 else DEFAULT_OUTPUT
    try:
        # newline="" so a line break inside a quoted cell stays byte-exact.
        with source.open(encoding="utf-8", newline="") as f:
            text = build(f.read(), str(source))
    except (OSError, ValueError) as exc:
        print(f"build_instance_types: {exc}", file=sys.stderr)
        return 1
    output.write_text(text, encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
