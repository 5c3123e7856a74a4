"""``Cloud.call`` under hostile input: whatever the action and parameters, the only outcomes
are a body (a dict that serialises to JSON) or an ``ApiError`` whose code is a registry row
with that row's HTTP status, and a refusal changes nothing that DescribeNetworkInterfaces,
DescribeVSwitches or ListVSwitchCidrReservations show.

Hypothesis draws an action (every modelled one, or junk: misspelt names, non-strings) and a
parameter dict: the action's own names, documented and foreign names, flat ``Name.N`` keys
with odd indexes (``.0``, ``.01``, ``.²``, 5,000 digits), non-string keys, and JSON-like values
(text with unicode digits, huge ints, NaN and infinities, None, booleans, lists, dicts, and
the ids of a small world so that calls get past the lookups). Each example runs against a
fresh world built by the same calls (3 ms), so the before/after comparison sees only the call
under test.

The suite runs ``SIMKIT_FUZZ_EXAMPLES`` examples (default 300, a few seconds); a deeper run
is ``SIMKIT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_api_fuzz.py``.

Below the fuzz, one literal test per reproducer of issue 9, point 2.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simkit import ApiError, Cloud
from simkit.api.documented import DOCUMENTED
from simkit.api.params import SPECS, p_int
from simkit.ecs import ACTIONS, CloudSettings
from simkit.errors import REGISTRY

from conftest import REGION, World, refused

EXAMPLES = int(os.environ.get("SIMKIT_FUZZ_EXAMPLES", "300"))


class Small:
    """The world every example starts from: a VPC, a /24 vSwitch with a /26 CIDR reservation,
    a security group, an instance (with its primary ENI) and an attached secondary ENI."""

    def __init__(self):
        self.world = World(Cloud(seed=0, placement="lowest"))
        self.vpc, self.vsw, self.sg, self.instance, self.eni = self.world.basic()
        self.reservation = self.world.reserve(self.vsw, VSwitchCidrReservationMask="26")
        enis = self.world.call("DescribeNetworkInterfaces", InstanceId=self.instance)["NetworkInterfaceSets"]
        self.primary_eni = next(e["NetworkInterfaceId"] for e in enis["NetworkInterfaceSet"] if e["Type"] == "Primary")

    @property
    def cloud(self) -> Cloud:
        return self.world.cloud

    def ids(self) -> tuple[str, ...]:
        return (self.vpc, self.vsw, self.sg, self.instance, self.eni, self.reservation, self.primary_eni)

    def state(self) -> list:
        """What a refusal must not change, RequestId left out."""
        calls = [
            ("DescribeNetworkInterfaces", {"PageSize": 100}),
            ("DescribeVSwitches", {}),
            ("ListVSwitchCidrReservations", {"VSwitchId": self.vsw}),
        ]
        out = []
        for action, params in calls:
            body = self.cloud.call(action, {"RegionId": REGION, **params})
            body.pop("RequestId")
            out.append(body)
        return out


# The ids are the same in every fresh world (seeded, counted): read them once to draw from.
_WORLD = Small()
_IDS = _WORLD.ids()


class Huge:
    """Stands for an int of about 5,000 digits while Hypothesis draws and prints (its repr of
    such an int fails, as simkit's did); ``real`` swaps in the int just before the call."""

    def __init__(self, sign: int = 1):
        self.sign = sign

    def __repr__(self) -> str:
        return f"Huge({self.sign})"


def real(value):
    """``value`` with every ``Huge`` replaced by its int, keys included."""
    if isinstance(value, Huge):
        return value.sign * 10**5000
    if isinstance(value, list):
        return [real(v) for v in value]
    if isinstance(value, tuple):
        return tuple(real(v) for v in value)
    if isinstance(value, dict):
        return {real(k): real(v) for k, v in value.items()}
    return value


_INDEXES = ["0", "1", "2", "01", "001", "00", "-1", "+1", " 1", "1 ", "1.0", "", "²", "١", "𝟙", "٣", "32", "33",
            "1" * 5000, "9" * 30, "2147483648", "1e3", "0x1"]

_STRINGS = [
    "", " ", "\x00", "true", "false", "True", "FALSE", "yes", "0", "1", "2", "10", "28", "32", "49", "100", "101", "-1",
    "+1", " 1", "1.5", "1e3", "nan", "inf", "²", "³", "١٢", "𝟙𝟚", "٣", "1" * 5000, "9" * 4301, "0" * 5000 + "1",
    "10.0.0.7", "10.0.0.255", "10.0.1.7", "010.0.0.7", "10.0.0.7 ", "10.1", "::1", "10.0.0.0/24", "10.0.0.1/24",
    "0.0.0.0/0", "10.0.0.0/33", "10.0.0.0/028", "10.0.0.0/²", "10.0.0.0/" + "9" * 5000, "10.0.0.0/28/28", "/28",
    REGION, "cn-shanghai", "us-east-1", "xx-nowhere", "cn-hangzhou-h", "cn-hangzhou-z", "ecs.g7.large", "ecs.nope",
    "eni-", "i-", "vsw-", "vpc-", "sg-", "eni-sim", "a" * 65, "é" * 10, "\udcff", *_IDS,
]

_scalars = st.one_of(
    st.sampled_from(_STRINGS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-3, max_value=120),
    st.sampled_from([Huge(1), Huge(-1), 2**31, 2**63, -(2**63) - 1, 2**64 + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
    st.binary(max_size=4),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)

_ALL_NAMES = sorted({p.api for spec in SPECS.values() for p in spec} | {n for names in DOCUMENTED.values() for n in names})
_junk_keys = st.one_of(
    st.integers(),
    st.sampled_from([Huge(1), None, True, 1.5, math.nan, (1, 2), ("PrivateIpAddress", 1), b"RegionId", frozenset({1})]),
    st.floats(allow_nan=True),
    st.text(max_size=10),
)
_odd_keys = st.one_of(
    st.sampled_from(_ALL_NAMES),
    st.builds(lambda n, i: f"{n}.{i}", st.sampled_from(_ALL_NAMES), st.one_of(st.sampled_from(_INDEXES), st.text(max_size=4))),
)
_junk_actions = st.one_of(
    st.sampled_from(["", " ", "assignPrivateIpAddresses", "AssignPrivateIpAddresses ", "Describe", "__init__",
                     "handle", "InvalidAction", "DryRun", "a" * 5000]),
    st.text(max_size=30),
    st.integers(),
    st.sampled_from([None, Huge(1), ["x"], ("AssignPrivateIpAddresses",), {"x": 1}, b"CreateVpc", 1.5, math.nan]),
    st.lists(st.text(max_size=3), max_size=2),
)

# Well-formed values per parameter kind, so that calls get past parsing into the model.
_numbers = st.sampled_from([0, 1, 2, 3, 10, 26, 28, 32, 33, 49, 50, 100, 101, -1])
_small = st.one_of(_numbers, _numbers.map(str))
_ip = st.integers(0, 255).map(lambda x: f"10.0.0.{x}")
_prefix = st.integers(0, 15).map(lambda b: f"10.0.0.{b * 16}/28")
_GOOD_BY_KIND = {
    "p_str": st.sampled_from(_IDS + (REGION, "cn-hangzhou-h", "ecs.g7.large", "ecs.g7.xlarge", "Primary", "Secondary",
                                     "InUse", "Available", "IPv4", "Prefix", "name")),
    "p_int": _small,
    "p_count": _small,
    "p_bool": st.sampled_from([True, False, "true", "false"]),
    "p_ip": _ip,
    "p_prefix": _prefix,
    "p_cidr": st.one_of(_prefix, st.sampled_from(["10.0.0.64/26", "10.0.0.128/26", "10.0.1.0/24", "172.16.0.0/12"])),
    "p_vswitch_cidr": st.sampled_from(["10.0.1.0/24", "10.0.2.0/28", "10.0.0.0/24", "10.0.0.0/16", "10.1.0.0/24"]),
    "p_token": st.text(alphabet="abc", min_size=1, max_size=3),
}
_GOOD_BY_NAME = {
    "RegionId": st.sampled_from([REGION] * 5 + ["cn-shanghai", "us-east-1", "nowhere"]),
    "NetworkInterfaceId": st.sampled_from([_WORLD.eni, _WORLD.eni, _WORLD.primary_eni, "eni-nope", "x"]),
    "InstanceId": st.sampled_from([_WORLD.instance, _WORLD.instance, "i-nope", "x"]),
    "VSwitchId": st.sampled_from([_WORLD.vsw, _WORLD.vsw, "vsw-nope"]),
    "VpcId": st.sampled_from([_WORLD.vpc, _WORLD.vpc, "vpc-nope"]),
    "SecurityGroupId": st.sampled_from([_WORLD.sg, "sg-nope"]),
    "VSwitchCidrReservationId": st.sampled_from([_WORLD.reservation, "vcr-nope"]),
    "ZoneId": st.sampled_from(["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-z"]),
    "InstanceType": st.sampled_from(["ecs.g7.large", "ecs.g7.xlarge", "ecs.nope"]),
}


# Malformed values per parameter kind: the edges where parsing has gone wrong before (unicode
# digits, 5,000 digits, leading zeros, stray signs and spaces), more often than _values finds them.
_BIG_DIGITS = ["1" * 5000, "-" + "9" * 5000, "0" * 5000 + "1", "9223372036854775808", "-9223372036854775809"]
_CIDR_EDGES = ["10.0.0.0/" + "9" * 5000, "10.0.0.0/028", "10.0.0.0/²", "10.0.0.0/-1", "10.0.0.0/+28", "10.0.0.0/ 28",
               "10.0.0.0/33", "10.0.0.1/28", "10.0.0.0/28/28", "/28", "10.0.0.0", "²0.0.0.0/28", Huge(1)]
_NASTY_BY_KIND = {
    "p_str": st.sampled_from(["", " ", "\x00", "a" * 5000, "²", "\udcff", *_BIG_DIGITS]),
    "p_int": st.sampled_from([*_BIG_DIGITS, "²", "١٢", " 7 ", "+3", "-0", "1e3", "1.0", 1.0, math.nan, math.inf, True,
                              Huge(1), Huge(-1), 2**63, -(2**63) - 1]),
    "p_bool": st.sampled_from(["TRUE", "1", 1, 0, "yes", "", math.nan]),
    "p_ip": st.sampled_from(["10.0.0.7 ", "010.0.0.7", "10.0.0.256", "²0.0.0.1", "10.0.0", "1" * 5000, 167772167, Huge(1)]),
    "p_cidr": st.sampled_from(_CIDR_EDGES),
    "p_token": st.sampled_from(["", "a" * 65, "é", "\x00", 1, "a" * 5000]),
}
_NASTY_BY_KIND.update(p_count=_NASTY_BY_KIND["p_int"], p_prefix=_NASTY_BY_KIND["p_cidr"],
                      p_vswitch_cidr=_NASTY_BY_KIND["p_cidr"])
_NASTY_BY_NAME = {"NextToken": st.sampled_from(["²", "١", "-1", "1.5", " 1", "99999999999999999999", *_BIG_DIGITS])}


def _nasty(param):
    """A malformed value for ``param``: one of its kind's edges, or anything at all."""
    edges = _NASTY_BY_NAME.get(param.api, _NASTY_BY_KIND[param.kind.__name__])
    one = st.one_of(edges, _values)
    return st.one_of(one, st.lists(one, min_size=1, max_size=3)) if param.many else one


def _good(param):
    """A well-formed value for ``param`` (a list of them for a ``.N`` parameter)."""
    one = _GOOD_BY_NAME.get(param.api, _GOOD_BY_KIND[param.kind.__name__])
    return st.lists(one, min_size=1, max_size=3) if param.many else one


_GOOD = {(action, p.api): _good(p) for action, spec in SPECS.items() for p in spec}
_NASTY = {(action, p.api): _nasty(p) for action, spec in SPECS.items() for p in spec}


def _chance(draw, percent: int) -> bool:
    """True ``percent`` times in a hundred. Hypothesis favours small numbers, 0 above all (its
    shrink target), so 0 always means False: the common, simpler branch."""
    return draw(st.integers(0, 99)) >= 100 - percent


@st.composite
def calls(draw):
    """(action, params): mostly a modelled action with its required parameters, then up to
    four more keys. Four calls in ten are clean (the action's own keys, well-formed values,
    flat ``.N`` keys numbered as the wire does), so that they reach the model's rules; the
    rest are hostile: junk actions, malformed values, odd indexes, foreign and junk keys."""
    hostile = _chance(draw, 60)
    action = draw(_junk_actions) if hostile and _chance(draw, 10) else draw(st.sampled_from(ACTIONS))
    spec = SPECS.get(action, ()) if isinstance(action, str) else ()
    params: dict = {}
    if not (hostile and _chance(draw, 15)):
        params["RegionId"] = REGION
        for p in spec:
            if p.required and (hostile or p.api != "RegionId"):  # a clean call stays in the world's region
                params[p.api] = draw(_NASTY[action, p.api] if hostile and _chance(draw, 15) else _GOOD[action, p.api])
    for _ in range(draw(st.integers(0, 4) if hostile else st.integers(1, 3))):
        roll = draw(st.integers(0, 99)) if hostile else 0
        if spec and roll < 80:
            p = draw(st.sampled_from(spec if hostile else [p for p in spec if p.api != "RegionId"]))
            value = draw(_NASTY[action, p.api] if hostile and _chance(draw, 25) else _GOOD[action, p.api])
            if p.many and draw(st.booleans()):
                # flat form: one item per key, numbered like the wire, or oddly
                items = value if isinstance(value, list) and value else [value]
                for n, item in enumerate(items, 1):
                    odd = hostile and _chance(draw, 25)
                    params[f"{p.api}.{draw(st.sampled_from(_INDEXES)) if odd else n}"] = item
                continue
            params[p.api] = value
        elif roll < 90:
            params[draw(_odd_keys)] = draw(_values)
        else:
            params[draw(_junk_keys)] = draw(_values)
    return action, params


def _check(world: Small, action, params) -> None:
    before = world.state()
    try:
        body = world.cloud.call(action, params)
    except ApiError as exc:
        event(exc.code)  # --hypothesis-show-statistics shows how far calls get
        row = REGISTRY.get(exc.code)
        assert row is not None, f"{exc.code} is not in the registry"
        assert exc.http_status == row.http_status, exc
        assert isinstance(exc.message, str) and exc.request_id
        str(exc)
        assert world.state() == before, f"{exc.code} changed the state"
    else:
        event(f"accepted: {action}")
        assert isinstance(body, dict) and isinstance(body.get("RequestId"), str)
        json.dumps(body)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(calls())
def test_any_call_gives_a_body_or_a_registered_error(call):
    world = Small()
    assert world.ids() == _IDS
    action, params = call
    _check(world, real(action), real(params))


# ------------------------------------------------------------------ the reproducers, literally

R = {"RegionId": REGION}


def _label(value) -> str:
    """A short test id (pytest's own calls str(), which fails on an int of 5,000 digits)."""
    try:
        text = repr(value)
    except ValueError:
        return f"{type(value).__name__}-holding-a-huge-int"
    return text if len(text) <= 24 else f"{text[:12]}...({len(text)})"


@pytest.fixture
def small() -> Small:
    return Small()


def _refused(small: Small, action, params) -> ApiError:
    before = small.state()
    err = refused(small.cloud.call, action, params)
    assert small.state() == before
    return err


@pytest.mark.parametrize("token", ["²", "1" * 5000, "١", "0" * 5000 + "1"], ids=_label)
@pytest.mark.parametrize("action", ["DescribeNetworkInterfaces", "DescribeInstanceTypes", "ListVSwitchCidrReservations",
                                    "GetVSwitchCidrReservationUsage"])
def test_a_next_token_no_listing_gave_is_invalid_parameter(small, action, token):
    needs = {"ListVSwitchCidrReservations": {"VSwitchId": small.vsw},
             "GetVSwitchCidrReservationUsage": {"VSwitchCidrReservationId": small.reservation}}
    err = _refused(small, action, {**R, **needs.get(action, {}), "NextToken": token})
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert "NextToken" in err.message and len(err.message) < 300


def test_a_flat_index_of_5000_digits_is_invalid_parameter(small):
    key = "PrivateIpAddress." + "1" * 5000
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni, key: "10.0.0.9"})
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert "PrivateIpAddress.111" in err.message and len(err.message) < 300


@pytest.mark.parametrize("index", ["²", "١", "0", "-1", "+1", " 1"])
def test_a_flat_index_that_is_not_a_plain_whole_number_is_unsupported(small, index):
    # As before: only Name.N with N a plain positive whole number is a list item.
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni, f"PrivateIpAddress.{index}": "10.0.0.9"})
    assert err.code == "UnsupportedParameter"


def test_a_prefix_mask_of_5000_digits_is_the_mask_code(small):
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni,
                                                        "Ipv4Prefix": ["10.0.0.0/" + "9" * 5000]})
    assert (err.code, err.http_status) == ("InvalidIp.IpPrefixMaskIllegal", 403)


@pytest.mark.parametrize("key", [1, None, 1.5, ("PrivateIpAddress", 1), b"RegionId", 10**5000], ids=_label)
def test_a_key_that_is_not_text_is_unsupported_parameter(small, key):
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni, key: "x"})
    assert (err.code, err.http_status) == ("UnsupportedParameter", 400)
    assert "AssignPrivateIpAddresses" in err.message and len(err.message) < 300


@pytest.mark.parametrize("action", [["x"], None, 7, 10**5000, ("CreateVpc",), b"CreateVpc", {"x": 1}], ids=_label)
def test_an_action_that_is_not_text_is_invalid_action(small, action):
    err = _refused(small, action, {**R, "CidrBlock": "10.0.0.0/16"})
    assert (err.code, err.http_status) == ("InvalidAction", 400)
    assert len(err.message) < 300


@pytest.mark.parametrize("params", [["x"], "RegionId=cn-hangzhou", None])
def test_params_that_are_not_a_mapping_are_a_type_error(small, params):
    with pytest.raises(TypeError, match="mapping"):
        small.cloud.call("DescribeVSwitches", params)


@pytest.mark.parametrize("one, other", [("PrivateIpAddress.1", "PrivateIpAddress.01"),
                                        ("PrivateIpAddress.2", "PrivateIpAddress.002")])
def test_one_index_written_two_ways_is_refused_naming_the_key(small, one, other):
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni,
                                                        one: "10.0.0.20", other: "10.0.0.21"})
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert other in err.message


def test_a_leading_zero_index_alone_still_names_its_item(small):
    body = small.cloud.call("AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni,
                                                          "PrivateIpAddress.01": "10.0.0.20"})
    assert body["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"] == ["10.0.0.20"]


@pytest.mark.parametrize("value", [10**5000, -(10**5000), "1" * 5000, "-" + "9" * 5000], ids=_label)
@pytest.mark.parametrize("name", ["PageSize", "PageNumber", "MaxResults"])
def test_a_whole_number_too_long_for_the_api_is_invalid_parameter(small, name, value):
    err = _refused(small, "DescribeNetworkInterfaces", {**R, name: value})
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert name in err.message and len(err.message) < 300


@pytest.mark.parametrize("value, expected", [("0" * 5000 + "7", 7), ("-" + "0" * 5000 + "1", -1), ("+0012", 12)], ids=_label)
def test_leading_zeros_do_not_count_as_digits(value, expected):
    # Found by the fuzz: int() refuses 4,300 characters, leading zeros included.
    assert p_int("PageSize", value) == expected


@pytest.mark.parametrize("value", [10**5000, "1" * 5000], ids=_label)
def test_a_count_too_long_for_the_api_is_the_malformed_count_code(small, value):
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni,
                                                        "SecondaryPrivateIpAddressCount": value})
    assert err.code == "InvalidSecondaryPrivateIpAddressCount.Malformed" and len(err.message) < 300


@pytest.mark.parametrize("value", [[10**5000], {"a": 10**5000}, ("x" * 5000,)], ids=_label)
def test_a_value_that_cannot_be_shown_is_still_refused(small, value):
    err = _refused(small, "AssignPrivateIpAddresses", {**R, "NetworkInterfaceId": small.eni, "PrivateIpAddress.1": value})
    assert err.code == "InvalidPrivateIpAddress.Malformed" and len(err.message) < 300


# ------------------------------------------------------------------ time and settings (Python API: ValueError)

@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, -1])
def test_advance_refuses_nan_infinity_and_the_past(seconds):
    cloud = Cloud(seed=0)
    with pytest.raises(ValueError, match=repr(seconds).replace("(", r"\(")):
        cloud.advance(seconds)
    assert cloud.now == 0.0


@pytest.mark.parametrize("t", [math.nan, math.inf, -math.inf])
def test_advance_to_refuses_nan_and_infinity(t):
    cloud = Cloud(seed=0)
    cloud.advance(3)
    with pytest.raises(ValueError, match=repr(t)):
        cloud.advance_to(t)
    assert cloud.now == 3.0


@pytest.mark.parametrize("value", ["3", None])
def test_advance_refuses_what_is_not_a_number(value):
    with pytest.raises(TypeError):
        Cloud(seed=0).advance(value)


@pytest.mark.parametrize("name", ["eni_attach_seconds", "eni_detach_seconds", "eni_delete_seconds",
                                  "reservation_assign_seconds", "instance_start_seconds", "instance_stop_seconds",
                                  "client_token_ttl_seconds"])
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_settings_refuse_nan_and_infinite_durations(name, value):
    with pytest.raises(ValueError, match=f"settings.{name}.*{value!r}"):
        CloudSettings(**{name: value})
    with pytest.raises(ValueError, match=f"settings.{name}"):
        Cloud(seed=0, **{name: value})
