"""``WhatIf(scenario)``: a what-if panel that re-runs a scenario as its controls change and
redraws the address map and the time series, with the run's summary in words beside them.

The controls set values of the scenario by key path (``simkit.analysis.keypaths``), the same
paths a sweep varies: the first vSwitch's mask (its network address kept) and one reservation
mask, the first node pool's instance type and count, the churn's arrival rate and median
lifetime (its p90 kept in proportion), the agent's mode and pool bounds, the placement policy
and the seed. A combination the scenario refuses (prefix mode without a reservation, say) is
said in the summary's place, with the scenario's own message, and nothing is run.
"""

from __future__ import annotations

import ipaddress
import time
import warnings
from typing import Any

from simkit.analysis.keypaths import with_value
from simkit.analysis.sweep import with_absolute_paths
from simkit.analysis.words import summary_in_words
from simkit.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario, run
from simkit.workloads import parse_duration, parse_rate
from simkit.widgets.render import png_of, sentences_html

__all__ = ["WhatIf"]

_PLACEMENTS = ("random", "lowest", "pack")


class WhatIf:
    """The panel for ``scenario`` (a YAML path or a mapping; the embedded default when None).

    ``controls``: the control widgets by name (``vswitch_mask``, ``reservation_mask``,
    ``instance_type``, ``nodes``, ``arrival_rate`` and ``lifetime`` for pod churn, ``mode``,
    ``min_idle``, ``max_idle``, ``placement``, ``seed``); setting a control's ``value`` re-runs,
    as moving it does. ``result``: the latest run (None when the scenario refused the controls'
    values; ``error`` says why). ``summary``: the HTML widget with the run in words.
    ``seconds``: what the last re-run and redraw took. Display the panel as the last expression
    of a cell."""

    def __init__(self, scenario: Any = None, *, curve: str = "hilbert"):
        import ipywidgets as w

        data, self.source, base = load_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
        self.base = with_absolute_paths(data, base)
        self.curve = curve
        self.result = None
        self.error: str | None = None
        self.seconds = 0.0
        self.controls = self._controls(w)
        self.summary = w.HTML()
        self.map_image = w.Image(format="png")
        self.series_image = w.Image(format="png")
        for control in self.controls.values():
            control.observe(lambda _: self.rerun(), names="value")
        self.widget = w.HBox([w.VBox(list(self.controls.values()), layout=w.Layout(min_width="19em")),
                              w.VBox([self.map_image, self.series_image]), self.summary])
        self.rerun()

    # ---------------------------------------------------------------- controls

    def _controls(self, w) -> dict[str, Any]:
        from simkit.agents import MODES
        from simkit.catalog import load_catalog

        s = self.base
        style = {"description_width": "9em"}
        vswitch = s["vswitches"][0]
        mask = ipaddress.ip_network(vswitch["cidr"]).prefixlen
        reservations = vswitch.get("reservations") or []
        masked = next((r["mask"] for r in reservations if "mask" in r), None)
        fleet = s["fleet"][0]
        agent = s.get("agent") or {}
        types = sorted(t.name for t in load_catalog() if t.ip_limits_known)
        controls = {
            "vswitch_mask": w.IntSlider(value=mask, min=16, max=29, description="vSwitch mask /", style=style,
                                        continuous_update=False),
            "reservation_mask": w.Dropdown(options=[("none", 0)] + [(f"/{m}", m) for m in range(28, 17, -1)],
                                           value=masked or 0, description="reservation", style=style),
            "instance_type": w.Dropdown(options=types, value=fleet["instance_type"], description="instance type",
                                        style=style),
            "nodes": w.IntSlider(value=fleet["count"], min=1, max=max(100, 2 * fleet["count"]), description="nodes",
                                 style=style, continuous_update=False),
        }
        workload = s.get("workload") or {}
        if workload.get("kind") == "pod-churn":
            rate = _per_minute(workload["arrival_rate"])
            lifetime = workload["lifetime"]
            controls["arrival_rate"] = w.FloatSlider(value=rate, min=0.5, max=max(60.0, 4 * rate), step=0.5,
                                                     description="pods / min", style=style, continuous_update=False)
            controls["lifetime"] = w.FloatSlider(value=parse_duration(lifetime["median"]) / 60, min=1, max=240, step=1,
                                                 description="median life (min)", style=style,
                                                 continuous_update=False)
        controls.update({
            "mode": w.Dropdown(options=list(MODES), value=agent.get("mode", "secondary-ip"), description="agent mode",
                               style=style),
            "min_idle": w.IntSlider(value=agent.get("min_idle", 0), min=0, max=50, description="min idle",
                                    style=style, continuous_update=False),
            "max_idle": w.IntSlider(value=agent.get("max_idle", 5), min=0, max=50, description="max idle",
                                    style=style, continuous_update=False),
            "placement": w.Dropdown(options=list(_PLACEMENTS), value=s.get("placement", "random"),
                                    description="placement", style=style),
            "seed": w.IntText(value=s.get("seed", 0), description="seed", style=style),
        })
        return controls

    def scenario(self) -> dict:
        """The scenario with the controls' values set."""
        c = {name: control.value for name, control in self.controls.items()}
        s = self.base
        network = ipaddress.ip_network(s["vswitches"][0]["cidr"]).network_address
        s = with_value(s, "vswitches.0.cidr", str(ipaddress.ip_network(f"{network}/{c['vswitch_mask']}",
                                                                         strict=False)), self.source)
        kept = [r for r in s["vswitches"][0].get("reservations") or [] if "mask" not in r]
        s = with_value(s, "vswitches.0.reservations", kept + ([{"mask": c["reservation_mask"]}]
                                                              if c["reservation_mask"] else []), self.source)
        s = with_value(s, "fleet.0.instance_type", c["instance_type"], self.source)
        s = with_value(s, "fleet.0.count", c["nodes"], self.source)
        if "arrival_rate" in c:
            s = with_value(s, "workload.arrival_rate", f"{c['arrival_rate']:g}/m", self.source)
            lifetime = s["workload"]["lifetime"]
            ratio = parse_duration(lifetime["p90"]) / parse_duration(lifetime["median"])
            s = with_value(s, "workload.lifetime", {**lifetime, "median": f"{c['lifetime'] * 60:g}s",
                                                    "p90": f"{c['lifetime'] * 60 * ratio:g}s"}, self.source)
        for key in ("mode", "min_idle", "max_idle"):
            s = with_value(s, f"agent.{key}", c[key], self.source)
        s = with_value(s, "placement", c["placement"], self.source)
        return with_value(s, "seed", c["seed"], self.source)

    # ---------------------------------------------------------------- running and drawing

    def rerun(self) -> None:
        """Run the scenario with the controls' values and redraw (or say why it cannot run)."""
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.result = run(self.scenario(), progress=False)
        except ScenarioError as exc:
            self.result, self.error = None, str(exc)
            self.summary.value = sentences_html([self.error], "The scenario refuses these values")
            self.map_image.value = self.series_image.value = b""
            self.seconds = time.perf_counter() - start
            return
        self.error = None
        self._draw([str(w.message) for w in caught])
        self.seconds = time.perf_counter() - start

    def _draw(self, warned: list[str]) -> None:
        from matplotlib.figure import Figure

        from simkit.viz import address_map, free_addresses, pods
        from simkit.viz.style import styled

        result = self.result
        name = result.plan.vswitches[0].name
        self.map_image.value = png_of(address_map(result, name, curve=self.curve))
        with styled():
            fig = Figure(figsize=(7.0, 4.6), layout="constrained")
            top, bottom = fig.subplots(2, 1, sharex=True)
        free_addresses(result, name, ax=top)
        pods(result, ax=bottom)
        self.series_image.value = png_of(fig)
        self.summary.value = sentences_html(summary_in_words(result.summary) + warned,
                                            f"{result.summary['scenario']} (seed {result.summary['seed']})")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _per_minute(rate: Any) -> float:
    """A scenario's arrival rate (``"6/m"``, ``"0.1/s"``, a number a second) in pods a minute."""
    return parse_rate(rate) * 60
