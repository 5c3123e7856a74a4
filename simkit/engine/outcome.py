"""What a call asked for and what it got, read from its typed request and result: one
definition for every caller (agents, replayed logs), so the recorded figures mean one thing.

``asked``: addresses (a new ENI's primary included) or prefixes a request asks for; 0 for calls
that ask for none (attach, describe...). ``granted``: what a successful call got, by the same
measure; for calls that hand out nothing it equals ``asked`` (an Unassign gives back what it
names)."""

from __future__ import annotations

from typing import Any

from simkit.ecs import requests as rq

__all__ = ["asked", "eni_of", "granted"]


def _n(values: list | None) -> int:
    return len(values) if values else 0


def _asked_assign(r: rq.AssignPrivateIpAddresses) -> int:
    return (r.secondary_private_ip_address_count or _n(r.private_ip_address)
            or r.ipv4_prefix_count or _n(r.ipv4_prefix))


def _asked_create(r: rq.CreateNetworkInterface) -> int:
    prefixes = r.ipv4_prefix_count or _n(r.ipv4_prefix)
    if prefixes:
        return prefixes
    return 1 + (r.secondary_private_ip_address_count or _n(r.private_ip_address))


def _asked_unassign(r: rq.UnassignPrivateIpAddresses) -> int:
    return _n(r.private_ip_address) + _n(r.ipv4_prefix)


_ASKED = {
    rq.AssignPrivateIpAddresses: _asked_assign,
    rq.CreateNetworkInterface: _asked_create,
    rq.UnassignPrivateIpAddresses: _asked_unassign,
}


def asked(request: Any) -> int:
    """Addresses or prefixes ``request`` asks for (see the module docstring)."""
    count = _ASKED.get(type(request))
    return count(request) if count is not None else 0


def granted(request: Any, result: Any) -> int:
    """What a successful call got (see the module docstring)."""
    kind = type(request)
    if kind is rq.AssignPrivateIpAddresses:
        return len(result.addresses) + len(result.prefixes)
    if kind is rq.CreateNetworkInterface:
        return len(result.prefixes) or 1 + len(result.secondaries)
    return asked(request)


def eni_of(request: Any, result: Any) -> str:
    """The ENI a call acted on ("" when none): the one it names, or the one it created."""
    if type(request) is rq.CreateNetworkInterface:
        return result.id if result is not None else ""
    eni = getattr(request, "network_interface_id", None)
    return eni if isinstance(eni, str) else ""
