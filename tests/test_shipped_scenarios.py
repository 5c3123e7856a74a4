"""The scenarios shipped in data/scenarios run, and default.yaml is the embedded default."""

from pathlib import Path

import pytest
import yaml

from simkit import DEFAULT_SCENARIO, run

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "data" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenario_runs_without_errors(path):
    r = run(path, progress=False)
    assert r.summary["calls"] > 0 and r.summary["api_errors"] == 0


def test_default_yaml_is_the_embedded_default():
    path = next(p for p in SCENARIOS if p.name == "default.yaml")
    assert yaml.safe_load(path.read_text()) == DEFAULT_SCENARIO


def test_pod_trace_sample_skips_rows_without_a_start_and_places_by_cpu_and_memory():
    r = run(next(p for p in SCENARIOS if p.name == "pod-trace-sample.yaml"), progress=False)
    # 20 rows, 3 with no scheduled_time: 17 pods arrive. The 32-core, 128 GiB pod fits only on an
    # empty ecs.g7.8xlarge (32 vCPU, 128 GiB), so it waits unscheduled: node_pods runs out.
    assert r.summary["pods_arrived"] == 17
    assert r.summary["pod_outcomes"] == {"served": 15, "expired": 0, "unscheduled": 2, "waiting": 0}
    assert r.summary["pod_waits_by_reason"]["fleet_cpu"] == 2
    assert r.summary["exhaustion"]["node_pods"]["time"] == 330.0  # pod 8 arrives at 330 s
