"""Widgets for notebooks (ipywidgets): ``WhatIf``, a panel that re-runs a scenario as its
controls change and redraws the address map and the time series, with the run in words beside
them; ``MapSlider``, a time slider over a run's address map."""

from simkit.widgets.map_slider import MapSlider
from simkit.widgets.what_if import WhatIf

__all__ = ["MapSlider", "WhatIf"]
