"""Instance-type limits and region capabilities: the facts simkit's rules read.

It imports only the standard library and the address space's facts (the 16 addresses of a
/28 prefix), and everything in it is immutable once loaded.

- ``load_catalog()`` reads ``data/instance_types.csv`` (built from the team's
  sourced table; see ``data/SOURCES.md``) into a :class:`Catalog` of
  :class:`InstanceType` values.
- ``REGIONS``, ``PREFIX_REGIONS`` and ``supports_ipv4_prefix()`` say which
  Alibaba Cloud regions exist and which of them support IPv4 prefixes on ENIs.
- ``ZONES`` (read from ``data/zones.csv``), ``zones_of()``, ``is_zone_of()`` and
  ``default_zone()`` say which zones a region has, as far as the sources give them.

Example::

    >>> cat = load_catalog()
    >>> t = cat.require_ip_limits("ecs.g7.large")
    >>> (t.eni_quantity, t.private_ipv4_per_eni, t.max_pods_secondary_ip)
    (3, 6, 12)
"""

from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from simkit.net.states import BLOCK

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "DEFAULT_ZONES_PATH",
    "PREFIX_REGIONS",
    "REGIONS",
    "ZONES",
    "Catalog",
    "InstanceType",
    "IpLimitsUnknown",
    "UnknownInstanceType",
    "default_zone",
    "is_zone_of",
    "load_catalog",
    "load_zones",
    "supports_ipv4_prefix",
    "zones_of",
]

DEFAULT_CATALOG_PATH = Path(__file__).resolve().parent.parent / "data" / "instance_types.csv"


# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class InstanceType:
    """One ECS instance type and its network limits, as its source documents them.

    ``eni_quantity`` counts the primary ENI; ``private_ipv4_per_eni`` counts the
    ENI's primary IP, and every /28 prefix on the ENI takes one of these slots.
    A limit is ``None`` when the source does not give it.
    """

    name: str
    family: str
    vcpu: int
    memory_gib: float
    eni_quantity: int | None
    private_ipv4_per_eni: int | None
    ipv6_per_eni: int | None
    eni_total_quantity: int | None
    eni_trunk_supported: bool | None
    source: str
    notes: str

    @property
    def ip_limits_known(self) -> bool:
        """True when both the ENI count and the private IPv4 count per ENI are known."""
        return self.eni_quantity is not None and self.private_ipv4_per_eni is not None

    @property
    def max_pods_secondary_ip(self) -> int | None:
        """Pods a node of this type can address in Terway's shared-ENI multi-IP mode.

        ``(eni_quantity - 1) * private_ipv4_per_eni``: Terway keeps the primary ENI
        for the node, and uses every address of the other ENIs, their primary IPs
        included (Terway ``pkg/aliyun/client/limit.go``). Host-network pods, which
        ACK's Karpenter adds on top (+3), are not counted. ``None`` when the limits
        are unknown.

        >>> load_catalog().get("ecs.g7.large").max_pods_secondary_ip
        12
        """
        if self.eni_quantity is None or self.private_ipv4_per_eni is None:
            return None
        return (self.eni_quantity - 1) * self.private_ipv4_per_eni

    @property
    def max_pods_prefix(self) -> int | None:
        """Pods a node of this type can address in prefix mode.

        ``(eni_quantity - 1) * (private_ipv4_per_eni - 1) * 16``: each secondary ENI keeps one
        slot for its primary IP and fills the rest with /28 prefixes of 16 addresses (Terway).
        ``None`` when the limits are unknown.

        >>> load_catalog().get("ecs.g7.large").max_pods_prefix
        160
        """
        if self.eni_quantity is None or self.private_ipv4_per_eni is None:
            return None
        return (self.eni_quantity - 1) * (self.private_ipv4_per_eni - 1) * BLOCK


class UnknownInstanceType(ValueError):
    """The catalog has no instance type of this name.

    ``.name`` is the name asked for; ``.suggestions`` holds up to three close
    names from the catalog, best first.
    """

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        message = f"unknown instance type {name!r}"
        if self.suggestions:
            message += f"; did you mean {_or_list(self.suggestions)}?"
        super().__init__(message)

    def __reduce__(self):
        # Rebuild from the fields, not the message, so the error survives the
        # pickling that process pools and Dask workers apply to exceptions.
        return (type(self), (self.name, self.suggestions))


class IpLimitsUnknown(ValueError):
    """The instance type exists, but its source gives no ENI or per-ENI IPv4 count.

    Raised where IP limits matter (placing ENIs and addresses on an instance),
    because guessing a limit would make every capacity figure built on it wrong.
    ``.name`` is the instance type.
    """

    def __init__(self, name: str, missing: Iterable[str] = ("private_ipv4_per_eni",)) -> None:
        self.name = name
        self.missing = tuple(missing)
        what = " or ".join(_MISSING_WORDS.get(m, m) for m in self.missing)
        super().__init__(
            f"instance type {name!r} has no {what} in its source data, "
            "so it cannot be used where IP limits matter"
        )

    def __reduce__(self):
        return (type(self), (self.name, self.missing))


_MISSING_WORDS = {
    "eni_quantity": "ENI count",
    "private_ipv4_per_eni": "per-ENI private IPv4 count",
}


def _or_list(items: tuple[str, ...]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


# --------------------------------------------------------------------------- catalog


class Catalog:
    """The instance types simkit knows, in the order of their file.

    >>> cat = load_catalog()
    >>> "ecs.g7.large" in cat, cat.get("ecs.g7.large").eni_quantity
    (True, 3)
    """

    __slots__ = ("_by_name", "_by_lower_name")

    def __init__(self, types: Iterable[InstanceType]) -> None:
        """Build a catalog; raises ValueError if two types share a name."""
        by_name: dict[str, InstanceType] = {}
        for itype in types:
            if itype.name in by_name:
                raise ValueError(f"duplicate instance type {itype.name!r}")
            by_name[itype.name] = itype
        self._by_name = by_name
        # Suggestions compare lower-cased names, so 'ecs.G7.Large' still finds
        # ecs.g7.large; the lookup itself stays exact, as the API's is.
        self._by_lower_name = {name.lower(): name for name in by_name}

    def get(self, name: str) -> InstanceType:
        """Return the instance type called ``name``.

        Raises UnknownInstanceType (a ValueError) naming up to three close names.
        """
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownInstanceType(name, self._suggest(name, limits_known=False)) from None

    def require_ip_limits(self, name: str) -> InstanceType:
        """Return the instance type ``name``, which must have both IP limits known.

        Raises UnknownInstanceType if there is no such type, and IpLimitsUnknown if
        its source gives no ENI count or no private IPv4 count per ENI.
        """
        try:
            itype = self._by_name[name]
        except (KeyError, TypeError):
            # Suggest only what would be accepted here: a type whose IP limits are known.
            raise UnknownInstanceType(name, self._suggest(name, limits_known=True)) from None
        if not itype.ip_limits_known:
            missing = [
                field
                for field in ("eni_quantity", "private_ipv4_per_eni")
                if getattr(itype, field) is None
            ]
            raise IpLimitsUnknown(itype.name, missing)
        return itype

    def names(self) -> tuple[str, ...]:
        """All instance-type names, in file order."""
        return tuple(self._by_name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    def __len__(self) -> int:
        return len(self._by_name)

    def __iter__(self) -> Iterator[InstanceType]:
        return iter(self._by_name.values())

    def __repr__(self) -> str:
        known = sum(1 for t in self if t.ip_limits_known)
        return f"<Catalog: {len(self)} instance types, {known} with IP limits known>"

    def source_dates(self) -> dict[str, int]:
        """How many instance types each date cited in their ``source`` holds (the date of the
        documents the limits were read from, ``YYYY-MM-DD``), oldest first; a type citing no
        date is left out. What a report states as the data's date.

        >>> dates = load_catalog().source_dates()
        >>> max(dates, key=dates.get)
        '2021-07-19'
        """
        import re

        counts: dict[str, int] = {}
        for itype in self:
            for date in sorted(set(re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", itype.source))):
                counts[date] = counts.get(date, 0) + 1
        return dict(sorted(counts.items()))

    def similar(self, name: object, limits_known: bool = True) -> tuple[str, ...]:
        """Up to three instance-type names close to ``name``, best first; with
        ``limits_known``, only types whose ENI and IP limits are known."""
        return self._suggest(name, limits_known)

    def _suggest(self, name: object, limits_known: bool) -> tuple[str, ...]:
        if not isinstance(name, str):
            return ()
        names = self._by_lower_name
        if limits_known:
            names = {low: real for low, real in names.items() if self._by_name[real].ip_limits_known}
        close = difflib.get_close_matches(name.lower(), names, n=3)
        return tuple(names[c] for c in close)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load an instance-type catalog from a CSV file (default: the shipped one).

    The default file is read once per process and the same Catalog is returned
    after that; other paths are read on every call. Raises ValueError naming the
    file, the line and the column when the file is malformed (a missing column,
    a count that is not a whole number, ...), and OSError if it cannot be read.
    """
    if path is None or Path(path).resolve() == DEFAULT_CATALOG_PATH:
        return _load_default_catalog()
    return _read_catalog(Path(path))


@functools.cache
def _load_default_catalog() -> Catalog:
    return _read_catalog(DEFAULT_CATALOG_PATH)


# --------------------------------------------------------------------------- parsing

_COLUMNS = (
    "instance_type",
    "family",
    "vcpu",
    "memory_gib",
    "eni_quantity",
    "private_ipv4_per_eni",
    "ipv6_per_eni",
    "eni_total_quantity",
    "eni_trunk_supported",
    "source",
    "notes",
)
# Written by data/build_instance_types.py; optional, but checked when present
# so that a hand edit of a limit cannot leave the two disagreeing.
_DERIVED_COLUMN = "ip_limits_known"
_BOOLS = {"true": True, "false": False}


class _RowError(Exception):
    """A bad cell; _read_catalog adds the file and line."""

    def __init__(self, column: str | None, problem: str) -> None:
        super().__init__(column, problem)
        self.column = column
        self.problem = problem


def _read_catalog(path: Path) -> Catalog:
    try:
        return _read_catalog_text(path)
    except UnicodeDecodeError as exc:
        # Left alone it would name a byte offset but not the file.
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _read_catalog_text(path: Path) -> Catalog:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        if not header:
            raise ValueError(f"{path}, line 1: no header row; expected columns {list(_COLUMNS)}")
        missing = [c for c in _COLUMNS if c not in header]
        if missing:
            names = ", ".join(repr(c) for c in missing)
            noun = "column" if len(missing) == 1 else "columns"
            raise ValueError(f"{path}, line 1, {noun} {names}: missing from the header")
        types: list[InstanceType] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            try:
                itype = _parse_row(row)
            except _RowError as exc:
                where = f"{path}, line {line}"
                if exc.column is not None:
                    where += f", column {exc.column!r}"
                raise ValueError(f"{where}: {exc.problem}") from None
            if itype.name in seen:
                raise ValueError(
                    f"{path}, line {line}, column 'instance_type': "
                    f"{itype.name!r} already appears on line {seen[itype.name]}"
                )
            seen[itype.name] = line
            types.append(itype)
    return Catalog(types)


def _parse_row(row: dict) -> InstanceType:
    if None in row:  # csv.DictReader's key for fields beyond the header
        extra = row[None]
        raise _RowError(None, f"the row has {len(extra)} more field(s) than the header: {extra!r}")
    for column in _COLUMNS:
        if row[column] is None:
            raise _RowError(column, "the row has fewer fields than the header")

    itype = InstanceType(
        name=_text(row, "instance_type"),
        family=_text(row, "family"),
        vcpu=_count(row, "vcpu", minimum=1),
        memory_gib=_positive_number(row, "memory_gib"),
        eni_quantity=_optional_count(row, "eni_quantity", minimum=1),
        private_ipv4_per_eni=_optional_count(row, "private_ipv4_per_eni", minimum=1),
        ipv6_per_eni=_optional_count(row, "ipv6_per_eni", minimum=0),
        eni_total_quantity=_optional_count(row, "eni_total_quantity", minimum=0),
        eni_trunk_supported=_optional_bool(row, "eni_trunk_supported"),
        source=row["source"],
        notes=row["notes"],
    )

    derived = row.get(_DERIVED_COLUMN)
    if derived is not None:
        if derived not in _BOOLS:
            raise _RowError(_DERIVED_COLUMN, f"expected 'true' or 'false', got {derived!r}")
        if _BOOLS[derived] != itype.ip_limits_known:
            raise _RowError(
                _DERIVED_COLUMN,
                f"says {derived!r}, but eni_quantity is {row['eni_quantity']!r} and "
                f"private_ipv4_per_eni is {row['private_ipv4_per_eni']!r}",
            )
    return itype


def _text(row: dict, column: str) -> str:
    value = row[column]
    if not value or value != value.strip():
        raise _RowError(column, f"expected a name without surrounding spaces, got {value!r}")
    return value


def _count(row: dict, column: str, minimum: int) -> int:
    raw = row[column]
    # str.isdigit alone would let through '٣' and '²'; int() alone would let
    # through ' 3', '+3' and '3_0'. A count in this file is plain ASCII digits.
    if not (raw.isascii() and raw.isdigit()):
        raise _RowError(column, f"expected a whole number, got {raw!r}")
    value = int(raw)
    if value < minimum:
        raise _RowError(column, f"expected a whole number of at least {minimum}, got {raw!r}")
    return value


def _optional_count(row: dict, column: str, minimum: int) -> int | None:
    return None if row[column] == "" else _count(row, column, minimum)


def _positive_number(row: dict, column: str) -> float:
    raw = row[column]
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    # The chained comparison is False for nan and inf, which float() accepts.
    if not 0 < value < float("inf"):
        raise _RowError(column, f"expected a positive number, got {raw!r}")
    return value


def _optional_bool(row: dict, column: str) -> bool | None:
    raw = row[column]
    if raw == "":
        return None
    if raw not in _BOOLS:
        raise _RowError(column, f"expected 'true', 'false' or empty, got {raw!r}")
    return _BOOLS[raw]


# --------------------------------------------------------------------------- regions

REGIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        # Chinese mainland and Hong Kong
        "cn-qingdao": "China (Qingdao)",
        "cn-beijing": "China (Beijing)",
        "cn-zhangjiakou": "China (Zhangjiakou)",
        "cn-huhehaote": "China (Hohhot)",
        "cn-wulanchabu": "China (Ulanqab)",
        "cn-hangzhou": "China (Hangzhou)",
        "cn-shanghai": "China (Shanghai)",
        "cn-nanjing": "China (Nanjing - Local Region)",
        "cn-fuzhou": "China (Fuzhou - Local Region)",
        "cn-wuhan-lr": "China (Wuhan - Local Region)",
        "cn-shenzhen": "China (Shenzhen)",
        "cn-heyuan": "China (Heyuan)",
        "cn-guangzhou": "China (Guangzhou)",
        "cn-chengdu": "China (Chengdu)",
        "cn-hongkong": "China (Hong Kong)",
        # Asia Pacific
        "ap-southeast-1": "Singapore",
        "ap-southeast-3": "Malaysia (Kuala Lumpur)",
        "ap-southeast-5": "Indonesia (Jakarta)",
        "ap-southeast-6": "Philippines (Manila)",
        "ap-southeast-7": "Thailand (Bangkok)",
        "ap-northeast-1": "Japan (Tokyo)",
        "ap-northeast-2": "South Korea (Seoul)",
        # Europe and Americas
        "us-west-1": "US (Silicon Valley)",
        "us-east-1": "US (Virginia)",
        "na-south-1": "Mexico",
        "eu-central-1": "Germany (Frankfurt)",
        "eu-west-1": "UK (London)",
        # Middle East
        "me-east-1": "UAE (Dubai)",
        "me-central-1": "SAU (Riyadh - Partner Region)",
    }
)
"""Alibaba Cloud public regions: region id -> English name.

Ids and names as in Alibaba Cloud's documentation (for example the ECS Cloud
Assistant endpoint table, and the common region-id reference). Finance and
government clouds are left out.
"""

_REGION_ID_BY_NAME = {name: region_id for region_id, name in REGIONS.items()}

# The regions where ENIs can hold IPv4 prefixes, copied in the source's order
# from https://www.alibabacloud.com/help/en/ecs/user-guide/ip-prefix (Last
# Updated May 29 2026; the Nov 25 2024 version lists the same 24 regions), via
# ../shared/reference/alibaba-facts.md section 2.1. The page writes
# "SAU (Riyadh – Partner Region)" with an en dash; REGIONS uses a hyphen.
# Looking each name up in REGIONS makes a misspelt name fail at import.
_PREFIX_REGION_NAMES = (
    "Singapore",
    "US (Silicon Valley)",
    "US (Virginia)",
    "Philippines (Manila)",
    "Germany (Frankfurt)",
    "UK (London)",
    "Malaysia (Kuala Lumpur)",
    "Thailand (Bangkok)",
    "Indonesia (Jakarta)",
    "Japan (Tokyo)",
    "South Korea (Seoul)",
    "UAE (Dubai)",
    "SAU (Riyadh - Partner Region)",
    "China (Qingdao)",
    "China (Beijing)",
    "China (Hangzhou)",
    "China (Shenzhen)",
    "China (Shanghai)",
    "China (Hong Kong)",
    "China (Hohhot)",
    "China (Chengdu)",
    "China (Heyuan)",
    "China (Ulanqab)",
    "China (Guangzhou)",
)

PREFIX_REGIONS: frozenset[str] = frozenset(_REGION_ID_BY_NAME[n] for n in _PREFIX_REGION_NAMES)
"""Ids of the regions where ENIs support IPv4 prefixes (24 regions)."""


def supports_ipv4_prefix(region_id: str) -> bool:
    """Whether ENIs in ``region_id`` can be assigned IPv4 prefixes.

    False for any id not in PREFIX_REGIONS, including ids that are not regions
    at all; check ``region_id in REGIONS`` first where that matters.

    >>> supports_ipv4_prefix("cn-hangzhou"), supports_ipv4_prefix("cn-zhangjiakou")
    (True, False)
    """
    return region_id in PREFIX_REGIONS


# --------------------------------------------------------------------------- zones

DEFAULT_ZONES_PATH = Path(__file__).resolve().parent.parent / "data" / "zones.csv"
_ZONE_COLUMNS = ("region_id", "zone_id", "source")


def load_zones(path: str | Path | None = None) -> MappingProxyType[str, tuple[str, ...]]:
    """Read a zones file: region id -> its zone ids, in the file's order.

    Every row names a region of REGIONS, a zone id that begins with that region id, and the
    source(s) it was read from (``data/SOURCES.md``). Raises ValueError naming the file, the
    line and the column for a missing column, an unknown region, a zone of another region, a
    zone listed twice or a row without a source; OSError if the file cannot be read.
    """
    path = DEFAULT_ZONES_PATH if path is None else Path(path)
    zones: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _ZONE_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}, line 1: column(s) {', '.join(missing)} missing from the header")
        for row in reader:
            line = reader.line_num
            region, zone, source = row["region_id"], row["zone_id"], row["source"]
            if None in row or None in (region, zone, source):
                raise ValueError(f"{path}, line {line}: expected the fields {', '.join(_ZONE_COLUMNS)}")
            if region not in REGIONS:
                raise ValueError(f"{path}, line {line}, column 'region_id': {region!r} is not in REGIONS")
            # Every Alibaba zone id is its region id plus a suffix ('cn-hangzhou-h',
            # 'ap-southeast-1a'); a row that breaks this is a typo.
            if not (zone.startswith(region) and len(zone) > len(region)):
                raise ValueError(f"{path}, line {line}, column 'zone_id': {zone!r} is not a zone id of {region}")
            if zone in seen:
                raise ValueError(
                    f"{path}, line {line}, column 'zone_id': {zone!r} already appears on line {seen[zone]}"
                )
            if not source.strip():
                raise ValueError(f"{path}, line {line}, column 'source': every zone needs its source")
            seen[zone] = line
            zones.setdefault(region, []).append(zone)
    return MappingProxyType({region: tuple(ids) for region, ids in zones.items()})


ZONES: MappingProxyType[str, tuple[str, ...]] = load_zones()
"""Region id -> the zone ids its sources give, in their order (``data/zones.csv``).

Regions missing here have no sourced zone list; see ``is_zone_of`` for what they accept.
"""


def zones_of(region_id: str) -> tuple[str, ...]:
    """The zone ids of ``region_id`` in the source's order; ``()`` when simkit has no sourced
    list for it (or it is not a region).

    >>> zones_of("ap-southeast-1")
    ('ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c')
    """
    return ZONES.get(region_id, ())


def is_zone_of(zone_id: object, region_id: str) -> bool:
    """Whether ``zone_id`` is a zone of ``region_id``.

    For a region in ZONES, exactly its listed zones. For a region with no sourced list, the
    region id plus one lowercase letter, with or without a hyphen (``cn-nanjing-a``,
    ``us-east-1a``): both shapes of Alibaba's zone ids, so a real zone there is not refused
    for want of data.

    >>> is_zone_of("ap-southeast-1a", "ap-southeast-1"), is_zone_of("ap-southeast-1d", "ap-southeast-1")
    (True, False)
    >>> is_zone_of("us-east-1a", "us-east-1"), is_zone_of("us-east-1-a", "us-east-1")  # no list for us-east-1
    (True, True)
    """
    if not isinstance(zone_id, str):
        return False
    listed = ZONES.get(region_id)
    if listed is not None:
        return zone_id in listed
    suffix = zone_id[len(region_id) :] if zone_id.startswith(region_id) else ""
    suffix = suffix.removeprefix("-")
    return len(suffix) == 1 and "a" <= suffix <= "z"


def default_zone(region_id: str) -> str:
    """The zone a vSwitch gets when none is named: the region's first zone in the source's
    order, or ``<region>-a`` for a region with no sourced list.

    >>> default_zone("ap-southeast-1"), default_zone("us-east-1")
    ('ap-southeast-1a', 'us-east-1-a')
    """
    listed = ZONES.get(region_id)
    return listed[0] if listed else f"{region_id}-a"
