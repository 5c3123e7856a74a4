"""``Cloud``: the simulated account driven in the API's own vocabulary.

>>> cloud = Cloud(seed=0)
>>> vpc = cloud.call("CreateVpc", {"RegionId": "cn-hangzhou", "CidrBlock": "10.0.0.0/16"})["VpcId"]
>>> vsw = cloud.call("CreateVSwitch", {"RegionId": "cn-hangzhou", "VpcId": vpc,
...                  "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.0.0/24"})["VSwitchId"]
>>> cloud.call("DescribeVSwitches", {"RegionId": "cn-hangzhou", "VSwitchId": vsw}
...            )["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
252
"""

from __future__ import annotations

import math
import random
from typing import Any, Mapping

from simkit.api.params import parse_request
from simkit.api.render import RENDER
from simkit.clock import Clock
from simkit.ecs import Account, CloudSettings
from simkit.errors import ApiError

__all__ = ["Cloud"]


class Cloud:
    """One simulated Alibaba Cloud account, all regions.

    ``Cloud(seed=0, settings=None, **overrides)``: ``overrides`` change single settings
    (``Cloud(placement="pack", account_eni_quota=100)``); see ``CloudSettings``.

    ``call(action, params)`` returns the documented response body (``RequestId`` first) or
    raises ``ApiError`` with ``.code``, ``.http_status``, ``.message`` and ``.request_id``.
    ``now`` and ``advance(seconds)`` drive simulated time; ``model`` is the ``Account`` with
    the resources and the simulation-only knobs. ``clock``: a clock to share (a replay's);
    a standalone Cloud gets a clock of its own.
    """

    def __init__(self, seed: int = 0, settings: CloudSettings | None = None, *, catalog=None, clock: Clock | None = None,
                 **overrides: Any):
        settings = settings or CloudSettings()
        if overrides:
            settings = settings.with_(**overrides)
        self.clock = clock if clock is not None else Clock(seed)
        self.model = Account(seed=seed, settings=settings, catalog=catalog, clock=self.clock)
        self._request_prefix = _request_prefix(seed)
        self._requests = 0

    @property
    def settings(self) -> CloudSettings:
        """The settings the account was made with."""
        return self.model.settings

    @property
    def now(self) -> float:
        """Simulated seconds since the start of the run."""
        return self.clock.now

    def advance(self, seconds: float) -> None:
        """Move simulated time forward, completing the asynchronous operations that fall due.

        A Python call, not an API call, so a bad argument is a ValueError (naming the value),
        not an ApiError: a negative, NaN or infinite ``seconds`` (NaN would stop the clock
        for good, infinity would run every pending transition and leave ``now`` infinite).
        A value that is not a number raises TypeError.
        """
        if not math.isfinite(seconds):
            raise ValueError(f"advance: seconds must be a finite number, got {seconds!r}")
        if seconds < 0:
            raise ValueError(f"cannot go back in time ({seconds} s)")
        self.clock.run(until=self.clock.now + seconds)

    def advance_to(self, t: float) -> None:
        """Move simulated time to ``t`` seconds.

        Raises ValueError (a Python call, not an API call) for a time in the past, NaN or
        infinity, naming the value; TypeError for a value that is not a number.
        """
        if not math.isfinite(t):
            raise ValueError(f"advance_to: t must be a finite number of seconds, got {t!r}")
        if t < self.clock.now:
            raise ValueError(f"cannot go back in time (now {self.clock.now}, asked {t})")
        self.clock.run(until=t)

    def snapshot(self) -> dict[str, Any]:
        """The account's whole state as versioned, JSON-ready data: resources, addresses,
        counters, random generators, remembered ClientTokens and the transitions in flight
        (``simkit.ecs.snapshot`` says what and why), plus how many requests were served.

        >>> cloud = Cloud(seed=3)
        >>> vpc = cloud.call("CreateVpc", {"RegionId": "cn-hangzhou", "CidrBlock": "10.0.0.0/16"})["VpcId"]
        >>> again = Cloud().restore(cloud.snapshot())
        >>> again.call("CreateVpc", {"RegionId": "cn-hangzhou"}) == cloud.call("CreateVpc", {"RegionId": "cn-hangzhou"})
        True
        """
        data = self.model.snapshot()
        data["requests"] = self._requests
        return data

    def restore(self, data: dict[str, Any], *, keep_settings: bool = False) -> "Cloud":
        """Load a snapshot (``snapshot()``'s, or a state file of ``simkit import``) into this
        new Cloud and return it; further calls answer as the snapshotted Cloud's would, bit for
        bit. The snapshot's seed and settings replace this Cloud's (``keep_settings=True`` keeps
        its own seed and settings: a vSwitch whose placement generator the snapshot does not
        give, as in an imported state, then draws from this Cloud's seed).

        Raises SnapshotError (a ValueError) for data that is not a simkit state, an unknown
        version, or a snapshot that contradicts itself (every contradiction, one line each);
        ValueError when this Cloud already holds resources.
        """
        self.model.restore(data, keep_settings=keep_settings)
        self._request_prefix = _request_prefix(self.model.seed)
        self._requests = int(data.get("requests", 0))
        return self

    def _request_id(self) -> str:
        self._requests += 1
        return f"{self._request_prefix}{self._requests:012X}"

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Call an API action with its documented parameters (flat ``Name.N`` or lists; values
        as strings or Python values). Returns the response body.

        Raises ApiError (a code of the registry, ``simkit.errors.REGISTRY``) for every refusal,
        whatever ``action`` and ``params`` hold: an action that is not text is InvalidAction, a
        key that is not text UnsupportedParameter. The one exception: TypeError when ``params``
        is not a mapping at all (a programming error, not a request).
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping of API parameter names to values, got {type(params).__name__}")
        request_id = self._request_id()
        try:
            result = self.model.handle(parse_request(action, params))
            body = RENDER[action](result)
        except ApiError as exc:
            exc.request_id = request_id
            raise
        return {"RequestId": request_id, **body}


def _request_prefix(seed: int) -> str:
    # Request ids look like Alibaba's (UUID form), unique per call and the same run to run:
    # a seeded prefix and a counter.
    h = f"{random.Random(f'{seed}/request-ids').getrandbits(80):020X}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
