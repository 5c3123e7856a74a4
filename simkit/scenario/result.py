"""The outcome of a run as users read it: a summary dict at once, DataFrames on request."""

from __future__ import annotations

from typing import Any

from simkit.engine import RunResult
from simkit.engine.frames import events_frame, exhaustion_frame, pods_frame, samples_frame

__all__ = ["Result"]


class Result:
    """The outcome of ``run``: ``summary`` (a dict) and tables on request.

    ``pods()``: one row per pod that arrived (outcome, wait, what held it, node, address, ENI).
    ``events()``: one row per API call. ``samples()``: every ``sample_every``, per vSwitch.
    ``exhaustion()``: the first time each limit was hit. Every summary key, outcome and column
    is defined in docs/scenario.md ("What a run tells you"); vSwitches and nodes are named as
    the scenario names them, and ``vswitch_ids`` / ``node_ids`` map the names to simulated ids.
    """

    def __init__(self, run: RunResult):
        self._run = run
        self.summary: dict[str, Any] = run.summary
        self.plan = run.plan
        #: The scenario's vSwitch names -> the simulated ids (everything else speaks of names).
        self.vswitch_ids: dict[str, str] = dict(run.vswitch_ids)
        #: Node names (node-0001, ...) -> the simulated instance ids.
        self.node_ids: dict[str, str] = dict(run.node_ids)
        #: vSwitch names -> the CIDR blocks of their reservations, as placed (a reservation given
        #: by its mask gets its block when it is created).
        self.reservations: dict[str, list[str]] = {name: list(c) for name, c in run.reservations.items()}
        #: The scenario as it was given (a plain dict: what the report echoes and hashes).
        self.scenario: dict[str, Any] = dict(run.plan.scenario or {})
        #: The verdict's targets, from the scenario's ``slo``: ``pod_failure_rate``,
        #: ``pod_wait_p99`` (seconds) and ``api_error_rate`` (docs/scenario.md, "The verdict").
        self.slo: dict[str, float] = dict(run.plan.slo_targets or {})

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Result {s['scenario']!r}: {s['pods_arrived']} pods, failure rate {s['pod_failure_rate']:.2%}; "
                f"{s['calls']} calls, API error rate {s['api_error_rate']:.2%}>")

    def _repr_html_(self) -> str:
        """The capacity report, as Jupyter shows a Result: the same renderer as ``simkit run
        --out``'s report.html (``simkit.report``), its figures inline."""
        # The one upward import of the scenario layer (tests/test_layers.py allows it here
        # only): Jupyter asks the object for its HTML, and there is one renderer.
        from simkit.report import result_html

        return result_html(self)

    def events(self):
        """One row per API call, as a pandas DataFrame (built anew on each call)."""
        return events_frame(self._run.recorder)

    def samples(self):
        """One row per sample and vSwitch, as a pandas DataFrame (built anew on each call)."""
        return samples_frame(self._run.recorder)

    def pods(self):
        """One row per pod that arrived (its outcome, wait, node, address...), as a pandas
        DataFrame (built anew on each call; the workload is read again for names and ends)."""
        return pods_frame(self._run.recorder, self.plan, self._run.node_vswitches)

    def block_map(self, vswitch: str, time: float | None = None):
        """The state of every /28 block of ``vswitch`` (the scenario's name) at the sample taken
        at ``time`` seconds, or the last one before it (the last sample when None): a numpy uint8
        array of ``simkit.net.BlockState`` values, lowest block first (4,096 for a /16).

        Raises KeyError naming the vSwitches there are, ValueError for a time before the first
        sample."""
        import numpy as np

        rec = self._run.recorder
        maps = rec.block_maps.get(vswitch)
        if maps is None:
            raise KeyError(f"no vSwitch {vswitch!r} in this run; its vSwitches: {', '.join(rec.block_maps)}")
        return np.frombuffer(maps[self._sample_index(time)], dtype=np.uint8)

    def address_map(self, vswitch: str, time: float | None = None):
        """What every address of ``vswitch`` (the scenario's name) was used for at the sample
        taken at ``time`` seconds, or the last one before it (the last sample when None): a
        numpy uint8 array of ``simkit.ecs.AddressUse`` values, lowest address first (65,536 for
        a /16). Raises KeyError naming the vSwitches there are, ValueError for a time before the
        first sample."""
        import zlib

        import numpy as np

        maps = self._run.recorder.address_maps.get(vswitch)
        if maps is None:
            raise KeyError(f"no vSwitch {vswitch!r} in this run; its vSwitches: {', '.join(self._run.recorder.address_maps)}")
        return np.frombuffer(zlib.decompress(maps[self._sample_index(time)]), dtype=np.uint8)

    def sample_times(self) -> list[float]:
        """The times of the samples (seconds from the start of the workload): the times at which
        ``block_map`` and ``address_map`` hold a state."""
        return list(self._run.recorder.block_map_times)

    def sample_time(self, time: float | None = None) -> float:
        """The time of the sample ``block_map`` and ``address_map`` show for ``time``: the one
        taken then or the last before it (the last sample when None)."""
        return self._run.recorder.block_map_times[self._sample_index(time)]

    def _sample_index(self, time: float | None) -> int:
        import bisect

        times = self._run.recorder.block_map_times
        i = len(times) - 1 if time is None else bisect.bisect_right(times, time) - 1
        if i < 0:
            raise ValueError(f"no sample at or before {time} s (the first is at {times[0]} s)")
        return i

    def exhaustion(self):
        """The first time each limit was hit, as a pandas DataFrame (built anew on each call)."""
        return exhaustion_frame(self._run.recorder)
