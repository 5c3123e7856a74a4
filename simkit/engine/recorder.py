"""Columnar recording of a run: API call outcomes, periodic samples, first exhaustion of each
limit. Plain values go into typed arrays during the run; DataFrames are built on request."""

from __future__ import annotations

import zlib

from array import array
from typing import Any, NamedTuple

from simkit.engine.pod_records import PodRecords
from simkit.errors import REGISTRY

__all__ = ["Recorder", "LIMIT_OF_CODE", "SAMPLE_COLUMNS", "Sample"]

#: Which limit an error code says was hit, when the refusal does not name its limit itself
#: (``ApiError.limit``: the model names the limits whose code several share, e.g.
#: SecurityGroupInstanceLimitExceed for a basic group's addresses or any group's ENIs).
LIMIT_OF_CODE = {
    "InvalidVSwitchId.IpNotEnough": "vswitch_addresses",
    "QuotaExceeded.PrivateIpAddress": "vswitch_addresses",
    "InvalidVSwitchId.IpPrefixNotEnough": "reservation_prefixes",
    "InvalidOperation.VSwitchCidrReservationNotExist": "reservation_prefixes",
    "InvalidOperation.Ipv4CountExceeded": "eni_slots",
    "MaxEniPrivateIpsCountExceeded": "eni_slots",
    "EniPerInstanceLimitExceeded": "enis_per_instance",
    "MaxEniCountExceeded": "account_eni_quota",
    "SecurityGroupInstanceLimitExceed": "security_group_enis",
    "QuotaExceeded.VSwitch": "vpc_vswitches",
    "Throttling": "throttling",
}
#: What ran out, by the start of a limit's name: the call's vSwitch, or the scenario's one VPC or
#: security group (by the key that names it); other limits are the node's (or the ENI's).
_RESOURCE_OF = (("vswitch", None), ("reservation", None), ("vpc", "vpc"), ("security_group", "security_group"))

class Sample(NamedTuple):
    """One vSwitch at one sampling time, with the run's pods and addresses at that moment (each
    column is defined in docs/scenario.md, "Samples")."""

    time: float
    vswitch: str  # the scenario's name
    used_ips: int  # single IPs: ENI primaries and secondaries
    free_ips: int  # free for single IPs (outside reservations)
    free_blocks_28: int
    free_blocks_28_reserved: int
    largest_free_prefixlen: int  # -1: no free block at all
    fragmentation: float
    pods_running: int  # fleet-wide
    pods_pending: int  # fleet-wide
    ips_held: int  # fleet-wide
    ips_idle: int  # fleet-wide
    primary_ips: int  # ENI primaries in this vSwitch
    secondary_ips: int  # secondary IPs in this vSwitch
    prefix_ips: int  # addresses of the /28 prefixes held
    reserved_free_ips: int  # in CIDR reservations, not in a prefix
    consumed_ips: int  # everything not free: primary + secondary + prefix + reserved_free
    idle_ips: int  # held idle in the pools of the agents of nodes in this vSwitch


SAMPLE_COLUMNS = Sample._fields


class _Names:
    """Interns strings as small ints so the event columns stay numeric."""

    __slots__ = ("index", "names")

    def __init__(self, first: str = ""):
        self.index = {first: 0}
        self.names = [first]

    def __call__(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(name)
        return i


class Recorder:
    """Append-only buffers of one run."""

    def __init__(self, many_nodes: bool = False) -> None:
        self.pods = PodRecords(many_nodes)
        self.time = array("d")
        self.action = array("H")
        self.node = array("i")
        self.eni = array("i")
        self.vswitch = array("H")
        self.asked = array("q")  # a logged call may ask for anything: 64 bits, never an overflow
        self.granted = array("i")
        self.code = array("H")
        self.attempt = array("B")
        self.actions = _Names()
        self.nodes = _Names()
        self.enis = _Names()
        self.vswitches = _Names()
        self.codes = _Names()  # 0 is "" (success)
        self.sample_columns: dict[str, list] = {name: [] for name in SAMPLE_COLUMNS}
        # Per vSwitch, one byte per /28 block per sample (BlockState), at ``block_map_times``.
        self.block_maps: dict[str, list[bytes]] = {}
        self.block_map_times: list[float] = []
        # Per vSwitch, one byte per address per sample (AddressUse), zlib-compressed: a /16 is
        # 64 KiB raw a sample but long runs of one use, a few KiB compressed.
        self.address_maps: dict[str, list[bytes]] = {}
        self.exhaustion: dict[str, tuple[float, str, str]] = {}

    def call(self, t: float, action: str, node: str, eni: str, vswitch: str, asked: int, granted: int,
             code: str, attempt: int, limit: str | None = None) -> None:
        """One API call's outcome (``code`` empty on success; ``limit`` the refusal's own name for
        the limit it hit, ``ApiError.limit``). Its HTTP status is the error registry's for the
        code (200 on success), derived when the columns are read."""
        self.record(t, self.actions(action), self.nodes(node), eni, self.vswitches(vswitch), asked, granted, code, attempt,
                    limit)

    def record(self, t: float, action_id: int, node_id: int, eni: str, vswitch_id: int, asked: int, granted: int,
               code: str, attempt: int, limit: str | None = None) -> None:
        """``call`` with the action, node and vSwitch already interned (``actions(name)``...):
        the hot path of every run, so a caller interns what it repeats once."""
        self.time.append(t)
        self.action.append(action_id)
        self.node.append(node_id)
        i = self.enis.index.get(eni)
        self.eni.append(self.enis(eni) if i is None else i)
        self.vswitch.append(vswitch_id)
        self.asked.append(asked)
        self.granted.append(granted)
        self.attempt.append(attempt if attempt < 255 else 255)
        if not code:
            self.code.append(0)
            return
        self.code.append(self.codes(code))
        if limit is None:
            limit = LIMIT_OF_CODE.get(code)
        if limit is not None and limit not in self.exhaustion:
            node, vswitch = self.nodes.names[node_id], self.vswitches.names[vswitch_id]
            resource = next((vswitch if name is None else name for start, name in _RESOURCE_OF if limit.startswith(start)),
                            node or eni or vswitch)
            self.exhaustion[limit] = (t, resource, code)

    def sample(self, row: Sample) -> None:
        """One sample row, kept as columns."""
        for column, value in zip(self.sample_columns.values(), row):
            column.append(value)

    def block_map(self, vswitch: str, states: bytes) -> None:
        """The state of every /28 block of ``vswitch`` at the latest of ``block_map_times``."""
        self.block_maps.setdefault(vswitch, []).append(states)

    def address_map(self, vswitch: str, uses: bytes) -> None:
        """What every address of ``vswitch`` is used for at the latest of ``block_map_times``."""
        self.address_maps.setdefault(vswitch, []).append(zlib.compress(uses, 1))

    @property
    def n_samples(self) -> int:
        """Sample rows recorded (one per vSwitch and sampling time)."""
        return len(self.sample_columns["time"])

    def exhausted(self, limit: str, t: float, resource: str, code: str = "") -> None:
        """Note that ``limit`` ran out, unless it already had."""
        if limit not in self.exhaustion:
            self.exhaustion[limit] = (t, resource, code)

    @property
    def n_calls(self) -> int:
        """API calls recorded."""
        return len(self.time)

    def nbytes(self) -> int:
        """Memory held by the event columns."""
        cols = (self.time, self.action, self.node, self.eni, self.vswitch, self.asked, self.granted,
                self.code, self.attempt)
        return sum(c.itemsize * len(c) for c in cols)

    def events_columns(self) -> dict[str, Any]:
        """The event columns as numpy arrays and category lists (for building a DataFrame)."""
        import numpy as np

        def cat(codes: array, names: _Names):
            return np.frombuffer(codes, dtype=codes.typecode), names.names

        return {
            "time": np.frombuffer(self.time, dtype="d"),
            "action": cat(self.action, self.actions),
            "node": cat(self.node, self.nodes),
            "eni": cat(self.eni, self.enis),
            "vswitch": cat(self.vswitch, self.vswitches),
            "asked": np.frombuffer(self.asked, dtype="q"),
            "granted": np.frombuffer(self.granted, dtype="i"),
            "code": cat(self.code, self.codes),
            "http_status": np.array([200] + [REGISTRY[c].http_status for c in self.codes.names[1:]],
                                    dtype="H")[np.frombuffer(self.code, dtype="H")],
            "attempt": np.frombuffer(self.attempt, dtype="B"),
        }
