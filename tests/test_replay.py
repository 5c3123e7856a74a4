"""The replay engine: a scenario worked out by hand, the real openb trace against pandas,
exhaustion on a too-small vSwitch, and bit-for-bit reproducibility."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from simkit import ScenarioError, run
from simkit.clock import Clock

OPENB = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real" / "alibaba-gpu-v2023-openb" / "openb_pod_list_default.csv"


def write_pods(tmp_path, rows):
    path = tmp_path / "pods.csv"
    path.write_text("name,start,end\n" + "".join(f"{n},{s},{'' if e is None else e}\n" for n, s, e in rows))
    return path


def base(tmp_path, pods_path, **over):
    scenario = {
        "name": "hand",
        "seed": 1,
        "region": "cn-hangzhou",
        "duration": 300,
        "sample_every": 60,
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/27"}],
        "placement": "lowest",
        "fleet": [{"instance_type": "ecs.g7.large", "count": 3, "vswitch": "vsw"}],
        "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "workload": {"kind": "pod-trace", "path": str(pods_path), "start_column": "start", "end_column": "end",
                     "name_column": "name"},
    }
    scenario.update(over)
    return scenario


def test_three_g7_large_nodes_in_a_27_worked_out_by_hand(tmp_path):
    """/27: 32 addresses, 4 system-reserved, 3 instance primaries: 25 left for pods. 30 pods
    arrive one a second (pod i at t=i) and never end; round-robin puts pod i on node i mod 3.

    Per node: a pod with no idle address waits 0.3 s while the agent gathers pods (Terway's
    allocation worker sleeps 300 ms), then its first pod creates an ENI (its primary IP serves
    the pod) and attaches it (2 s), the next five are single Assign calls on that ENI (6
    addresses per ENI for ecs.g7.large), the 7th creates a second ENI, and so on. Addresses run
    out with pod 24; pods 25, 26 and 27 each meet InvalidVSwitchId.IpNotEnough (one per node, at
    25.3, 26.3, 27.3 s), after which each node stops calling for 10 minutes, so pods 28 and 29
    just wait.
    Calls: 6 CreateNetworkInterface + 6 AttachNetworkInterface + 19 Assign that succeed
    (6 + 19 = 25 addresses) + 3 Assign refused = 34.
    """
    pods = write_pods(tmp_path, [(f"p{i}", i, None) for i in range(30)])
    r = run(base(tmp_path, pods), progress=False)
    s = r.summary
    assert s["calls"] == 34
    assert s["calls_by_action"] == {"AssignPrivateIpAddresses": 22, "AttachNetworkInterface": 6, "CreateNetworkInterface": 6}
    assert s["api_errors_by_code"] == {"InvalidVSwitchId.IpNotEnough": 3}
    assert s["api_error_rate"] == pytest.approx(3 / 34)
    assert s["pods_arrived"] == 30
    assert s["pod_outcomes"] == {"served": 25, "expired": 0, "unscheduled": 0, "waiting": 5}
    # Pods 25-27 waited when their nodes were refused, 28-29 arrived while the nodes were blocked:
    # all five are put down to the vSwitch; the 25 served waited for calls in flight: 0.3 s
    # (gathering, then one Assign), or 2.3 s (gathering, then an ENI created and attached).
    assert s["pod_waits_by_reason"] == {"in_flight": 25, "vswitch_addresses": 5}
    # SLO 30 s: the five still waiting have waited 271-275 s; every served pod waited 0.3 or 2.3 s.
    assert s["pods_over_slo"] == pytest.approx(5 / 30) and s["pod_failure_rate"] == pytest.approx(5 / 30)
    assert s["binding_limit"] == {"limit": "vswitch_addresses", "pods": 5, "sentence":
                                  "5 pods waited because vSwitch vsw ran out of addresses at 25 s (0 h 0 min into the run) "
                                  "(vsw 10.0.0.0/27: 28 usable)"}
    assert s["exhaustion"]["vswitch_addresses"]["time"] == pytest.approx(25.3)
    assert s["exhaustion"]["vswitch_addresses"]["code"] == "InvalidVSwitchId.IpNotEnough"
    # 19 pods waited 0.3 s, 6 waited 2.3 s; 5 still wait at 300 s (since 25..29 s): sorted, the
    # 27th of 30 (p90, nearest rank) is 272 s, the 30th 275 s.
    w = s["pod_wait_seconds"]
    assert (w["p50"], w["p90"], w["p99"], w["max"]) == (pytest.approx(0.3), 272.0, 275.0, 275.0)
    ev = r.events()
    failed = ev[ev.code != ""]
    assert list(failed.time) == pytest.approx([25.3, 26.3, 27.3])
    assert list(failed.node) == ["node-0002", "node-0003", "node-0001"]
    assert set(failed.http_status) == {403}
    last = r.samples().iloc[-1]
    assert (last.used_ips, last.free_ips, last.pods_running, last.pods_pending) == (28, 0, 25, 5)


def test_after_the_block_the_nodes_try_again(tmp_path):
    """The same, run to 700 s: at 625.3, 626.3 and 627.3 s each node tries once more (10-minute block)."""
    pods = write_pods(tmp_path, [(f"p{i}", i, None) for i in range(30)])
    r = run(base(tmp_path, pods, duration=700), progress=False)
    failed = r.events().query("code != ''")
    assert list(failed.time) == pytest.approx([25.3, 26.3, 27.3, 625.3, 626.3, 627.3])


def test_an_ending_pod_gives_its_address_to_a_pod_waiting_on_its_node(tmp_path):
    """25 pods use every address; the 26th (t=25, node-0002) is refused and waits. Pod p1, the
    first on node-0002, ends at 100 s: its address goes to the waiting pod without a call."""
    rows = [(f"p{i}", i, 100 if i == 1 else None) for i in range(25)] + [("late", 25, None)]
    r = run(base(tmp_path, write_pods(tmp_path, rows)), progress=False)
    s = r.summary
    assert s["pod_outcomes"] == {"served": 26, "expired": 0, "unscheduled": 0, "waiting": 0}
    assert s["api_errors_by_code"] == {"InvalidVSwitchId.IpNotEnough": 1}
    assert s["pod_wait_seconds"]["max"] == 75.0  # waited from 25 s to 100 s
    assert s["calls"] == 6 + 6 + 19 + 1  # as in the worked example, with one refused Assign


@pytest.mark.skipif(not OPENB.exists(), reason="../shared/data/real is not checked out beside the repo")
def test_openb_trace_pods_running_matches_pandas_when_the_vswitch_is_large(tmp_path):
    scenario = base(tmp_path, OPENB, duration=12_903_000, sample_every="1d",
                    vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22"}],
                    fleet=[{"instance_type": "ecs.g7.xlarge", "count": 4, "vswitch": "vsw"}],
                    cloud={"eni_attach_seconds": 0},
                    workload={"kind": "pod-trace", "path": str(OPENB), "start_column": "creation_time",
                              "end_column": "deletion_time", "name_column": "name"})
    r = run(scenario, progress=False)
    assert r.summary["api_errors"] == 0 and r.summary["pods_arrived"] == 8152
    trace = pd.read_csv(OPENB)
    samples = r.samples()
    alive = [int(((trace.creation_time <= t) & (trace.deletion_time > t)).sum()) for t in samples.time]
    # At 0 s the first pod has arrived but waits 0.3 s while its agent gathers pods (Terway's
    # allocation worker): every later sample, a day apart, counts exactly the pods alive.
    assert (samples.pods_running.iloc[0], alive[0]) == (0, 1)
    assert list(samples.pods_running)[1:] == alive[1:]
    assert r.summary["peak_pods_running"] == 56  # SOURCE.md: at most 56 pods alive at once
    assert samples.pods_pending.iloc[0] == 1 and (samples.pods_pending.iloc[1:] == 0).all()


@pytest.mark.skipif(not OPENB.exists(), reason="../shared/data/real is not checked out beside the repo")
def test_openb_trace_on_a_too_small_vswitch_runs_out_and_holds_nothing_twice(tmp_path):
    scenario = base(tmp_path, OPENB, duration=12_903_000, sample_every="1d",
                    vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/28"}],
                    fleet=[{"instance_type": "ecs.g7.xlarge", "count": 4, "vswitch": "vsw"}],
                    workload={"kind": "pod-trace", "path": str(OPENB), "start_column": "creation_time",
                              "end_column": "deletion_time", "name_column": "name"})
    from simkit.engine import Replay
    from simkit.scenario import build_plan

    replay = Replay(build_plan(scenario))
    result = replay.run()
    s = result.summary
    assert s["api_errors_by_code"].get("InvalidVSwitchId.IpNotEnough", 0) > 0
    assert s["pod_outcomes"]["waiting"] >= 0 and max(result.recorder.sample_columns["pods_pending"]) > 0  # pods waited
    held = []
    for eni in replay.model.region("cn-hangzhou").enis.values():
        held += [eni.primary_ip, *eni.secondaries]
    assert len(held) == len(set(held)) and len(held) <= 12  # a /28 has 12 usable addresses
    assert "vswitch_addresses" in s["exhaustion"]


def digest(result) -> str:
    h = hashlib.sha256()
    for frame in (result.events(), result.samples(), result.exhaustion()):
        h.update(pd.util.hash_pandas_object(frame.astype(str), index=True).values.tobytes())
    h.update(repr(sorted(result.summary.items())).encode())
    return h.hexdigest()


def test_same_scenario_and_seed_give_identical_results():
    scenario = {**__import__("simkit").DEFAULT_SCENARIO, "duration": "6h", "faults": {"InternalError": 0.05}}
    a, b = run(scenario, progress=False), run(scenario, progress=False)
    assert digest(a) == digest(b)
    assert a.summary["api_errors_by_code"].get("InternalError", 0) > 0  # the faults did fire
    c = run({**scenario, "seed": 8}, progress=False)
    assert digest(c) != digest(a)


def test_engine_orders_by_time_then_priority_then_schedule_order():
    e = Clock(seed=0)
    seen = []
    e.at(5, seen.append, "late")
    e.at(1, seen.append, "b", priority=1)
    e.at(1, seen.append, "a", priority=0)
    e.at(1, seen.append, "c", priority=1)
    e.run(until=4)
    assert seen == ["a", "b", "c"] and e.now == 4
    with pytest.raises(ValueError):
        e.at(3, seen.append, "past")
    e.run(until=10)
    assert seen[-1] == "late"


def _one_prefix_node(tmp_path, prefix_count: int, max_pods: int):
    """One ecs.g7.large in prefix mode on a /24 with a /26 reservation, 20 pods one a second."""
    pods = write_pods(tmp_path, [(f"p{i}", i, None) for i in range(20)])
    scenario = base(tmp_path, pods, vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24",
                                                "reservations": [{"cidr": "10.0.0.128/26"}]}],
                    fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw", "max_pods": max_pods}],
                    agent={"mode": "prefix", "prefix_count": prefix_count})
    return run(scenario, progress=False)


def test_prefix_mode_keeps_its_prefix_count_and_serves_pods_16_addresses_a_prefix(tmp_path):
    """Terway's controller in prefix mode, one ecs.g7.large (6 slots an ENI), prefix_count 2,
    max_pods 32, a /26 reservation (4 /28 blocks), 20 pods one a second that never end. p0
    arrives at 0 s: the node holds no prefix, so its reconcile creates an ENI with min(2 missing,
    6 - 1 slots, 10) = 2 prefixes and attaches it (2 s). At 2 s its 32 addresses serve p0, p1
    and p2 (p0 waited 2 s, p1 1 s); the 17 later pods take an address at once. No Assign:
    the count is reached; the pool settings do not apply; 2 of the 4 blocks stay free."""
    r = _one_prefix_node(tmp_path, prefix_count=2, max_pods=32)
    ev = r.events()
    assert r.summary["api_errors"] == 0 and r.summary["pod_outcomes"]["served"] == 20
    assert list(ev.action) == ["CreateNetworkInterface", "AttachNetworkInterface"]
    assert list(ev.granted)[0] == 2  # two /28 prefixes: 32 addresses
    assert list(r.pods().wait[:4]) == [2.0, 1.0, 0.0, 0.0]
    last = r.samples().iloc[-1]
    assert last.free_blocks_28_reserved == 2 and last.prefix_ips == 32


def test_prefix_mode_pods_past_the_prefixes_wait_for_the_node_prefixes(tmp_path):
    """The same node with prefix_count 1 (16 addresses) and max_pods 20: pods p16 to p19 find
    every address of the node's one prefix in use and wait, held by the prefix count."""
    r = _one_prefix_node(tmp_path, prefix_count=1, max_pods=20)
    s = r.summary
    assert s["pod_outcomes"] == {"served": 16, "expired": 0, "unscheduled": 0, "waiting": 4}
    assert s["pod_waits_by_reason"]["node_prefixes"] == 4
    assert s["binding_limit"]["limit"] == "node_prefixes"


@pytest.mark.parametrize(
    "change, path, words",
    [
        ({"fleet": [{"instance_type": "ecs.g7.larg", "count": 1, "vswitch": "vsw"}]}, "fleet[0].instance_type", "did you mean"),
        ({"fleet": [{"instance_type": "ecs.g7.large", "count": 0, "vswitch": "vsw"}]}, "fleet[0].count", "whole number"),
        ({"fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "nope"}]}, "fleet[0].vswitch", "vsw"),
        ({"duration": "ten minutes"}, "duration", ""),
        ({"colour": "blue"}, "colour", "unknown key"),
        ({"vswitches": [{"name": "vsw", "cidr": "10.0.0.0/30"}]}, "vswitches[0].cidr", "/16 to /29"),
        ({"vswitches": [{"name": "vsw", "cidr": "10.0.0.0/24", "reservations": [{"mask": 25}]}]},
         "vswitches[0].reservations[0]", "/26 to /28"),
        ({"agent": {"mode": "ipvlan"}}, "agent", "secondary-ip"),
        ({"agent": {"min_idle": 6, "max_idle": 5}}, "agent.min_idle", "6 is more than max_idle (5); allowed: at most max_idle"),
        ({"faults": {"NoSuchCode": 0.1}}, "faults.NoSuchCode", "neither an error code simkit knows"),
        ({"placement": "first-fit"}, "placement", "random, lowest, pack"),
        ({"workload": {"kind": "pod-trace", "path": "missing.csv", "start_column": "a", "end_column": "b"}}, "workload.path", "does not exist"),
        ({"workload": {"kind": "pods"}}, "workload.kind", "pod-churn"),
        ({"workload": {"kind": "pod-churn", "arrival_rate": "1/s", "lifetime": {"median": "1m", "p90": "2m"},
                       "bursts": [{"at": "299s", "pods": 5, "over": "10s"}]}}, "workload", "burst"),
        ({"workload": {"kind": "pod-churn", "arrival_rate": "fast", "lifetime": {"median": "1m", "p90": "2m"}}},
         "workload.arrival_rate", "fast"),
        ({"fleet": [{"instance_type": "ecs.g7.large", "count": 40, "vswitch": "vsw"}]}, "fleet", "QuotaExceeded.PrivateIpAddress"),
    ],
)
def test_broken_scenarios_name_the_key_and_what_is_allowed(tmp_path, change, path, words):
    pods = write_pods(tmp_path, [("p0", 0, None)])
    with pytest.raises(ScenarioError) as err:
        run(base(tmp_path, pods, **change), progress=False)
    assert err.value.path.startswith(path), str(err.value)
    assert words in str(err.value)


def test_a_wrong_trace_column_lists_the_columns(tmp_path):
    pods = write_pods(tmp_path, [("p0", 0, None)])
    scenario = base(tmp_path, pods)
    scenario["workload"] = {**scenario["workload"], "start_column": "begin"}
    with pytest.raises(ScenarioError) as err:
        run(scenario, progress=False)
    assert "begin" in str(err.value) and "name, start, end" in str(err.value)


def test_scenario_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nfleet: [\n")
    with pytest.raises(ScenarioError) as err:
        run(bad, progress=False)
    assert str(bad) in str(err.value) and "line" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        run(tmp_path / "absent.yaml", progress=False)
    assert "cannot be read" in str(err.value)


def test_retries_reuse_the_client_token_with_backoff(tmp_path):
    """InternalError on half the Assign calls: each is retried (Terway's eni_ip_ops: 5 s, jitter
    1.3, so 5 to 11.5 s) with the ClientToken of its first attempt, until it succeeds."""
    from simkit import ApiError
    from simkit.engine import Replay
    from simkit.scenario import build_plan

    pods = write_pods(tmp_path, [(f"p{i}", 10 * i, None) for i in range(12)])
    plan = build_plan(base(tmp_path, pods, duration=600, faults={"AssignPrivateIpAddresses": {"InternalError": 0.5}}))
    replay = Replay(plan)
    by_token: dict[str, list] = {}
    handle = replay.model.handle

    def spy(request):
        entry = [replay.clock.now, getattr(request, "network_interface_id", None), "ok"]
        if type(request).__name__ == "AssignPrivateIpAddresses":
            by_token.setdefault(request.client_token, []).append(entry)
        try:
            return handle(request)
        except ApiError as exc:
            entry[2] = exc.code
            raise

    replay.host.handle = spy  # every agent call passes here
    result = replay.run()
    assert result.summary["api_errors_by_code"].get("InternalError", 0) > 0
    assert max(result.recorder.attempt) >= 2
    assert result.summary["pod_outcomes"] == {"served": 12, "expired": 0, "unscheduled": 0, "waiting": 0}
    retried = [calls for calls in by_token.values() if len(calls) > 1]
    assert retried
    for calls in by_token.values():
        assert [c[2] for c in calls[:-1]] == ["InternalError"] * (len(calls) - 1) and calls[-1][2] == "ok"
        assert len({c[1] for c in calls}) == 1  # the same ENI every time
        for (t0, _, _), (t1, _, _) in zip(calls, calls[1:]):
            # Terway's eni_ip_ops: 5 s, factor 1, jitter 1.3: 5 s + U[0, 1) * 1.3 * 5 s, so 5 to 11.5 s.
            assert 5.0 <= t1 - t0 <= 11.5 + 1e-9


def test_throttling_is_retried_and_recorded_as_exhaustion(tmp_path):
    pods = write_pods(tmp_path, [(f"p{i}", 0.1 * i, None) for i in range(20)])
    r = run(base(tmp_path, pods, duration=900, vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
                 limits={"throttle_per_minute": {"AssignPrivateIpAddresses": 1}}), progress=False)
    s = r.summary
    assert s["api_errors_by_code"].get("Throttling", 0) > 0
    assert s["exhaustion"]["throttling"]["code"] == "Throttling"
    assert s["pod_outcomes"]["served"] == 20  # every pod got an address in the end
    assert s["pod_waits_by_reason"].get("throttled", 0) > 0


def test_pod_trace_time_unit_scales_the_columns(tmp_path):
    rows = [(f"p{i}", 1000 * i, None) for i in range(30)]  # the worked example, in milliseconds
    scenario = base(tmp_path, write_pods(tmp_path, rows))
    scenario["workload"] = {**scenario["workload"], "time_unit": "ms"}
    r = run(scenario, progress=False)
    assert r.summary["calls"] == 34 and r.summary["exhaustion"]["vswitch_addresses"]["time"] == pytest.approx(25.3)
    scenario["workload"]["time_unit"] = "fortnights"
    with pytest.raises(ScenarioError) as err:
        run(scenario, progress=False)
    assert err.value.path == "workload.time_unit" and "ms" in str(err.value)


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # it offers more on purpose
def test_peak_pods_running_never_exceeds_the_addresses_a_vswitch_can_give():
    """/26: 64 addresses, 4 system-reserved, 2 instance primaries: 58 left for pods. Two
    ecs.g7.xlarge nodes could address 2 x (4 - 1) x 15 = 90 pods and the workload offers about
    30/m x 11.7 min = 350 at once, so the vSwitch binds: at most 58 pods run at once. (Before the
    fix, the address freed by an ending pod went to a waiting pod before the ending one was
    counted out, and the peak read 59.)"""
    s = {"seed": 1, "duration": "3h", "sample_every": "5m", "placement": "lowest",
         "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/26"}],
         "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "v"}],
         "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 5},
         "workload": {"kind": "pod-churn", "arrival_rate": "30/m", "lifetime": {"median": "10m", "p90": "30m"}}}
    summary = run(s, progress=False).summary
    assert summary["peak_pods_running"] == 58
    assert summary["api_errors_by_code"]["InvalidVSwitchId.IpNotEnough"] > 0


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # it offers more on purpose
def test_results_speak_of_vswitches_and_nodes_by_the_scenarios_names():
    """A /27 named "pods-a" that runs out: events, exhaustion, the summary and errors say
    "pods-a" and node-0001.., never a simulated id; the ids are on Result for those who need them."""
    from simkit import ScenarioError

    s = {"seed": 2, "duration": "1h", "sample_every": "10m", "placement": "lowest",
         "vswitches": [{"name": "pods-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/27"}],
         "fleet": [{"instance_type": "ecs.g7.large", "count": 3, "vswitch": "pods-a"}],
         "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
         "workload": {"kind": "pod-churn", "arrival_rate": "2/m", "lifetime": {"median": "1h", "p90": "2h"}}}
    r = run(s, progress=False)
    ev = r.events()
    assert set(ev.vswitch) == {"pods-a"} and set(ev.node) <= {"node-0001", "node-0002", "node-0003"}
    ex = r.exhaustion().set_index("limit")
    assert ex.loc["vswitch_addresses", "resource"] == "pods-a"
    assert "vsw-sim" not in repr(r.summary) and "i-sim" not in repr(r.summary)
    assert set(r.samples().vswitch) == {"pods-a"}
    assert r.vswitch_ids["pods-a"].startswith("vsw-") and sorted(r.node_ids) == ["node-0001", "node-0002", "node-0003"]
    with pytest.raises(ScenarioError) as err:
        run({**s, "fleet": [{"instance_type": "ecs.g7.large", "count": 40, "vswitch": "pods-a"}]}, progress=False)
    assert err.value.path == "fleet[0]" and "pods-a" in str(err.value) and "vsw-sim" not in str(err.value)


def test_every_pod_has_one_row_with_its_outcome_wait_and_address(tmp_path):
    """The worked /27 again, with pod p29 ending at 200 s while it waits: pods p0-p24 are served
    (p0, p1, p2, p6, p7, p8 after 0.3 s of gathering and the 2 s attach of a new ENI, the others
    after 0.3 s), p25-p28 still wait at 300 s, and p29 expired at 200 s, having waited
    200 - 29 = 171 s."""
    rows = [(f"p{i}", i, 200 if i == 29 else None) for i in range(30)]
    r = run(base(tmp_path, write_pods(tmp_path, rows)), progress=False)
    pods = r.pods().set_index("pod")
    assert len(pods) == 30 and list(pods.index[:3]) == ["p0", "p1", "p2"]
    assert r.summary["pod_outcomes"] == {"served": 25, "expired": 1, "unscheduled": 0, "waiting": 4}
    assert (pods.loc["p0", "outcome"], pods.loc["p0", "wait"], pods.loc["p0", "waited_for"]) == (
        "served", pytest.approx(2.3), "in_flight")
    assert (pods.loc["p3", "wait"], pods.loc["p3", "waited_for"], pods.loc["p3", "node"]) == (
        pytest.approx(0.3), "in_flight", "node-0001")
    assert pods.loc["p3", "address"].startswith("10.0.0.") and pods.loc["p3", "eni"].startswith("eni-")
    assert pods.loc["p3", "vswitch"] == "vsw" and pods.loc["p3", "scheduled"] == 3.0
    assert (pods.loc["p29", "outcome"], pods.loc["p29", "wait"], pods.loc["p29", "ended"]) == ("expired", 171.0, 200.0)
    assert pods.loc["p29", "waited_for"] == "vswitch_addresses"
    assert list(pods.loc[["p25", "p26", "p27", "p28"], "wait"]) == [275.0, 274.0, 273.0, 272.0]
    assert pods.loc["p25":"p28", "address"].isna().all()
    assert len(set(pods.address.dropna())) == 25  # no address twice


def test_a_run_warns_when_the_workload_offers_more_pods_than_the_fleet_holds():
    """data/scenarios/fleet-bound.yaml (the first default): 0.5/s x mean lifetime (median 10 min, p90 2 h: sigma = ln 12 / 1.2816 =
    1.939, mean = 600 s x exp(1.939^2 / 2) = 3,931 s) = ~1,966 pods at once; 8 ecs.g7.xlarge hold
    8 x (4 - 1) x 15 = 360."""
    import yaml

    from simkit.scenario.offered import OfferedLoadWarning

    fleet_bound = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "scenarios" / "fleet-bound.yaml").read_text())
    with pytest.warns(OfferedLoadWarning, match=r"offers ~1,966 pods at once and the fleet holds 360"):
        r = run({**fleet_bound, "duration": "30m"}, progress=False)
    assert r.summary["binding_limit"]["limit"] == "fleet_pods"
    assert "8 nodes hold 360 pods; the workload offers ~1,966 at once" in r.summary["binding_limit"]["sentence"]


def test_addresses_are_counted_in_full_and_the_block_map_is_kept_at_every_sample():
    """A /25 (128 addresses, 4 system-reserved: 124 usable) with a /28 reservation (16), two
    ecs.g7.large nodes whose daemons keep min_idle 2 and max_idle 2, and two pods at 0 s that
    live about 10 s (one a node). Per node: the daemon's first sync, at 0 s, tops the pool up to
    2 with one ENI (its primary and one secondary); the pod waits for its attach (2 s) and takes
    one, and the daemon assigns one more secondary to keep 2 idle. At 2 s: primaries 2 instances
    + 2 ENIs = 4, secondaries 2 x 2 = 4, reserved but unused 16: consumed 24, 2 idle a node.
    The pods end at about 10 s (3 idle a node); each node's next sync (120 to 240 s) gives one
    secondary back. At the end, per node: the ENI's primary and one secondary, both idle:
    primaries 4, secondaries 2, prefixes 0, reserved 16; consumed 4 + 2 + 16 = 22; free outside
    the reservation 124 - 16 - 6 = 102; idle in the pools 2 x 2 = 4. The block map has 8 /28
    blocks: the first holds the system address and the singles (lowest placement), the
    reservation one is free for a prefix, the last holds the three system addresses."""
    from simkit.net import BlockState

    s = {"seed": 1, "duration": "10m", "sample_every": "1s", "placement": "lowest",
         "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/25", "reservations": [{"mask": 28}]}],
         "fleet": [{"instance_type": "ecs.g7.large", "count": 2, "vswitch": "v"}],
         "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 2, "max_idle": 2},
         "workload": {"kind": "pod-churn", "arrival_rate": 0, "bursts": [{"at": 0, "pods": 2}],
                      "lifetime": {"median": "10s", "p90": "11s"}}}
    r = run(s, progress=False)
    last = r.samples().iloc[-1]
    assert (last.primary_ips, last.secondary_ips, last.prefix_ips, last.reserved_free_ips) == (4, 2, 0, 16)
    assert (last.consumed_ips, last.free_ips, last.idle_ips, last.used_ips) == (22, 102, 4, 6)
    assert r.summary["peak_consumed_ips"]["v"] == {"time": 2.0, "consumed": 24, "idle_in_pools": 4}
    assert list(r.pods().wait) == [2.0, 2.0]
    blocks = r.block_map("v")
    assert list(blocks) == [BlockState.PARTIAL, BlockState.RESERVED_FREE] + [BlockState.FREE] * 5 + [BlockState.SYSTEM]
    assert len(r.block_map("v", time=299.0)) == 8
    with pytest.raises(KeyError, match="its vSwitches: v"):
        r.block_map("nope")


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # the fleet binds on purpose
@pytest.mark.parametrize("over, reason, expected", [
    # ecs.g7.large addresses (3 - 1) x 6 = 12 pods; max_pods 14 lets the scheduler place 14, so
    # the 13th and 14th wait on a node whose ENIs are full.
    ({"fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw", "max_pods": 14}]}, "eni_limit",
     {"in_flight": 12, "eni_limit": 2}),
    # ecs.g7.large has 8 GiB (8,192 MiB); pods of 3,000 MiB: two fit, the third finds no memory.
    ({"fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw"}], "memory_mib": 3000}, "fleet_memory",
     {"in_flight": 2, "fleet_memory": 12}),
    # every Assign refused with InternalError: retried 6 times, then the node gives up for a minute.
    ({"faults": {"AssignPrivateIpAddresses": {"InternalError": 1.0}}}, "retrying", None),
])
def test_each_wait_is_put_down_to_what_held_it(tmp_path, over, reason, expected):
    """14 pods, one a second, that never end, on a /24 (see each case). No pool (max_idle 0): every
    pod waits at least the 0.3 s its agent gathers pods, so every served pod waited for calls in
    flight. With the worked example's 3 nodes, each node's first pod waits for its ENI and no
    other pod reaches the node meanwhile."""
    rows = [(f"p{i}", i, None) for i in range(14)]
    path = tmp_path / "pods.csv"
    mem = over.pop("memory_mib", None)
    path.write_text("name,start,end,mem\n" + "".join(f"{n},{s},,{mem or ''}\n" for n, s, _ in rows))
    s = base(tmp_path, path, vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}], **over)
    s["workload"]["memory_column"] = "mem"
    r = run(s, progress=False)
    if expected is None:  # 3 nodes: each one's first pod is served by its new ENI, the 11 others retry
        expected = {"in_flight": 3, "retrying": 11}
    assert r.summary["pod_waits_by_reason"] == expected
    assert r.summary["binding_limit"]["limit"] == reason


def test_building_the_scenario_meets_no_fault_and_no_throttling():
    """faults InternalError 0.3 on every action and RunInstances throttled to 1 a minute: 150
    nodes still come up (two RunInstances calls, 100 + 50), and the faults hit the workload's
    calls only."""
    s = {"seed": 4, "duration": "30m", "sample_every": "5m",
         "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22"}],
         "fleet": [{"instance_type": "ecs.g7.large", "count": 150, "vswitch": "v"}],
         "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
         "workload": {"kind": "pod-churn", "arrival_rate": "10/m", "lifetime": {"median": "5m", "p90": "10m"}},
         "faults": {"InternalError": 0.3}, "limits": {"throttle_per_minute": {"RunInstances": 1}}}
    r = run(s, progress=False)
    assert len(r.node_ids) == 150
    assert r.summary["api_errors_by_code"]["InternalError"] > 0
    assert "RunInstances" not in r.summary["calls_by_action"]  # set-up calls are not the workload's


@pytest.mark.parametrize("change, message", [
    ({"limits": {"throttle_per_minute": {"RunInstances": 1}}},
     "scenario: fleet[0]: building the scenario failed: Throttling: Request was denied due to request throttling.; "
     "setup_meets_faults is true, so faults and throttling apply to building it too"),
    ({"faults": {"CreateVSwitch": {"InternalError": 1.0}}},
     "scenario: vswitches[0]: building the scenario failed: InternalError: The request processing has failed due to "
     "some unknown error, exception or failure.; setup_meets_faults is true, so faults and throttling apply to "
     "building it too"),
])
def test_a_scenario_may_ask_for_faults_and_throttling_at_set_up(change, message):
    """``setup_meets_faults: true``: RunInstances throttled to 1 a minute cannot start 150 nodes
    (RunInstances starts at most 100 a call, so a second call comes within the same minute), and
    CreateVSwitch failing every time cannot build the vSwitch; each is refused before the run
    with the key of the set-up step and why."""
    s = {"seed": 4, "duration": "30m", "sample_every": "5m",
         "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22"}],
         "fleet": [{"instance_type": "ecs.g7.large", "count": 150, "vswitch": "v"}],
         "workload": {"kind": "pod-churn", "arrival_rate": "10/m", "lifetime": {"median": "5m", "p90": "10m"}},
         "setup_meets_faults": True, **change}
    with pytest.raises(ScenarioError) as err:
        run(s, progress=False)
    assert str(err.value) == message
    run({**s, "setup_meets_faults": False}, progress=False)  # the same scenario builds when set-up is exempt
