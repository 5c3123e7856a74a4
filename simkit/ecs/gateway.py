"""The gateway every request passes before its operation runs: the region, throttling,
injected faults and ClientToken idempotence. It knows nothing of what an operation does."""

from __future__ import annotations

import random
from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from simkit.catalog import REGIONS
from simkit.clock import Clock
from simkit.ecs.settings import CloudSettings
from simkit.errors import api_error

__all__ = ["Gateway"]


class Gateway:
    """Admits requests to their operations for one account.

    ``fault_seed`` seeds the injected faults' own random stream, so turning faults on does not
    move where addresses land.
    """

    def __init__(self, settings: CloudSettings, clock: Clock, fault_seed: int, region_of_instance: Callable[[str], str | None]):
        self.settings = settings
        self.clock = clock
        self._region_of_instance = region_of_instance
        self._fault_rng = random.Random(f"{fault_seed}/faults")
        # (region, action, token) -> (request, result, time); oldest first in _token_order.
        self._tokens: dict[tuple[str, str, str], tuple[Any, Any, float]] = {}
        self._token_order: deque[tuple[float, tuple[str, str, str]]] = deque()
        self._throttle: dict[tuple[str, str], tuple[int, int]] = {}

    def pass_through(self, action: str, request: Any, operation: Callable[[Any], Any]) -> Any:
        """Run ``operation(request)`` if the gateway lets the request through.

        Raises ApiError: Forbidden.RegionId (or the instance's NotFound / Malformed code when
        an instance API names no region and no instance), Throttling, an injected fault,
        IdempotentParameterMismatch; or whatever the operation raises.
        """
        region_id = request.region_id
        if region_id is None:
            request = self._with_instance_region(request)
            region_id = request.region_id
        if region_id not in REGIONS:
            raise api_error("Forbidden.RegionId", region_id)
        settings = self.settings
        limit = settings.throttle_per_minute.get(action)
        if limit is not None:
            self._count_call(action, region_id, limit)
        if settings.faults:
            for code, rate in settings.fault_table(action):
                if self._fault_rng.random() < rate:
                    raise api_error(code, "injected")
        token = getattr(request, "client_token", None)
        if token is None:
            return operation(request)
        # ClientToken idempotence (inline: most calls of a replay carry a token).
        now = self.clock.now
        key = (region_id, action, token)
        seen = self._tokens.get(key)
        ttl = settings.client_token_ttl_seconds
        if seen is not None and (ttl is None or now - seen[2] <= ttl):
            # Same token in both, so comparing the whole typed requests compares the rest
            # ("2" and 2 parse alike).
            if seen[0] != request:
                raise api_error("IdempotentParameterMismatch")
            return seen[1]
        result = operation(request)
        # Only a success is remembered.
        self._tokens[key] = (request, result, now)
        if ttl is not None:
            self._forget_before(now - ttl, now, key)
        return result

    @contextmanager
    def exempt(self) -> Iterator[None]:
        """Meanwhile, requests pass with no throttling and no injected faults, and count towards
        no throttling window (a replay builds its scenario's layout so: the faults and limits of
        a scenario are the workload's)."""
        kept = self.settings
        self.settings = kept.with_(faults={}, throttle_per_minute={})
        try:
            yield
        finally:
            self.settings = kept

    def _with_instance_region(self, request: Any) -> Any:
        # The instance APIs' SDK models carry no RegionId: find the instance's region.
        instance_id = request.instance_id
        region_id = self._region_of_instance(instance_id)
        if region_id is None:
            if not instance_id.startswith("i-"):
                raise api_error("InvalidInstanceID.Malformed", instance_id)
            raise api_error("InvalidInstanceId.NotFound", instance_id)
        return request._replace(region_id=region_id)

    def _count_call(self, action: str, region_id: str, limit: int) -> None:
        # One-minute windows; a call throttled in minute T may succeed from minute T+1 (facts §3.3).
        window = int(self.clock.now // 60)
        key = (action, region_id)
        w, count = self._throttle.get(key, (window, 0))
        if w != window:
            count = 0
        if count >= limit:
            self._throttle[key] = (window, count)
            raise api_error("Throttling")
        self._throttle[key] = (window, count + 1)

    def _forget_before(self, horizon: float, now: float, key: tuple[str, str, str]) -> None:
        # Forget tokens past their validity, oldest first, so long runs stay small.
        order = self._token_order
        order.append((now, key))
        tokens = self._tokens
        while order[0][0] < horizon:
            _, old = order.popleft()
            entry = tokens.get(old)
            if entry is not None and entry[2] < horizon:
                del tokens[old]
