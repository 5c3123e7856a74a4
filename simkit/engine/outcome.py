"""What a call asked for and what it got, read from its typed request and result: one
definition for every caller (agents, replayed logs), so the recorded figures mean one thing.

``asked``: addresses (a new ENI's primary included) or prefixes a request asks for; 0 for calls
that ask for none (attach, describe...). ``granted``: what a successful call got, by the same
measure, 0 for a refused call; for calls that hand out nothing it equals ``asked`` (an
Unassign gives back what it names). ``eni``: the ENI the call acted on, the one it names or the
one it created ("" when none)."""

from __future__ import annotations

from typing import Any, NamedTuple

from simkit.ecs import requests as rq

__all__ = ["Outcome", "measure"]


class Outcome(NamedTuple):
    """What one call did (see the module docstring)."""

    eni: str
    asked: int
    granted: int


def _n(values: list | None) -> int:
    return len(values) if values else 0


def _named_eni(request: Any) -> str:
    eni = getattr(request, "network_interface_id", None)
    return eni if isinstance(eni, str) else ""


def _assign(r: rq.AssignPrivateIpAddresses, result: Any) -> Outcome:
    asked = r.secondary_private_ip_address_count or _n(r.private_ip_address) or r.ipv4_prefix_count or _n(r.ipv4_prefix)
    granted = len(result.addresses) + len(result.prefixes) if result is not None else 0
    return Outcome(r.network_interface_id, asked, granted)


def _create(r: rq.CreateNetworkInterface, result: Any) -> Outcome:
    asked = r.ipv4_prefix_count or _n(r.ipv4_prefix) or 1 + (r.secondary_private_ip_address_count or _n(r.private_ip_address))
    if result is None:
        return Outcome("", asked, 0)
    return Outcome(result.id, asked, len(result.prefixes) or 1 + len(result.secondaries))


def measure(request: Any, result: Any, succeeded: bool) -> Outcome:
    """The outcome of ``request`` (``result`` is what it returned, None when refused)."""
    kind = type(request)
    if kind is rq.AssignPrivateIpAddresses:
        return _assign(request, result if succeeded else None)
    if kind is rq.CreateNetworkInterface:
        return _create(request, result if succeeded else None)
    asked = _n(request.private_ip_address) + _n(request.ipv4_prefix) if kind is rq.UnassignPrivateIpAddresses else 0
    return Outcome(_named_eni(request), asked, asked if succeeded else 0)
