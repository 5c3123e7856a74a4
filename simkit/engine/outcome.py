"""What a call asked for and what it got, read from its typed request and result: one
definition for every caller (agents, replayed logs), so the recorded figures mean one thing.

``asked``: addresses (a new ENI's primary included) or prefixes a request asks for; 0 for calls
that ask for none (attach, describe...). ``granted``: what a successful call got, by the same
measure, 0 for a refused call; for calls that hand out nothing it equals ``asked`` (an
Unassign gives back what it names). ``eni``: the ENI the call acted on, the one it names or the
one it created ("" when none)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from simkit.ecs import requests as rq

__all__ = ["Outcome", "measure", "measure_for"]


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


# Every call of a run is measured: built without NamedTuple's Python-level __new__.
_outcome = tuple.__new__


def _assign(r: rq.AssignPrivateIpAddresses, result: Any, ok: bool) -> Outcome:
    asked = r.secondary_private_ip_address_count or _n(r.private_ip_address) or r.ipv4_prefix_count or _n(r.ipv4_prefix)
    return _outcome(Outcome, (r.network_interface_id, asked, len(result.addresses) + len(result.prefixes) if ok else 0))


def _create(r: rq.CreateNetworkInterface, result: Any, ok: bool) -> Outcome:
    asked = r.ipv4_prefix_count or _n(r.ipv4_prefix) or 1 + (r.secondary_private_ip_address_count or _n(r.private_ip_address))
    if not ok:
        return _outcome(Outcome, ("", asked, 0))
    return _outcome(Outcome, (result.id, asked, len(result.prefixes) or 1 + len(result.secondaries)))


def _unassign(r: rq.UnassignPrivateIpAddresses, result: Any, ok: bool) -> Outcome:
    asked = _n(r.private_ip_address) + _n(r.ipv4_prefix)
    return _outcome(Outcome, (r.network_interface_id, asked, asked if ok else 0))


def _other(r: Any, result: Any, ok: bool) -> Outcome:
    return _outcome(Outcome, (_named_eni(r), 0, 0))


#: request type -> ``how(request, result, succeeded) -> Outcome``; other types ask for nothing.
MEASURES: dict[type, Callable[[Any, Any, bool], Outcome]] = {
    rq.AssignPrivateIpAddresses: _assign,
    rq.CreateNetworkInterface: _create,
    rq.UnassignPrivateIpAddresses: _unassign,
}


def measure_for(kind: type) -> Callable[[Any, Any, bool], Outcome]:
    """How to measure requests of type ``kind`` (look it up once per type on a hot path)."""
    return MEASURES.get(kind, _other)


def measure(request: Any, result: Any, succeeded: bool) -> Outcome:
    """The outcome of ``request`` (``result`` is what it returned; ignored when refused)."""
    return measure_for(type(request))(request, result, succeeded)
