"""The scenarios shipped in data/scenarios run, and default.yaml is the embedded default."""

from pathlib import Path

import pytest
import yaml

from simkit import DEFAULT_SCENARIO, run

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "data" / "scenarios").glob("*.yaml"))


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # fleet-bound.yaml binds on purpose
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenario_runs(path):
    r = run(path, progress=False)
    s = r.summary
    assert s["calls"] > 0 and sum(s["pod_outcomes"].values()) == s["pods_arrived"]
    if path.name != "default.yaml":  # the default runs its vSwitch out on purpose
        assert s["api_errors"] == 0


def test_the_default_scenario_tells_an_ip_exhaustion_story():
    """Ten ecs.g7.2xlarge hold 10 x (4 - 1) x 15 = 450 pods; the /24 gives 252 - 10 node
    primaries = 242 addresses to pods, and at the daily peak (14:00) the workload offers
    6/m x 1.6 x 1,732 s (mean lifetime: median 20 min, p90 1 h) = ~277 pods at once: the vSwitch
    binds, not the fleet. No more than 242 pods run at once (a few fewer: when the vSwitch runs
    out, some addresses sit idle in other nodes' pools, at most max_idle 5 a node), some calls are
    refused with InvalidVSwitchId.IpNotEnough, and the summary puts the failed pods down to the
    vSwitch."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning that the fleet binds
        r = run(DEFAULT_SCENARIO, progress=False)
    s = r.summary
    assert 242 - 10 * 5 <= s["peak_pods_running"] <= 242
    assert s["api_errors_by_code"]["InvalidVSwitchId.IpNotEnough"] > 0
    assert s["binding_limit"]["limit"] == "vswitch_addresses"
    assert s["binding_limit"]["sentence"].startswith(f"{s['binding_limit']['pods']:,} pods waited because vSwitch pods-h ran out")
    assert 0.05 < s["pod_failure_rate"] < 0.5
    # It runs out before the peak at 14:00 (50,400 s) and is the first limit hit.
    assert 8 * 3600 < s["exhaustion"]["vswitch_addresses"]["time"] < 50_400
    assert list(s["exhaustion"]) == ["vswitch_addresses"]


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
