"""Scenarios: the YAML file (or dict) that says what to build and what to replay, checked key
by key, and ``run(scenario) -> Result``.

The keys are the contract of DESIGN.md ("The scenario file"). A bad file gets one
``ScenarioError`` naming the file, the key path and what is allowed.

One module per job: ``schema`` is the one definition of the file (every key, its type, default,
bounds and meaning), built from the value types of ``types`` and the rules across sections of
``rules``; ``check`` checks a scenario against it, turning pydantic's report into one
ScenarioError; ``reference`` writes the key reference of docs/scenario.md and the JSON Schema
from it; ``load`` reads a file or mapping; ``plan`` turns a checked scenario into a replay
``Plan`` (``build_plan``) and ``workload`` opens its workload's files; ``runner`` replays it (``run``) with the bar of ``progress``; ``result`` is what users
read back (its DataFrames are built beside the recorder, in ``simkit.engine.frames``);
``default`` holds the embedded default scenario and ``errors`` the one error.
"""

from simkit.scenario.default import DEFAULT_SCENARIO
from simkit.scenario.errors import ScenarioError
from simkit.scenario.load import load_scenario
from simkit.scenario.plan import build_plan
from simkit.scenario.result import Result
from simkit.scenario.runner import run

__all__ = ["DEFAULT_SCENARIO", "Result", "ScenarioError", "build_plan", "load_scenario", "run"]
