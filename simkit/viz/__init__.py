"""simkit's figures (matplotlib). Every function takes a Result, a sweep table or a SizeResult
(or an address array), an optional ``ax`` to draw on, and returns the Figure, so the same call
serves a notebook, a script and the report. docs/figures.md says what each draws."""

from simkit.viz.address_map import address_map
from simkit.viz.sizing import pareto, size_curve, sweep_band
from simkit.viz.timeseries import addresses_held, api_errors, block_states, free_addresses, pod_waits, pods

__all__ = ["address_map", "addresses_held", "api_errors", "block_states", "free_addresses", "pareto", "pod_waits",
           "pods", "size_curve", "sweep_band"]
