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
    be read, is not valid YAML (naming the line and column) or is not a mapping.
    """
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source)), "scenario", None
    path = Path(source)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError(str(path), "", f"is not valid YAML: {where}{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(str(path), "", "must be a YAML mapping of scenario keys")
    return dict(data), str(path), path.parent
