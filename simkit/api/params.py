"""Flat RPC parameters -> typed requests (``simkit.ecs.requests``) for the model.

Parameters come as the API names them, in flat form (``PrivateIpAddress.1``) or as lists,
with values as strings (the wire) or as Python values. Each action's ``SPECS`` entry lists
the parameters simkit models: API name, argument name, kind and whether it is required.
Parsing is strict and happens once, here: addresses become ints, CIDR blocks and prefixes
become ``Cidr`` values, counts become ints. Documented parameters that simkit does not model
are accepted and ignored; anything else is ``UnsupportedParameter``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from simkit.api.documented import DOCUMENTED
from simkit.ecs import REQUESTS
from simkit.errors import api_error
from simkit.net import Cidr, MalformedAddress, MalformedCidr, parse_ipv4

__all__ = ["SPECS", "parse_params", "parse_request"]


#: Whole numbers are taken within a signed 64-bit range and refused beyond it, as malformed
#: values. A choice, far beyond any count, page or mask the API takes (the sources give no
#: wire limit); refusing here also keeps every number printable: Python will not turn an int
#: of over 4,300 digits into text, not even for an error message.
_LONG = 2**63

#: How much of a refused value a message shows (a key or value may be 5,000 characters long).
_SHOW = 80


def _cut(text: str) -> str:
    """``text`` for a message, cut to ``_SHOW`` characters."""
    return text if len(text) <= _SHOW else f"{text[:_SHOW - 3]}..."


def _show(value: Any) -> str:
    """``repr(value)`` for a message, cut to ``_SHOW`` characters. A message must never fail,
    and repr can: an int of over 4,300 digits raises ValueError, even inside a list."""
    try:
        text = repr(value)
    except Exception:  # any object's repr may raise; the message then names the type only
        return f"<{type(value).__name__} too large to show>"
    return _cut(text)


def _int(value: Any) -> int | None:
    """``value`` as a whole number the API can carry (within a Long), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -_LONG <= value < _LONG else None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        # isdigit() alone takes "²" and other digits int() refuses. int() refuses over 4,300
        # characters, leading zeros included: it gets the significant digits only, at most 19.
        significant = digits.lstrip("0")
        if digits.isascii() and digits.isdigit() and len(significant) <= 19:
            number = int(significant or "0")
            number = -number if text[:1] == "-" else number
            return number if -_LONG <= number < _LONG else None
    return None


def p_str(name: str, value: Any) -> str:
    """Text, as given. Raises ApiError otherwise."""
    if not isinstance(value, str):
        raise api_error("InvalidParameter", name, f"expected text, got {_show(value)}")
    return value


def p_int(name: str, value: Any) -> int:
    """A whole number (an int, or its decimal text) within the 64-bit range (``_LONG``). Raises
    ApiError otherwise."""
    number = _int(value)
    if number is None:
        raise api_error("InvalidParameter", name, f"expected a whole number (64-bit), got {_show(value)}")
    return number


def p_count(name: str, value: Any) -> int:
    """SecondaryPrivateIpAddressCount: a whole number, with its own malformed-value code (also
    for one beyond the 64-bit range, see ``_LONG``). Raises ApiError otherwise."""
    number = _int(value)
    if number is None:
        raise api_error("InvalidSecondaryPrivateIpAddressCount.Malformed", _show(value))
    return number


def p_bool(name: str, value: Any) -> bool:
    """true or false (a bool, or its text in any case). Raises ApiError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise api_error("InvalidParameter", name, f"expected true or false, got {_show(value)}")


def p_ip(name: str, value: Any) -> int:
    """An IPv4 address, as an int. Raises ApiError otherwise."""
    # Text only: the parser's own error would repr a non-text value, which can fail (see _show).
    if isinstance(value, str):
        try:
            return parse_ipv4(value)
        except MalformedAddress:
            pass
    raise api_error("InvalidPrivateIpAddress.Malformed", _show(value))


def p_cidr(name: str, value: Any) -> Cidr:
    """A strict CIDR block. Raises ApiError otherwise."""
    if not isinstance(value, str):
        raise api_error("InvalidParameter", name, f"expected a CIDR block (a.b.c.d/n) as text, got {_show(value)}")
    try:
        return Cidr.parse(value)
    except MalformedCidr as exc:
        raise api_error("InvalidParameter", name, _cut(str(exc))) from None


def p_vswitch_cidr(name: str, value: Any) -> Cidr:
    """A vSwitch's CIDR block, with CreateVSwitch's own malformed-value code. Raises ApiError otherwise."""
    if isinstance(value, str):
        try:
            return Cidr.parse(value)
        except MalformedCidr:
            pass
    raise api_error("InvalidCidrBlock.Malformed", _show(value))


def p_prefix(name: str, value: Any) -> Cidr:
    """An IPv4 prefix (a CIDR block; each way it can be malformed has its own code). Raises ApiError otherwise."""
    if not isinstance(value, str) or value.count("/") != 1:
        raise api_error("InvalidIp.IpPrefixIllegal", _show(value))
    addr, _, mask = value.partition("/")
    try:
        parse_ipv4(addr)
    except MalformedAddress:
        raise api_error("InvalidIp.IpPrefixIllegal", _show(value)) from None
    # At most two digits, as the strict CIDR parser takes: int() of a 5,000-digit mask would
    # raise, and "028" would pass here only to be refused below under the wrong code.
    if not (mask.isascii() and mask.isdigit()) or len(mask) > 2 or int(mask) > 32:
        raise api_error("InvalidIp.IpPrefixMaskIllegal")
    try:
        return Cidr.parse(value)
    except MalformedCidr:
        raise api_error("InvalidIp.IpPrefixNotStrict", value) from None


def p_token(name: str, value: Any) -> str:
    """A ClientToken: 1 to 64 ASCII characters. Raises ApiError otherwise."""
    if not isinstance(value, str) or not value or len(value) > 64 or not value.isascii():
        raise api_error("InvalidParameter", name, "a ClientToken is 1 to 64 ASCII characters")
    return value


Kind = Callable[[str, Any], Any]


class Param:
    """One modelled parameter of an action: its API name, the request field it fills, how its
    value is parsed, whether it is required and whether it takes ``.N`` values."""

    __slots__ = ("api", "arg", "kind", "required", "many")

    def __init__(self, api: str, arg: str, kind: Kind, required: bool = False, many: bool = False):
        self.api, self.arg, self.kind, self.required, self.many = api, arg, kind, required, many


def _p(api, arg, kind, required=False):
    return Param(api, arg, kind, required)


def _n(api, arg, kind, required=False):
    return Param(api, arg, kind, required, many=True)


REGION = _p("RegionId", "region_id", p_str, True)
TOKEN = _p("ClientToken", "client_token", p_token)

SPECS: dict[str, tuple[Param, ...]] = {
    "CreateVpc": (REGION, TOKEN, _p("CidrBlock", "cidr_block", p_cidr), _p("VpcName", "vpc_name", p_str),
                  _p("Description", "description", p_str)),
    "CreateVSwitch": (REGION, TOKEN, _p("VpcId", "vpc_id", p_str, True), _p("ZoneId", "zone_id", p_str, True),
                      _p("CidrBlock", "cidr_block", p_vswitch_cidr, True), _p("VSwitchName", "vswitch_name", p_str),
                      _p("Description", "description", p_str)),
    "DescribeVSwitches": (REGION, _p("VpcId", "vpc_id", p_str), _p("VSwitchId", "vswitch_id", p_str),
                          _p("ZoneId", "zone_id", p_str), _p("PageNumber", "page_number", p_int),
                          _p("PageSize", "page_size", p_int)),
    "CreateVSwitchCidrReservation": (
        REGION, TOKEN, _p("VSwitchId", "vswitch_id", p_str, True),
        _p("VSwitchCidrReservationCidr", "vswitch_cidr_reservation_cidr", p_cidr),
        _p("VSwitchCidrReservationMask", "vswitch_cidr_reservation_mask", p_int),
        _p("IpVersion", "ip_version", p_str), _p("VSwitchCidrReservationType", "vswitch_cidr_reservation_type", p_str),
        _p("VSwitchCidrReservationName", "vswitch_cidr_reservation_name", p_str),
        _p("VSwitchCidrReservationDescription", "vswitch_cidr_reservation_description", p_str),
        _p("DryRun", "dry_run", p_bool),
    ),
    "ListVSwitchCidrReservations": (
        REGION, _p("VSwitchId", "vswitch_id", p_str, True),
        _n("VSwitchCidrReservationIds", "vswitch_cidr_reservation_ids", p_str), _p("IpVersion", "ip_version", p_str),
        _p("NextToken", "next_token", p_str), _p("MaxResults", "max_results", p_int),
    ),
    "GetVSwitchCidrReservationUsage": (
        REGION, _p("VSwitchCidrReservationId", "vswitch_cidr_reservation_id", p_str, True),
        _p("NextToken", "next_token", p_str), _p("MaxResults", "max_results", p_int),
    ),
    "CreateSecurityGroup": (REGION, TOKEN, _p("VpcId", "vpc_id", p_str), _p("SecurityGroupName", "security_group_name", p_str),
                            _p("Description", "description", p_str), _p("SecurityGroupType", "security_group_type", p_str)),
    "DescribeInstanceTypes": (REGION, _n("InstanceTypes", "instance_types", p_str),
                              _p("InstanceTypeFamily", "instance_type_family", p_str),
                              _p("NextToken", "next_token", p_str), _p("MaxResults", "max_results", p_int)),
    "RunInstances": (
        REGION, TOKEN, _p("InstanceType", "instance_type", p_str, True), _p("VSwitchId", "vswitch_id", p_str, True),
        _p("SecurityGroupId", "security_group_id", p_str), _n("SecurityGroupIds", "security_group_ids", p_str),
        _p("Amount", "amount", p_int), _p("ImageId", "image_id", p_str), _p("InstanceName", "instance_name", p_str),
        _p("ZoneId", "zone_id", p_str), _p("PrivateIpAddress", "private_ip_address", p_ip),
    ),
    "StartInstance": (_p("InstanceId", "instance_id", p_str, True),),
    "StopInstance": (_p("InstanceId", "instance_id", p_str, True), _p("ForceStop", "force_stop", p_bool)),
    "DeleteInstance": (_p("InstanceId", "instance_id", p_str, True), _p("Force", "force", p_bool)),
    "CreateNetworkInterface": (
        REGION, TOKEN, _p("VSwitchId", "vswitch_id", p_str, True), _p("SecurityGroupId", "security_group_id", p_str),
        _n("SecurityGroupIds", "security_group_ids", p_str), _p("PrimaryIpAddress", "primary_ip_address", p_ip),
        _p("SecondaryPrivateIpAddressCount", "secondary_private_ip_address_count", p_count),
        _n("PrivateIpAddress", "private_ip_address", p_ip), _n("Ipv4Prefix", "ipv4_prefix", p_prefix),
        _p("Ipv4PrefixCount", "ipv4_prefix_count", p_int), _p("NetworkInterfaceName", "network_interface_name", p_str),
        _p("Description", "description", p_str), _p("InstanceType", "instance_type", p_str),
    ),
    "AttachNetworkInterface": (REGION, _p("NetworkInterfaceId", "network_interface_id", p_str, True),
                               _p("InstanceId", "instance_id", p_str, True)),
    "DetachNetworkInterface": (REGION, _p("NetworkInterfaceId", "network_interface_id", p_str, True),
                               _p("InstanceId", "instance_id", p_str, True)),
    "DeleteNetworkInterface": (REGION, _p("NetworkInterfaceId", "network_interface_id", p_str, True)),
    "DescribeNetworkInterfaces": (
        REGION, _n("NetworkInterfaceId", "network_interface_id", p_str), _p("InstanceId", "instance_id", p_str),
        _p("VSwitchId", "vswitch_id", p_str), _p("VpcId", "vpc_id", p_str), _p("Type", "type", p_str),
        _p("Status", "status", p_str), _n("PrivateIpAddress", "private_ip_address", p_ip),
        _p("PageNumber", "page_number", p_int), _p("PageSize", "page_size", p_int),
        _p("NextToken", "next_token", p_str), _p("MaxResults", "max_results", p_int),
    ),
    "AssignPrivateIpAddresses": (
        REGION, TOKEN, _p("NetworkInterfaceId", "network_interface_id", p_str, True),
        _p("SecondaryPrivateIpAddressCount", "secondary_private_ip_address_count", p_count),
        _n("PrivateIpAddress", "private_ip_address", p_ip), _n("Ipv4Prefix", "ipv4_prefix", p_prefix),
        _p("Ipv4PrefixCount", "ipv4_prefix_count", p_int),
    ),
    "UnassignPrivateIpAddresses": (
        REGION, _p("NetworkInterfaceId", "network_interface_id", p_str, True),
        _n("PrivateIpAddress", "private_ip_address", p_ip), _n("Ipv4Prefix", "ipv4_prefix", p_prefix),
    ),
}

# The SDK models of the instance APIs have no RegionId (the endpoint names the region); simkit
# takes it when given and otherwise finds the instance's region.
for _action in ("StartInstance", "StopInstance", "DeleteInstance"):
    SPECS[_action] = (_p("RegionId", "region_id", p_str),) + SPECS[_action]

#: Per action: the documented names simkit accepts and ignores.
_IGNORED: dict[str, frozenset[str]] = {
    a: DOCUMENTED.get(a, frozenset()) - {p.api for p in spec} - {"DryRun"} for a, spec in SPECS.items()
}
_REQUIRED: dict[str, tuple[Param, ...]] = {a: tuple(p for p in spec if p.required) for a, spec in SPECS.items()}


#: Per action: API name -> (argument name, kind, takes .N values); the hot loop reads tuples.
_FAST: dict[str, dict[str, tuple[str, Kind, bool]]] = {
    a: {p.api: (p.arg, p.kind, p.many) for p in spec} for a, spec in SPECS.items()
}


#: The largest N of a ``Name.N`` key. A choice (32 bits), far beyond the few dozen items any
#: list of the API holds; an N beyond it is a malformed key rather than an int() of 5,000 digits.
_MAX_INDEX = 2**31 - 1


def _index(key: str, digits: str) -> int | None:
    """N of a ``Name.N`` key from its ASCII digits: None for 0 (not a list position, so the key
    is not a list item). Raises InvalidParameter naming the key for an N beyond ``_MAX_INDEX``."""
    significant = digits.lstrip("0")
    if not significant:
        return None
    if len(significant) > len(str(_MAX_INDEX)) or int(significant) > _MAX_INDEX:
        raise api_error("InvalidParameter", _cut(key), f"N must be a whole number from 1 to {_MAX_INDEX}")
    return int(significant)


def parse_params(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The typed fields of ``action``'s request (snake_case names) from API-named parameters.

    Raises ApiError: UnsupportedParameter (also for a key that is not text), MissingParameter,
    InvalidParameter (also for a ``Name.N`` key whose N is too large, or for two keys that
    give the same N, such as ``.1`` and ``.01``), or the parameter's own malformed-value code.
    """
    fast = _FAST[action]
    args: dict[str, Any] = {}
    # name -> N -> (key, parsed value); the key is kept to name both when one N comes twice.
    lists: dict[str, dict[int, tuple[str, Any]]] | None = None
    for key, value in params.items():
        entry = fast.get(key)
        if entry is not None:
            if value is None:
                continue
            arg, kind, many = entry
            if many:
                if not isinstance(value, (list, tuple)):
                    raise api_error("InvalidParameter", key, f"expected a list, or {key}.1, {key}.2, ...")
                args[arg] = [kind(f"{key}.{i}", v) for i, v in enumerate(value, 1)]
            elif kind is p_str and type(value) is str:
                args[arg] = value  # the common case, without a call
            else:
                args[arg] = kind(key, value)
            continue
        if not isinstance(key, str):
            raise api_error("UnsupportedParameter", _show(key), action)
        name, dot, index = key.partition(".")
        entry = fast.get(name) if dot else None
        if entry is not None and entry[2] and index.isascii() and index.isdigit():
            n = _index(key, index)
            if n is not None:
                if lists is None:
                    lists = {}
                items = lists.setdefault(name, {})
                if n in items:
                    # Keeping one would drop the other's value without a word.
                    raise api_error("InvalidParameter", _cut(key), f"{_cut(items[n][0])} already gives item {n} of {name}")
                items[n] = (key, entry[1](key, value))
                continue
        if name in _IGNORED[action]:
            continue
        if key == "DryRun" and "DryRun" in DOCUMENTED.get(action, ()):
            if value in (False, "false", "False"):
                continue
            raise api_error("UnsupportedParameter", "DryRun=true", f"{action} (simkit simulates DryRun only where noted)")
        raise api_error("UnsupportedParameter", _cut(key), action)
    if lists:
        for name, items in lists.items():
            arg = fast[name][0]
            if arg in args:
                raise api_error("InvalidParameter", name, f"give {name} as a list or as {name}.N, not both")
            args[arg] = [items[n][1] for n in sorted(items)]
    for param in _REQUIRED[action]:
        if param.arg not in args:
            raise api_error("MissingParameter", param.api)
    return args


def parse_request(action: str, params: Mapping[str, Any]) -> Any:
    """The typed request for ``Account.handle`` from API-named parameters.

    Raises ApiError: InvalidAction (also for an action that is not text), UnsupportedParameter,
    MissingParameter, InvalidParameter, or the parameter's own malformed-value code.
    """
    if not isinstance(action, str):
        raise api_error("InvalidAction", _show(action))
    request_type = REQUESTS.get(action)
    if request_type is None or action not in _FAST:
        raise api_error("InvalidAction", _cut(action))
    return request_type(**parse_params(action, params))
