"""Checking scenario values one at a time: each check returns the value (parsed where it has a
unit) or raises one ScenarioError naming the key path and what is allowed."""

from __future__ import annotations

import math
from typing import Any, Mapping

from simkit.net import Cidr, MalformedCidr
from simkit.scenario.errors import ScenarioError
from simkit.workloads import parse_duration

__all__ = ["Checker", "seconds_text", "show"]


class Checker:
    """Checks the values of one scenario source; every error it raises names that source."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, problem: str) -> ScenarioError:
        """The error for the value at ``path`` (returned, for the caller to raise)."""
        return ScenarioError(self.source, path, problem)

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> Mapping:
        """``value`` if it is a mapping with only ``allowed`` keys and every ``required`` one.

        Raises ScenarioError naming the first unknown key, else the first missing one.
        """
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping with keys {', '.join(sorted(allowed))}, got {show(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(f"{path}.{key}" if path else str(key), f"unknown key; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required):
            if key not in value:
                raise self.fail(f"{path}.{key}" if path else key, "is required")
        return value

    def table(self, value: Any, path: str, what: str) -> Mapping:
        """``value`` if it is a mapping of keys the caller checks (``what`` says what it maps,
        e.g. "API action to calls per minute"); raises ScenarioError."""
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping of {what}, got {show(value)}")
        return value

    def choice(self, value: Any, path: str, allowed) -> str:
        """``value`` if it is one of the strings ``allowed`` (in the order the message lists
        them); raises ScenarioError naming them. Anything else, a list or a mapping included,
        is refused rather than looked up (a list cannot be a key of a set or dict)."""
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(path, f"{show(value)} is unknown; allowed: {', '.join(allowed)}")
        return value

    def seq(self, value: Any, path: str, min_len: int = 1) -> list:
        """``value`` if it is a list of at least ``min_len`` items; raises ScenarioError."""
        if not isinstance(value, list) or len(value) < min_len:
            raise self.fail(path, f"expected a list of at least {min_len} item(s), got {show(value)}")
        return value

    def integer(self, value: Any, path: str, lo: int | None = None, hi: int | None = None) -> int:
        """``value`` if it is an int (not a bool) within [lo, hi]; raises ScenarioError."""
        if not isinstance(value, int) or isinstance(value, bool) or (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f" from {lo}" if lo is not None else ""
            rng += f" to {hi}" if hi is not None else ""
            raise self.fail(path, f"expected a whole number{rng}, got {show(value)}")
        return value

    def number(self, value: Any, path: str, lo: float = 0.0, hi: float | None = None) -> float:
        """``value`` as a float if it is a finite number (not a bool) within [lo, hi]; raises
        ScenarioError. NaN is refused by name: every comparison with it is false, so a range
        check alone would let it through."""
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            try:
                number = float(value)
            except OverflowError:  # an int too large for a float
                number = math.inf
            ok = math.isfinite(number) and number >= lo and (hi is None or number <= hi)
        if not ok:
            raise self.fail(path, f"expected a finite number >= {lo:g}{'' if hi is None else f' and <= {hi:g}'}, "
                                  f"got {show(value)}")
        return number

    def text(self, value: Any, path: str) -> str:
        """``value`` if it is a non-empty string; raises ScenarioError."""
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"expected text, got {show(value)}")
        return value

    def duration(self, value: Any, path: str, positive: bool = True, least: float | None = None,
                 most: float | None = None) -> float:
        """A duration ("10m", 600) in seconds: longer than 0 when ``positive``, and within
        [least, most] seconds for the bounds given. Raises ScenarioError naming the range
        allowed, e.g. "'1e300d' is 8.64e+304 s; allowed: longer than 0 and at most 366d
        (31,622,400 s)"."""
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None
        if positive and seconds <= 0:
            raise self.fail(path, f"must be longer than 0, got {show(value)}")
        if (least is not None and seconds < least) or (most is not None and seconds > most):
            bounds = [f"at least {seconds_text(least)}" if least is not None else "longer than 0" if positive else ""]
            bounds += [f"at most {seconds_text(most)}"] if most is not None else []
            raise self.fail(path, f"{show(value)} is {seconds:,.10g} s; allowed: {' and '.join(b for b in bounds if b)}")
        return seconds

    def cidr(self, value: Any, path: str) -> Cidr:
        """A CIDR block parsed strictly (no host bits); raises ScenarioError."""
        try:
            return Cidr.parse(value)
        except MalformedCidr as exc:
            raise self.fail(path, str(exc)) from None


def seconds_text(seconds: float) -> str:
    """A bound in seconds as a scenario would write it, with the seconds: ``"366d (31,622,400 s)"``,
    ``"1 s"``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit} ({seconds:,.0f} s)"
    return f"{seconds:g} s"


def show(value: Any) -> str:
    """``value`` as it would be typed, cut to 60 characters so a message stays one line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
