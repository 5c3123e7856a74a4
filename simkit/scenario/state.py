"""The scenario's ``state`` key: the state file restored before the layout is built."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simkit.ecs import Account, SnapshotError
from simkit.scenario.errors import ScenarioError

__all__ = ["load_state"]


def load_state(source: str, path: str, base: Path | None) -> dict[str, Any]:
    """The state file ``path`` (from ``base`` when relative), read and checked by restoring it
    into a scratch account, so that a bad one fails before the run and at its key.

    Raises ScenarioError at ``state`` for a file that cannot be read, is not JSON, or is not a
    state simkit can restore (every contradiction named, one a line).
    """
    p = Path(path)
    if not p.is_absolute() and base is not None:
        p = base / p
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(source, "state", f"{p} cannot be read: {getattr(exc, 'strerror', None) or exc}; "
                                             f"allowed: the path of a simkit state file (JSON)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(source, "state", f"{p} is not JSON: {exc}") from None
    try:
        Account().restore(data, keep_settings=True, source=str(p))
    except SnapshotError as exc:
        raise ScenarioError(source, "state", str(exc)) from None
    return data
