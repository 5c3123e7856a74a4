"""The replay engine: the replay of workloads against the simulated cloud on the one clock
(``simkit.clock``), and columnar recording. No I/O, no plotting."""

from simkit.engine.layout import LayoutError
from simkit.engine.plan import FleetSpec, Plan, VSwitchSpec
from simkit.engine.recorder import LIMIT_OF_CODE, SAMPLE_COLUMNS, Recorder, Sample
from simkit.engine.replay import Replay, RunResult

__all__ = ["FleetSpec", "LayoutError", "LIMIT_OF_CODE", "Plan", "Recorder", "Replay", "RunResult", "SAMPLE_COLUMNS", "Sample", "VSwitchSpec"]
