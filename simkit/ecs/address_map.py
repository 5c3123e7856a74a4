"""What every address of a vSwitch is used for, as the address map draws it: the address
space's own states (free, single IP, prefix, reserved, system) with the single IPs told apart
into ENI primaries and secondaries, which only the model knows."""

from __future__ import annotations

import enum

import numpy as np

from simkit.net import AddrState

__all__ = ["AddressUse", "address_uses"]


class AddressUse(enum.IntEnum):
    """What one address of a vSwitch is used for (one byte an address in an address map)."""

    FREE = 0  # free for a single IP, outside reservations
    PRIMARY = 1  # an ENI's primary address
    SECONDARY = 2  # a secondary private IP
    PREFIX = 3  # inside a /28 prefix an ENI holds
    RESERVED_FREE = 4  # inside a CIDR reservation, in no prefix
    SYSTEM = 5  # system-reserved: the first address and the last three


# AddrState value -> AddressUse value (a single IP is a secondary until its ENI says primary).
_USE_OF_STATE = np.zeros(max(AddrState) + 1, dtype=np.uint8)
_USE_OF_STATE[AddrState.FREE] = AddressUse.FREE
_USE_OF_STATE[AddrState.SINGLE] = AddressUse.SECONDARY
_USE_OF_STATE[AddrState.PREFIX] = AddressUse.PREFIX
_USE_OF_STATE[AddrState.SYSTEM] = AddressUse.SYSTEM
_USE_OF_STATE[AddrState.RESERVED] = AddressUse.RESERVED_FREE


def address_uses(vswitch, enis) -> np.ndarray:
    """The ``AddressUse`` of every address of ``vswitch`` (a model VSwitch), lowest first, as a
    uint8 array; ``enis`` are the region's ENIs (those of other vSwitches are passed over)."""
    space = vswitch.space
    out = _USE_OF_STATE[np.frombuffer(space.addr, dtype=np.uint8)]
    primaries = [eni.primary_ip - space.base for eni in enis if eni.vswitch_id == vswitch.id]
    out[primaries] = AddressUse.PRIMARY
    return out
