"""The replay engine: a small discrete-event loop that owns the clock and the seed, the replay
of workloads against the simulated cloud, and columnar recording. No I/O, no plotting."""

from simkit.engine.core import Engine
from simkit.engine.recorder import LIMIT_OF_CODE, SAMPLE_COLUMNS, Recorder
from simkit.engine.replay import FleetSpec, Plan, Replay, RunResult, VSwitchSpec

__all__ = ["Engine", "FleetSpec", "LIMIT_OF_CODE", "Plan", "Recorder", "Replay", "RunResult", "SAMPLE_COLUMNS", "VSwitchSpec"]
