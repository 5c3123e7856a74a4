"""Zones: the sourced data (data/zones.csv), the model's CreateVSwitch and the scenario checker.

Expected zone ids are copied from the pages that data/SOURCES.md describes (section
"zones.csv"), not computed from the file:
- eci-zh: https://www.alibabacloud.com/help/zh/elastic-container-instance/latest/regions-and-zones
- eci-cn: https://help.aliyun.com/document_detail/89155.html
- kms-zh: https://help.aliyun.com/zh/kms/key-management-service/product-overview/supported-regions
- kms-en: https://www.alibabacloud.com/help/en/kms/key-management-service/product-overview/supported-regions
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from simkit import ApiError, Cloud, ScenarioError
from simkit.catalog import (
    DEFAULT_ZONES_PATH,
    REGIONS,
    ZONES,
    default_zone,
    is_zone_of,
    load_zones,
    zones_of,
)
from simkit.scenario import build_plan

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the data


def test_every_zone_belongs_to_a_known_region():
    assert set(ZONES) <= set(REGIONS)
    for region, zones in ZONES.items():
        assert zones, region
        assert all(z.startswith(region) and len(z) > len(region) for z in zones), region


def test_singapore_has_three_zones():
    """eci-zh lists 新加坡 可用区A/B/C as ap-southeast-1a/1b/1c; kms-en lists Singapore
    "Zone A, Zone B, and Zone C | ap-southeast-1a, ap-southeast-1b, ap-southeast-1c"."""
    assert zones_of("ap-southeast-1") == ("ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c")


@pytest.mark.parametrize(
    "region, zones",
    [
        # eci-cn: 华东1(杭州) 可用区B, E, F, G, H, I, J, K
        ("cn-hangzhou", ("cn-hangzhou-b", "cn-hangzhou-e", "cn-hangzhou-f", "cn-hangzhou-g", "cn-hangzhou-h",
                         "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k")),
        # eci-zh: 华南1(深圳) 可用区A-E; kms-zh: cn-shenzhen-b ... cn-shenzhen-f
        ("cn-shenzhen", ("cn-shenzhen-a", "cn-shenzhen-b", "cn-shenzhen-c", "cn-shenzhen-d", "cn-shenzhen-e",
                         "cn-shenzhen-f")),
        # eci-zh: 日本(东京) 可用区A/B/C
        ("ap-northeast-1", ("ap-northeast-1a", "ap-northeast-1b", "ap-northeast-1c")),
        # eci-zh and kms-en: 中国香港 可用区B/C/D
        ("cn-hongkong", ("cn-hongkong-b", "cn-hongkong-c", "cn-hongkong-d")),
        # kms-en: SAU (Riyadh - Partner Region) | me-central-1 | Zone A and Zone B
        ("me-central-1", ("me-central-1a", "me-central-1b")),
    ],
)
def test_zones_of_regions_from_the_sources(region, zones):
    assert zones_of(region) == zones


def test_the_golden_scenarios_zones_are_real():
    """tests/test_golden_results.py pins results built in cn-hangzhou-h and cn-hangzhou-i; eci-en,
    eci-zh, eci-cn and kms-zh all list both."""
    assert {"cn-hangzhou-h", "cn-hangzhou-i"} <= set(zones_of("cn-hangzhou"))


def test_regions_without_a_sourced_list_are_the_documented_ones():
    """data/SOURCES.md names the 13 regions no cited page gives zone ids for."""
    assert set(REGIONS) - set(ZONES) == {
        "cn-nanjing", "cn-fuzhou", "cn-wuhan-lr", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ap-northeast-2", "us-west-1", "us-east-1", "na-south-1", "eu-central-1", "eu-west-1", "me-east-1",
    }
    assert zones_of("us-east-1") == () and zones_of("mars-1") == ()


def test_every_row_names_a_source_described_in_sources_md():
    text = (REPO / "data" / "SOURCES.md").read_text()
    section = text[text.index("## zones.csv") : text.index("## samples/")]
    described = set(re.findall(r"^  - `([a-z-]+)`: <https://", section, re.M))
    assert described == {"eci-en", "eci-zh", "eci-cn", "kms-zh", "kms-en"}
    with DEFAULT_ZONES_PATH.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 64
    for row in rows:
        keys = row["source"].split()
        assert keys and set(keys) <= described, row


@pytest.mark.parametrize(
    "zone, region, ok",
    [
        ("ap-southeast-1a", "ap-southeast-1", True),
        ("ap-southeast-1d", "ap-southeast-1", False),  # named by a page, but no page gives its id
        ("ap-southeast-1-a", "ap-southeast-1", False),
        ("cn-hangzhou-a", "cn-hangzhou", False),  # simkit's old default, not a zone in any source
        ("cn-beijing-h", "cn-hangzhou", False),
        # no sourced list: one lowercase letter, with or without a hyphen
        ("us-east-1a", "us-east-1", True),
        ("cn-nanjing-a", "cn-nanjing", True),
        ("us-east-1", "us-east-1", False),
        ("us-east-1ab", "us-east-1", False),
        ("us-east-1A", "us-east-1", False),
        ("us-west-1a", "us-east-1", False),
        (None, "cn-hangzhou", False),
    ],
)
def test_is_zone_of(zone, region, ok):
    assert is_zone_of(zone, region) is ok


def test_default_zone_is_the_first_in_source_order():
    assert default_zone("ap-southeast-1") == "ap-southeast-1a"
    assert default_zone("cn-hangzhou") == "cn-hangzhou-b"
    assert default_zone("us-east-1") == "us-east-1-a"  # no sourced list: as before


@pytest.mark.parametrize(
    "body, words",
    [
        ("region,zone_id,source\n", "column(s) region_id missing"),
        ("region_id,zone_id,source\nmars-1,mars-1a,eci-zh\n", "line 2, column 'region_id': 'mars-1' is not in REGIONS"),
        ("region_id,zone_id,source\ncn-hangzhou,cn-beijing-h,eci-zh\n", "'cn-beijing-h' is not a zone id of cn-hangzhou"),
        ("region_id,zone_id,source\ncn-hangzhou,cn-hangzhou-h,x\ncn-hangzhou,cn-hangzhou-h,x\n",
         "line 3, column 'zone_id': 'cn-hangzhou-h' already appears on line 2"),
        ("region_id,zone_id,source\ncn-hangzhou,cn-hangzhou-h, \n", "line 2, column 'source'"),
        ("region_id,zone_id,source\ncn-hangzhou,cn-hangzhou-h\n", "line 2: expected the fields"),
        ("region_id,zone_id,source\ncn-hangzhou,cn-hangzhou-h,x,y\n", "line 2: expected the fields"),
    ],
)
def test_a_malformed_zones_file_names_file_line_and_column(tmp_path, body, words):
    path = tmp_path / "zones.csv"
    path.write_text(body)
    with pytest.raises(ValueError) as err:
        load_zones(path)
    assert str(path) in str(err.value) and words in str(err.value)


def test_load_zones_keeps_the_file_order(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("region_id,zone_id,source\ncn-hangzhou,cn-hangzhou-i,x\ncn-hangzhou,cn-hangzhou-h,x\n")
    assert dict(load_zones(path)) == {"cn-hangzhou": ("cn-hangzhou-i", "cn-hangzhou-h")}


# ---------------------------------------------------------------- the model, through Cloud.call


def create_vswitch(cloud: Cloud, region: str, zone: str) -> dict:
    vpc = cloud.call("CreateVpc", {"RegionId": region, "CidrBlock": "10.0.0.0/16"})["VpcId"]
    return cloud.call("CreateVSwitch", {"RegionId": region, "VpcId": vpc, "ZoneId": zone, "CidrBlock": "10.0.0.0/24"})


def test_create_vswitch_accepts_a_singapore_zone():
    cloud = Cloud(seed=0)
    vsw = create_vswitch(cloud, "ap-southeast-1", "ap-southeast-1a")["VSwitchId"]
    (listed,) = cloud.call("DescribeVSwitches", {"RegionId": "ap-southeast-1", "VSwitchId": vsw})["VSwitches"]["VSwitch"]
    assert listed["ZoneId"] == "ap-southeast-1a"


@pytest.mark.parametrize("region, zone", [("ap-southeast-1", "ap-southeast-1d"), ("cn-hangzhou", "cn-hangzhou-a"),
                                          ("us-east-1", "us-east-1-ab")])
def test_create_vswitch_refuses_a_zone_the_region_does_not_have(region, zone):
    with pytest.raises(ApiError) as err:
        create_vswitch(Cloud(seed=0), region, zone)
    assert (err.value.code, err.value.http_status) == ("InvalidZoneId.NotFound", 404)
    assert err.value.message == f"The specified zone {zone} does not exist in {region}."


def test_create_vswitch_in_a_region_without_a_sourced_list():
    cloud = Cloud(seed=0)
    assert create_vswitch(cloud, "us-east-1", "us-east-1a")["VSwitchId"]


# ---------------------------------------------------------------- the scenario checker


def scenario(region: str, **vswitch) -> dict:
    return {
        "region": region,
        "duration": 60,
        "sample_every": 60,
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw", "cidr": "10.0.0.0/24", **vswitch}],
        "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw"}],
        "workload": {"kind": "pod-churn", "arrival_rate": "1/m", "lifetime": {"median": "1m", "p90": "2m"}},
    }


def test_a_zone_not_in_the_region_is_refused_with_the_regions_zones():
    with pytest.raises(ScenarioError) as err:
        build_plan(scenario("ap-southeast-1", zone="ap-southeast-1d"))
    assert err.value.path == "vswitches[0].zone"
    assert str(err.value).endswith(
        "vswitches[0].zone: 'ap-southeast-1d' is not a zone of ap-southeast-1; "
        "its zones: ap-southeast-1a, ap-southeast-1b, ap-southeast-1c"
    )


def test_a_non_text_zone_is_refused():
    with pytest.raises(ScenarioError) as err:
        build_plan(scenario("cn-qingdao", zone=7))
    assert str(err.value).endswith("vswitches[0].zone: expected a zone of the region, such as cn-hangzhou-h, got 7")


@pytest.mark.parametrize("region, zone", [("ap-southeast-1", "ap-southeast-1a"), ("cn-hangzhou", "cn-hangzhou-b"),
                                          ("cn-shanghai", "cn-shanghai-a"), ("us-east-1", "us-east-1-a")])
def test_a_vswitch_without_a_zone_gets_the_regions_first(region, zone):
    (vsw,) = build_plan(scenario(region)).vswitches
    assert vsw.zone == zone


def test_a_region_without_a_sourced_list_says_what_it_accepts():
    assert build_plan(scenario("eu-central-1", zone="eu-central-1a")).vswitches[0].zone == "eu-central-1a"
    with pytest.raises(ScenarioError) as err:
        build_plan(scenario("eu-central-1", zone="eu-central-1"))
    assert err.value.path == "vswitches[0].zone"
    assert "simkit has no zone list for eu-central-1; it accepts eu-central-1-<letter> or eu-central-1<letter>" in str(err.value)


def test_a_singapore_scenario_runs():
    from simkit import run

    r = run(scenario("ap-southeast-1", zone="ap-southeast-1b"), progress=False)
    assert r.summary["calls"] > 0
