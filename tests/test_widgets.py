"""Issue 12, point 2: the what-if panel re-runs as its controls change and says the run in
words; the map slider redraws at the sample it is moved to. Driven programmatically, as a
person moving the controls would."""

import pytest

import simkit
from simkit.widgets import MapSlider, WhatIf

#: The default scenario over 6 hours: a /24 that does not run out before the afternoon peak.
SIX_HOURS = {**simkit.DEFAULT_SCENARIO, "duration": "6h"}


def test_the_panel_runs_the_scenario_and_says_it_in_words():
    panel = WhatIf(simkit.DEFAULT_SCENARIO)
    assert panel.result is not None and panel.error is None
    assert "8,613 pods arrived in 1 d" in panel.summary.value
    assert "The first limit hit was vswitch_addresses on pods-h at 10 h 1 min" in panel.summary.value
    assert bytes(panel.map_image.value).startswith(b"\x89PNG") and bytes(panel.series_image.value).startswith(b"\x89PNG")


def test_a_larger_vswitch_removes_the_limit_and_the_summary_says_so():
    """/24 -> /22 (1,020 usable): the fleet's at most 450 pods and 50 idle never run it out."""
    panel = WhatIf(simkit.DEFAULT_SCENARIO)
    before = panel.map_image.value
    panel.controls["vswitch_mask"].value = 22
    assert panel.result.plan.vswitches[0].cidr == "192.168.0.0/22"
    assert panel.result.summary["exhaustion"] == {} and "No limit was hit." in panel.summary.value
    assert panel.map_image.value != before


def test_values_the_scenario_refuses_are_said_and_nothing_runs():
    """Prefix mode needs a reservation: the scenario's own message takes the summary's place."""
    panel = WhatIf(SIX_HOURS)
    panel.controls["mode"].value = "prefix"
    assert panel.result is None and "reservation" in panel.error
    assert "The scenario refuses these values" in panel.summary.value and panel.map_image.value == b""
    panel.controls["mode"].value = "secondary-ip"
    assert panel.result is not None and panel.error is None


def test_more_nodes_and_a_faster_arrival_change_the_run_as_expected():
    """Twice the arrival rate offers twice the pods: more arrive in the same 6 hours."""
    panel = WhatIf(SIX_HOURS)
    arrived = panel.result.summary["pods_arrived"]
    panel.controls["arrival_rate"].value = 12.0
    assert panel.scenario()["workload"]["arrival_rate"] == "12/m"
    assert panel.result.summary["pods_arrived"] > 1.6 * arrived


def test_the_map_slider_redraws_at_the_sample_it_is_moved_to():
    result = simkit.run(SIX_HOURS, progress=False)
    slider = MapSlider(result)
    assert slider.time == result.sample_times()[-1] and slider.label.value == "at 6 h"
    last = slider.image.value
    slider.slider.value = 0
    assert slider.time == 0.0 and slider.label.value == "at 0 s" and slider.image.value != last
    with pytest.raises(KeyError, match="no vSwitch 'nope' in this run; its vSwitches: pods-h"):
        MapSlider(result, "nope")


def test_jupyterlab_gets_the_widgets_front_end():
    """`make lab` shows the panels only if JupyterLab finds ipywidgets' front end: the prebuilt
    extension that ipywidgets' own dependency jupyterlab_widgets installs into the environment."""
    import sys
    from pathlib import Path

    manager = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager"
    assert (manager / "package.json").is_file()
