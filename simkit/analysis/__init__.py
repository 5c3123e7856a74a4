"""Studies over many runs: ``sweep`` runs a scenario over a grid of values (or named variants)
and seeds, on local processes or a Dask cluster, and returns one row of figures per run.

One module per job: ``keypaths`` sets a value at a key path of a scenario, ``figures`` reads a
run's figures, ``capacity`` holds the closed forms (usable addresses, max pods, a fleet's address bounds),
``sweep`` plans and runs the grid, ``size`` finds the smallest layout that meets a target with
a stated confidence (the Pareto set when several keys vary), ``candidates`` derives what ``size``
tries from the closed forms, ``forecast`` says when each limit is first hit over seeds
(docs/forecast.md). docs/sweeps.md defines every column.
"""

from simkit.analysis import capacity
from simkit.analysis.forecast import Forecast, forecast
from simkit.analysis.size import SizeResult, size
from simkit.analysis.sweep import sweep

__all__ = ["Forecast", "SizeResult", "capacity", "forecast", "size", "sweep"]
