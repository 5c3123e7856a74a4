"""The corpus of broken inputs (issue 9, point 8): every case under ``tests/broken/`` is a
scenario file that cannot be run, with the one line it must be refused with. Each is run through
the library (``simkit.run`` raises ``ScenarioError`` with exactly that message) and through the
command line in this process (``simkit run``, ``simkit run --out DIR`` and ``simkit validate``
exit with 2, print nothing on stdout and exactly ``simkit: error: <message>`` on stderr, and
no report folder appears); one case of each group also through a real process.

Adding a case is writing files, never Python: ``tests/broken/README.md`` says how. Cases run
from the corpus's folder (``tests/broken``, or a copy in ``tmp_path`` for generated ones), with
the scenario named by its path from there (``traces/short-row.yaml``), so that the messages,
which quote the paths, are the same on every checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import simkit
from simkit import ScenarioError
from simkit.cli import main

CORPUS = Path(__file__).resolve().parent / "broken"
#: The folder the imported simkit lives in, for the processes to import the same one.
SOURCE = Path(simkit.__file__).resolve().parent.parent
#: The directives a case's leading comment lines may carry (the first must be ``expect``).
DIRECTIVES = ("expect", "generate", "run", "xfail")


class Case(NamedTuple):
    """A case as its leading comment lines say: the message it must be refused with, the
    generator (in ``generated.py``) that writes its inputs, the scenario path to run when it is
    not the case file itself, and why it is expected to fail (a message known to be bad)."""

    expect: str
    generate: str | None
    run: str | None
    xfail: str | None


def read_case(path: Path) -> Case:
    """The directives of the case file ``path``: its first lines of the form ``# name: value``
    (a byte-order mark before the first is skipped; the scenario itself starts at the first
    line that is not one). Fails the test when the first line is not ``# expect: <message>``."""
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    found: dict[str, str] = {}
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            text = line.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            break
        name, colon, value = text.removeprefix("# ").partition(": ")
        if not text.startswith("# ") or not colon or name not in DIRECTIVES:
            break
        if number == 1 and name != "expect" or name in found:
            break
        found[name] = value
    if not found.get("expect"):
        pytest.fail(f"{path}: the first line must be '# expect: <the exact message>' (tests/broken/README.md)")
    return Case(found["expect"], found.get("generate"), found.get("run"), found.get("xfail"))


def _cases() -> list[Path]:
    return sorted(CORPUS.glob("*/*.yaml"))


def _param(path: Path):
    name = path.relative_to(CORPUS).with_suffix("").as_posix()
    try:
        reason = read_case(path).xfail
    except pytest.fail.Exception:
        reason = None  # the test itself fails, saying why
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(path, id=name, marks=marks)


CASES = [_param(path) for path in _cases()]


def _generators():
    spec = importlib.util.spec_from_file_location("broken_generated", CORPUS / "generated.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(path: Path, case: Case, tmp_path: Path) -> tuple[Path, str, str]:
    """Where to run ``path`` from, the scenario path to run, and the message it must give (its
    placeholders filled in). A generated case runs in ``tmp_path``: a copy of its file in a folder
    of its group's name, beside what its generator writes there."""
    root, scenario = CORPUS, path.relative_to(CORPUS).as_posix()
    if case.generate:
        root = tmp_path
        folder = tmp_path / path.parent.name
        folder.mkdir()
        shutil.copyfile(path, folder / path.name)
        generate = getattr(_generators(), case.generate, None)
        assert generate is not None, f"{path}: tests/broken/generated.py has no function {case.generate!r}"
        generate(folder)
    if case.run:
        scenario = case.run
    expected = case.expect.replace("{scenario}", scenario).replace("{dir}", Path(scenario).parent.as_posix())
    return root, scenario, expected


def _cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse exits on its own errors
        return exc.code


@pytest.mark.parametrize("path", CASES)
def test_broken_input_is_refused_with_its_message(path, tmp_path, monkeypatch, capsys):
    case = read_case(path)
    root, scenario, expected = prepare(path, case, tmp_path)
    assert "\n" not in expected and expected
    monkeypatch.chdir(root)
    with pytest.raises(ScenarioError) as err:
        simkit.run(scenario, progress=False)
    assert str(err.value) == expected
    # The command line: run, run writing a report (nothing is written, not even half), and
    # validate (which reads the whole workload without replaying it) refuse it alike.
    out_dir = tmp_path / "report-of-a-broken-case"
    for argv in (["run", scenario], ["run", scenario, "--out", str(out_dir)], ["validate", scenario]):
        capsys.readouterr()
        status = _cli(argv)
        out, errors = capsys.readouterr()
        assert (status, out, errors) == (2, "", f"simkit: error: {expected}\n"), argv
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((out_dir.name, f".{out_dir.name}"))]


def _one_per_group() -> list:
    """The first case of each group that is not expected to fail."""
    chosen: dict[str, object] = {}
    for param in CASES:
        group = param.values[0].parent.name
        if group not in chosen and not param.marks:
            chosen[group] = param
    return list(chosen.values())


@pytest.mark.parametrize("path", _one_per_group())
def test_the_command_in_a_process_prints_the_same(path, tmp_path):
    """``python -m simkit run`` in a process of its own: the same line and status as in-process."""
    root, scenario, expected = prepare(path, read_case(path), tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-m", "simkit", "run", scenario], cwd=root, env=env, capture_output=True,
                         text=True, timeout=300)
    assert (out.returncode, out.stdout, out.stderr) == (2, "", f"simkit: error: {expected}\n")


GROUPS = ("yaml", "traces", "logs", "paths", "keys", "rules")


def _files() -> list[Path]:
    return sorted(path for group in GROUPS for path in (CORPUS / group).iterdir())


def test_the_corpus_is_there():
    assert {path.parent.name for path in _cases()} == set(GROUPS)
    assert len(CASES) >= 150
    assert sum(path.parent.name in ("keys", "rules") for path in _cases()) >= 100


def test_every_file_of_the_corpus_belongs_to_a_case():
    """A workload file that no case names is left over from a case renamed or removed."""
    named = "\n".join(path.read_bytes().decode("utf-8", "replace") for path in _cases())
    for path in _files():
        if path.suffix != ".yaml":
            assert path.name in named, f"{path}: no case names this file"


def test_files_that_are_not_text_are_marked_binary_for_git():
    """A file that is not UTF-8, or holds a NUL byte, is listed as binary in
    tests/broken/.gitattributes, so that git never diffs, merges or converts it as text."""
    listed = {line.split()[0] for line in (CORPUS / ".gitattributes").read_text().splitlines()
              if line.strip() and not line.startswith("#") and "binary" in line.split()[1:]}
    for path in _files():
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            text = b"\0" not in data
        except UnicodeDecodeError:
            text = False
        name = path.relative_to(CORPUS).as_posix()
        assert text or name in listed, f"{path}: not text; add '{name} binary' to tests/broken/.gitattributes"


def test_a_case_without_an_expect_line_fails(tmp_path):
    path = tmp_path / "case.yaml"
    for text in ("name: x\n", "# generate: long_cell\n# expect: x\n", "# expect:\n", "# expected: x\n", ""):
        path.write_text(text)
        with pytest.raises(pytest.fail.Exception, match=r"the first line must be '# expect: "):
            read_case(path)


def test_directives_are_read_up_to_the_first_other_line(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(b"\xef\xbb\xbf# expect: a: b\r\n# xfail: why\n# run: x.yaml\nname: t\n# generate: no\n")
    assert read_case(path) == Case("a: b", None, "x.yaml", "why")
