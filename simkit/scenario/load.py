"""Reading a scenario: a YAML file or a mapping in, a plain dict out. Only the shape of the
whole is checked here (a mapping); the keys are checked by ``build_plan``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Mapping

from simkit.scenario.errors import ScenarioError

__all__ = ["load_scenario"]


def load_scenario(source: str | Path | Mapping) -> tuple[dict, str, Path | None]:
    """Read a scenario from a YAML path or a mapping.

    Returns (scenario dict, name for messages, folder relative paths start from). A mapping is
    deep-copied, named "scenario" and has no folder. Raises ScenarioError when the file cannot
    be read, is not UTF-8 text (naming the line and column), is not valid YAML (naming the line
    and column), nests deeper than PyYAML can follow, holds an integer of more digits than
    Python reads (4,300), or is not a mapping.
    """
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source)), "scenario", None
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    text = _utf8(raw, str(path))
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError(str(path), "", f"is not valid YAML: {where}{getattr(exc, 'problem', exc)}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise ScenarioError(str(path), "", "nests too deeply to read (PyYAML gives up at a few hundred levels); "
                                           "allowed: a scenario, a few levels deep") from None
    except ValueError as exc:  # an int of thousands of digits (sys.get_int_max_str_digits)
        raise ScenarioError(str(path), "", f"holds a number Python does not read ({exc}); allowed: numbers of "
                                           f"fewer digits") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(str(path), "", "must be a YAML mapping of scenario keys")
    return dict(data), str(path), path.parent


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
