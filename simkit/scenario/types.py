"""The value types of the scenario file: each is a pydantic ``Annotated`` type that checks one
value, parses it where it has a unit, says what is allowed (for messages, the key reference and
the JSON Schema alike), and refuses anything else with a ``Problem``.

Every type is a ``PlainValidator``: it replaces pydantic's own coercion, so ``"false"`` is not a
boolean, ``"28"`` is not a whole number and ``[pack]`` is not a choice, and every message is
written here once, in the words docs/scenario.md uses. pydantic supplies the structure around
them (sections, lists, tables, the workload's kinds) and the JSON Schema (``WithJsonSchema``).
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Annotated, Any, Callable, Iterable, NamedTuple

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from simkit.errors import quoted
from simkit.net import Cidr, MalformedCidr
from simkit.workloads import parse_duration, parse_rate

__all__ = ["Allowed", "CidrBlock", "Choice", "Duration", "Flag", "Number", "Problem", "Rate", "Table", "Text", "Whole",
           "allowed_of", "choice_problem", "near_miss", "seconds_text", "show"]


class Problem(ValueError):
    """What is wrong with a value: ``text`` says it (the value and what is allowed), ``at`` is
    the key path below the value pydantic was checking, for a problem found inside it (a key of a
    table, a field a section checks against another)."""

    def __init__(self, text: str, at: Iterable[str | int] = ()):
        super().__init__(text)
        self.text = text
        self.at = tuple(at)


class Allowed(NamedTuple):
    """What a value may be, in words (the "allowed" column of the key reference)."""

    text: str


def allowed_of(metadata: Iterable[Any]) -> str:
    """The ``Allowed`` text among a field's metadata ("" when it has none)."""
    return next((m.text for m in metadata if isinstance(m, Allowed)), "")


def show(value: Any) -> str:
    """``value`` as it would be typed, cut to 60 characters so a message stays one line
    (``simkit.errors.quoted``); null, true and false as YAML writes them."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return quoted(value)


def seconds_text(seconds: float) -> str:
    """A bound in seconds as a scenario would write it, with the seconds: ``"366d (31,622,400 s)"``,
    ``"1 s"``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit} ({seconds:,.0f} s)"
    return f"{seconds:g} s"


def _typed(base: type, check: Callable[[Any], Any], allowed: str, schema: dict) -> Any:
    return Annotated[base, PlainValidator(check), WithJsonSchema(schema), Allowed(allowed)]


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but `count: true` is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _range_text(lo: float | None, hi: float | None, fmt: str = ",") -> str:
    if lo is not None and hi is not None:
        return f" from {lo:{fmt}} to {hi:{fmt}}"
    if lo is not None:
        return f" from {lo:{fmt}}"
    return f" up to {hi:{fmt}}" if hi is not None else ""


def Whole(lo: int | None = None, hi: int | None = None) -> Any:
    """A whole number (not a boolean, not a string of digits) within [lo, hi]."""
    allowed = f"a whole number{_range_text(lo, hi)}"

    def check(value: Any) -> int:
        if not _is_int(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise Problem(f"expected {allowed}, got {show(value)}")
        return value

    schema: dict = {"type": "integer"}
    schema.update({} if lo is None else {"minimum": lo})
    schema.update({} if hi is None else {"maximum": hi})
    return _typed(int, check, allowed, schema)


def Number(lo: float = 0.0, hi: float | None = None) -> Any:
    """A finite number within [lo, hi], as a float. NaN is refused by name: every comparison
    with it is false, so a range check alone would let it through."""
    allowed = f"a finite number{_range_text(lo, hi, 'g')}"

    def check(value: Any) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        number = math.nan
        if ok:
            try:
                number = float(value)
            except OverflowError:  # an int too large for a float
                number = math.inf
        if not (ok and math.isfinite(number) and number >= lo and (hi is None or number <= hi)):
            raise Problem(f"expected {allowed}, got {show(value)}")
        return number

    schema: dict = {"type": "number", "minimum": lo}
    schema.update({} if hi is None else {"maximum": hi})
    return _typed(float, check, allowed, schema)


#: Durations and rates as a scenario writes them (simkit.workloads.units): the JSON Schema's
#: patterns for editors; the parsers are the authority.
_NUMBER = r"[0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?"
_DURATION_PATTERN = rf"^\s*{_NUMBER}\s*[smhd]?\s*$"
_RATE_PATTERN = rf"^\s*{_NUMBER}\s*(/\s*[smhd])?\s*$"


def Duration(positive: bool = True, least: float | None = None, most: float | None = None, *,
             text: str | None = None, nullable: bool = False) -> Any:
    """A duration: seconds as a number, or a number with a unit (``30s``, ``10m``, ``1.5h``,
    ``1d``), parsed to seconds; longer than 0 when ``positive``, within [least, most] seconds
    for the bounds given. Out of bounds, the message gives the value in seconds and the range,
    e.g. "'1e300d' is 8.64e+304 s; allowed: longer than 0 and at most 366d (31,622,400 s)".
    ``text`` says the range in words where a rule across keys narrows it (``sample_every``);
    ``nullable`` adds "(or null)" where the key takes null."""
    bounds = [f"at least {seconds_text(least)}" if least is not None else "longer than 0" if positive else "0 or longer"]
    bounds += [f"at most {seconds_text(most)}"] if most is not None else []
    bound_text = text or " and ".join(bounds)
    if nullable:
        bound_text += " (or null)"
    allowed = "a duration (`90`, `30s`, `10m`, `1.5h`, `1d`)" + (f", {bound_text}" if bound_text else "")

    def check(value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # An int too large for a float is as far from finite as infinity.
            number = float(value) if not isinstance(value, int) or abs(value) < 10 ** 300 else (
                math.inf if value > 0 else -math.inf)
            if math.isnan(number):
                raise Problem(f"nan is not a number of seconds; allowed: {bound_text}")
            if math.isinf(number):
                raise Problem(f"{show(value)} is not a finite number of seconds; allowed: {bound_text}")
            if number < 0:
                raise Problem(f"{show(value)} is {number:,.10g} s; allowed: {bound_text}")
        elif isinstance(value, str) and value.strip().startswith("-"):
            try:
                magnitude = parse_duration(value.strip()[1:])
            except ValueError:
                magnitude = None
            if magnitude is not None:
                raise Problem(f"{show(value)} is {-magnitude:,.10g} s; allowed: {bound_text}")
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise Problem(str(exc)) from None
        if positive and seconds <= 0 and least is None:
            raise Problem(f"must be longer than 0, got {show(value)}")
        if (least is not None and seconds < least) or (most is not None and seconds > most):
            raise Problem(f"{show(value)} is {seconds:,.10g} s; allowed: {bound_text}")
        return seconds

    number: dict = {"type": "number", "minimum": least if least is not None else 0}
    if positive and least is None:
        number = {"type": "number", "exclusiveMinimum": 0}
    number.update({} if most is None else {"maximum": most})
    return _typed(float, check, allowed, {"anyOf": [number, {"type": "string", "pattern": _DURATION_PATTERN}]})


def Rate() -> Any:
    """Events per second: a number, or ``<n>/s``, ``/m``, ``/h``, ``/d``."""

    def check(value: Any) -> float:
        try:
            return parse_rate(value)
        except ValueError as exc:
            raise Problem(str(exc)) from None

    schema = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": _RATE_PATTERN}]}
    return _typed(float, check, "a rate: per second as a number, or `0.5/s`, `30/m`, `100/h`, `1000/d`", schema)


def ArrivalRate() -> Any:
    """A rate (``Rate``), or a schedule of rates: a mapping of durations to rates
    (``{0d: 1/s, 30d: 1.5/s}``), parsed to ``((seconds, rate), ...)`` by rising time."""
    allowed = ("a rate: per second as a number, or `0.5/s`, `30/m`, `100/h`, `1000/d`; or a schedule of rates by "
               "time (`{0d: 1/s, 30d: 1.5/s}`: linear between the times, constant after the last)")

    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            try:
                return parse_rate(value)
            except ValueError as exc:
                raise Problem(str(exc)) from None
        if not value:
            raise Problem(f"a schedule needs at least one time; allowed: {allowed}")
        points = []
        for key, rate in value.items():
            try:
                t = parse_duration(key) if not isinstance(key, bool) else None
            except ValueError:
                t = None
            if t is None:
                raise Problem(f"{show(key)} is not a time of the run (a duration: `0d`, `14d`, `12h`); allowed: {allowed}")
            try:
                points.append((t, parse_rate(rate)))
            except ValueError as exc:
                raise Problem(f"at {show(key)}: {exc}") from None
        points.sort()
        if len({t for t, _ in points}) != len(points):
            raise Problem(f"a time is given twice; allowed: {allowed}")
        return tuple(points)

    rate = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": _RATE_PATTERN}]}
    schema = {"anyOf": [*rate["anyOf"], {"type": "object", "additionalProperties": rate, "minProperties": 1}]}
    return _typed(object, check, allowed, schema)


_GROWTH = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%\s*/\s*(\S+)\s*$")
_GROWTH_UNITS = {"day": 86400.0, "week": 7 * 86400.0}


def Growth() -> Any:
    """A compound growth rate: ``+5%/week``, ``-1%/day``, ``+20%/30d``, parsed to
    ``(fraction, period in seconds)``."""
    allowed = "a growth rate: a signed percentage per period, `+5%/week`, `-1%/day`, `+20%/30d` (compounded)"

    def check(value: Any) -> tuple[float, float]:
        match = _GROWTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise Problem(f"{show(value)} is not understood; allowed: {allowed}")
        fraction = float(match.group(1)) / 100
        unit = match.group(2)
        try:
            period = _GROWTH_UNITS[unit] if unit in _GROWTH_UNITS else parse_duration(unit)
        except ValueError:
            raise Problem(f"{show(value)}: the period {show(unit)} is not understood; allowed: {allowed}") from None
        if period <= 0 or fraction <= -1:
            raise Problem(f"{show(value)} is out of range; allowed: {allowed}, more than -100 % and a period longer than 0")
        return fraction, period

    schema = {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*%\s*/\s*\S+\s*$"}
    return _typed(tuple, check, allowed, schema)


def Text(allowed: str = "non-empty text") -> Any:
    """A non-empty string."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise Problem(f"expected {allowed}, got {show(value)}")
        return value

    return _typed(str, check, allowed, {"type": "string", "minLength": 1})


def Choice(values: Iterable[str], what: str = "") -> Any:
    """One of the strings ``values`` (listed in that order). Anything else, a list or a mapping
    included, is refused rather than looked up; a near miss is named ("did you mean ...?").
    ``what`` names what the values are ("a region simkit knows"), for the message."""
    values = tuple(values)

    def check(value: Any) -> str:
        if isinstance(value, str) and value in values:
            return value
        raise Problem(choice_problem(value, values, what))

    return _typed(str, check, f"one of {', '.join(f'`{v}`' for v in values)}", {"enum": list(values)})


def near_miss(value: Any, values: Any, cutoff: float = 0.8) -> str:
    """" (did you mean X?)" when ``value`` looks like a typo of one of ``values`` (difflib's
    ratio at least ``cutoff``), else ""."""
    near = difflib.get_close_matches(value, list(values), n=1, cutoff=cutoff) if isinstance(value, str) else []
    return f" (did you mean {near[0]}?)" if near else ""


def choice_problem(value: Any, values: tuple[str, ...], what: str = "") -> str:
    """The message for ``value`` that is none of ``values``: "'eni' is unknown; allowed: ...",
    with the closest value named when the value looks like a typo of it."""
    return (f"{show(value)} is {'not ' + what if what else 'unknown'}{near_miss(value, values)}; "
            f"allowed: {', '.join(values)}")


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Problem(f"expected true or false, got {show(value)}")
    return value


#: ``true`` or ``false``; ``"false"`` (a string) and 0 are refused, not read as a boolean.
Flag = _typed(bool, _flag, "`true` or `false`", {"type": "boolean"})


def _cidr(value: Any) -> Cidr:
    try:
        return Cidr.parse(value)
    except MalformedCidr as exc:
        raise Problem(str(exc)) from None


#: An IPv4 CIDR block with no host bits (``10.0.0.0/24``).
CidrBlock = Annotated[_typed(Cidr, _cidr, "an IPv4 CIDR block with no host bits, e.g. `10.0.0.0/24`",
                             {"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$"}),
                      PlainSerializer(str)]


def Table(keys: tuple[str, ...], key_what: str, value: Any, what: str) -> Any:
    """A mapping from the strings ``keys`` (``key_what`` names them, e.g. "an API action simkit
    models") to values of the type ``value`` (one of the types above); ``what`` says what the
    table maps, for the message of a value that is not a mapping."""
    check_value = next(m for m in value.__metadata__ if isinstance(m, PlainValidator)).func
    value_allowed = allowed_of(value.__metadata__)
    value_schema = next(m for m in value.__metadata__ if isinstance(m, WithJsonSchema)).json_schema

    def check(table: Any) -> dict:
        if not isinstance(table, dict):
            raise Problem(f"expected a mapping of {what}, got {show(table)}")
        out = {}
        for key, item in table.items():
            if not isinstance(key, str) or key not in keys:
                raise Problem(choice_problem(key, keys, key_what), at=(str(key),))
            try:
                out[key] = check_value(item)
            except Problem as exc:
                raise Problem(exc.text, at=(key, *exc.at)) from None
        return out

    schema = {"type": "object", "propertyNames": {"enum": list(keys)}, "additionalProperties": value_schema}
    return _typed(dict, check, f"a mapping of {what}: each {value_allowed}", schema)
