"""Scenarios that cannot work are refused before running, each with one ScenarioError naming
the key path, what was derived and how to fix it; and a value of the wrong type is a
ScenarioError like any other bad value, never a raw TypeError."""

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from simkit import ScenarioError
from simkit.catalog import Catalog, load_catalog
from simkit.engine import Replay
from simkit.scenario import build_plan
from simkit.scenario import rules as rules_module
from simkit.scenario import schema as schema_module

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


FLEET_BOUND = yaml.safe_load((SAMPLES.parent / "scenarios" / "fleet-bound.yaml").read_text())


def scenario(**over):
    """data/scenarios/fleet-bound.yaml (a /22 vSwitch vsw-a with a /25 reservation, 8 x
    ecs.g7.xlarge, pod churn) with ``over`` laid on top."""
    s = copy.deepcopy(FLEET_BOUND)
    s.update(over)
    return s


def refused(s) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        build_plan(s)
    return err.value


# --- prefix mode needs a CIDR reservation on every vSwitch that carries nodes ------------------

def test_prefix_mode_on_a_vswitch_with_nodes_and_no_reservation_names_its_reservations():
    """vsw-b carries no node and has no reservation (fine); vsw-a, the second vSwitch, carries
    the fleet and has none: the key is vswitches[1].reservations, and the example reservation
    is 2 bits longer than the /24 vSwitch: /26."""
    err = refused(scenario(
        vswitches=[{"name": "vsw-b", "cidr": "10.0.8.0/24"},
                   {"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
        agent={"mode": "prefix"}))
    assert err.path == "vswitches[1].reservations"
    assert str(err) == (
        "scenario: vswitches[1].reservations: agent.mode is prefix, and prefixes come only from a CIDR "
        "reservation of the vSwitch; fleet[0] (8 x ecs.g7.xlarge) runs on vsw-a, which has none; add one, "
        "e.g. reservations: [{mask: 26}]")


def test_prefix_mode_on_a_vswitch_too_small_for_a_reservation_names_its_cidr():
    """A /27 cannot hold a reservation (at least 2 bits longer: /29, past the /28 limit)."""
    err = refused(scenario(vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/27"}],
                           fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a"}],
                           agent={"mode": "prefix"}))
    assert err.path == "vswitches[0].cidr"
    assert "a /27 that cannot hold one" in str(err) and "agent.mode: secondary-ip" in str(err)


def test_prefix_mode_with_a_reservation_and_a_log_of_calls_without_one_are_accepted():
    fleet = [{"instance_type": "ecs.g7.xlarge", "count": 8, "vswitch": "vsw-a", "max_pods": 32}]
    build_plan(scenario(fleet=fleet, agent={"mode": "prefix", "prefix_count": 2}))  # vsw-a has a /25 reservation
    # A log of API calls is replayed as it stands; agents serve no pods, so no reservation is needed.
    build_plan(scenario(vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
                        agent={"mode": "prefix"},
                        workload={"kind": "api-calls", "path": str(SAMPLES / "api-calls.jsonl")}))


# --- a fleet entry whose nodes address no pod -------------------------------------------------

def test_an_instance_type_with_one_eni_serves_no_pod_in_secondary_ip_mode():
    """data/instance_types.csv: ``ecs.t1.xsmall,t1,1,0.5,1,1,0,1,false,...``: EniQuantity 1,
    EniPrivateIpAddressQuantity 1 (the only type with one ENI). The agent leaves the primary
    ENI to the node: (1 - 1) * 1 = 0 pods."""
    err = refused(scenario(fleet=[{"instance_type": "ecs.t1.xsmall", "count": 2, "vswitch": "vsw-a"}]))
    assert err.path == "fleet[0].instance_type"
    assert ("ecs.t1.xsmall addresses no pod in agent.mode secondary-ip: (EniQuantity - 1) * "
            "EniPrivateIpAddressQuantity = (1 - 1) * 1 = 0;") in str(err)
    assert "pick an instance type with an EniQuantity of 2 or more" in str(err)


def test_an_instance_type_with_one_eni_serves_no_pod_in_prefix_mode_whatever_max_pods_says():
    """The same ecs.t1.xsmall in prefix mode: (1 - 1) * (1 - 1) * 16 = 0; a max_pods of 4
    cannot raise it, so the key is still the instance type."""
    err = refused(scenario(fleet=[{"instance_type": "ecs.t1.xsmall", "count": 2, "vswitch": "vsw-a", "max_pods": 4}],
                           agent={"mode": "prefix"}))
    assert err.path == "fleet[0].instance_type"
    assert "(EniQuantity - 1) * (EniPrivateIpAddressQuantity - 1) * 16 = (1 - 1) * (1 - 1) * 16 = 0" in str(err)
    assert "fleet[0].max_pods 4 cannot raise it" in str(err)


def test_one_private_ip_per_eni_serves_no_pod_in_prefix_mode(monkeypatch):
    """No type in data/instance_types.csv has EniPrivateIpAddressQuantity 1 with 2 or more ENIs
    (the only one with 1, ecs.t1.xsmall, has a single ENI), so this case uses ecs.g7.large
    (EniQuantity 3, 6 per ENI) with its per-ENI count set to 1: in prefix mode each ENI keeps its
    one slot for its primary IP, (3 - 1) * (1 - 1) * 16 = 0 pods; in secondary-ip mode the
    same type would address (3 - 1) * 1 = 2, too few to join an ACK cluster (more than 11), so
    the message does not suggest that mode, and that mode is refused for it."""
    real = load_catalog()
    g7 = real.get("ecs.g7.large")
    one_ip = dataclasses.replace(g7, name="ecs.test.one-ip", private_ipv4_per_eni=1)
    for module in (schema_module, rules_module):
        monkeypatch.setattr(module, "load_catalog", lambda: Catalog([g7, one_ip]))
    fleet = [{"instance_type": "ecs.test.one-ip", "count": 1, "vswitch": "vsw-a"}]
    err = refused(scenario(fleet=fleet, agent={"mode": "prefix"}))
    assert err.path == "fleet[0].instance_type"
    assert "(3 - 1) * (1 - 1) * 16 = 0" in str(err)
    assert str(err).endswith("; use an instance type with an EniPrivateIpAddressQuantity of 2 or more")
    err = refused(scenario(fleet=fleet))  # secondary-ip: 2 pods a node
    assert err.path == "fleet[0].instance_type"
    assert "ecs.test.one-ip cannot join an ACK cluster in agent.mode secondary-ip" in str(err)


def test_the_smallest_types_that_serve_pods_are_accepted():
    """``ecs.t5-lc2m1.nano,t5-lc2m1,1,0.5,2,2,...``: EniQuantity 2, EniPrivateIpAddressQuantity 2:
    (2 - 1) * 2 = 2 pods in secondary-ip mode, where ACK admits no node with 11 or fewer
    (below); in prefix mode, with no join rule, its one secondary ENI holds (2 - 1) = 1 prefix:
    prefix_count 1 fits (max_pods is kubelet's, set by the operator), 2 does not. The smallest
    secondary-ip node that joins addresses 12: ecs.g7.large, (3 - 1) * 6."""
    fleet = [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a"}]
    replay = Replay(build_plan(scenario(fleet=fleet, duration="1h")))
    assert [n.max_pods for n in replay.layout.nodes] == [12]
    fleet = [{"instance_type": "ecs.t5-lc2m1.nano", "count": 1, "vswitch": "vsw-a", "max_pods": 16}]
    replay = Replay(build_plan(scenario(fleet=fleet, agent={"mode": "prefix", "prefix_count": 1}, duration="1h")))
    assert [n.max_pods for n in replay.layout.nodes] == [16]
    err = refused(scenario(fleet=fleet, agent={"mode": "prefix", "prefix_count": 2}))
    assert err.path == "agent.prefix_count" and "= (2 - 1) * (2 - 1) = 1; allowed: at most 1" in str(err)


# --- nodes that cannot join an ACK cluster (issue 10, point 9) --------------------------------

def test_a_node_with_11_or_fewer_max_pods_cannot_join_in_secondary_ip_mode():
    """ACK "Manage pod capacity on nodes", shared-ENI mode: "A node can join a cluster only if
    the maximum number of pods per node is greater than 11". ``ecs.g6.large,g6,2,8,2,6,...``:
    EniQuantity 2, EniPrivateIpAddressQuantity 6: (2 - 1) * 6 = 6."""
    err = refused(scenario(fleet=[{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "vsw-a"},
                                  {"instance_type": "ecs.g6.large", "count": 2, "vswitch": "vsw-a"}]))
    assert err.path == "fleet[1].instance_type"
    assert str(err) == (
        "scenario: fleet[1].instance_type: ecs.g6.large cannot join an ACK cluster in agent.mode secondary-ip: its "
        "max pods, (EniQuantity - 1) * EniPrivateIpAddressQuantity = (2 - 1) * 6 = 6, must be greater than 11 "
        "(ACK \"Manage pod capacity on nodes\", shared-ENI mode: \"A node can join a cluster only if the maximum "
        "number of pods per node is greater than 11\"); pick an instance type whose ENIs address 12 pods or more "
        "(ecs.g7.large: (3 - 1) * 6 = 12)")


def test_max_pods_cannot_make_a_node_join():
    """The rule reads the max pods the node reports, Terway's formula for the type; the same
    ACK page: "Modifying the maxPods parameter affects only the maximum number of pods that use
    the hostNetwork mode". So max_pods 40 on ecs.g6.large is refused all the same, and saying
    so; a max_pods of 10 on a type that joins (ecs.g7.xlarge: (4 - 1) * 15 = 45) is accepted."""
    err = refused(scenario(fleet=[{"instance_type": "ecs.g6.large", "count": 2, "vswitch": "vsw-a", "max_pods": 40}]))
    assert err.path == "fleet[0].instance_type"
    assert "= (2 - 1) * 6 = 6, must be greater than 11" in str(err)
    assert ("fleet[0].max_pods 40 cannot raise it (the same page: maxPods changes only how many hostNetwork pods "
            "a node runs)") in str(err)
    build_plan(scenario(fleet=[{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "vsw-a", "max_pods": 10}]))


def test_the_join_rule_is_at_11_exactly(monkeypatch):
    """A made-up type of 2 ENIs with 11 addresses each addresses (2 - 1) * 11 = 11: refused;
    ecs.g7.large, (3 - 1) * 6 = 12, is accepted (above)."""
    g7 = load_catalog().get("ecs.g7.large")
    eleven = dataclasses.replace(g7, name="ecs.test.eleven", eni_quantity=2, private_ipv4_per_eni=11)
    for module in (schema_module, rules_module):
        monkeypatch.setattr(module, "load_catalog", lambda: Catalog([g7, eleven]))
    err = refused(scenario(fleet=[{"instance_type": "ecs.test.eleven", "count": 1, "vswitch": "vsw-a"}]))
    assert "(2 - 1) * 11 = 11, must be greater than 11" in str(err)


def test_the_join_rule_holds_in_secondary_ip_mode_only_and_for_pods_only():
    """ACK states the rule in the shared-ENI row (and shared ENI + trunk ENI); it gives none
    for prefix mode, so ecs.g6.large in prefix mode, with room for (2 - 1) * (6 - 1) = 5
    prefixes, is accepted (fleet-bound's vsw-a has a reservation; in prefix mode the node's max
    pods is kubelet's, here 80). A log of API calls runs no cluster: the same type replays one."""
    replay = Replay(build_plan(scenario(fleet=[{"instance_type": "ecs.g6.large", "count": 1, "vswitch": "vsw-a",
                                                "max_pods": 80}],
                                        agent={"mode": "prefix", "prefix_count": 5}, duration="1h")))
    assert [n.max_pods for n in replay.layout.nodes] == [80]
    build_plan(scenario(fleet=[{"instance_type": "ecs.g6.large", "count": 1, "vswitch": "vsw-a"}],
                        workload={"kind": "api-calls", "path": str(SAMPLES / "api-calls.jsonl")}))


def test_max_pods_below_1_says_what_the_limits_give():
    """ecs.g7.large: EniQuantity 3, EniPrivateIpAddressQuantity 6: (3 - 1) * 6 = 12 pods in
    secondary-ip mode, (3 - 1) * (6 - 1) * 16 = 160 in prefix mode."""
    for mode, working in (("secondary-ip", "(EniQuantity - 1) * EniPrivateIpAddressQuantity = (3 - 1) * 6 = 12"),
                          ("prefix", "(EniQuantity - 1) * (EniPrivateIpAddressQuantity - 1) * 16 = (3 - 1) * (6 - 1) * 16 = 160")):
        err = refused(scenario(fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a", "max_pods": 0}],
                               agent={"mode": mode}))
        assert err.path == "fleet[0].max_pods"
        assert str(err).endswith("expected a whole number from 1, got 0; leave it out to use the pods ecs.g7.large's "
                                 "ENI limits address: 12 in secondary-ip mode, 2 in exclusive-eni mode (in prefix "
                                 "mode it is required)")


def test_max_pods_above_what_the_limits_give_is_allowed():
    """A kubelet max-pods set above the ENI limits: ecs.g7.large addresses 12 pods, max_pods
    20 places up to 20 on a node and the 8 beyond wait for an address."""
    replay = Replay(build_plan(scenario(fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a",
                                                 "max_pods": 20}], duration="1h")))
    assert [n.max_pods for n in replay.layout.nodes] == [20]


# --- values of the wrong type ------------------------------------------------------------------

@pytest.mark.parametrize("change, path, words", [
    ({"region": []}, "region", "is not a region simkit knows"),
    ({"placement": {}}, "placement", "{} is unknown; allowed: random, lowest, pack"),
    ({"fleet": [{"instance_type": "ecs.g7.xlarge", "count": 8, "vswitch": []}]}, "fleet[0].vswitch",
     "expected a vswitches[].name, got []"),
    ({"workload": {"kind": []}}, "workload.kind", "[] is unknown; allowed: pod-churn, pod-trace, api-calls"),
    ({"workload": {"kind": "pod-trace", "path": str(SAMPLES / "pods.csv"), "start_column": "scheduled_time",
                   "end_column": "deletion_time", "time_unit": ["s"]}}, "workload.time_unit",
     "['s'] is unknown; allowed: s, ms, us, m, h"),
    ({"limits": {"throttle_per_minute": 5}}, "limits.throttle_per_minute",
     "expected a mapping of API action to calls per minute per region, got 5"),
    ({"limits": {"throttle_per_minute": [1]}}, "limits.throttle_per_minute", "expected a mapping"),
    ({"faults": ["InternalError"]}, "faults", "expected a mapping of error code to rate, or of API action to such a mapping"),
    ({"vswitches": [{"name": "vsw-a", "cidr": "10.0.0.0/22", "reservations": [{"mask": []}]}]},
     "vswitches[0].reservations[0].mask", "expected a whole number from 0 to 32, got []"),
    ({"agent": {"mode": []}}, "agent.mode", "[] is unknown; allowed: secondary-ip, prefix"),
    ({"agent": {"mode": "ipvlan"}}, "agent.mode", "'ipvlan' is unknown; allowed: secondary-ip, prefix"),
    ({"agent": {"min_idle": []}}, "agent.min_idle", "expected a whole number from 0, got []"),
])
def test_a_value_of_the_wrong_type_is_a_scenario_error(change, path, words):
    err = refused(scenario(**change))
    assert err.path == path and words in str(err), str(err)


def _leaves(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, path + (i,))


def _with(value, path, new):
    value = copy.deepcopy(value)
    inner = value
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = new
    return value


FULL = scenario(
    vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/22", "reservations": [{"mask": 25}, {"cidr": "10.0.3.0/26"}]}],
    fleet=[{"instance_type": "ecs.g7.xlarge", "count": 8, "vswitch": "vsw-a", "max_pods": 10}],
    workload={"kind": "pod-churn", "arrival_rate": "0.5/s", "lifetime": {"median": "10m", "p90": "2h"},
              "diurnal": {"amplitude": 0.5, "period": "1d", "peak": "12h"}, "bursts": [{"at": "1h", "pods": 10, "over": "1m"}],
              "cpu_milli": 100, "memory_mib": 128},
    limits={"throttle_per_minute": {"AssignPrivateIpAddresses": 400}, "account_eni_quota": 10, "client_token_ttl": "1h"},
    cloud={"eni_attach_seconds": 2, "ip_exhausted_code": "InvalidVSwitchId.IpNotEnough"},
)
TRACE = {**FULL, "workload": {"kind": "pod-trace", "path": str(SAMPLES / "pods.csv"), "start_column": "scheduled_time",
                              "end_column": "deletion_time", "name_column": "name", "cpu_column": "cpu_milli",
                              "memory_column": "memory_mib", "time_unit": "s"}}


@pytest.mark.parametrize("base", [FULL, TRACE], ids=["pod-churn", "pod-trace"])
def test_no_value_anywhere_makes_the_checker_raise_anything_but_a_scenario_error(base):
    """Every key of a scenario that uses every section, set in turn to values of each wrong
    shape: build_plan either accepts it or raises ScenarioError."""
    build_plan(base)
    others = []
    for path in _leaves(base):
        if not path:
            continue
        for bad in ([], {}, None, 1.5, True, -1, "x", [1], {"a": 1}):
            try:
                build_plan(_with(base, path, bad))
            except ScenarioError:
                pass
            except Exception as exc:  # noqa: BLE001 - what the test looks for
                others.append(f"{'.'.join(map(str, path))} = {bad!r}: {type(exc).__name__}: {exc}")
    assert others == []
