"""Replaying logged API calls (simkit JSONL and ActionTrail records) through Cloud.call, with the
ids of the log mapped to the simulated resources."""

import json
from pathlib import Path

from simkit import run

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def scenario(path, **over):
    s = {
        "name": "log", "seed": 3, "duration": "1h", "sample_every": "10m",
        "vpc": {"cidr": "172.16.0.0/16"},
        "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "172.16.0.0/24"}],
        "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a"}],
        "workload": {"kind": "api-calls", "path": str(path)},
    }
    s.update(over)
    return s


def test_simkit_jsonl_replays_with_ids_mapped():
    r = run(scenario(SAMPLES / "api-calls.jsonl"), progress=False)
    ev = r.events()
    assert list(ev.action) == ["CreateVpc", "CreateVSwitch", "CreateSecurityGroup", "RunInstances", "CreateNetworkInterface",
                               "AttachNetworkInterface", "AssignPrivateIpAddresses", "AssignPrivateIpAddresses",
                               "UnassignPrivateIpAddresses"]
    assert (ev.code == "").all(), ev[ev.code != ""]
    assert list(ev.time) == [0, 1, 2, 3, 10, 11, 30, 95.5, 600]
    assigns = ev[ev.action == "AssignPrivateIpAddresses"]
    assert list(assigns.granted) == [3, 1]
    # the ENI the log called eni-1 is the one the replay created, and events call it eni-1
    created = ev[ev.action == "CreateNetworkInterface"].eni.iloc[0]
    assert set(assigns.eni) == {created} and created == "eni-1"
    assert not any(str(v).startswith(("eni-sim", "vsw-sim")) for col in ("eni", "vswitch") for v in ev[col])


def test_actiontrail_records_replay_and_console_events_are_skipped():
    r = run(scenario(SAMPLES / "actiontrail-sample.jsonl"), progress=False)
    ev = r.events()
    assert "ConsoleSignin" not in set(ev.action)
    assert (ev.code == "").all(), ev[ev.code != ""]
    assert ev.action.iloc[0] == "CreateVpc" and ev.time.iloc[0] == 0.0
    assert ev[ev.action == "AssignPrivateIpAddresses"].granted.sum() > 0


def test_unknown_ids_stand_in_for_scenario_resources_and_unknown_enis_are_not_found(tmp_path):
    log = tmp_path / "calls.jsonl"
    lines = [
        {"time": 0, "action": "CreateNetworkInterface",
         "params": {"RegionId": "cn-shanghai", "VSwitchId": "vsw-real", "SecurityGroupId": "sg-real"},
         "creates": {"NetworkInterfaceId": "eni-real"}},
        {"time": 5, "action": "AssignPrivateIpAddresses",
         "params": {"RegionId": "cn-shanghai", "NetworkInterfaceId": "eni-real", "SecondaryPrivateIpAddressCount": "2"}},
        {"time": 6, "action": "AssignPrivateIpAddresses",
         "params": {"RegionId": "cn-shanghai", "NetworkInterfaceId": "eni-neverseen", "SecondaryPrivateIpAddressCount": "1"}},
    ]
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = run(scenario(log), progress=False)
    ev = r.events()
    assert list(ev.code) == ["", "", "InvalidEniId.NotFound"]
    assert list(ev.http_status) == [200, 200, 404]
    assert ev.granted.iloc[1] == 2
    # events name what the log named as the log did, and a stand-in by the scenario's name
    assert list(ev.eni) == ["eni-real", "eni-real", "eni-neverseen"] and ev.vswitch.iloc[0] == "vsw-a"
    # vsw-real became the scenario's vSwitch: its addresses were used
    assert r.samples().iloc[-1].used_ips == 1 + 1 + 2  # the instance's primary, the ENI's, two secondaries


def test_a_logged_create_network_interface_counts_its_addresses_as_an_agents_does(tmp_path):
    """asked/granted of CreateNetworkInterface count addresses, the primary included, or prefixes:
    no count -> 1 (the primary); SecondaryPrivateIpAddressCount 3 -> 4; PrimaryIpAddress plus
    PrivateIpAddress.1 and .2 -> 3; Ipv4PrefixCount 2 -> 2 (on a vSwitch with a /26 reservation)."""
    log = tmp_path / "calls.jsonl"
    base = {"RegionId": "cn-hangzhou", "VSwitchId": "vsw-x", "SecurityGroupId": "sg-x"}
    params = [{}, {"SecondaryPrivateIpAddressCount": "3"},
              {"PrimaryIpAddress": "172.16.0.200", "PrivateIpAddress.1": "172.16.0.201", "PrivateIpAddress.2": "172.16.0.202"},
              {"Ipv4PrefixCount": "2"}]
    log.write_text("".join(json.dumps({"time": i, "action": "CreateNetworkInterface", "params": {**base, **p}}) + "\n"
                           for i, p in enumerate(params)))
    s = scenario(log, vswitches=[{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "172.16.0.0/24", "reservations": [{"mask": 26}]}])
    ev = run(s, progress=False).events()
    assert list(ev.code) == ["", "", "", ""], ev
    assert list(ev.asked) == [1, 4, 3, 2] and list(ev.granted) == [1, 4, 3, 2]
