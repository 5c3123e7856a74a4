"""Read API-call workloads: simkit's own JSONL and ActionTrail event records.

Formats are told apart by content, not by file name:

* JSONL (one JSON object a line; blank lines and ``#`` lines skipped), each line either a simkit
  record ``{"time", "action", "params", "creates"?}``, an ActionTrail event record, or an
  SLS-wrapped event ``{"event": {...}}``. Read lazily, line by line.
* One JSON document: an array of records, ``{"Events": [...]}`` (ActionTrail LookupEvents
  output), or a single pretty-printed record. Read whole (JSON has no lazy parser in the
  standard library), then yielded record by record.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone

from simkit.workloads.files import cut, not_utf8, open_text
from simkit.workloads.records import ApiCall, WorkloadError

#: Keys that ActionTrail copies into ``requestParameters`` from the gateway, the signature and
#: the caller's identity. They are not parameters of the API action, and replaying them would
#: make the model refuse the call or ignore it silently. ``RegionId`` is an API parameter and is
#: kept. Any key starting with ``_`` is dropped too (internal gateway fields).
GATEWAY_KEYS = (
    "RequestId",
    "SignatureType",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Signature",
    "AccessKeyId",
    "Timestamp",
    "Format",
    "Version",
    "Action",
    "SecurityToken",
    "stsTokenPlayerUid",
    "callerUid",
    "callerType",
    "callerBid",
    "AcsHost",
    "AppKey",
    "Product",
)
_GATEWAY = frozenset(GATEWAY_KEYS)

#: Which response key holds the id a logged call created, per action. Keyed by action because
#: responses also echo parent ids: CreateNetworkInterface returns VpcId and VSwitchId, which it
#: did not create, and a replay must not map them as new resources.
CREATED_IDS = {
    "CreateNetworkInterface": "NetworkInterfaceId",
    "CreateVSwitch": "VSwitchId",
    "CreateVpc": "VpcId",
    "CreateSecurityGroup": "SecurityGroupId",
    "CreateVSwitchCidrReservation": "VSwitchCidrReservationId",
    "RunInstances": "InstanceIdSets.InstanceIdSet",
}

_ISO_HELP = "an ISO-8601 UTC time such as 2020-01-09T12:12:14Z"

#: The deepest JSON nesting a record may have. An ActionTrail record is about five levels deep;
#: Python's JSON parser gives up near 1,000 (RecursionError), and anything that walks a value
#: recursively later (repr in a message, pickling for a sweep) would give up on less. A fixed
#: limit well below both makes the refusal the same on every machine and in every caller.
MAX_JSON_DEPTH = 100
#: The most distinct action names a log may use. A run records action names in a 16-bit column
#: (``simkit.engine.recorder``: 0 is reserved for the empty name, so 65,535 more fit); ECS has a
#: few hundred actions, so a log over this is not a log of ECS calls. Refused here, with the
#: record that passes it, rather than widened there: it is a file that is not what it claims.
MAX_ACTION_NAMES = 65_535


def read_api_calls(path: str | os.PathLike) -> Iterator[ApiCall]:
    """Yield the API calls in ``path`` in file order, with times relative to the first call.

    Accepts simkit JSONL, ActionTrail JSONL, a JSON array of ActionTrail records, LookupEvents
    output ``{"Events": [...]}`` and SLS-wrapped records ``{"event": {...}}`` (see the module
    docstring). ActionTrail records whose ``eventType`` is not ``ApiCall`` are skipped; records
    with an ``errorCode`` are kept (the model decides the outcome).

    Raises WorkloadError (naming file, line or record, and field) for a file that cannot be
    opened or is not UTF-8 text, text that is not JSON, JSON nested more than
    ``MAX_JSON_DEPTH`` (100) levels deep, a record of neither format, a bad time (not a finite
    number of seconds, or not ISO-8601), a time earlier than the previous call's, and a log of
    more than ``MAX_ACTION_NAMES`` (65,535) distinct action names. Errors surface while
    iterating, since reading is lazy. Bad values inside ``params`` are not refused here: they
    are the model's to refuse, as ApiErrors of the replayed call.

    >>> for call in read_api_calls("data/samples/api-calls.jsonl"):  # doctest: +SKIP
    ...     print(call.time, call.action)
    """
    name = os.fspath(path)
    clock = _Clock(name)
    with open_text(name) as stream:
        # Zero-cost until raised: the decoder fails inside the reads below, wherever they are.
        try:
            first_line, first_text = 0, ""
            for lineno, raw in enumerate(stream, 1):
                text = raw.strip()
                if text and not text.startswith("#"):
                    first_line, first_text = lineno, text
                    break
            if not first_text:
                return
            first = _try_json(first_text)
            if isinstance(first, dict) and "Events" not in first:
                # JSONL: this line and every following one is a record.
                if _brackets(first_text) > MAX_JSON_DEPTH:
                    _shallow(first, name, f"line {first_line}")
                yield from _calls([(first_line, first)], name, "line", clock)
                yield from _calls(_jsonl(stream, name, first_line), name, "line", clock)
                return
            # One document. Blank the leading comment lines so JSON's positions are file lines.
            stream.seek(0)
            text = stream.read().lstrip("\ufeff")
        except UnicodeDecodeError:
            raise not_utf8(name) from None
    lines = text.split("\n")
    document = "\n" * (first_line - 1) + "\n".join(lines[first_line - 1 :])
    try:
        data = json.loads(document)
    except json.JSONDecodeError as exc:
        if first_text.startswith("{") and first_text.endswith("}"):
            # Looks like a JSONL line of its own: its own error is the useful one.
            _raise_json(name, first_line, first_text)
        raise WorkloadError(
            f"{name}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
            f"{_mask_hint(lines[exc.lineno - 1] if exc.lineno <= len(lines) else '')}"
        ) from None
    except RecursionError:
        raise _too_deep(name, f"line {first_line}") from None
    except ValueError:  # not a JSONDecodeError: an integer of thousands of digits
        raise _too_long(name, f"line {first_line}", document, document=True) from None
    if isinstance(data, dict) and "Events" in data:
        records = data["Events"]
        if not isinstance(records, list):
            raise WorkloadError(f"{name}: field 'Events' must be a list of event records, got {_kind(records)}")
    elif isinstance(data, list):
        records = data
    else:
        records = [data]
    # One bracket count of the whole document clears the usual file; otherwise each record is
    # measured as it comes.
    deep = _brackets(document) > MAX_JSON_DEPTH
    yield from _calls(((i, _shallow(r, name, f"record {i}") if deep else r) for i, r in enumerate(records, 1)),
                      name, "record", clock)


def _brackets(text: str) -> int:
    """The opening brackets in ``text``: a bound on its JSON depth, counted in C."""
    return text.count("{") + text.count("[")


def _depth(value) -> int:
    """How deeply ``value`` (parsed JSON) nests: 0 for a scalar, 1 for a flat list or object.
    Walked with a stack of its own, so that no depth can exhaust Python's."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in item)
    return deepest


def _too_deep(name: str, where: str) -> WorkloadError:
    return WorkloadError(
        f"{name}, {where}: JSON nested more than {MAX_JSON_DEPTH} levels deep; allowed: at most "
        f"{MAX_JSON_DEPTH} (a record of an API call is a few levels deep)"
    )


def _too_long(name: str, where: str, text: str, document: bool = False) -> WorkloadError:
    """The error for ``text``, which holds an integer of more digits than Python reads
    (``sys.get_int_max_str_digits()``, 4,300 by default): how many digits the first such run
    has, and, in a whole ``document``, its line and column (``where`` otherwise)."""
    limit = sys.get_int_max_str_digits()
    match = re.search(r"\d{%d,}" % (limit + 1), text) if limit else None
    digits = f"more than {limit:,}"
    if match is not None:
        digits = f"{len(match.group()):,}"
        if document:
            start = text.rfind("\n", 0, match.start()) + 1
            line = text.count("\n", 0, start) + 1
            where = f"line {line}, column {match.start() - start + 1}"
    return WorkloadError(
        f"{name}, {where}: a number of {digits} digits; allowed: at most {limit:,} digits (Python reads "
        f"no longer integers)"
    )


def _shallow(value, name: str, where: str):
    """``value`` if it nests at most ``MAX_JSON_DEPTH`` levels; WorkloadError otherwise."""
    if _depth(value) > MAX_JSON_DEPTH:
        raise _too_deep(name, where)
    return value


def _loads(text: str, name: str, where: str):
    """``json.loads(text)``, refusing nesting deeper than ``MAX_JSON_DEPTH`` (WorkloadError);
    JSONDecodeError is the caller's. The bracket count clears almost every text at C speed."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(name, where) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of thousands of digits
        raise _too_long(name, where, text) from None
    return _shallow(value, name, where) if _brackets(text) > MAX_JSON_DEPTH else value


def _try_json(text: str):
    """``text`` parsed, or None: only to tell JSONL from one document, whose own reading
    reports what is wrong."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return None


def _mask_hint(line: str) -> str:
    # Alibaba's documented samples mask digits as "****", which leaves bare numbers invalid.
    if "****" in line:
        return "; masked values such as 165266556947**** must be quoted or removed"
    return ""


def _raise_json(name: str, lineno: int, text: str):
    try:
        _loads(text, name, f"line {lineno}")
    except json.JSONDecodeError as exc:
        raise WorkloadError(
            f"{name}, line {lineno}, column {exc.colno}: not valid JSON ({exc.msg}){_mask_hint(text)}"
        ) from None


def _jsonl(stream, name: str, after: int):
    for lineno, raw in enumerate(stream, after + 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            yield lineno, _loads(text, name, f"line {lineno}")
        except json.JSONDecodeError as exc:
            raise WorkloadError(
                f"{name}, line {lineno}, column {exc.colno}: not valid JSON ({exc.msg}){_mask_hint(text)}"
            ) from None


class _Clock:
    """Turns each record's time into seconds since the first call, and refuses going back. It is
    the state of one reading of a log, so it also keeps the action names seen (``actions``)."""

    __slots__ = ("name", "kind", "origin", "last", "last_where", "actions")

    def __init__(self, name: str):
        self.name = name
        self.actions: set[str] = set()
        self.kind = None  # "seconds" or "iso": one file must not mix them
        self.origin = None
        self.last = 0.0
        self.last_where = ""

    def relative(self, value, where: str, field: str) -> float:
        """Seconds since the log's first call. Raises WorkloadError for a bad or mixed time."""
        if isinstance(value, str):
            kind, absolute = "iso", _parse_iso(value, self.name, where, field)
        else:
            kind, absolute = "seconds", _finite(value)
            if absolute is None:
                raise WorkloadError(
                    f"{self.name}, {where}: field '{field}' is {_shown(value)}; allowed: seconds as a finite "
                    f"number or {_ISO_HELP}"
                )
        if self.kind is None:
            self.kind, self.origin = kind, absolute
        elif kind != self.kind:
            raise WorkloadError(
                f"{self.name}, {where}: field '{field}' is {_shown(value)}, but earlier records use "
                f"{'seconds as numbers' if self.kind == 'seconds' else 'ISO-8601 times'}; use one form in a file"
            )
        t = absolute - self.origin
        if kind == "iso":
            t = t.total_seconds()
        elif not math.isfinite(t):  # each finite, but 1e308 after -1e308 is not
            raise WorkloadError(
                f"{self.name}, {where}: field '{field}' is {_shown(value)} and the first call's {self.origin:.15g}; "
                f"allowed: times less than {sys.float_info.max:.3g} s apart"
            )
        if t < self.last:
            raise WorkloadError(
                f"{self.name}, {where}: field '{field}' ({_shown(value)}) is {self.last - t:.15g} s before "
                f"the previous call ({self.last_where}); calls must be in time order — sort the "
                "records by time (LookupEvents can return the newest first: reverse those)"
            )
        self.last, self.last_where = t, where
        return t


def _finite(value) -> float | None:
    """``value`` as a float if it is a finite JSON number (not a bool); None otherwise. An
    integer too large for a float (400 digits) is not finite: ``float()`` raises for it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _parse_iso(value: str, name: str, where: str, field: str) -> datetime:
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        allowed = _ISO_HELP
        if field == "time":  # simkit's own records also take seconds, as a JSON number
            allowed = f"seconds as a finite number or {_ISO_HELP}"
            if _finite(_float_or_none(text)) is not None:
                allowed = f"seconds as a JSON number, written without quotes, or {_ISO_HELP}"
        raise WorkloadError(f"{name}, {where}: field '{field}' is {_shown(value)}; allowed: {allowed}") from None
    # ActionTrail times are UTC; a time without an offset is read as UTC too.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _shown(value) -> str:
    """A JSON value as a message quotes it: null, true and false as JSON writes them, anything
    else as ``cut`` does (a string in quotes, cut to 60 characters)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return cut(value)


def _kind(value) -> str:
    """What a parsed JSON value is, in JSON's words: "an array", not "list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _calls(records, name: str, unit: str, clock: _Clock) -> Iterator[ApiCall]:
    actions = clock.actions
    for index, record in records:
        where = f"{unit} {index}"
        call = _call(record, name, where, index, clock)
        if call is not None:
            if call.action not in actions:
                if len(actions) == MAX_ACTION_NAMES:
                    field = "action" if "action" in record else "eventName"
                    raise WorkloadError(
                        f"{name}, {where}: field '{field}' ({cut(call.action)}) is distinct action name number "
                        f"{MAX_ACTION_NAMES + 1:,} in the log; allowed: at most {MAX_ACTION_NAMES:,} (ECS has a "
                        f"few hundred actions; a run records action names in a 16-bit column)"
                    )
                actions.add(call.action)
            yield call


def _call(record, name: str, where: str, index: int, clock: _Clock) -> ApiCall | None:
    if not isinstance(record, dict):
        raise WorkloadError(f"{name}, {where}: expected a JSON object (a call or an event record), got {_kind(record)}")
    if "event" in record and "eventName" not in record and "action" not in record:
        record = _as_dict(record["event"], name, where, "event")  # SLS wraps the event record
    if "eventName" in record:
        return _actiontrail(record, name, where, index, clock)
    if "action" in record:
        return _simkit(record, name, where, index, clock)
    raise WorkloadError(
        f"{name}, {where}: record has neither 'action' (simkit JSONL) nor 'eventName' "
        f"(ActionTrail); keys found: {', '.join(map(str, record)) or 'none'}"
    )


def _simkit(record: dict, name: str, where: str, index: int, clock: _Clock) -> ApiCall:
    action = _action(record, "action", name, where)
    if "time" not in record:
        raise WorkloadError(f"{name}, {where}: field 'time' is missing; allowed: seconds as a number or {_ISO_HELP}")
    params = _as_dict(record.get("params", {}), name, where, "params")
    creates = _as_dict(record.get("creates", {}), name, where, "creates")
    time = clock.relative(record["time"], where, "time")
    return ApiCall(time, action, _strip(params), dict(creates), index)


def _actiontrail(record: dict, name: str, where: str, index: int, clock: _Clock) -> ApiCall | None:
    if "eventType" not in record:
        raise WorkloadError(f"{name}, {where}: field 'eventType' is missing; ActionTrail records carry it (ApiCall, ConsoleSignin, ...)")
    if record["eventType"] != "ApiCall":
        return None  # console sign-ins, service events: not API calls to replay
    action = _action(record, "eventName", name, where)
    if "eventTime" not in record:
        raise WorkloadError(f"{name}, {where}: field 'eventTime' is missing; allowed: {_ISO_HELP}")
    if not isinstance(record["eventTime"], str):
        raise WorkloadError(f"{name}, {where}: field 'eventTime' is {_shown(record['eventTime'])}; allowed: {_ISO_HELP}")
    params = _as_dict(record.get("requestParameters") or {}, name, where, "requestParameters")
    response = _as_dict(record.get("responseElements") or {}, name, where, "responseElements")
    time = clock.relative(record["eventTime"], where, "eventTime")
    return ApiCall(time, action, _strip(params), _created(action, response), index)


def _action(record: dict, field: str, name: str, where: str) -> str:
    action = record.get(field)
    if not isinstance(action, str) or not action:
        raise WorkloadError(f"{name}, {where}: field '{field}' is {_shown(action)}; allowed: an API action name such as 'AssignPrivateIpAddresses'")
    return action


def _as_dict(value, name: str, where: str, field: str) -> dict:
    # SLS stores nested JSON as strings; accept either form.
    if isinstance(value, str):
        try:
            value = _loads(value, name, f"{where}, field '{field}'")
        except json.JSONDecodeError as exc:
            raise WorkloadError(f"{name}, {where}: field '{field}' is a string that is not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise WorkloadError(f"{name}, {where}: field '{field}' must be a JSON object, got {_kind(value)}")
    return value


def _strip(params: dict) -> dict:
    return {key: value for key, value in params.items() if key not in _GATEWAY and not key.startswith("_")}


def _created(action: str, response: dict) -> dict:
    key = CREATED_IDS.get(action)
    if key is None:
        return {}
    if key == "InstanceIdSets.InstanceIdSet":
        sets = response.get("InstanceIdSets")
        ids = sets.get("InstanceIdSet") if isinstance(sets, dict) else response.get(key)
        return {key: list(ids)} if isinstance(ids, list) and ids else {}
    value = response.get(key)
    return {key: value} if isinstance(value, str) and value else {}
