"""Where each address of a CIDR block sits on the address map: a Hilbert or Morton (Z-order)
curve through a grid, so that every aligned /28 is a 4x4 square and every larger aligned block
a square (an even number of host bits) or a 2:1 rectangle (odd).

Written here rather than taken from PyPI: the Hilbert packages there are unmaintained, and what
the map needs is one vectorised numpy pass over up to 65,536 offsets (a /16), not a loop of
Python calls per point.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["CURVES", "GridShape", "cells", "grid_shape", "hilbert_d2xy", "morton_d2xy"]

#: The curves ``cells`` lays addresses on.
CURVES = ("hilbert", "morton")


class GridShape(NamedTuple):
    """The grid a block of addresses is drawn on, in cells."""

    rows: int
    columns: int


def _host_bits(n: int) -> int:
    if n < 1 or n & (n - 1):
        raise ValueError(f"a CIDR block holds a power of two of addresses, got {n}")
    return n.bit_length() - 1


def grid_shape(n: int) -> GridShape:
    """The grid of ``n`` addresses (a power of two): a square when the host bits are even, two
    squares side by side (a 2:1 rectangle) when odd. /24: 16 x 16; /23: 16 x 32."""
    bits = _host_bits(n)
    side = 1 << (bits // 2)
    return GridShape(side, side * (2 if bits % 2 else 1))


def hilbert_d2xy(order: int, d) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the points ``d`` (an int or array, 0 <= d < 4**order) on the Hilbert curve
    through a 2**order x 2**order grid; the curve starts at (0, 0) and ends at (2**order - 1, 0).

    The iterative d2xy of Wikipedia's "Hilbert curve" article (after Warren, Hacker's Delight,
    2nd ed., §16-2), each step done on the whole array at once: two bits of d at a time pick
    the quadrant, and the point so far is rotated or reflected into it."""
    t = np.asarray(d, dtype=np.int64).copy()
    x = np.zeros_like(t)
    y = np.zeros_like(t)
    s = 1
    while s < (1 << order):
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        # rot(s, x, y, rx, ry): where ry == 0, reflect (when rx == 1) and swap x and y.
        flip = (ry == 0) & (rx == 1)
        x = np.where(flip, s - 1 - x, x)
        y = np.where(flip, s - 1 - y, y)
        swap = ry == 0
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        x = x + s * rx
        y = y + s * ry
        t //= 4
        s *= 2
    return x, y


def morton_d2xy(d) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the points ``d`` on the Morton (Z-order) curve: x from d's even bits, y from
    its odd bits. Each aligned block of 4**k points is a square, so the curve's jumps fall on
    CIDR boundaries."""
    t = np.asarray(d, dtype=np.int64)
    x = np.zeros_like(t)
    y = np.zeros_like(t)
    for bit in range(32):
        x |= ((t >> (2 * bit)) & 1) << bit
        y |= ((t >> (2 * bit + 1)) & 1) << bit
    return x, y


def cells(n: int, curve: str = "hilbert") -> tuple[np.ndarray, np.ndarray]:
    """(column, row) of every address offset 0 .. n - 1 of a block of ``n`` addresses on the
    grid ``grid_shape(n)``. With odd host bits the block is two squares side by side, the first
    half of the addresses in the left one: on the Hilbert curve the left square's last point,
    (side - 1, 0), touches the right square's first, (side, 0), so consecutive addresses stay
    neighbours across the join."""
    if curve not in CURVES:
        raise ValueError(f"unknown curve {curve!r}; the curves are {', '.join(CURVES)}")
    bits = _host_bits(n)
    d = np.arange(n, dtype=np.int64)
    if curve == "morton":
        # With odd host bits the top bit lands on x: two squares side by side, as wanted.
        return morton_d2xy(d)
    order = bits // 2
    half = 1 << (2 * order)
    x, y = hilbert_d2xy(order, d % half)
    return x + (d // half) * (1 << order), y
