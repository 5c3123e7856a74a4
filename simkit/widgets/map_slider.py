"""``MapSlider(result, vswitch=None)``: a run's address map with a slider over its samples."""

from __future__ import annotations

from typing import Any

from simkit.analysis.words import clock_time
from simkit.widgets.render import png_of

__all__ = ["MapSlider"]


class MapSlider:
    """The address map of ``vswitch`` (the run's first by default) at one sample, with a slider
    over every sample time; ``curve`` as ``simkit.viz.address_map`` takes it. Display it as the
    last expression of a cell; ``.slider`` and ``.image`` are the widgets."""

    def __init__(self, result: Any, vswitch: str | None = None, curve: str = "hilbert"):
        import ipywidgets as w

        self.result = result
        self.vswitch = vswitch if vswitch is not None else result.plan.vswitches[0].name
        if self.vswitch not in result.vswitch_ids:
            raise KeyError(f"no vSwitch {self.vswitch!r} in this run; its vSwitches: {', '.join(result.vswitch_ids)}")
        self.curve = curve
        self.times = result.sample_times()
        self.slider = w.IntSlider(value=len(self.times) - 1, min=0, max=len(self.times) - 1, description="sample",
                                  continuous_update=False, readout=False)
        self.label = w.Label()
        self.image = w.Image(format="png")
        self.slider.observe(lambda _: self.draw(), names="value")
        self.widget = w.VBox([w.HBox([self.slider, self.label]), self.image])
        self.draw()

    @property
    def time(self) -> float:
        """The sample time shown, in seconds from the start of the workload."""
        return self.times[self.slider.value]

    def draw(self) -> None:
        """Draw the map at the slider's sample."""
        from simkit.viz import address_map

        self.label.value = f"at {clock_time(self.time)}"
        self.image.value = png_of(address_map(self.result, self.vswitch, self.time, curve=self.curve))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
