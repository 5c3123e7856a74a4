"""Checking a scenario against its one definition (``simkit.scenario.schema``): a dict in, a
``Scenario`` out, or one ScenarioError naming the source, the key path, the value and what is
allowed, for the first value that is wrong."""

from __future__ import annotations

from typing import Any, Mapping

from pydantic import ValidationError

from simkit.scenario.errors import ScenarioError
from simkit.scenario.schema import WORKLOADS, Scenario
from simkit.scenario.types import Problem, seconds_text, show

__all__ = ["key_path", "seconds_text", "show", "validate"]

#: pydantic's own refusals, for the structure it checks itself (lists; every value is checked
#: by simkit.scenario.types, every section by simkit.scenario.schema.Section).
_PYDANTIC = {
    "list_type": "expected a list, got {input}",
    "too_short": "expected a list of at least {min_length} item(s), got {input}",
    "missing": "is required",
}


def validate(data: Mapping, source: str) -> Scenario:
    """``data`` checked as a scenario; ScenarioError for the first value that is wrong, in the
    order of the file's definition (top-level keys in the order docs/scenario.md lists them)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise _scenario_error(first, data, source) from None


def _scenario_error(error: dict, data: Any, source: str) -> ScenarioError:
    problem = error.get("ctx", {}).get("error")
    at: tuple = problem.at if isinstance(problem, Problem) else ()
    path = key_path(_in_data(error["loc"], data) + at)
    if isinstance(problem, Problem):
        return ScenarioError(source, path, problem.text)
    template = _PYDANTIC.get(error["type"])
    if template is not None:
        text = template.format(input=show(error.get("input")), **error.get("ctx", {}))
    else:  # a refusal of pydantic's that simkit has no words for: its own, with the value
        text = f"{error['msg']}, got {show(error.get('input'))}"
    return ScenarioError(source, path, text)


def _in_data(loc: tuple, data: Any) -> tuple:
    """``loc`` without the elements pydantic adds that are not keys of the file: a
    discriminated union's tag (``workload`` -> ``pod-churn`` -> ``lifetime``) and a table's
    ``[key]`` marker."""
    out = []
    here = data
    for part in loc:
        if isinstance(here, Mapping) and part in here:
            out.append(part)
            here = here[part]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            out.append(part)
            here = here[part]
        elif part == "[key]" or (isinstance(here, Mapping) and part in WORKLOADS):
            continue
            out.append(part)
            here = None
    return tuple(out)


def key_path(parts: tuple) -> str:
    """A key path as docs/scenario.md writes it: ``("vswitches", 0, "cidr")`` ->
    ``vswitches[0].cidr``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
