"""Issue 11, point 3: ``simkit.size`` finds the smallest candidate that meets a target with a
stated confidence, by bisection, and says so in words."""

import pytest

import simkit
from simkit import ScenarioError
from simkit.analysis.size import miss_bound


def scenario(tmp_path):
    """30 pods one a second from 0 s that never end, on ecs.g7.large nodes (12 pods each) in a
    /24 (252 addresses: never short), 10 minutes."""
    trace = tmp_path / "pods.csv"
    trace.write_text("name,start,end\n" + "".join(f"p{i},{i},\n" for i in range(30)))
    return {"name": "size", "duration": "10m", "sample_every": "1m",
            "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
            "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v"}],
            "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end"}}


def test_the_exact_bound_with_no_miss_is_one_minus_the_error_rate_to_the_one_over_n():
    """Clopper-Pearson with 0 misses in n runs: 1 - (1 - confidence)^(1/n); 0.05^(1/20) = 0.8609."""
    assert miss_bound(0, 20, 0.95) == pytest.approx(1 - 0.05 ** (1 / 20))
    assert miss_bound(0, 59, 0.95) < 0.05 < miss_bound(0, 58, 0.95)  # 59 runs to accept at risk 5 %
    assert miss_bound(3, 3, 0.95) == 1.0


def test_size_finds_the_smallest_fleet_by_bisection_and_says_so(tmp_path):
    """Candidates fleet.0.count 1 to 6; target pod_failure_rate 0; 20 seeds, confidence 0.95,
    risk 0.15. 30 pods need 3 nodes of 12 (36); 2 nodes hold 24, so 6 pods wait for a node to
    the end of the run (600 - 24 s and more, past the 30 s SLO): failure rate 6 / 30 = 0.2 in
    every run, whatever the seed. With 3 nodes every pod is served within seconds. Bisection:
    the largest (6) first, accepted; then index 2 (3 nodes), accepted; index 1 (2 nodes), missed
    in 20 of 20: chosen 3, after 3 candidates and 60 runs. With no miss in 20 runs the bound is
    1 - 0.05^(1/20) = 13.9 % <= 15 %."""
    result = simkit.size(scenario(tmp_path), vary="fleet.0.count", candidates=[1, 2, 3, 4, 5, 6],
                         target={"pod_failure_rate": 0}, seeds=20, risk=0.15, executor="serial", progress=False)
    assert result.chosen == 3 and result.runs == 60
    assert list(result.table.candidate) == [2, 3, 6] and list(result.table.misses) == [20, 0, 0]
    assert list(result.table["max pod_failure_rate"]) == [pytest.approx(0.2), 0.0, 0.0]
    assert result.answer.startswith("fleet.0.count = 3 is the smallest candidate that meets pod_failure_rate at "
                                    "most 0: 0 of 20 runs missed, so with 95% confidence at most 13.9% of runs "
                                    "would miss (allowed 15.0%). The next smaller tried, 2, missed in 20 of 20 runs.")


def test_size_says_so_when_nothing_meets_the_target(tmp_path):
    result = simkit.size(scenario(tmp_path), vary="fleet.0.count", candidates=[1, 2],
                         target={"pod_failure_rate": 0}, seeds=3, risk=0.5, executor="serial", progress=False)
    assert result.chosen is None and result.runs == 3
    assert result.answer.startswith("No candidate of fleet.0.count meets pod_failure_rate at most 0: even the "
                                    "largest, 2, missed it in 3 of 3 runs")


@pytest.mark.parametrize("target, message", [
    ({"pod_failure": 0.1}, "size: target.pod_failure: unknown figure; allowed: pod_failure_rate, pod_wait_p99"),
    ({"pod_wait_p99": "soon"}, "size: target.pod_wait_p99: duration 'soon' is not understood"),
])
def test_a_bad_target_is_refused(tmp_path, target, message):
    with pytest.raises(ScenarioError) as err:
        simkit.size(scenario(tmp_path), vary="fleet.0.count", candidates=[1], target=target, executor="serial")
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("kwargs, message", [
    ({"candidates": []}, "size: candidates: expected at least one candidate"),
    ({"candidates": [1], "confidence": 1.0}, "size: confidence: confidence and risk must lie between 0 and 1"),
    ({"candidates": [1], "target": {"pod_failure_rate": -1}}, "size: target.pod_failure_rate: expected a finite bound"),
    ({"candidates": [1], "target": {"a": 1, "b": 2}}, "size: target: expected one figure and its bound"),
])
def test_bad_size_arguments_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ScenarioError) as err:
        simkit.size(scenario(tmp_path), vary="fleet.0.count", **{"target": {"pod_failure_rate": 0}, **kwargs},
                    executor="serial", progress=False)
    assert str(err.value).startswith(message)


def test_a_run_that_fails_inside_size_is_named(tmp_path):
    """With setup_meets_faults and CreateVSwitch failing, every run of the candidate fails: size
    says which candidate and why, rather than counting the failures as misses."""
    s = {**scenario(tmp_path), "setup_meets_faults": True, "faults": {"CreateVSwitch": {"InternalError": 1.0}}}
    with pytest.raises(ScenarioError, match=r"size: fleet\.0\.count: 2 run\(s\) at 3 failed: .*InternalError"):
        simkit.size(s, vary="fleet.0.count", candidates=[3], target={"pod_failure_rate": 0}, seeds=2,
                    executor="serial", progress=False)
