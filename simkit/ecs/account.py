"""The simulated Alibaba Cloud account: its regions and resources, and the one door into them.

``Account.handle(request)`` takes a typed request (``simkit.ecs.requests``: one NamedTuple per
API action), lets the gateway check the region, throttling, injected faults and ClientToken
idempotence, then runs the operation, a method named after the action on the family object
that owns it (VPCs and vSwitches, instances, ENIs, addresses). Parsing wire text into typed
requests and rendering results into bodies is the ``api`` layer's work. A refused request
raises ``ApiError`` with the code and HTTP status from the registry and changes nothing.

Time belongs to the clock (``simkit.clock.Clock``): the asynchronous transitions (attach,
detach, delete, reservation assignment, instance start and stop) are scheduled on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import numpy as np

from simkit.catalog import load_catalog
from simkit.clock import TRANSITION, Clock
from simkit.ecs import requests as rq
from simkit.ecs import snapshot as state_io
from simkit.ecs.addresses import AddressOperations
from simkit.ecs.enis import EniOperations
from simkit.ecs.gateway import Gateway
from simkit.ecs.instances import InstanceOperations
from simkit.ecs.region import Region
from simkit.ecs.address_map import address_uses
from simkit.ecs.results import VSwitchUsage
from simkit.ecs.settings import CloudSettings
from simkit.ecs.states import VSwitchStatus
from simkit.ecs.vpcs import VpcOperations
from simkit.errors import api_error

__all__ = ["Account", "EPOCH", "api_time"]

#: Simulated time 0. Fixed so that two runs of one scenario print the same timestamps.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def api_time(seconds: float) -> str:
    """A simulated time as the API writes it (UTC, seconds)."""
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Account:
    """One simulated account across all regions.

    ``seed`` seeds every random choice (placement, injected faults), each from its own stream.
    ``clock``: the clock to schedule transitions on (a replay passes its own); a new one
    otherwise.
    """

    def __init__(self, seed: int = 0, settings: CloudSettings | None = None, catalog=None, clock: Clock | None = None):
        self.seed = seed
        self.settings = settings or CloudSettings()
        self.catalog = catalog or load_catalog()
        self.clock = clock if clock is not None else Clock(seed)
        self.regions: dict[str, Region] = {}
        self._ids = 0
        self.gateway = Gateway(self.settings, self.clock, seed, self._region_of_instance)
        self.vpcs = VpcOperations(self)
        self.instances = InstanceOperations(self)
        self.enis = EniOperations(self)
        self.addresses = AddressOperations(self)
        families = (self.vpcs, self.instances, self.enis, self.addresses)
        #: request type -> (action name, operation)
        self._operations: dict[type, tuple[str, Callable[[Any], Any]]] = {}
        for action, request_type in rq.REQUESTS.items():
            method = _snake(action)
            owner = next(f for f in families if hasattr(f, method))
            self._operations[request_type] = (action, getattr(owner, method))

    # ---------------------------------------------------------------- the door

    def handle(self, request: Any) -> Any:
        """Run one API operation from its typed request (``simkit.ecs.requests``).

        Returns the operation's result: the resource it created or changed, a ``Page`` of a
        listing, an ``AssignResult``, or None. Raises ApiError: InvalidAction for a value that
        is no request, Forbidden.RegionId, Throttling, an injected fault,
        IdempotentParameterMismatch, or whatever the operation refuses.
        """
        entry = self._operations.get(type(request))
        if entry is None:
            raise api_error("InvalidAction", type(request).__name__)
        return self.gateway.pass_through(entry[0], request, entry[1])

    # ---------------------------------------------------------------- time, ids, regions

    @property
    def now(self) -> float:
        """Simulated seconds (the clock's)."""
        return self.clock.now

    def later(self, seconds: float, transition: Callable[[Any], None], arg: Any = None) -> None:
        """Run ``transition(arg)`` ``seconds`` from now, before anything else due then."""
        if seconds <= 0:
            transition(arg)
            return
        self.clock.at(self.clock.now + seconds, transition, arg, TRANSITION)

    def new_id(self, prefix: str) -> str:
        """A fresh resource id (``eni-sim000000000000b``): unique, the same run to run."""
        self._ids += 1
        return f"{prefix}-sim{self._ids:013x}"

    def new_mac(self) -> str:
        """A MAC address derived from the last id minted."""
        n = self._ids
        return f"00:16:3e:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"

    def region(self, region_id: str) -> Region:
        """The region's resources (an empty region the first time it is named)."""
        region = self.regions.get(region_id)
        if region is None:
            region = self.regions[region_id] = Region(region_id)
        return region

    def vswitch_usage(self, region_id: str, vswitch_id: str) -> VSwitchUsage:
        """How one vSwitch's addresses are used now: the address-space figures (free addresses,
        free /28 blocks in and outside reservations, the largest free block, fragmentation) and
        the ENI primaries among its single IPs. Raises ApiError(InvalidVSwitchId.NotFound)."""
        vsw = self.region(region_id).vswitch(vswitch_id)
        return VSwitchUsage(vsw.space.stats(), vsw.eni_count)

    def block_states(self, region_id: str, vswitch_id: str) -> np.ndarray:
        """The state of every aligned /28 block of one vSwitch now, lowest first (uint8
        ``simkit.net.BlockState`` values). Raises ApiError(InvalidVSwitchId.NotFound)."""
        return self.region(region_id).vswitch(vswitch_id).space.block_states()

    def address_map(self, region_id: str, vswitch_id: str) -> np.ndarray:
        """What every address of one vSwitch is used for now, lowest first (uint8
        ``simkit.ecs.AddressUse`` values). Raises ApiError(InvalidVSwitchId.NotFound)."""
        region = self.region(region_id)
        return address_uses(region.vswitch(vswitch_id), region.enis.values())

    def _region_of_instance(self, instance_id: str) -> str | None:
        for region in self.regions.values():
            if instance_id in region.instances:
                return region.id
        return None

    # ---------------------------------------------------------------- state

    def snapshot(self) -> dict[str, Any]:
        """The whole state as versioned, JSON-ready data (``simkit.ecs.snapshot``)."""
        return state_io.snapshot(self)

    def restore(self, data: dict[str, Any], *, keep_settings: bool = False, source: str = "snapshot") -> None:
        """Load a snapshot into this new account (``simkit.ecs.snapshot.restore``). Raises
        SnapshotError (a ValueError) naming ``source`` and every contradiction found."""
        state_io.restore(self, data, keep_settings=keep_settings, source=source)

    # ---------------------------------------------------------------- simulation knobs (not API)

    def set_instance_migrating(self, region_id: str, instance_id: str, migrating: bool = True) -> None:
        """Mark an instance as migrating: Assign/Unassign on its ENIs are refused meanwhile."""
        self.region(region_id).instance(instance_id).migrating = migrating

    def set_instance_cloud_box(self, region_id: str, instance_id: str, cloud_box: bool = True) -> None:
        """Mark an instance as running in a CloudBox: it cannot take secondary private IPs."""
        self.region(region_id).instance(instance_id).cloud_box = cloud_box

    def set_eni_service_managed(self, region_id: str, eni_id: str, managed: bool = True) -> None:
        """Mark an ENI as managed by a cloud service: it refuses Assign/Unassign/Delete."""
        self.region(region_id).eni(eni_id).service_managed = managed

    def set_vswitch_status(self, region_id: str, vswitch_id: str, status: str) -> None:
        """Put a vSwitch in ``Pending`` or back to ``Available``. Raises ValueError otherwise."""
        try:
            state = VSwitchStatus(status)
        except ValueError:
            raise ValueError(f"vSwitch status must be Pending or Available, got {status!r}") from None
        self.region(region_id).vswitch(vswitch_id).status = state


def _snake(action: str) -> str:
    """``AssignPrivateIpAddresses`` -> ``assign_private_ip_addresses`` (VSwitch and Vpc kept whole)."""
    out = []
    for i, ch in enumerate(action):
        if ch.isupper() and i and not (action[i - 1] == "V" and ch == "S"):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
