"""The outcome of a run as users read it: a summary dict at once, DataFrames on request."""

from __future__ import annotations

from typing import Any

from simkit.engine import RunResult
from simkit.engine.frames import events_frame, exhaustion_frame, samples_frame

__all__ = ["Result"]


class Result:
    """The outcome of ``run``: ``summary`` (a dict) and DataFrames on request.

    ``events()``: one row per API call (time, action, node, eni, vswitch, asked, granted,
    code, http_status, attempt; code is "" when the call succeeded; times in seconds from the
    start of the workload). ``samples()``: every ``sample_every``, per vSwitch, with the run's
    pods and addresses on every row. ``exhaustion()``: the first time each limit was hit.

    ``summary`` keys: calls, errors, error_rate, errors_by_code, error_rate_by_code,
    calls_by_action; pods_arrived, pods_got_ip, pods_pending_at_end; pod_wait_seconds (p50, p90,
    p99, max over every pod, those still waiting at the end counted with their wait so far);
    peak_pods_running (exact), peak_ips_held, min_free_ips and min_free_blocks_28_reserved per
    vSwitch (at the samples); exhaustion (limit -> time, resource, code); scenario, seed,
    duration.
    """

    def __init__(self, run: RunResult):
        self._run = run
        self.summary: dict[str, Any] = run.summary
        self.plan = run.plan
        #: The scenario's vSwitch names -> the simulated ids (everything else speaks of names).
        self.vswitch_ids: dict[str, str] = dict(run.vswitch_ids)
        #: Node names (node-0001, ...) -> the simulated instance ids.
        self.node_ids: dict[str, str] = dict(run.node_ids)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Result {s['scenario']!r}: {s['calls']} calls, error rate {s['error_rate']:.2%}, "
                f"{s['pods_arrived']} pods, {s['pods_pending_at_end']} pending at the end>")

    def events(self):
        """One row per API call, as a pandas DataFrame (built anew on each call)."""
        return events_frame(self._run.recorder)

    def samples(self):
        """One row per sample and vSwitch, as a pandas DataFrame (built anew on each call)."""
        return samples_frame(self._run.recorder)

    def exhaustion(self):
        """The first time each limit was hit, as a pandas DataFrame (built anew on each call)."""
        return exhaustion_frame(self._run.recorder)
