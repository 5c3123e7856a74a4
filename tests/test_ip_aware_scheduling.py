"""IP-aware scheduling (issue 10, point 10; ``scheduler.ip_aware``), worked out by hand.

ACK Pro's kube-scheduler skips a node whose ``SufficientIP`` condition is false (Terway sets it
when an allocation fails for want of vSwitch addresses, and sets it true again after 10 minutes or
when a pod's address is released on the node) and places no more pods on a node than its
``k8s.aliyun.com/max-available-ip`` annotation (Terway's max pods). ACK "Schedule pods based on
idle vSwitch IP addresses"; Terway ``pkg/eni/manager.go`` (``SetIPExhaustive``,
``UnsetIPExhaustive``, ``ipExhaustiveConditionPeriod``).

Every case: ecs.g7.large nodes (EniQuantity 3, 6 addresses per ENI: (3 - 1) x 6 = 12 pods),
secondary-ip mode with no idle pool (min_idle 0, max_idle 0), lowest placement; an ENI attaches
in 2 s; after InvalidVSwitchId.IpNotEnough an agent makes no call for 10 minutes. A /29 vSwitch
has 8 addresses, 4 of them system-reserved: 4 usable, one of which is its node's primary.
"""

import pytest

from simkit import ScenarioError, run
from simkit.agents import SchedulerConfig
from simkit.scenario import build_plan


def trace(tmp_path, rows):
    path = tmp_path / "pods.csv"
    path.write_text("name,start,end\n" + "".join(f"{n},{s},{'' if e is None else e}\n" for n, s, e in rows))
    return str(path)


def scenario(tmp_path, rows, fleet, ip_aware, duration=300, vswitches=None):
    return {
        "name": "ip-aware", "seed": 1, "region": "cn-hangzhou", "duration": duration, "sample_every": 60,
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": vswitches or [{"name": "tiny", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/29"},
                                   {"name": "big", "zone": "cn-hangzhou-h", "cidr": "10.0.1.0/24"}],
        "placement": "lowest",
        "fleet": fleet,
        "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "scheduler": {"ip_aware": ip_aware},
        "workload": {"kind": "pod-trace", "path": trace(tmp_path, rows), "start_column": "start", "end_column": "end",
                     "name_column": "name"},
    }


TWO_NODES = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "tiny"},   # node-0001
             {"instance_type": "ecs.g7.large", "count": 1, "vswitch": "big"}]    # node-0002


@pytest.mark.parametrize("ip_aware", [False, True])
def test_pods_go_to_the_node_whose_vswitch_has_addresses_only_when_ip_aware(tmp_path, ip_aware):
    """Two nodes, node-0001 on the /29 ``tiny`` (3 addresses left after its primary), node-0002
    on the /24 ``big``; ten pods p0..p9, pod i at 10 i s, none ending, over 300 s (less than the
    10-minute block, so no node calls again). Round-robin: p0 to node-0001, p1 to node-0002, ...

    Each node's Terway daemon (ipam daemon) asks 0.3 s after a pod arrives (it gathers pods for
    300 ms), so every served pod waited for calls in flight. node-0001: p0 (0 s) creates an ENI
    with its primary only (tiny: 2 left) and waits for the attach; p2 (20 s) and p4 (40 s) each
    get one Assign (tiny: 0 left); p6 (60 s): at 60.3 s the Assign meets
    InvalidVSwitchId.IpNotEnough (that ENI rests 10 minutes), and so does the CreateNetworkInterface
    the daemon tries next (the vSwitch is blocked in its cache for 10 minutes): p6 waits, held
    by vswitch_addresses. node-0002: p1 (10 s) creates an ENI; every later pod gets one Assign.

    - ip_aware false: round-robin goes on, p8 (80 s) goes to node-0001 and waits behind p6;
      served 8 (p0-p5, p7, p9), waiting 2 (p6, p8: vswitch_addresses); calls: node-0001 Create,
      Attach, 3 Assign and 1 Create (two refused) = 6, node-0002 Create, Attach, 4 Assign (p3,
      p5, p7, p9) = 6: 12 calls, 2 errors.
    - ip_aware true: after p6's refusal node-0001's SufficientIP is false until 660 s, so p8
      and p9 go to node-0002 (its ENI then holds 1 + 5 = 6 addresses, full); served 9, waiting 1
      (p6); calls 6 + 7 = 13, 2 errors.
    """
    rows = [(f"p{i}", 10 * i, None) for i in range(10)]
    r = run(scenario(tmp_path, rows, TWO_NODES, ip_aware), progress=False)
    s = r.summary
    pods = r.pods().set_index("pod")
    assert s["api_errors_by_code"] == {"InvalidVSwitchId.IpNotEnough": 2}
    assert s["exhaustion"]["vswitch_addresses"]["resource"] == "tiny"
    assert s["exhaustion"]["vswitch_addresses"]["time"] == pytest.approx(60.3)
    assert pods.loc["p6", "node"] == "node-0001" and pods.loc["p6", "waited_for"] == "vswitch_addresses"
    assert pods.loc["p6", "outcome"] == "waiting"
    if not ip_aware:
        assert s["pod_outcomes"] == {"served": 8, "expired": 0, "unscheduled": 0, "waiting": 2}
        assert s["pod_waits_by_reason"] == {"in_flight": 8, "vswitch_addresses": 2}
        assert s["calls"] == 12
        assert pods.loc["p8", "node"] == "node-0001" and pods.loc["p8", "waited_for"] == "vswitch_addresses"
        assert list(pods[pods.node == "node-0002"].index) == ["p1", "p3", "p5", "p7", "p9"]
    else:
        assert s["pod_outcomes"] == {"served": 9, "expired": 0, "unscheduled": 0, "waiting": 1}
        assert s["pod_waits_by_reason"] == {"in_flight": 9, "vswitch_addresses": 1}
        assert s["calls"] == 13
        assert s["calls_by_action"] == {"AssignPrivateIpAddresses": 8, "AttachNetworkInterface": 2,
                                        "CreateNetworkInterface": 3}
        assert list(pods[pods.node == "node-0002"].index) == ["p1", "p3", "p5", "p7", "p8", "p9"]
        assert pods.loc["p8", "outcome"] == "served" and pods.loc["p8", "wait"] == pytest.approx(0.3)


@pytest.mark.parametrize("ip_aware", [False, True])
def test_a_node_skipped_for_want_of_addresses_comes_back_on_a_release_and_after_10_minutes(tmp_path, ip_aware):
    """One node, on ``tiny`` (3 addresses after its primary); p0..p5 at 0, 10, ... 50 s; p0 ends
    at 100 s, the others never; 800 s.

    The daemon asks 0.3 s after each pod: p0 (0 s) creates an ENI with its primary, p1 and p2
    get one Assign each (tiny now full; all three waited in flight), p3 (30 s): at 30.3 s the
    Assign and then the Create meet IpNotEnough and p3 waits; the daemon asks again at 630.3 s.

    - ip_aware false: p4 and p5 are placed on the node and wait (vswitch_addresses). At 100 s
      p0's address goes to p3 (waited 70 s). At 630.3 s the daemon asks again (an Assign, then a
      Create) and is refused again. Served 4 (p0-p3), waiting 2 (p4, p5); reasons in_flight 3,
      vswitch_addresses 3; calls Create, Attach, 2 Assign, 4 refused = 8.
    - ip_aware true: from 30 s the node's SufficientIP is false (until 630 s), so p4 (40 s) and
      p5 (50 s) find no node: unscheduled, fleet_addresses. At 100 s p0 ends: its address is
      released on the node, the condition is true again, the address goes to p3, and p4 is
      placed (at 100 s) and waits: the agent is still held by the exhausted vSwitch, so the
      condition goes false again, until 700 s; p5 stays unscheduled. At 630 s the agent asks
      for p4's address and is refused (the condition, already false, is not extended). At
      700 s the condition lapses and p5 is placed; it waits, and the condition goes false
      again. Served 4, waiting 2 (p4, p5), none unscheduled at the end; reasons in_flight 3
      (p0-p2), vswitch_addresses 1 (p3), fleet_addresses 2 (p4, p5); calls 8 as above. The
      binding limit is fleet_addresses: p3 waited 70 s, p4 700 s, p5 750 s, all over the
      30 s SLO, and fleet_addresses held two of them.
    """
    rows = [("p0", 0, 100)] + [(f"p{i}", 10 * i, None) for i in range(1, 6)]
    fleet = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "tiny"}]
    r = run(scenario(tmp_path, rows, fleet, ip_aware, duration=800), progress=False)
    s = r.summary
    pods = r.pods().set_index("pod")
    assert s["calls"] == 8 and s["api_errors_by_code"] == {"InvalidVSwitchId.IpNotEnough": 4}
    assert s["pod_outcomes"] == {"served": 4, "expired": 0, "unscheduled": 0, "waiting": 2}
    assert pods.loc["p3", "got_address"] == 100.0 and pods.loc["p3", "waited_for"] == "vswitch_addresses"
    if not ip_aware:
        assert s["pod_waits_by_reason"] == {"in_flight": 3, "vswitch_addresses": 3}
        assert list(pods.loc[["p4", "p5"], "scheduled"]) == [40.0, 50.0]
    else:
        assert s["pod_waits_by_reason"] == {"in_flight": 3, "vswitch_addresses": 1, "fleet_addresses": 2}
        assert list(pods.loc[["p4", "p5"], "scheduled"]) == [100.0, 700.0]
        assert list(pods.loc[["p4", "p5"], "waited_for"]) == ["fleet_addresses", "fleet_addresses"]
        assert s["binding_limit"]["limit"] == "fleet_addresses" and s["binding_limit"]["pods"] == 2
        assert s["binding_limit"]["sentence"].startswith(
            "2 pods waited for a node because the IP-aware scheduler skipped the nodes with room, whose vSwitch was "
            "out of addresses: vSwitch tiny ran out of addresses at 30 s")


def test_the_run_ends_with_pods_unscheduled_for_want_of_addresses(tmp_path):
    """The same node and pods over 90 s: p4 and p5 wait for a node from 40 and 50 s to the end
    (p0 has not ended yet), so they end unscheduled, put down to fleet_addresses; p0-p2 waited
    0.3 s or more for calls in flight (the daemon gathers pods for 300 ms)."""
    rows = [("p0", 0, 100)] + [(f"p{i}", 10 * i, None) for i in range(1, 6)]
    fleet = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "tiny"}]
    r = run(scenario(tmp_path, rows, fleet, True, duration=90), progress=False)
    assert r.summary["pod_outcomes"] == {"served": 3, "expired": 0, "unscheduled": 2, "waiting": 1}
    assert r.summary["pod_waits_by_reason"] == {"in_flight": 3, "vswitch_addresses": 1, "fleet_addresses": 2}


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")
@pytest.mark.parametrize("ip_aware", [False, True])
def test_ip_aware_places_no_more_pods_than_the_enis_address(tmp_path, ip_aware):
    """The max-available-ip annotation: one ecs.g7.large on ``big`` with max_pods 14, 14 pods
    one a second, none ending. Its ENIs address 12. The node's daemon asks 0.3 s after each pod
    (it gathers pods for 300 ms), so each of the 12 pods served waited for calls in flight.

    - ip_aware false: the scheduler places all 14; the 13th and 14th wait on the node, whose
      ENIs are full (eni_limit).
    - ip_aware true: the node takes 12; p12 and p13 find no node (fleet_pods) and end
      unscheduled.
    """
    rows = [(f"p{i}", i, None) for i in range(14)]
    fleet = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "big", "max_pods": 14}]
    r = run(scenario(tmp_path, rows, fleet, ip_aware), progress=False)
    s = r.summary
    if not ip_aware:
        assert s["pod_outcomes"] == {"served": 12, "expired": 0, "unscheduled": 0, "waiting": 2}
        assert s["pod_waits_by_reason"] == {"in_flight": 12, "eni_limit": 2}
    else:
        assert s["pod_outcomes"] == {"served": 12, "expired": 0, "unscheduled": 2, "waiting": 0}
        assert s["pod_waits_by_reason"] == {"in_flight": 12, "fleet_pods": 2}
        assert s["binding_limit"]["sentence"].startswith("2 pods waited because the fleet was full: 1 nodes hold 12 pods")


def test_the_offered_load_warning_counts_what_an_ip_aware_scheduler_places(tmp_path):
    """The same node (max_pods 14, 12 addressed) and 13 pods alive at once: the fleet holds 14
    pods without IP-aware scheduling (no warning), 12 with it (a warning)."""
    import warnings

    from simkit.scenario.offered import OfferedLoadWarning

    rows = [(f"p{i}", i, None) for i in range(13)]
    fleet = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "big", "max_pods": 14}]
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfferedLoadWarning)
        run(scenario(tmp_path, rows, fleet, False), progress=False)
    with pytest.warns(OfferedLoadWarning, match="12"):
        run(scenario(tmp_path, rows, fleet, True), progress=False)


def test_the_scheduler_section_is_checked_and_off_by_default(tmp_path):
    rows = [("p0", 0, None)]
    base = scenario(tmp_path, rows, TWO_NODES, False)
    del base["scheduler"]
    assert build_plan(base).scheduler == SchedulerConfig(ip_aware=False, ip_condition_period=600.0)
    plan = build_plan({**base, "scheduler": {"ip_aware": True, "ip_condition_period": "5m"}})
    assert plan.scheduler == SchedulerConfig(ip_aware=True, ip_condition_period=300.0)
    for value, path, words in (({"ip_aware": "yes"}, "scheduler.ip_aware", "expected true or false, got 'yes'"),
                               ({"ip_awre": True}, "scheduler.ip_awre", "did you mean ip_aware?"),
                               ({"ip_condition_period": "2d"}, "scheduler.ip_condition_period", "at most 1d")):
        with pytest.raises(ScenarioError) as err:
            build_plan({**base, "scheduler": value})
        assert err.value.path == path and words in str(err.value), str(err.value)
