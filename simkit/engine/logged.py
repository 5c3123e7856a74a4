"""Logged API calls through a replay: each parsed into its typed request (the wire layer's one
job), handed to the model through the same door as the agents' calls, and recorded the same
way. Ids the log names are mapped to the simulated resources: an id the log created maps to
what the replay created; an id it never created stands in for one of the scenario's own."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Iterator

from simkit.api.params import parse_request
from simkit.clock import NORMAL, Clock
from simkit.ecs import Account
from simkit.engine.layout import Layout
from simkit.engine.outcome import Outcome, measure
from simkit.engine.recorder import Recorder
from simkit.engine.stream import next_due

_WHEN = attrgetter("time")  # when an item is due, from the start of the workload
from simkit.errors import ApiError
from simkit.workloads import CREATED_IDS

__all__ = ["LoggedCalls"]

# ID fields of the API a logged call may name, and what scenario resource stands in for an
# id the log never created.
_ID_KINDS = {
    "VSwitchId": "vswitch", "VpcId": "vpc", "SecurityGroupId": "sg", "InstanceId": "instance",
    "NetworkInterfaceId": "eni", "VSwitchCidrReservationId": "reservation",
}
_RUN_INSTANCES_IDS = "InstanceIdSets.InstanceIdSet"


class LoggedCalls:
    """Replays ``calls`` (ApiCall-like, times from the start of the workload) between ``t0`` and
    ``end`` (clock times), in ``region_id`` whatever region the log names."""

    def __init__(self, clock: Clock, model: Account, recorder: Recorder, layout: Layout, region_id: str,
                 calls: Iterator[Any], t0: float, end: float):
        self.clock = clock
        self.model = model
        self.recorder = recorder
        self.region_id = region_id
        self.calls = calls
        self.t0 = t0
        self.end = end
        self._ids: dict[str, str] = {}
        self._used: dict[str, int] = {}
        # simulated id -> the name the user wrote: the scenario's for its vSwitches, the log's
        # own for what the log created. Events speak of resources by these.
        self._names: dict[str, str] = {vsw_id: name for name, vsw_id in layout.vswitch_ids.items()}
        self._stand_ins = {"vswitch": list(layout.vswitch_ids.values()), "vpc": [layout.vpc_id],
                           "sg": [layout.security_group_id], "instance": [n.instance_id for n in layout.nodes]}

    def start(self) -> None:
        """Schedule the first logged call (each schedules the next: the log streams)."""
        self._next()

    def _next(self) -> None:
        due = next_due(self.calls, _WHEN, self.t0, self.end)
        if due is not None:
            self.clock.at(due[1], self._play, due[0], NORMAL)

    def _map_id(self, key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        mapped = self._ids.get(value)
        if mapped is not None:
            return mapped
        kind = _ID_KINDS.get(key)
        pool = self._stand_ins.get(kind)
        if not pool:
            return value  # an ENI or reservation the log never created: the model says NotFound
        used = self._used.setdefault(kind, 0)
        self._used[kind] = used + 1
        mapped = self._ids[value] = pool[used % len(pool)]
        return mapped

    def _params(self, call: Any) -> dict[str, Any]:
        params = {}
        for key, value in call.params.items():
            base = key.split(".", 1)[0]
            if base == "RegionId":
                value = self.region_id  # a logged call runs in the scenario's region
            elif base in _ID_KINDS or base == "SecurityGroupIds":
                value = [self._map_id(base, v) for v in value] if isinstance(value, list) else self._map_id(base, value)
            params[key] = value
        params.setdefault("RegionId", self.region_id)
        return params

    def _play(self, call: Any) -> None:
        self._next()
        params = self._params(call)
        t = self.clock.now - self.t0
        names = self._names
        vswitch = params.get("VSwitchId", "")
        if isinstance(vswitch, str):
            vswitch = names.get(vswitch, call.params.get("VSwitchId", vswitch))
        else:
            vswitch = ""
        request = None
        try:
            request = parse_request(call.action, params)
            result = self.model.handle(request)
        except ApiError as exc:
            # A request that could not be parsed asked for nothing the model saw.
            out = measure(request, None, False) if request is not None else Outcome(_named_eni(params), 0, 0)
            self.recorder.call(t, call.action, "", names.get(out.eni, out.eni), vswitch, out.asked, 0, exc.code, 1,
                               exc.limit)
            return
        self._learn_ids(call.action, call.creates, result)
        out = measure(request, result, True)
        self.recorder.call(t, call.action, "", names.get(out.eni, out.eni), vswitch, out.asked, out.granted, "", 1)

    def _learn_ids(self, action: str, creates: dict | None, result: Any) -> None:
        """Map the ids the log says a call created to the ones the replay's call created."""
        key = CREATED_IDS.get(action)
        if not creates or key not in creates or result is None:
            return
        logged = creates[key]
        if key == _RUN_INSTANCES_IDS:
            for real, instance in zip(logged, result):
                self._ids[real] = instance.id
                self._names[instance.id] = real
        elif isinstance(logged, str):
            self._ids[logged] = result.id
            self._names[result.id] = logged


def _named_eni(params: dict[str, Any]) -> str:
    eni = params.get("NetworkInterfaceId", "")
    return eni if isinstance(eni, str) else ""
