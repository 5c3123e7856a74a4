"""The facts and states of an address space, in one place every layer imports: mask ranges,
system-reserved addresses, reservation rules, the /28 block, and the state of an address and of
a block. Sources: ``../shared/reference/alibaba-facts.md`` §1, §2.2."""

from __future__ import annotations

import enum

__all__ = [
    "BLOCK", "BLOCK_SHIFT", "MAX_RESERVATIONS", "PREFIX_LEN", "RESERVATION_MAX_PREFIXLEN", "RESERVATION_MIN_EXTRA_BITS",
    "SYSTEM_RESERVED_HEAD", "SYSTEM_RESERVED_TAIL", "VSWITCH_MASK_RANGE", "AddrState", "BlockState", "ReservedFlag",
]

#: vSwitch IPv4 mask lengths allowed by CreateVSwitch (PYVPC CidrBlock docstring).
VSWITCH_MASK_RANGE = (16, 29)
#: Reserved by the system: the first address and the last three (vpc/api-610154).
SYSTEM_RESERVED_HEAD = 1
SYSTEM_RESERVED_TAIL = 3
#: Reserved IPv4 CIDR blocks per vSwitch, as the English CreateVSwitchCidrReservation page
#: (vpc/api-610154) has it: the default of a standalone ``AddressSpace``. The current Chinese
#: pages count 100 per VPC instead; the cloud model takes its bound from its settings
#: (``simkit.CloudSettings.reservations_per_vswitch`` and ``reservations_per_vpc``).
MAX_RESERVATIONS = 10
#: A reservation's mask is at least this many bits longer than the vSwitch's, and at most /28.
RESERVATION_MIN_EXTRA_BITS = 2
RESERVATION_MAX_PREFIXLEN = 28
#: IPv4 prefixes on ENIs are always /28 (ecs/user-guide/ip-prefix).
PREFIX_LEN = 28
BLOCK = 1 << (32 - PREFIX_LEN)  # 16 addresses per aligned /28 block
BLOCK_SHIFT = 32 - PREFIX_LEN  # address offset >> BLOCK_SHIFT = its block


class AddrState(enum.IntEnum):
    """State byte of one address in the bitmap."""

    FREE = 0  # may be handed out as a single IP
    SINGLE = 1  # held as a single (primary or secondary) IP
    PREFIX = 2  # part of a /28 prefix held by an ENI
    SYSTEM = 3  # first address or one of the last three
    RESERVED = 4  # inside a CIDR reservation, not yet in a prefix


class BlockState(enum.IntEnum):
    """State of one aligned /28 block, as returned by ``AddressSpace.block_states``."""

    FREE = 0  # every address free for single IPs
    PARTIAL = 1  # some single IPs held, some free
    FULL = 2  # no free address left, at least one single IP held
    PREFIX = 3  # held as a /28 prefix
    SYSTEM = 4  # holds system-reserved addresses and nothing else used
    RESERVED_FREE = 5  # inside a CIDR reservation, free for a prefix


class ReservedFlag(enum.IntEnum):
    """Reservation flag of one aligned /28 block (one byte per block)."""

    NOT_RESERVED = 0
    FREE = 1  # in a reservation, free for a prefix
    PREFIX = 2  # in a reservation, held as a prefix
