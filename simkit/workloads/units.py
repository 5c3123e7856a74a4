"""Durations and rates as written in scenario files: ``"10m"``, ``"1.5h"``, ``"0.5/s"``."""

from __future__ import annotations

import math
import re

from simkit.workloads.files import cut

#: Seconds per unit; shared by durations ("10m") and rate denominators ("30/m").
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([smhd]?)\s*$")
_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(?:/\s*([smhd]))?\s*$")


def _plain_number(value: object) -> float | None:
    # bool is an int subclass, but `duration: true` is a mistake, not 1 second.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an int of 309 digits or more: as far from finite as inf
        return math.inf


def parse_duration(value: str | int | float) -> float:
    """Seconds in ``value``: a number of seconds, or a string such as ``"30s"``, ``"10m"``,
    ``"1.5h"``, ``"1d"`` (a bare numeric string is seconds).

    Raises ValueError naming the value and the allowed forms when it is none of these, negative
    or not finite.

    >>> parse_duration("1.5h")
    5400.0
    """
    number = _plain_number(value)
    if number is None:
        match = _DURATION.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(
                f"duration {cut(value)} is not understood; use seconds as a number, or a number "
                "followed by s, m, h or d (e.g. 30s, 10m, 1.5h, 1d)"
            )
        number = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"duration {cut(value)} must be a finite number of seconds >= 0")
    return number


def parse_rate(value: str | int | float) -> float:
    """Events per second in ``value``: a number (per second), or a string ``"<n>/s"``,
    ``"<n>/m"``, ``"<n>/h"`` or ``"<n>/d"`` (a bare numeric string is per second).

    Raises ValueError naming the value and the allowed forms when it is none of these, negative
    or not finite.

    >>> parse_rate("30/m")
    0.5
    """
    number = _plain_number(value)
    if number is None:
        match = _RATE.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(
                f"rate {cut(value)} is not understood; use events per second as a number, or "
                "<number>/s, /m, /h or /d (e.g. 0.5/s, 30/m, 100/h)"
            )
        number = float(match.group(1)) / _UNIT_SECONDS[match.group(2) or "s"]
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"rate {cut(value)} must be a finite number of events per second >= 0")
    return number
