"""The values every workload reader and generator yields, and the error they raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class WorkloadError(ValueError):
    """A workload file or record that cannot be read.

    The message names the file, the line (or record index), the field and what is allowed, so a
    CLI can print it as one line instead of a traceback.
    """


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One API call to replay.

    ``time`` is in seconds since the first call of the workload (which is at 0.0). ``params`` holds
    the flat API keys as written in the log (``"PrivateIpAddress.1": "10.0.0.5"``), values as
    given, gateway/common keys removed. ``creates`` holds the ids the call created in the log
    (``{"NetworkInterfaceId": "eni-..."}`` or ``{"InstanceIdSets.InstanceIdSet": [...]}``), so a
    replay can map logged ids to simulated ones; ``{}`` when none or unknown. ``line`` is the
    1-based line (JSONL) or 1-based record index (JSON array / ``Events``) in the source.
    """

    time: float
    action: str
    params: dict
    creates: dict
    line: int


class PodSpec(NamedTuple):
    """One pod's life: starts at ``start`` seconds, ends at ``end`` (``None``: lives to the end
    of the run), with optional resource requests.

    A NamedTuple rather than a frozen dataclass: a replay makes one per pod, and a tuple is
    built in a quarter of the time; it is just as immutable."""

    name: str
    start: float
    end: float | None
    cpu_milli: int | None
    memory_mib: int | None


@dataclass(slots=True)
class TraceStats:
    """Counters filled by :func:`read_pod_trace` when passed as ``stats=``.

    ``rows`` counts every data row read (skipped ones included), ``skipped_no_start`` the rows
    with an empty start (never started, e.g. Pending pods), ``open_ended`` the pods yielded with
    an empty end.
    """

    rows: int = 0
    skipped_no_start: int = 0
    open_ended: int = 0
