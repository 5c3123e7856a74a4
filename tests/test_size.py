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
    assert list(result.table["fleet.0.count"]) == [2, 3, 6] and list(result.table.misses) == [20, 0, 0]
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


def three_nodes(tmp_path):
    """The scenario above with 3 nodes (36 pods' room for the 30 pods)."""
    s = scenario(tmp_path)
    s["fleet"][0]["count"] = 3
    return s


def test_size_over_two_keys_bisects_the_last_for_each_value_of_the_first(tmp_path):
    """fleet.0.count in [2, 3, 4] x vswitches.0.cidr in /27, /26, /25 (given largest first: sorted
    by size), target pod_failure_rate 0, 3 seeds, risk 0.65 (no miss in 3 runs bounds the miss
    share at 1 - 0.05^(1/3) = 63.2 %).

    2 nodes hold 24 pods: 6 of 30 wait to the end, whatever the vSwitch: the /25 misses and the
    line stops there (1 layout). 3 or 4 nodes: a /27 has 32 - 1 - 3 = 28 usable addresses, 3 or
    4 go to node primaries, so at most 25 of the 30 pods get one: missed. A /26 (60 usable) holds
    3 + 30 + 15 idle = 48 (or 4 + 30 + 20 = 54): met, and so is the /25. Bisection on each line:
    /25 met, /26 met, /27 missed: 3 layouts. 7 of 9 layouts, 21 runs. The Pareto set is the one
    layout (3, /26): (4, /26) takes as many VPC addresses and one node more; the /25s take 128."""
    result = simkit.size(three_nodes(tmp_path), vary=["fleet.0.count", "vswitches.0.cidr"],
                         candidates={"fleet.0.count": [2, 3, 4],
                                     "vswitches.0.cidr": ["10.0.0.0/25", "10.0.0.0/27", "10.0.0.0/26"]},
                         target={"pod_failure_rate": 0}, seeds=3, risk=0.65, executor="serial", progress=False)
    assert result.chosen == {"fleet.0.count": 3, "vswitches.0.cidr": "10.0.0.0/26"}
    assert result.runs == 21 and len(result.table) == 7
    assert result.candidates["vswitches.0.cidr"] == ["10.0.0.0/27", "10.0.0.0/26", "10.0.0.0/25"]
    layouts = list(zip(result.table["fleet.0.count"], result.table["vswitches.0.cidr"].str[-2:], result.table.accepted))
    assert layouts == [(2, "25", False), (3, "27", False), (3, "26", True), (3, "25", True),
                       (4, "27", False), (4, "26", True), (4, "25", True)]
    assert result.pareto[["fleet.0.count", "vswitches.0.cidr", "vpc_addresses", "reserved_addresses", "nodes"]
                         ].values.tolist() == [[3, "10.0.0.0/26", 64, 0, 3]]
    assert result.answer.startswith(
        "fleet.0.count = 3, vswitches.0.cidr = '10.0.0.0/26' meets pod_failure_rate at most 0 taking the fewest "
        "addresses from the VPC: 64 (0 of them reserved), 3 nodes; 0 of 3 runs missed")
    assert ("21 runs in all, 3 seeds a layout, 7 of 9 layouts tried (vswitches.0.cidr by bisection for each "
            "combination of fleet.0.count)") in result.answer


def test_the_pareto_set_keeps_trade_offs_and_ties_and_drops_what_another_beats():
    """(512 VPC, 16 reserved) and (256 VPC, 64 reserved) trade one count for another: both kept,
    the cheaper in VPC addresses first; (512, 64) is beaten by both; a tie with (256, 64) is
    kept beside it."""
    from simkit.analysis.capacity import LayoutCost
    from simkit.analysis.size import _Layout, _pareto

    layouts = [_Layout(("a",), {}, LayoutCost(512, 16, 3)), _Layout(("b",), {}, LayoutCost(256, 64, 3)),
               _Layout(("c",), {}, LayoutCost(512, 64, 3)), _Layout(("d",), {}, LayoutCost(256, 64, 3))]
    assert [x.values[0] for x in _pareto(layouts)] == ["b", "d", "a"]


def test_candidates_are_derived_from_the_closed_forms(tmp_path):
    """30 pods that never end, 3 ecs.g7.large nodes of 12 pods, max_idle 5. The trace's peak is
    30 pods; 4 standard deviations of a Poisson count are 4 sqrt(30) = 21.9.

    vswitches.0.cidr: at least 3 primaries + ceil(30 - 21.9 = 8.1) = 9 pods = 12 addresses, a /28
    (12 usable); at most 3 + 36 pods + 15 idle = 54, a /26 (60 usable), and one doubling: /25.
    fleet.0.count: floor(8.1 / 12) = 0, so 1; ceil(51.9 / 12) = 5, doubled: 1 to 10.
    agent.mode: prefix mode is refused without a reservation, so secondary-ip and exclusive-eni."""
    from simkit.analysis.candidates import derive_candidates

    s = three_nodes(tmp_path)
    assert derive_candidates(s, "vswitches.0.cidr").values == ["10.0.0.0/28", "10.0.0.0/27", "10.0.0.0/26",
                                                              "10.0.0.0/25"]
    assert derive_candidates(s, "fleet.0.count").values == list(range(1, 11))
    assert derive_candidates(s, "agent.mode").values == ["secondary-ip", "exclusive-eni"]


def test_a_reservation_mask_is_derived_from_the_prefixes_its_nodes_keep(tmp_path):
    """Prefix mode, 2 nodes keeping 3 prefixes each: 6 /28 prefixes, held by a /25 (8); the /24
    vSwitch allows reservations from /26 down to /28 only, so the /25 and /24 are left out and
    nothing is left: the error says what was derived and why."""
    from simkit.analysis.candidates import derive_candidates

    s = {**scenario(tmp_path), "agent": {"mode": "prefix", "prefix_count": 3},
         "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24", "reservations": [{"mask": 26}]}]}
    s["fleet"][0].update(count=2, max_pods=30)
    with pytest.raises(ScenarioError, match=r"size: vswitches\.0\.reservations\.0\.mask: the scenario refuses every "
                                            r"derived candidate \(/25 \(6 /28 prefixes its nodes keep\) to /24 "):
        derive_candidates(s, "vswitches.0.reservations.0.mask")
    s["agent"]["prefix_count"] = 2
    assert derive_candidates(s, "vswitches.0.reservations.0.mask").values == [26]


def test_size_with_derived_candidates_says_where_they_came_from(tmp_path):
    """fleet.0.count derived as 1 to 10 (above): bisection runs 10 (met), 5 (met), 3 (met), 2
    (missed): chosen 3 after 4 candidates, 12 runs."""
    result = simkit.size(three_nodes(tmp_path), vary="fleet.0.count", target={"pod_failure_rate": 0}, seeds=3,
                         risk=0.65, executor="serial", progress=False)
    assert result.chosen == 3 and result.runs == 12
    assert list(result.table["fleet.0.count"]) == [2, 3, 5, 10]
    assert result.answer.endswith("4 of 10 candidates tried by bisection. Candidates of fleet.0.count derived from "
                                  "the closed forms: 1 to 10 nodes of 12 pods for 30 pods offered at the peak "
                                  "(± 4 standard deviations, then one doubling).")


def test_a_key_without_a_size_is_tried_at_every_value(tmp_path):
    """agent.ipam has no size to bisect: both values run; both serve every pod with 3 nodes, at
    the same cost, so the first given is chosen and both are in the Pareto set."""
    result = simkit.size(three_nodes(tmp_path), vary="agent.ipam", candidates=["daemon", "centralized"],
                         target={"pod_failure_rate": 0}, seeds=3, risk=0.65, executor="serial", progress=False)
    assert result.chosen == "daemon" and list(result.pareto["agent.ipam"]) == ["daemon", "centralized"]
    assert "2 of 2 candidates tried one by one (they have no size to bisect)" in result.answer


@pytest.mark.parametrize("kwargs, message", [
    ({"vary": "agent.max_idle"}, "scenario: candidates.agent.max_idle: give the candidates to try: simkit derives "
                                 "them only for vswitches.N.cidr, vswitches.N.reservations.M.mask, fleet.N.count, "
                                 "agent.mode"),
    ({"vary": ["fleet.0.count", "agent.mode"], "candidates": [1, 2]},
     "size: candidates: with several keys, give a mapping of key path to candidates"),
    ({"vary": "fleet.0.count", "candidates": {"fleet.1.count": [1]}},
     "size: candidates.fleet.1.count: not a varied key; allowed: fleet.0.count"),
    ({"vary": ["fleet.0.count", "fleet.0.count"]}, "size: vary: a key path is given twice"),
    ({"vary": 3}, "size: vary: expected a key path or a list of them"),
    ({"vary": "fleet.5.count"}, "scenario: fleet.5.count: the scenario has 1 item(s) there; allowed: an index from 0 to 0"),
])
def test_bad_keys_and_candidates_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ScenarioError) as err:
        simkit.size(three_nodes(tmp_path), target={"pod_failure_rate": 0}, executor="serial", progress=False, **kwargs)
    assert str(err.value).startswith(message)
