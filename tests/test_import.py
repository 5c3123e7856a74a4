"""``simkit import``: a scenario and a state from the JSON the real Describe* APIs print.

The fixtures follow the response shapes of the official SDK models (tests/reference/:
sdk_shapes.json and sdk_shapes_import.json), with made-up ids and addresses; a test checks
every key they use is one the SDK model has."""

import copy
import json
from pathlib import Path

import pytest
import yaml

import simkit
from simkit import Cloud
from simkit.cli import main
from simkit.scenario.importer import ImportProblems, import_vpc, write_imported

REFERENCE = Path(__file__).resolve().parent / "reference"
SHAPES = {**json.loads((REFERENCE / "sdk_shapes.json").read_text()),
          **json.loads((REFERENCE / "sdk_shapes_import.json").read_text())}
VPC = "vpc-imp00000000000001"
SG = "sg-imp00000000000001"
VSW_A, VSW_B = "vsw-imp0000000000000a", "vsw-imp0000000000000b"
TERWAY_TAGS = {"Tag": [{"TagKey": "creator", "TagValue": "terway"}]}


def vswitches():
    return {"RequestId": "A1", "TotalCount": 2, "PageNumber": 1, "PageSize": 50, "VSwitches": {"VSwitch": [
        {"VSwitchId": VSW_A, "VpcId": VPC, "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.10.0.0/24", "VSwitchName": "nodes-h",
         "Status": "Available", "AvailableIpAddressCount": 179, "CreationTime": "2025-06-01T08:00:00Z", "Description": ""},
        {"VSwitchId": VSW_B, "VpcId": VPC, "ZoneId": "cn-hangzhou-i", "CidrBlock": "10.10.1.0/25", "VSwitchName": "nodes-i",
         "Status": "Available", "AvailableIpAddressCount": 124, "CreationTime": "2025-06-01T08:00:00Z", "Description": ""},
    ]}}


def reservations():
    return {"RequestId": "A2", "TotalCount": 1, "MaxResults": 10, "VSwitchCidrReservations": [
        {"VSwitchCidrReservationId": "vcr-imp00000000000001", "VSwitchId": VSW_A, "VpcId": VPC, "IpVersion": "IPv4",
         "Type": "prefix", "Status": "Assigned", "VSwitchCidrReservationCidr": "10.10.0.64/26", "AssignedCidrCount": 1,
         "AvailableCidrCount": 3, "CreationTime": "2025-06-02T08:00:00Z"}]}


def eni(eni_id, instance, kind, primary, secondaries=(), prefixes=()):
    ips = [{"PrivateIpAddress": primary, "Primary": True}] + [{"PrivateIpAddress": a, "Primary": False} for a in secondaries]
    return {"NetworkInterfaceId": eni_id, "Type": kind, "Status": "InUse", "VSwitchId": VSW_A, "VpcId": VPC,
            "ZoneId": "cn-hangzhou-h", "InstanceId": instance, "PrivateIpAddress": primary,
            "PrivateIpSets": {"PrivateIpSet": ips}, "Ipv4PrefixSets": {"Ipv4PrefixSet": [{"Ipv4Prefix": p} for p in prefixes]},
            "SecurityGroupIds": {"SecurityGroupId": [SG]}, "MacAddress": "00:16:3e:00:00:01",
            "CreationTime": "2025-06-03T08:00:00Z", **({"Tags": TERWAY_TAGS} if kind == "Secondary" else {})}


def enis_pages():
    all_enis = [
        eni("eni-imp0000000000p1", "i-imp00000000000001", "Primary", "10.10.0.10"),
        eni("eni-imp0000000000s1", "i-imp00000000000001", "Secondary", "10.10.0.11", [f"10.10.0.{n}" for n in range(12, 17)]),
        eni("eni-imp0000000000p2", "i-imp00000000000002", "Primary", "10.10.0.20"),
        eni("eni-imp0000000000s2", "i-imp00000000000002", "Secondary", "10.10.0.21", prefixes=["10.10.0.80/28"]),
    ]
    return [{"RequestId": f"B{n}", "TotalCount": 4, "NextToken": "2" if n == 1 else "",
             "NetworkInterfaceSets": {"NetworkInterfaceSet": page}} for n, page in ((1, all_enis[:2]), (2, all_enis[2:]))]


def instances():
    def inst(iid, enis):
        return {"InstanceId": iid, "RegionId": "cn-hangzhou", "ZoneId": "cn-hangzhou-h", "InstanceType": "ecs.g7.xlarge",
                "Status": "Running", "InstanceName": "node", "CreationTime": "2025-06-03T08:00Z",
                "VpcAttributes": {"VpcId": VPC, "VSwitchId": VSW_A, "PrivateIpAddress": {"IpAddress": [enis[0][1]]}},
                "SecurityGroupIds": {"SecurityGroupId": [SG]},
                "NetworkInterfaces": {"NetworkInterface": [{"NetworkInterfaceId": e, "PrimaryIpAddress": ip,
                                                            "Type": t} for e, ip, t in enis]}}
    return {"RequestId": "C1", "TotalCount": 2, "PageNumber": 1, "PageSize": 100, "Instances": {"Instance": [
        inst("i-imp00000000000001", [("eni-imp0000000000p1", "10.10.0.10", "Primary"), ("eni-imp0000000000s1", "10.10.0.11", "Secondary")]),
        inst("i-imp00000000000002", [("eni-imp0000000000p2", "10.10.0.20", "Primary"), ("eni-imp0000000000s2", "10.10.0.21", "Secondary")]),
    ]}}


def security_groups():
    return {"RequestId": "D1", "RegionId": "cn-hangzhou", "TotalCount": 1, "SecurityGroups": {"SecurityGroup": [
        {"SecurityGroupId": SG, "VpcId": VPC, "SecurityGroupType": "normal", "SecurityGroupName": "k8s-nodes",
         "CreationTime": "2025-06-01T08:00:00Z", "Description": ""}]}}


def write_folder(folder: Path, *, enis=None, **overrides) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"vswitches.json": vswitches(), "reservations.json": reservations(), "instances.json": instances(),
             "security-groups.json": security_groups(), **overrides}
    pages = enis if enis is not None else enis_pages()
    for n, page in enumerate(pages, 1):
        files[f"enis-page{n}.json"] = page
    for name, body in files.items():
        (folder / name).write_text(json.dumps(body))
    return folder


# ---------------------------------------------------------------------------- the fixtures' shapes


def _check_keys(value, shape, where):
    if isinstance(value, dict):
        assert isinstance(shape, dict), where
        for k, v in value.items():
            assert k in shape, f"{where}.{k} is not in the SDK model"
            _check_keys(v, shape[k], f"{where}.{k}")
    elif isinstance(value, list):
        assert isinstance(shape, list), where
        for v in value:
            _check_keys(v, shape[0], f"{where}[]")


@pytest.mark.parametrize("action, body", [
    ("DescribeVSwitches", vswitches()), ("ListVSwitchCidrReservations", reservations()),
    ("DescribeNetworkInterfaces", enis_pages()[0]), ("DescribeInstances", instances()),
    ("DescribeSecurityGroups", security_groups()),
])
def test_fixtures_use_only_keys_of_the_sdk_models(action, body):
    _check_keys(body, SHAPES[action]["response"], action)


# ---------------------------------------------------------------------------- import


def test_import_gives_the_vpc_as_it_is(tmp_path):
    imported = import_vpc(write_folder(tmp_path / "in"))
    s = imported.scenario
    assert s["region"] == "cn-hangzhou" and s["state"] == "state.json"
    assert s["vswitches"] == [
        {"name": "nodes-h", "zone": "cn-hangzhou-h", "cidr": "10.10.0.0/24", "reservations": [{"cidr": "10.10.0.64/26"}]},
        {"name": "nodes-i", "zone": "cn-hangzhou-i", "cidr": "10.10.1.0/25"},
    ]
    assert s["vpc"] == {"cidr": "10.10.0.0/23"}  # the smallest block holding both vSwitches, said in a note
    assert any("10.10.0.0/23 is the smallest block" in n for n in imported.notes)
    assert s["fleet"] == [{"instance_type": "ecs.g7.xlarge", "count": 1, "vswitch": "nodes-h", "max_pods": 16}]
    assert s["agent"] == {"mode": "prefix", "prefix_count": 1}  # Terway's tagged ENIs hold a prefix
    assert any("a guess from the ENI tags" in n for n in imported.notes)
    cloud = Cloud().restore(imported.state, keep_settings=True)
    call = lambda a, **p: cloud.call(a, {"RegionId": "cn-hangzhou", **p})  # noqa: E731
    listed = call("DescribeVSwitches", VpcId=VPC)["VSwitches"]["VSwitch"]
    # 252 usable in the /24, 64 in the reservation, 9 single addresses on the ENIs: 179 free.
    assert {v["VSwitchId"]: v["AvailableIpAddressCount"] for v in listed} == {VSW_A: 179, VSW_B: 124}
    enis = {e["NetworkInterfaceId"]: e for e in
            call("DescribeNetworkInterfaces", PageSize=50)["NetworkInterfaceSets"]["NetworkInterfaceSet"]}
    assert [p["PrivateIpAddress"] for p in enis["eni-imp0000000000s1"]["PrivateIpSets"]["PrivateIpSet"]] == \
        ["10.10.0.11"] + [f"10.10.0.{n}" for n in range(12, 17)]
    assert enis["eni-imp0000000000s2"]["Ipv4PrefixSets"]["Ipv4PrefixSet"] == [{"Ipv4Prefix": "10.10.0.80/28"}]
    assert enis["eni-imp0000000000p1"]["Status"] == "InUse"
    usage = call("ListVSwitchCidrReservations", VSwitchId=VSW_A)["VSwitchCidrReservations"][0]
    assert (usage["AssignedCidrCount"], usage["AvailableCidrCount"]) == (1, 3)


def test_simkit_run_replays_forward_from_the_imported_state(tmp_path):
    scenario, state, _notes = write_imported(write_folder(tmp_path / "in"), tmp_path / "vpc.yaml")
    assert state.name == "vpc.state.json" and yaml.safe_load(scenario.read_text())["state"] == "vpc.state.json"
    data = yaml.safe_load(scenario.read_text())
    data.update(duration="2h", sample_every="10m")
    data["workload"] = {"kind": "pod-churn", "arrival_rate": "12/h", "lifetime": {"median": "20m", "p90": "1h"}}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(data))
    r = simkit.run(tmp_path / "run.yaml", progress=False)
    assert r.summary["pods_arrived"] > 0
    samples = r.samples()
    first = samples[samples["vswitch"] == "nodes-h"].iloc[0]
    # Today's 9 addresses and the prefix stay held beside the new node's.
    assert first["used_ips"] >= 9 + 1


def test_cli_import_writes_both_files(tmp_path, capsys):
    assert main(["import", str(write_folder(tmp_path / "in")), "--out", str(tmp_path / "s.yaml")]) == 0
    out, err = capsys.readouterr()
    assert "wrote" in out and (tmp_path / "s.state.json").exists()
    assert "simkit: note: the VPC's CIDR block" in err


# ---------------------------------------------------------------------------- contradictions


def test_contradictions_are_reported_line_by_line_never_fixed(tmp_path):
    pages = enis_pages()
    first, second = pages[0]["NetworkInterfaceSets"]["NetworkInterfaceSet"], pages[1]["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    # An address in two ENIs; an ENI in a vSwitch no response lists; a prefix outside any reservation.
    first[1]["PrivateIpSets"]["PrivateIpSet"].append({"PrivateIpAddress": "10.10.0.20", "Primary": False})
    second[1]["Ipv4PrefixSets"]["Ipv4PrefixSet"].append({"Ipv4Prefix": "10.10.0.16/28"})
    stray = copy.deepcopy(second[1])
    stray.update(NetworkInterfaceId="eni-imp000000000x99", VSwitchId="vsw-nowhere", InstanceId="", PrivateIpAddress="10.10.0.99",
                 Status="Available", PrivateIpSets={"PrivateIpSet": [{"PrivateIpAddress": "10.10.0.99", "Primary": True}]},
                 Ipv4PrefixSets={"Ipv4PrefixSet": []})
    second.append(stray)
    for p in pages:
        p["TotalCount"] = 5
    with pytest.raises(ImportProblems) as info:
        import_vpc(write_folder(tmp_path / "in", enis=pages))
    problems = info.value.problems
    text = "\n".join(problems)
    assert "ENI eni-imp000000000x99 is in vSwitch vsw-nowhere, which no DescribeVSwitches response lists" in text
    assert "10.10.0.20 is already in use (held by ENI" in text
    assert "prefix 10.10.0.16/28 is not inside a CIDR reservation of the vSwitch" in text
    assert str(info.value).count("\n  - ") == len(problems)


def test_missing_pages_are_a_problem(tmp_path):
    pages = enis_pages()[:1]  # page 2 of 2 left out
    with pytest.raises(ImportProblems, match=r"DescribeNetworkInterfaces: 2 of 4 items read; pages are missing"):
        import_vpc(write_folder(tmp_path / "in", enis=pages))


def test_cli_import_reports_problems_and_writes_nothing(tmp_path, capsys):
    folder = write_folder(tmp_path / "in", enis=enis_pages()[:1])
    assert main(["import", str(folder), "--out", str(tmp_path / "s.yaml")]) == 2
    assert "pages are missing" in capsys.readouterr().err
    assert not (tmp_path / "s.yaml").exists() and not (tmp_path / "s.state.json").exists()


def test_a_scenario_whose_state_contradicts_itself_fails_at_its_key(tmp_path):
    imported = import_vpc(write_folder(tmp_path / "in"))
    state = copy.deepcopy(imported.state)
    state["regions"][0]["enis"][1]["secondary_ips"].append("10.10.0.10")
    (tmp_path / "state.json").write_text(json.dumps(state))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(imported.scenario))
    with pytest.raises(simkit.ScenarioError, match=r"s\.yaml: state: .*10\.10\.0\.10 is already in use"):
        simkit.run(tmp_path / "s.yaml", progress=False)
