"""Key paths into a scenario, as sweeps name what they vary: ``vswitches.0.cidr``,
``fleet.0.count``, ``agent.mode`` (dots between keys, list items by their index from 0; the
form of docs/scenario.md, ``vswitches[0].cidr``, is read too)."""

from __future__ import annotations

import copy
import re
from typing import Any

from simkit.scenario import ScenarioError

__all__ = ["dotted", "with_value"]


def dotted(path: str) -> str:
    """A key path as docs/scenario.md and the error messages write it (``vswitches[0].cidr``)
    in the dotted form sweeps use (``vswitches.0.cidr``); a dotted path is returned as is.

    >>> dotted("vswitches[0].reservations[1].mask")
    'vswitches.0.reservations.1.mask'
    """
    return re.sub(r"\[(\d+)\]", r".\1", path)


def with_value(scenario: dict, path: str, value: Any, source: str = "sweep") -> dict:
    """A deep copy of ``scenario`` with the value at ``path`` replaced by ``value`` (a key the
    mapping does not hold yet is added: ``agent.max_idle`` on a scenario without one). Raises
    ScenarioError naming the path when a part of it leads nowhere: a list index out of range or
    not a number, or a key under something that is not a mapping."""
    if not isinstance(path, str) or not path:
        raise ScenarioError(source, str(path), "expected a key path such as vswitches.0.cidr or agent.mode")
    out = copy.deepcopy(scenario)
    parts = dotted(path).split(".")
    here: Any = out
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        walked = ".".join(parts[:depth]) or "the scenario"
        if isinstance(here, list):
            if not part.isdigit() or int(part) >= len(here):
                raise ScenarioError(source, path, f"{part!r} is not an item of {walked} (a list of {len(here)}); "
                                                  f"allowed: an index from 0 to {len(here) - 1}")
            key: Any = int(part)
        elif isinstance(here, dict):
            key = part
        else:
            raise ScenarioError(source, path, f"{walked} is {here!r}, which has no keys; allowed: a path through "
                                              f"the scenario's mappings and lists")
        if last:
            here[key] = copy.deepcopy(value)
        else:
            if isinstance(here, dict) and key not in here:
                here[key] = {}  # a section the scenario leaves to its defaults
            here = here[key]
    return out
