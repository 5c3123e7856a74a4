"""One look for every simkit figure: a colour-blind-safe palette (Okabe and Ito, "Color
Universal Design", 2008: eight colours told apart under the common colour-vision deficiencies),
one colour per address use and /28 block state, labelled axes, and the rule every plotting
function follows: take an optional ``ax``, draw on it, return its Figure."""

from __future__ import annotations

import contextlib
from typing import Iterator

from simkit.ecs import AddressUse
from simkit.net import BlockState

__all__ = ["ADDRESS_COLOURS", "BLOCK_COLOURS", "OKABE_ITO", "SERIES", "axes", "styled"]

#: The Okabe-Ito palette by name.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}
#: Free space is a light grey rather than a palette colour, so that what is used stands out.
FREE = "#EEEEEE"
SYSTEM = "#555555"

#: The colour of each address use on the address map.
ADDRESS_COLOURS = {
    AddressUse.FREE: FREE,
    AddressUse.PRIMARY: OKABE_ITO["blue"],
    AddressUse.SECONDARY: OKABE_ITO["sky blue"],
    AddressUse.PREFIX: OKABE_ITO["orange"],
    AddressUse.RESERVED_FREE: OKABE_ITO["yellow"],
    AddressUse.SYSTEM: SYSTEM,
}
#: The colour of each /28 block state (block-state figures).
BLOCK_COLOURS = {
    BlockState.FREE: FREE,
    BlockState.PARTIAL: OKABE_ITO["sky blue"],
    BlockState.FULL: OKABE_ITO["blue"],
    BlockState.PREFIX: OKABE_ITO["orange"],
    BlockState.SYSTEM: SYSTEM,
    BlockState.RESERVED_FREE: OKABE_ITO["yellow"],
}
#: Line colours for series that are not address uses, in the order they are taken.
SERIES = [OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue",
                                       "yellow", "black")]

_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.prop_cycle": None,  # set below, from SERIES
    "svg.hashsalt": "simkit",  # the same figure gives the same SVG, byte for byte
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """simkit's look for what is drawn inside (matplotlib's rc_context: nothing leaks out)."""
    import matplotlib as mpl
    from cycler import cycler

    with mpl.rc_context({**_RC, "axes.prop_cycle": cycler(color=SERIES)}):
        yield


def axes(ax=None, figsize: tuple[float, float] = (7.0, 3.5)):
    """(figure, ax): ``ax`` and its figure when given, else a new figure of ``figsize`` inches
    with one axes (not shown by pyplot's state machine until the caller displays it)."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
