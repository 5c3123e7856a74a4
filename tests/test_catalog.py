"""simkit.catalog: instance-type limits and region capabilities.

Expected values are copied from the sources named in
../shared/reference/alibaba-facts.md (sections 2.1 and 4) and
../shared/data/instance_types_sourced.csv, not computed from the catalog.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from simkit.catalog import (
    DEFAULT_CATALOG_PATH,
    PREFIX_REGIONS,
    REGIONS,
    Catalog,
    InstanceType,
    IpLimitsUnknown,
    UnknownInstanceType,
    load_catalog,
    supports_ipv4_prefix,
)

REPO = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPO / "data" / "build_instance_types.py"
SHARED_SOURCE = REPO.parent / "shared" / "data" / "instance_types_sourced.csv"


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("name", "enis", "ipv4_per_eni"),
    [
        # alibaba-facts §4 spot checks against the 2021 EN "Instance families" tables
        ("ecs.g7.large", 3, 6),
        ("ecs.g7.xlarge", 4, 15),
        ("ecs.g7.2xlarge", 4, 15),
        ("ecs.g7.3xlarge", 8, 15),
        ("ecs.g7.4xlarge", 8, 30),
        ("ecs.g7.16xlarge", 8, 30),
        ("ecs.g7.32xlarge", 15, 30),
        ("ecs.c7.large", 3, 6),
        ("ecs.r7.32xlarge", 15, 30),
        # DescribeInstanceTypes sample response
        ("ecs.g6.large", 2, 6),
    ],
)
def test_documented_eni_and_ipv4_limits(cat, name, enis, ipv4_per_eni):
    itype = cat.require_ip_limits(name)
    assert (itype.eni_quantity, itype.private_ipv4_per_eni) == (enis, ipv4_per_eni)


def test_g7_xlarge_api_fields_from_the_csi_fixture(cat):
    t = cat.get("ecs.g7.xlarge")
    assert (t.ipv6_per_eni, t.eni_total_quantity, t.eni_trunk_supported) == (15, 20, True)
    assert (t.family, t.vcpu, t.memory_gib) == ("g7", 4, 16.0)


def test_g6_large_api_fields_from_the_describe_instance_types_sample(cat):
    t = cat.get("ecs.g6.large")
    assert (t.ipv6_per_eni, t.eni_total_quantity, t.eni_trunk_supported) == (1, 2, False)


def test_fields_absent_from_the_source_are_none(cat):
    t = cat.get("ecs.g7.4xlarge")
    assert (t.ipv6_per_eni, t.eni_total_quantity, t.eni_trunk_supported) == (None, None, None)


def test_i3_rows_use_the_cn_value_30_not_the_en_typo_300(cat):
    disputed = [
        "ecs.i3.4xlarge",
        "ecs.i3.8xlarge",
        "ecs.i3.13xlarge",
        "ecs.i3.26xlarge",
        "ecs.i3g.8xlarge",
        "ecs.i3g.13xlarge",
        "ecs.i3g.26xlarge",
    ]
    for name in disputed:
        t = cat.get(name)
        assert t.private_ipv4_per_eni == 30, name
        assert "300" in t.notes, name
    assert all(t.private_ipv4_per_eni != 300 for t in cat)


def test_row_counts(cat):
    assert len(cat) == 576
    assert sum(t.ip_limits_known for t in cat) == 518
    assert len(set(cat.names())) == 576


def test_source_and_notes_are_kept(cat):
    t = cat.get("ecs.i3.4xlarge")
    assert t.source.startswith("AlibabaCloudDocs/ecs@322eaab8 (2021-07-19) intl.en-US/")
    assert t.notes == (
        "EN doc lists private IPs per ENI = 300; CN doc lists 30 "
        "(value column uses CN; EN value looks like a typo)"
    )
    assert all(t.source for t in cat)


def test_max_pods_secondary_ip_is_terways_formula(cat):
    assert cat.get("ecs.g7.large").max_pods_secondary_ip == 12  # (3 - 1) * 6
    assert cat.get("ecs.g7.xlarge").max_pods_secondary_ip == 45  # (4 - 1) * 15
    assert cat.get("ecs.g7.32xlarge").max_pods_secondary_ip == 420  # (15 - 1) * 30


# --------------------------------------------------------------------------- unknown names, limits


def test_type_without_ipv4_count_is_refused_where_limits_matter(cat):
    t = cat.get("ecs.g7a.large")
    assert t.eni_quantity == 3
    assert t.private_ipv4_per_eni is None
    assert t.ip_limits_known is False
    assert t.max_pods_secondary_ip is None
    with pytest.raises(IpLimitsUnknown, match=r"'ecs\.g7a\.large'.*per-ENI private IPv4") as info:
        cat.require_ip_limits("ecs.g7a.large")
    assert isinstance(info.value, ValueError)
    assert info.value.name == "ecs.g7a.large"


def test_unknown_type_suggests_close_names(cat):
    with pytest.raises(UnknownInstanceType) as info:
        cat.get("ecs.g7.larg")
    err = info.value
    assert isinstance(err, ValueError)
    assert str(err).startswith("unknown instance type 'ecs.g7.larg'; did you mean ecs.g7.large")
    assert err.suggestions[0] == "ecs.g7.large"
    assert len(err.suggestions) <= 3
    with pytest.raises(UnknownInstanceType, match="did you mean ecs.g7.large"):
        cat.require_ip_limits("ecs.g7.larg")


def test_lookup_is_exact_but_suggestions_ignore_case(cat):
    assert "ecs.G7.Large" not in cat
    with pytest.raises(UnknownInstanceType, match="did you mean ecs.g7.large"):
        cat.get("ecs.G7.Large")


def test_unknown_type_with_nothing_close_has_no_suggestion(cat):
    with pytest.raises(UnknownInstanceType) as info:
        cat.get("m5.large-of-another-cloud")
    assert str(info.value) == "unknown instance type 'm5.large-of-another-cloud'"
    assert info.value.suggestions == ()


def test_errors_survive_pickling():
    # Sweeps run in process pools and on Dask workers, which pickle exceptions.
    err = pickle.loads(pickle.dumps(UnknownInstanceType("ecs.x", ["ecs.y"])))
    assert str(err) == "unknown instance type 'ecs.x'; did you mean ecs.y?"
    assert err.suggestions == ("ecs.y",)
    err = pickle.loads(pickle.dumps(IpLimitsUnknown("ecs.g7a.large")))
    assert err.name == "ecs.g7a.large" and "cannot be used where IP limits matter" in str(err)


# --------------------------------------------------------------------------- the Catalog container


def test_iteration_and_names_follow_file_order(cat):
    with DEFAULT_CATALOG_PATH.open(encoding="utf-8", newline="") as f:
        file_order = [row["instance_type"] for row in csv.DictReader(f)]
    assert list(cat.names()) == file_order
    assert [t.name for t in cat] == file_order
    assert file_order[0] == "ecs.g7a.large"


def test_contains(cat):
    assert "ecs.g7.large" in cat
    assert "ecs.g8i.large" not in cat  # no stored source gives g8i limits
    assert 3 not in cat


def test_default_catalog_is_loaded_once():
    assert load_catalog() is load_catalog()
    assert load_catalog(DEFAULT_CATALOG_PATH) is load_catalog()


def test_instance_types_are_immutable(cat):
    t = cat.get("ecs.g7.large")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.eni_quantity = 99  # type: ignore[misc]
    assert not hasattr(t, "__dict__")


def test_catalog_refuses_duplicate_names(cat):
    t = cat.get("ecs.g7.large")
    with pytest.raises(ValueError, match="duplicate instance type 'ecs.g7.large'"):
        Catalog([t, t])


def test_catalog_from_values():
    t = InstanceType("ecs.x.large", "x", 2, 8.0, 2, 4, None, None, None, "test", "")
    small = Catalog([t])
    assert len(small) == 1 and small.get("ecs.x.large").max_pods_secondary_ip == 4


# --------------------------------------------------------------------------- the data file


@pytest.mark.skipif(
    not SHARED_SOURCE.exists(),
    reason=f"{SHARED_SOURCE} is absent (../shared is not checked out beside the repo)",
)
def test_shipped_csv_is_what_the_build_script_produces(tmp_path):
    out = tmp_path / "instance_types.csv"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(SHARED_SOURCE), str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DEFAULT_CATALOG_PATH.read_bytes()


def test_build_script_refuses_an_unexpected_header(tmp_path):
    src = tmp_path / "src.csv"
    src.write_text("instance_type,family\necs.x.large,x\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(src), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{src}:1: unexpected header" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_ip_limits_known_column_matches_the_limits():
    with DEFAULT_CATALOG_PATH.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        known = bool(row["eni_quantity"]) and bool(row["private_ipv4_per_eni"])
        assert row["ip_limits_known"] == ("true" if known else "false"), row["instance_type"]


# --------------------------------------------------------------------------- malformed files

HEADER = [
    "instance_type", "family", "vcpu", "memory_gib", "eni_quantity", "private_ipv4_per_eni",
    "ipv6_per_eni", "eni_total_quantity", "eni_trunk_supported", "source", "notes",
    "ip_limits_known",
]  # fmt: skip
GOOD_ROWS = [
    ["ecs.g7.large", "g7", "2", "8", "3", "6", "6", "", "", "doc", "", "true"],
    ["ecs.g7a.large", "g7a", "2", "8", "3", "", "", "", "", "doc", "no IP column", "false"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_well_formed_small_file_loads(tmp_path):
    small = load_catalog(write_csv(tmp_path / "t.csv", HEADER, GOOD_ROWS))
    assert small.names() == ("ecs.g7.large", "ecs.g7a.large")
    assert small is not load_catalog()


def test_the_derived_column_is_optional(tmp_path):
    small = load_catalog(write_csv(tmp_path / "t.csv", HEADER[:-1], [r[:-1] for r in GOOD_ROWS]))
    assert small.get("ecs.g7.large").private_ipv4_per_eni == 6


def test_missing_column_names_file_line_and_column(tmp_path):
    drop = HEADER.index("private_ipv4_per_eni")
    path = write_csv(
        tmp_path / "t.csv",
        HEADER[:drop] + HEADER[drop + 1 :],
        [r[:drop] + r[drop + 1 :] for r in GOOD_ROWS],
    )
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    msg = str(info.value)
    assert str(path) in msg and "line 1" in msg and "'private_ipv4_per_eni'" in msg


def test_empty_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: no header row"):
        load_catalog(path)


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"instance_type,family\n\xffecs.x.large,x\n")
    with pytest.raises(ValueError, match=r"t\.csv: not UTF-8 text"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("eni_quantity", "three", "expected a whole number, got 'three'"),
        ("eni_quantity", "0", "at least 1"),
        ("private_ipv4_per_eni", "6.0", "expected a whole number, got '6.0'"),
        ("private_ipv4_per_eni", "-6", "expected a whole number, got '-6'"),
        ("private_ipv4_per_eni", " 6", "expected a whole number, got ' 6'"),
        ("ipv6_per_eni", "x", "expected a whole number"),
        ("eni_total_quantity", "1e3", "expected a whole number"),
        ("vcpu", "", "expected a whole number, got ''"),
        ("memory_gib", "lots", "expected a positive number, got 'lots'"),
        ("memory_gib", "nan", "expected a positive number"),
        ("memory_gib", "0", "expected a positive number"),
        ("eni_trunk_supported", "yes", "expected 'true', 'false' or empty, got 'yes'"),
        ("instance_type", "", "expected a name"),
        ("ip_limits_known", "false", "says 'false', but eni_quantity is '3'"),
        ("ip_limits_known", "1", "expected 'true' or 'false'"),
    ],
)
def test_bad_cell_names_file_line_and_column(tmp_path, column, value, problem):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][HEADER.index(column)] = value  # the first data row is line 2
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}, line 2, column {column!r}: "), msg
    assert problem in msg


def test_bad_cell_on_a_later_line(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][HEADER.index("eni_quantity")] = "four"
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    with pytest.raises(ValueError, match=r", line 3, column 'eni_quantity': expected a whole"):
        load_catalog(path)


def test_duplicate_name_in_file(tmp_path):
    path = write_csv(tmp_path / "t.csv", HEADER, [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]])
    expected = r"line 4, column 'instance_type': 'ecs.g7.large' already appears on line 2"
    with pytest.raises(ValueError, match=expected):
        load_catalog(path)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (GOOD_ROWS[0][:-3], "fewer fields than the header"),
        (GOOD_ROWS[0] + ["surplus"], "1 more field(s) than the header"),
    ],
)
def test_ragged_rows(tmp_path, row, problem):
    path = write_csv(tmp_path / "t.csv", HEADER, [row])
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    assert str(info.value).startswith(f"{path}, line 2") and problem in str(info.value)


# --------------------------------------------------------------------------- regions


def test_prefix_regions_are_the_24_listed_on_the_ip_prefix_page():
    assert PREFIX_REGIONS == {
        "ap-southeast-1",  # Singapore
        "us-west-1",  # US (Silicon Valley)
        "us-east-1",  # US (Virginia)
        "ap-southeast-6",  # Philippines (Manila)
        "eu-central-1",  # Germany (Frankfurt)
        "eu-west-1",  # UK (London)
        "ap-southeast-3",  # Malaysia (Kuala Lumpur)
        "ap-southeast-7",  # Thailand (Bangkok)
        "ap-southeast-5",  # Indonesia (Jakarta)
        "ap-northeast-1",  # Japan (Tokyo)
        "ap-northeast-2",  # South Korea (Seoul)
        "me-east-1",  # UAE (Dubai)
        "me-central-1",  # SAU (Riyadh - Partner Region)
        "cn-qingdao",
        "cn-beijing",
        "cn-hangzhou",
        "cn-shenzhen",
        "cn-shanghai",
        "cn-hongkong",
        "cn-huhehaote",  # China (Hohhot)
        "cn-chengdu",
        "cn-heyuan",
        "cn-wulanchabu",  # China (Ulanqab)
        "cn-guangzhou",
    }
    assert len(PREFIX_REGIONS) == 24
    assert PREFIX_REGIONS <= REGIONS.keys()


@pytest.mark.parametrize(
    ("region_id", "supported"),
    [
        ("cn-hangzhou", True),
        ("ap-southeast-1", True),
        ("me-central-1", True),
        ("cn-zhangjiakou", False),  # a region, but not on the list
        ("cn-nanjing", False),
        ("na-south-1", False),
        ("cn-hangzhou-h", False),  # a zone id, not a region id
        ("mars-1", False),
    ],
)
def test_supports_ipv4_prefix(region_id, supported):
    assert supports_ipv4_prefix(region_id) is supported


def test_region_names():
    assert REGIONS["cn-hangzhou"] == "China (Hangzhou)"
    assert REGIONS["ap-southeast-1"] == "Singapore"
    assert REGIONS["cn-huhehaote"] == "China (Hohhot)"
    assert REGIONS["eu-west-1"] == "UK (London)"
    assert len(set(REGIONS.values())) == len(REGIONS)
    with pytest.raises(TypeError):
        REGIONS["xx-test-1"] = "Test"  # type: ignore[index]


# --------------------------------------------------------------------------- layering


def test_catalog_imports_only_the_standard_library_and_the_address_facts():
    source = (REPO / "simkit" / "catalog.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add(node.module)
    outside = {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names | {"__future__"}}
    assert outside == {"simkit.net.states"}  # the /28 block size, and nothing that loads numpy
