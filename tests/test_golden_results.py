"""Results pinned by hash: the summary, events(), samples() and exhaustion() of every shipped
scenario and of scenarios that reach the corners (tests/golden/scenarios.py) stay exactly as
recorded. A change that is meant to change results regenerates tests/golden/results.json in a
commit of its own that says what changed and why."""

import json
from pathlib import Path

import pytest

from simkit import run
from tests.golden.digest import parts
from tests.golden.scenarios import SCENARIOS

PINNED = json.loads((Path(__file__).resolve().parent / "golden" / "results.json").read_text())


def test_every_pinned_scenario_is_still_listed():
    assert sorted(PINNED) == sorted(SCENARIOS)


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # some bind on purpose
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_results_are_unchanged(name):
    assert parts(run(SCENARIOS[name], progress=False)) == PINNED[name]
