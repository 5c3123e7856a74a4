"""The address map of a vSwitch: every address a cell, laid on a Hilbert (or Morton) curve so
that each aligned /28 is a 4x4 square, coloured by what the address is used for."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from simkit.analysis.words import clock_time
from simkit.ecs import AddressUse
from simkit.net import Cidr, format_ipv4
from simkit.viz.curves import CURVES, cells, grid_shape
from simkit.viz.style import ADDRESS_COLOURS, OKABE_ITO, axes, styled

__all__ = ["USE_LABELS", "address_map", "map_image"]

#: The legend's words for each address use.
USE_LABELS = {
    AddressUse.FREE: "free",
    AddressUse.PRIMARY: "ENI primary",
    AddressUse.SECONDARY: "secondary address",
    AddressUse.PREFIX: "/28 prefix",
    AddressUse.RESERVED_FREE: "reserved, free",
    AddressUse.SYSTEM: "system-reserved",
}

_RGB = np.zeros((max(AddressUse) + 1, 3))
for _use, _colour in ADDRESS_COLOURS.items():
    _RGB[_use] = [int(_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]


def map_image(uses: np.ndarray, curve: str = "hilbert") -> np.ndarray:
    """The (rows, columns, 3) RGB image of an array of ``AddressUse`` values, one cell an
    address, placed by ``simkit.viz.curves.cells``."""
    uses = np.asarray(uses, dtype=np.uint8)
    x, y = cells(len(uses), curve)
    rows, columns = grid_shape(len(uses))
    image = np.zeros((rows, columns, 3))
    image[y, x] = _RGB[uses]
    return image


def address_map(source: Any, vswitch: str | None = None, time: float | None = None, *, ax=None,
                curve: str = "hilbert", cidr: str | None = None, reservations: Sequence[str] = (),
                title: str | None = None):
    """Draw the address map of a vSwitch and return its Figure.

    ``source``: a ``simkit.Result`` (``vswitch`` is a vSwitch's name, the scenario's first when
    None; ``time`` picks the sample taken then or the last before it, the last sample when None;
    the CIDR and reservations come from the run), or a numpy array of ``simkit.ecs.AddressUse``
    values, lowest address first, with its ``cidr`` (and ``reservations``, CIDR blocks inside
    it, to outline and label). ``curve``: ``"hilbert"`` (neighbouring addresses stay
    neighbours) or ``"morton"`` (Z-order: its jumps fall on CIDR boundaries). Raises
    ValueError naming what is allowed for a bad curve, CIDR or array; KeyError for a vSwitch
    the run does not have."""
    if curve not in CURVES:
        raise ValueError(f"unknown curve {curve!r}; the curves are {', '.join(CURVES)}")
    if isinstance(source, np.ndarray):
        if cidr is None:
            raise ValueError("an address array needs its vSwitch's cidr, e.g. cidr='10.0.0.0/24'")
        uses, name, when = source, vswitch, None
    else:
        name = vswitch if vswitch is not None else source.plan.vswitches[0].name
        uses = source.address_map(name, time)
        cidr = next((v.cidr for v in source.plan.vswitches if v.name == name), None)
        reservations = source.reservations.get(name, [])
        when = source.sample_time(time)
    net = Cidr.parse(cidr, "cidr")
    if len(uses) != net.size:
        raise ValueError(f"the address array holds {len(uses):,} addresses, but {net} holds {net.size:,}")
    if len(uses) < 16:
        raise ValueError(f"{net} is smaller than a /28; the map draws /28 blocks as 4x4 squares")
    with styled():
        rows, columns = grid_shape(len(uses))
        fig, ax = axes(ax, figsize=(3.2 + 3.2 * columns / rows, 4.2))
        ax.imshow(map_image(uses, curve), interpolation="nearest", origin="upper", aspect="equal")
        if rows <= 64:  # up to a /20: faint lines between the /28 squares (denser would be noise)
            for at in range(4, columns, 4):
                ax.axvline(at - 0.5, color="white", linewidth=0.4)
            for at in range(4, rows, 4):
                ax.axhline(at - 0.5, color="white", linewidth=0.4)
        x, y = cells(len(uses), curve)
        for block in reservations:
            _outline(ax, net, Cidr.parse(block, "reservations"), x, y)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{curve.capitalize()} curve from {format_ipv4(net.base)} (top left): "
                      f"each 4×4 square is one aligned /28")
        heading = title if title is not None else f"vSwitch {name}" if name else "vSwitch"
        at = f", at {clock_time(when)}" if when is not None else ""
        ax.set_title(f"{heading}: {net}{at}")
        _legend(ax, uses)
    return fig


def _outline(ax, net: Cidr, block: Cidr, x: np.ndarray, y: np.ndarray) -> None:
    """Outline a reservation's block (an aligned block: a square or 2:1 rectangle of cells) and
    label it with its CIDR."""
    from matplotlib.patches import Rectangle

    if not net.contains_block(block):
        raise ValueError(f"reservation {block} lies outside the vSwitch's {net}")
    first = block.base - net.base
    xs, ys = x[first:first + block.size], y[first:first + block.size]
    left, top = xs.min() - 0.5, ys.min() - 0.5
    width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    ax.add_patch(Rectangle((left, top), width, height, fill=False, edgecolor=OKABE_ITO["black"], linewidth=1.2))
    ax.text(left + width / 2, top + height / 2, f"reserved\n{block}", ha="center", va="center", fontsize=7,
            color=OKABE_ITO["black"])


def _legend(ax, uses: np.ndarray) -> None:
    """One entry per use present, with its count of addresses."""
    from matplotlib.patches import Patch

    counts = np.bincount(np.asarray(uses, dtype=np.uint8), minlength=len(AddressUse))
    handles = [Patch(facecolor=ADDRESS_COLOURS[use], edgecolor="#999999", label=f"{USE_LABELS[use]} ({counts[use]:,})")
               for use in AddressUse if counts[use]]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
