"""Issue 9, point 4: one declarative definition of the scenario file. Each value the old checks
let through, crashed on, or blamed on the wrong key is now refused with one ScenarioError that
names the file, the key path, the value and what is allowed (docs/scenario.md, "Keys").

The scenario is written to a file so that the message names it as a user sees it."""

import copy
from pathlib import Path

import pytest
import yaml

from simkit import ScenarioError
from simkit.scenario import build_plan

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "data" / "scenarios" / "default.yaml").read_text())
ACTIONS = ("CreateVpc, CreateVSwitch, DescribeVSwitches, CreateVSwitchCidrReservation, ListVSwitchCidrReservations, "
           "GetVSwitchCidrReservationUsage, CreateSecurityGroup, DescribeInstanceTypes, RunInstances, StartInstance, "
           "StopInstance, DeleteInstance, CreateNetworkInterface, AttachNetworkInterface, DetachNetworkInterface, "
           "DeleteNetworkInterface, DescribeNetworkInterfaces, AssignPrivateIpAddresses, UnassignPrivateIpAddresses")


def refused(tmp_path, **change) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**copy.deepcopy(BASE), **change}))
    with pytest.raises(ScenarioError) as err:
        build_plan(path)
    prefix = f"{path}: "
    assert str(err.value).startswith(prefix)
    return str(err.value)[len(prefix):]


# --- typos that ran with no faults and no throttling --------------------------------------------

def test_a_misspelt_action_in_faults_is_refused_with_the_action_it_resembles(tmp_path):
    assert refused(tmp_path, faults={"AssignPrivateIPAddresses": {"InternalError": 0.1}}) == (
        "faults.AssignPrivateIPAddresses: 'AssignPrivateIPAddresses' is neither an error code simkit knows "
        "(docs/error-codes.md) nor an API action it models (did you mean AssignPrivateIpAddresses?); actions: "
        + ACTIONS)


def test_a_misspelt_code_under_an_action_is_refused(tmp_path):
    assert refused(tmp_path, faults={"AssignPrivateIpAddresses": {"InternalErrror": 0.1}}) == (
        "faults.AssignPrivateIpAddresses.InternalErrror: 'InternalErrror' is not an error code simkit knows "
        "(did you mean InternalError?) (docs/error-codes.md)")


def test_a_misspelt_action_in_throttle_per_minute_is_refused(tmp_path):
    assert refused(tmp_path, limits={"throttle_per_minute": {"AssignPrivateIPAddresses": 1}}) == (
        "limits.throttle_per_minute.AssignPrivateIPAddresses: 'AssignPrivateIPAddresses' is not an API action "
        "simkit models (did you mean AssignPrivateIpAddresses?); allowed: " + ACTIONS)


def test_a_string_false_is_not_a_boolean(tmp_path):
    """It used to behave as true (a non-empty string)."""
    assert refused(tmp_path, cloud={"available_ip_count_includes_reserved": "false"}) == (
        "cloud.available_ip_count_includes_reserved: expected true or false, got 'false'")
    assert refused(tmp_path, cloud={"available_ip_count_includes_reserved": []}) == (
        "cloud.available_ip_count_includes_reserved: expected true or false, got []")
    assert refused(tmp_path, setup_meets_faults=1) == "setup_meets_faults: expected true or false, got 1"


# --- values that crashed on being looked up -----------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"placement": ["pack"]}, "placement: ['pack'] is unknown; allowed: random, lowest, pack"),
    ({"workload": {"kind": ["pod-churn"]}}, "workload.kind: ['pod-churn'] is unknown; allowed: pod-churn, pod-trace, "
                                            "api-calls"),
    ({"limits": {"throttle_per_minute": 1.5}},
     "limits.throttle_per_minute: expected a mapping of API action to calls per minute per region, got 1.5"),
    ({"fleet": [{"instance_type": "ecs.g7.2xlarge", "count": 10, "vswitch": ["vsw-a"]}]},
     "fleet[0].vswitch: expected a vswitches[].name, got ['vsw-a']"),
])
def test_an_unhashable_value_is_refused_not_looked_up(tmp_path, change, message):
    assert refused(tmp_path, **change) == message


def test_a_region_given_as_a_list_is_refused_with_the_regions(tmp_path):
    message = refused(tmp_path, region=["cn-hangzhou"])
    assert message.startswith("region: ['cn-hangzhou'] is not a region simkit knows; allowed: cn-qingdao, ")
    assert "cn-hangzhou, " in message and message.endswith("me-central-1")


# --- the right key blamed ------------------------------------------------------------------------

def test_a_vpc_too_small_for_its_vswitch_is_blamed_on_the_vswitch_cidr(tmp_path):
    """The default's vSwitch is 192.168.0.0/24; a /29 VPC cannot hold it."""
    assert refused(tmp_path, vpc={"cidr": "10.0.0.0/29"}) == (
        "vswitches[0].cidr: 192.168.0.0/24 is not inside vpc.cidr 10.0.0.0/29")


def test_an_unknown_zone_is_blamed_on_the_zone(tmp_path):
    vswitches = [{**BASE["vswitches"][0], "zone": "cn-hangzhou-hh"}]
    assert refused(tmp_path, vswitches=vswitches) == (
        "vswitches[0].zone: 'cn-hangzhou-hh' is not a zone of cn-hangzhou; its zones: cn-hangzhou-b, cn-hangzhou-e, "
        "cn-hangzhou-f, cn-hangzhou-g, cn-hangzhou-h, cn-hangzhou-i, cn-hangzhou-j, cn-hangzhou-k")


def test_an_unknown_agent_mode_names_the_value(tmp_path):
    assert refused(tmp_path, agent={"mode": "eni"}) == (
        "agent.mode: 'eni' is unknown; allowed: secondary-ip, prefix, exclusive-eni")


def test_a_mask_given_as_text_is_refused(tmp_path):
    vswitches = [{"name": "vsw-a", "cidr": "10.0.0.0/22", "reservations": [{"mask": "28"}]}]
    assert refused(tmp_path, vswitches=vswitches) == (
        "vswitches[0].reservations[0].mask: expected a whole number from 0 to 32, got '28'")


def test_a_misspelt_key_names_the_key_it_resembles(tmp_path):
    assert refused(tmp_path, agent={"max_idel": 3}) == (
        "agent.max_idel: unknown key (did you mean max_idle?); allowed: ipam, mode, vswitch_selection, min_idle, max_idle, batch, "
        "retries, pool_sync_period, gc_period, block_exhausted, block_eni_limit, prefix_count, give_up_backoff")


def test_a_missing_key_is_named(tmp_path):
    assert refused(tmp_path, fleet=[{"instance_type": "ecs.g7.2xlarge", "count": 10}]) == (
        "fleet[0].vswitch: is required; allowed: a vswitches[].name")


def test_a_key_inside_a_workload_kind_is_named_without_the_kind(tmp_path):
    """pydantic tells the kinds apart by a tag that is not a key of the file: the path skips it."""
    workload = {**BASE["workload"], "lifetime": {"median": "10m", "p90": "5m"}}
    assert refused(tmp_path, workload=workload) == "workload.lifetime.p90: must be longer than the median (600 s), got 300 s"


def test_prefix_mode_in_a_region_without_prefixes_is_refused_before_the_run(tmp_path):
    """cn-zhangjiakou is not on the ip-prefix page's list (alibaba-facts §2.1): every prefix call
    would be refused, and the run would serve no pod."""
    vswitches = [{"name": BASE["fleet"][0]["vswitch"], "cidr": "192.168.0.0/22", "reservations": [{"mask": 24}]}]
    message = refused(tmp_path, region="cn-zhangjiakou", vswitches=vswitches, agent={"mode": "prefix"})
    assert message.startswith("agent.mode: prefix is not offered in cn-zhangjiakou: IPv4 prefixes on ENIs exist only "
                              "in ap-northeast-1, ")
    assert message.endswith("(alibaba-facts §2.1, ecs/user-guide/ip-prefix); use agent.mode: secondary-ip, or one of "
                            "those regions")
