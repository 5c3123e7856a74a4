"""Reading a scenario: a YAML file or a mapping in, a plain dict out. Only the shape of the
whole is checked here (a mapping); the keys are checked by ``build_plan``."""

from __future__ import annotations

import copy
import functools
import re
import sys
from pathlib import Path
from typing import Mapping, NamedTuple

from simkit.scenario.errors import ScenarioError
from simkit.scenario.types import show

__all__ = ["LoadedScenario", "load_scenario"]


class LoadedScenario(NamedTuple):
    """A scenario read: its dict, its name for messages (the file as given, or "scenario"), and
    the folder its relative paths start from (None for a mapping). It is itself a source
    ``load_scenario`` (and so ``run``, ``build_plan``, ``sweep``) takes, for a file's scenario
    changed in memory (``simkit run s.yaml --set ...``) that still speaks of its file."""

    data: dict
    name: str
    base: Path | None


def load_scenario(source: str | Path | Mapping | LoadedScenario) -> LoadedScenario:
    """Read a scenario from a YAML path or a mapping.

    Returns (scenario dict, name for messages, folder relative paths start from). A mapping is
    deep-copied, named "scenario" and has no folder; a ``LoadedScenario`` is deep-copied and
    keeps its name and folder. Raises ScenarioError when the file cannot be read, is not UTF-8
    text (naming the line and column), is not valid YAML (naming the line and column), nests
    deeper than PyYAML can follow, holds an integer of more digits than Python reads (4,300), or
    is not a mapping.
    """
    if isinstance(source, LoadedScenario):
        return LoadedScenario(copy.deepcopy(dict(source.data)), source.name, source.base)
    if isinstance(source, Mapping):
        return LoadedScenario(copy.deepcopy(dict(source)), "scenario", None)
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(_name(path, exc), "", f"cannot be read: {exc.strerror or exc}") from None
    text = _utf8(raw, str(path))
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader that refuses duplicate keys
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a NUL, say)
        raise ScenarioError(str(path), "", f"is not valid YAML: {_line_column(text, exc.position)}: character "
                                           f"0x{exc.character:02x} is not allowed; allowed: printable characters, "
                                           f"tabs and line breaks") from None
    except _DuplicateKey as exc:
        raise ScenarioError(str(path), "", f"is not valid YAML: {exc}; allowed: each key once in a mapping") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), "", f"is not valid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise ScenarioError(str(path), "", "nests too deeply to read (PyYAML gives up at a few hundred levels); "
                                           "allowed: a scenario, a few levels deep") from None
    except ValueError:  # an int of thousands of digits (sys.get_int_max_str_digits)
        raise ScenarioError(str(path), "", _long_number(text)) from None
    if not isinstance(data, Mapping):
        raise ScenarioError(str(path), "", f"must be a YAML mapping of scenario keys; got {_kind(data)}")
    return LoadedScenario(dict(data), str(path), path.parent)


class _DuplicateKey(Exception):
    """A mapping of the file gives one key twice (PyYAML would keep the last silently)."""


@functools.cache
def _loader() -> type:
    """PyYAML's SafeLoader, refusing a key given twice in one mapping: a scenario with two
    ``duration`` keys would otherwise run with the last, and nobody would know."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # "<<": merged keys may be overridden, as YAML's merge allows
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark)
                except TypeError:  # an unhashable key: PyYAML's own message follows
                    continue
                if first is not key_node.start_mark:
                    at = key_node.start_mark
                    where = (f"line {first.line + 1}, column {first.column + 1}" if first.line == at.line
                             else f"line {first.line + 1}")
                    raise _DuplicateKey(f"line {at.line + 1}, column {at.column + 1}: found duplicate key "
                                        f"{key!r} (first on {where})")
            return super().construct_mapping(node, deep)

    return Loader


def _name(path: Path, exc: OSError) -> str:
    """The scenario's name for a message that it cannot be read: as given, or quoted and cut to
    60 characters with its length when it is too long to print on one line (ENAMETOOLONG) or
    holds a character that is not printable."""
    name = str(path)
    if len(name) <= 255 and name.isprintable():
        return name
    return f"{show(name)} ({len(name):,} characters)"


def _yaml_problem(exc: Exception) -> str:
    """PyYAML's error as one sentence: where, the problem, and its context ("while scanning a
    quoted scalar that starts on line 3, column 7"), which PyYAML prints on lines of their own."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if not context:
        return f"{where}{problem}"
    if context.startswith("while"):
        # Worth saying only where it points at what was left open (a quote, a bracket), not at
        # the scan in progress or the whole document's mapping.
        start = getattr(exc, "context_mark", None)
        opened = context.startswith(("while scanning a", "while parsing a flow")) and context != "while scanning a simple key"
        if not opened or start is None or (mark is not None and start.line == mark.line):
            return f"{where}{problem}"
        return f"{where}{problem}, {context} that starts on line {start.line + 1}, column {start.column + 1}"
    return f"{where}{context}, {problem}"


def _line_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"line {line}, column {position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def _long_number(text: str) -> str:
    """The message for an integer longer than Python reads (4,300 digits), with its line and
    column."""
    limit = sys.get_int_max_str_digits()
    match = re.search(rf"[0-9_]{{{limit + 1},}}", text)
    if match is None:  # not found as written (an odd form PyYAML reads): say what is known
        return f"holds a number of more than {limit:,} digits; allowed: at most {limit:,} digits"
    digits = len(match.group(0).replace("_", ""))
    return (f"{_line_column(text, match.start())}: a number of {digits:,} digits; allowed: at most {limit:,} digits "
            f"(Python reads no longer integers)")


def _kind(data: object) -> str:
    if data is None:
        return "nothing (an empty document, or null)"
    if isinstance(data, list):
        return "a list"
    return f"a single value, {show(data)}"


def _utf8(raw: bytes, name: str) -> str:
    """``raw`` decoded as UTF-8 (a byte-order mark dropped), whatever the locale; ScenarioError
    naming the line, the column and the byte where it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[start:exc.start].decode("utf-8-sig", errors="replace")) + 1
        raise ScenarioError(name, "", f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not UTF-8 text; "
                                      f"allowed: a YAML file encoded as UTF-8 (save or convert it as UTF-8)") from None
