"""The scenario file has one definition (simkit/scenario/schema.py): docs/scenario.md's key
reference and the shipped JSON Schema are written from it and kept current, and the schema is
one an editor can use: valid JSON Schema that accepts every shipped scenario and refuses what
the definition refuses, where a schema can tell."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from simkit import ScenarioError
from simkit.scenario import build_plan
from simkit.scenario.reference import BEGIN, DOC_PATH, END, key_reference, main, sections
from simkit.scenario.schema import SCHEMA_PATH, json_schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))


def test_the_key_reference_and_the_schema_file_are_current():
    assert main(["--check"]) == 0, "run: python -m simkit.scenario.reference"


def test_the_doc_holds_the_reference_once_between_its_markers():
    doc = DOC_PATH.read_text()
    assert doc.count(BEGIN) == doc.count(END) == 1
    assert key_reference() in doc[doc.index(BEGIN):doc.index(END)]


def test_every_key_of_every_section_has_a_meaning_and_a_row():
    doc = DOC_PATH.read_text()
    for model in sections():
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in doc


def test_the_shipped_schema_is_valid_json_schema_and_accepts_every_shipped_scenario():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema == json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SHIPPED:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path.name


BASE = yaml.safe_load((ROOT / "data" / "scenarios" / "default.yaml").read_text())


@pytest.mark.parametrize("change", [
    {"placement": ["pack"]},
    {"region": ["cn-hangzhou"]},
    {"cloud": {"available_ip_count_includes_reserved": "false"}},
    {"faults": {"AssignPrivateIPAddresses": {"InternalError": 0.1}}},
    {"faults": {"InternalErrr": 0.1}},
    {"limits": {"throttle_per_minute": {"AssignPrivateIPAddresses": 1}}},
    {"limits": {"throttle_per_minute": 1.5}},
    {"agent": {"mode": "eni"}},
    {"agent": {"retries": {"AssignPrivateIpAddresses": {"attempts": 101}}}},
    {"vswitches": [{"name": "vsw-a", "cidr": "10.0.0.0/24", "reservations": [{"mask": "28"}]}]},
    {"fleet": [{"instance_type": "ecs.g7.large", "count": "8", "vswitch": "vsw-a"}]},
    {"workload": {"kind": ["pod-churn"]}},
    {"duration": "ten minutes"},
    {"colour": "blue"},
    {"slo": {"pod_wait": -1}},
])
def test_what_a_schema_can_tell_both_refuse(change):
    """A value the definition refuses on its own (no rule across keys) is refused by the JSON
    Schema too, so an editor marks what a run would refuse."""
    scenario = {**copy.deepcopy(BASE), **change}
    with pytest.raises(ScenarioError):
        build_plan(scenario)
    assert list(jsonschema.Draft202012Validator(json_schema()).iter_errors(scenario)), change
