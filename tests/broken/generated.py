"""Inputs of the broken-input corpus that are impractical to store: too large (a 131,073-character
cell, JSON nested 100,000 deep, 65,536 action names), not storable in git (a FIFO, symbolic
links), or broken on the very first line of the scenario file, where a stored case keeps its
``# expect:`` line.

A case names its function with ``# generate: <name>``. The harness copies the case file into a
folder of its group's name under the test's tmp_path and calls the function with that folder;
the function writes what the case reads there (and may overwrite the case file itself). Keep
each function small: it is the input's only description.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path


def _scenario_after_header(folder: Path, case: str) -> bytes:
    """The case file's scenario: its lines after the leading ``# `` directive lines."""
    lines = (folder / case).read_bytes().split(b"\n")
    while lines and lines[0].startswith(b"# "):
        lines.pop(0)
    return b"\n".join(lines)


# --- yaml: the scenario file broken on its first line -----------------------------------------

def scenario_utf16(folder: Path) -> None:
    """The scenario saved as UTF-16 (as Windows Notepad once did): a byte-order mark FF FE, then
    two bytes a character."""
    text = _scenario_after_header(folder, "utf16.yaml").decode("utf-8")
    (folder / "utf16.yaml").write_bytes(text.encode("utf-16"))


def scenario_gzipped(folder: Path) -> None:
    """The scenario compressed with gzip: 1F 8B, then deflated bytes."""
    data = _scenario_after_header(folder, "gzipped.yaml")
    (folder / "gzipped.yaml").write_bytes(gzip.compress(data, mtime=0))


def scenario_latin1_first_line(folder: Path) -> None:
    """A first line in Latin-1: ``name: café`` with é as the one byte E9."""
    rest = _scenario_after_header(folder, "latin1-first-line.yaml")
    (folder / "latin1-first-line.yaml").write_bytes(b"name: caf\xe9\n" + rest)


# --- traces ------------------------------------------------------------------------------------

def long_cell(folder: Path) -> None:
    """A third row whose name cell is 131,073 characters: one over the csv module's limit."""
    (folder / "long-cell.csv").write_text("name,start,end\np0,0,10\n" + "x" * 131_073 + ",1,10\n")


def long_header(folder: Path) -> None:
    """A first line of 140,000 characters and no comma, as a file that is not CSV may have."""
    (folder / "long-header.csv").write_text("x" * 140_000 + "\n0,10\n")


def long_quoted_cell(folder: Path) -> None:
    """A quote opened on line 2 and never closed: the rest of the file, 140,000 characters,
    becomes one cell."""
    (folder / "long-quoted-cell.csv").write_text('start,end\n"0,10\n' + "1,20\n" * 28_000)


# --- logs --------------------------------------------------------------------------------------

def deep_document(folder: Path) -> None:
    """A JSON document of 100,000 nested arrays."""
    (folder / "deep-document.json").write_text("[" * 100_000 + "]" * 100_000 + "\n")


def deep_record(folder: Path) -> None:
    """A good first record, then one whose params nest 100,000 arrays deep."""
    (folder / "deep-record.jsonl").write_text(
        '{"time": 0, "action": "DescribeVSwitches"}\n'
        '{"time": 1, "action": "DescribeVSwitches", "params": {"A": ' + "[" * 100_000 + "]" * 100_000 + "}}\n")


def deep_sls_string(folder: Path) -> None:
    """An SLS-wrapped record whose event is a string holding JSON 100,000 arrays deep."""
    (folder / "deep-sls-string.jsonl").write_text(
        '{"time": 0, "action": "DescribeVSwitches"}\n'
        '{"event": "' + "[" * 100_000 + "]" * 100_000 + '"}\n')


def action_names(folder: Path) -> None:
    """65,536 calls, each with an action name of its own: one more than a run can record."""
    (folder / "action-names.jsonl").write_text("".join(f'{{"time": 0, "action": "A{i}"}}\n' for i in range(65_536)))


# --- paths -------------------------------------------------------------------------------------

def fifo(folder: Path) -> None:
    """A named pipe where the log should be: reading it would wait for a writer forever."""
    os.mkfifo(folder / "calls.fifo")


def dangling_symlink(folder: Path) -> None:
    """A symbolic link to a file that is not there."""
    (folder / "dangling.csv").symlink_to("gone.csv")


def symlink_loop(folder: Path) -> None:
    """A symbolic link to itself."""
    (folder / "loop.csv").symlink_to("loop.csv")
