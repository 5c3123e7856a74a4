"""The address space of one vSwitch: a bitmap of addresses plus per-/28 block counts.

Every address of the vSwitch has one state byte (``AddrState``). Beside the bitmap the
space keeps, for each aligned /28 block, the number of addresses still free for single IPs,
the number held by single IPs, and whether the block belongs to a CIDR reservation (and is
free or holds a prefix). Block-level questions ("a free /28 in this reservation", the
fragmentation figures, the block map) read those counts and never scan the bitmap.

Where a placement is a choice the cloud does not publish, a ``PlacementPolicy`` makes it;
the space owns the state and checks every choice before applying it, so a policy cannot
break an invariant. Every operation is all-or-nothing: a refused or exhausted call leaves
the space exactly as it was.

Sources for the rules (``../shared/reference/alibaba-facts.md`` §1, §2.2):
vSwitch masks /16-/29; the first address and the last three are reserved by the system;
at most 10 reserved IPv4 CIDR blocks per vSwitch by default (the English page; the cloud model
passes its own bound, ``max_reservations``); a reservation given as a mask is at least
2 bits longer than the vSwitch's and at most /28; a reservation holds no system-reserved
address; ordinary private IPs skip reserved blocks; IPv4 prefixes are aligned /28 blocks
taken from a reservation only.
"""

from __future__ import annotations

import enum
import random
from array import array
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from simkit.net.addr import Cidr, MalformedCidr, format_ipv4
from simkit.net.policy import PlacementPolicy, resolve_policy
from simkit.net.states import (
    BLOCK,
    BLOCK_SHIFT,
    MAX_RESERVATIONS,
    PREFIX_LEN,
    RESERVATION_MAX_PREFIXLEN,
    RESERVATION_MIN_EXTRA_BITS,
    SYSTEM_RESERVED_HEAD,
    SYSTEM_RESERVED_TAIL,
    VSWITCH_MASK_RANGE,
    AddrState,
    BlockState,
    ReservedFlag,
)

__all__ = [
    "AddrState",
    "AddressSpace",
    "BlockState",
    "Refusal",
    "Refused",
    "Reservation",
    "SpaceExhausted",
    "SpaceStats",
    "VSWITCH_MASK_RANGE",
    "MAX_RESERVATIONS",
    "PREFIX_LEN",
    "SYSTEM_RESERVED_HEAD",
    "SYSTEM_RESERVED_TAIL",
]

# Plain ints of the reservation flags, for the hot loops.
_NOT_RESERVED = int(ReservedFlag.NOT_RESERVED)
_RES_FREE = int(ReservedFlag.FREE)
_RES_PREFIX = int(ReservedFlag.PREFIX)


class Refusal(enum.Enum):
    """Why a named address, prefix or reservation was refused. The value is the phrase used
    in messages; the upper layers map each reason to an API error code."""

    NOT_AN_ADDRESS = "is not an IPv4 address"
    NOT_A_CIDR = "is not a CIDR block"
    HOST_BITS = "has host bits set"
    WRONG_MASK = "is not a /28 block"
    OUTSIDE = "is outside the vSwitch CIDR"
    SYSTEM_RESERVED = "is reserved by the system"
    IN_USE = "is already in use"
    IN_RESERVATION = "lies inside a CIDR reservation"
    NOT_IN_RESERVATION = "is not inside a CIDR reservation of the vSwitch"
    NOT_FREE = "is not free"
    NOT_HELD = "is not allocated"
    DUPLICATE = "is named more than once"
    MASK_RANGE = "has a mask outside the allowed range"
    OVERLAP = "overlaps another CIDR reservation"
    TOO_MANY = "would exceed the CIDR reservations allowed per vSwitch"
    NO_ROOM = "does not fit anywhere in the vSwitch"
    NOT_EMPTY = "still holds prefixes"


class Refused(ValueError):
    """A named address, prefix or reservation that the space will not take.

    ``reason`` is a ``Refusal``; ``value`` is the offending value as text. Nothing was changed.
    """

    def __init__(self, value: str, reason: Refusal, detail: str = ""):
        self.value = value
        self.reason = reason
        super().__init__(f"{value} {reason.value}{': ' + detail if detail else ''}")


class SpaceExhausted(Exception):
    """Not enough free addresses (or free /28 blocks in reservations) for the request.

    An expected outcome, not a bug: ``kind`` is ``"addresses"`` or ``"prefixes"``,
    ``requested`` and ``available`` are counts. Nothing was changed.
    """

    def __init__(self, kind: str, requested: int, available: int, cidr: str):
        self.kind = kind
        self.requested = requested
        self.available = available
        super().__init__(f"{cidr}: {requested} {kind} requested, {available} free")


@dataclass(frozen=True, slots=True)
class Reservation:
    """A CIDR reservation (prefix type) of a vSwitch: the block its prefixes come from."""

    cidr: Cidr

    def __str__(self) -> str:
        return str(self.cidr)


@dataclass(frozen=True, slots=True)
class SpaceStats:
    """Fragmentation figures of a vSwitch, or of one of its reservations, at one moment.

    For a vSwitch, the single-IP figures cover the addresses outside reservations (single IPs
    never come from a reservation); ``free_blocks_28_reserved`` counts the /28 blocks still
    free for prefixes. For a reservation, ``free_ips`` counts the addresses of its free /28
    blocks and ``used_ips`` is 0. ``largest_free_prefixlen`` is the prefix length of the
    largest aligned block whose every address is free (``None`` when nothing is free).
    ``fragmentation`` is the share of free addresses that lie in partly used /28 blocks:
    0.0 means every free address sits in a whole free block; it is 0.0 when nothing is free.
    Inside a reservation it is 0.0 by construction, since prefixes take whole blocks.
    """

    cidr: str
    total: int
    system_reserved: int
    reserved: int
    used_ips: int
    prefixes: int
    free_ips: int
    free_blocks_28: int
    free_blocks_28_reserved: int
    largest_free_prefixlen: int | None
    fragmentation: float


class _ResState:
    """Mutable bookkeeping of one reservation, owned by the space. Policies read
    ``block_lo``/``block_hi`` (its /28 blocks are block_lo .. block_hi - 1) and
    ``free_blocks``."""

    __slots__ = ("reservation", "block_lo", "block_hi", "free_blocks")

    def __init__(self, reservation: Reservation, block_lo: int, block_hi: int):
        self.reservation = reservation
        self.block_lo = block_lo
        self.block_hi = block_hi
        self.free_blocks = block_hi - block_lo


class AddressSpace:
    """The IPv4 address space of one vSwitch.

    >>> space = AddressSpace("10.0.0.0/24", policy="lowest")
    >>> space.free_count                          # 256 minus the 4 system-reserved addresses
    252
    >>> [format_ipv4(a) for a in space.allocate(2)]
    ['10.0.0.1', '10.0.0.2']
    >>> r = space.reserve(mask=28)                 # placed by simkit on a free aligned /28
    >>> str(r), space.free_count
    ('10.0.0.16/28', 234)
    >>> [format_ipv4(p) for p in space.allocate_prefixes(1)]
    ['10.0.0.16']

    Addresses go in and come out as ints. ``policy`` is a ``PlacementPolicy`` or one of the
    names ``"random"`` (seeded by ``seed`` or ``rng``), ``"lowest"`` and ``"pack"``.
    ``max_reservations``: CIDR reservations the space takes (``MAX_RESERVATIONS``, 10, by
    default; None: as many as fit).

    Raises ValueError (naming the value and the allowed range) for a CIDR whose mask is
    outside /16-/29 or that is not a strict CIDR block, and for a ``max_reservations`` that is
    not a whole number from 0 (or None).
    """

    def __init__(
        self,
        cidr: str | Cidr,
        *,
        policy: str | PlacementPolicy = "random",
        seed: int = 0,
        rng: random.Random | None = None,
        max_reservations: int | None = MAX_RESERVATIONS,
    ):
        if isinstance(cidr, str):
            cidr = Cidr.parse(cidr, field="vSwitch CIDR")
        if max_reservations is not None and (not isinstance(max_reservations, int) or isinstance(max_reservations, bool)
                                             or max_reservations < 0):
            raise ValueError(f"max_reservations must be a whole number >= 0 or None, got {max_reservations!r}")
        lo, hi = VSWITCH_MASK_RANGE
        if not lo <= cidr.prefixlen <= hi:
            raise ValueError(
                f"vSwitch CIDR {cidr} has mask /{cidr.prefixlen}; allowed masks are /{lo} to /{hi}"
            )
        self.cidr = cidr
        self.base = cidr.base
        self.size = cidr.size
        self.block_cap = min(BLOCK, self.size)
        self.n_blocks = max(1, self.size >> BLOCK_SHIFT)
        self.rng = rng if rng is not None else random.Random(seed)
        self.policy = resolve_policy(policy, self.rng)

        # The state bitmap and per-block counts. Policies read these; only this class writes.
        # A block's single IPs are derived (capacity - system - free) rather than counted, so
        # the hot paths touch one counter per address.
        self.addr = bytearray(self.size)
        self.block_free = bytearray([self.block_cap]) * self.n_blocks
        self.block_res = bytearray(self.n_blocks)
        self.max_reservations = max_reservations
        # Each reservation takes at least one whole /28 block, so no vSwitch holds more than its
        # blocks, whatever the bound.
        slots = self.n_blocks if max_reservations is None else min(max_reservations, self.n_blocks)
        #: block -> reservation slot (0: none); slots[k] is the reservation's bookkeeping. A byte
        #: a block, unless more than 255 reservations are allowed.
        self.block_slot = bytearray(self.n_blocks) if slots < 256 else array("H", bytes(2 * self.n_blocks))
        self._slots: list[_ResState | None] = [None] * (slots + 1)
        self._res_sorted: list[_ResState] = []
        system = list(range(SYSTEM_RESERVED_HEAD)) + list(range(self.size - SYSTEM_RESERVED_TAIL, self.size))
        block_system = bytearray(self.n_blocks)
        for off in system:
            self.addr[off] = AddrState.SYSTEM
            self.block_free[off >> BLOCK_SHIFT] -= 1
            block_system[off >> BLOCK_SHIFT] += 1
        self.block_system = bytes(block_system)
        self.system_offsets = tuple(system)

        #: Blocks outside reservations that are broken but not full (0 < free < 16), kept only
        #: for policies that read it (``pack`` fills these before breaking a whole block).
        #: A list with a position index rather than a set: iterating a set that has churned
        #: starts with a scan of its hash table, while the list's last element is O(1).
        #: Touched on transitions only, so most address changes leave it alone.
        self.partial: list[int] | None = None
        self._partial_pos: dict[int, int] = {}
        if self.policy.uses_partial:
            self.partial = [b for b in range(self.n_blocks) if 0 < self.block_free[b] < BLOCK]
            self._partial_pos = {b: j for j, b in enumerate(self.partial)}

        self.free_count = self.size - len(system)  # addresses free for single IPs
        self.used_count = 0  # addresses held as single IPs
        self.prefix_count = 0  # /28 prefixes held
        #: No FREE address sits below this offset. Releases lower it; a policy that has just
        #: found the lowest free address may raise it to that address.
        self.scan_hint = 0

    def __repr__(self) -> str:
        return (
            f"<AddressSpace {self.cidr} policy={self.policy.name} free={self.free_count} "
            f"used={self.used_count} prefixes={self.prefix_count} reservations={len(self._res_sorted)}>"
        )

    # ---------------------------------------------------------------- single addresses

    @property
    def usable(self) -> int:
        """Addresses that are not system-reserved (252 for a /24, 4 for a /29)."""
        return self.size - len(self.system_offsets)

    def allocate(self, n: int) -> list[int]:
        """Take ``n`` free single addresses chosen by the placement policy.

        Raises ValueError when ``n`` < 1, SpaceExhausted when fewer than ``n`` are free.
        """
        if not 0 < n <= self.free_count:
            if n < 1:
                raise ValueError(f"count must be at least 1, got {n}")
            raise SpaceExhausted("addresses", n, self.free_count, str(self.cidr))
        policy = self.policy
        chosen = policy.choose(self, n)
        # The built-in policies are proven by the stateful tests; any other is checked here.
        if not policy.trusted and (
            len(chosen) != n
            or len(set(chosen)) != n
            or any(not 0 <= i < self.size or self.addr[i] for i in chosen)
        ):
            raise AssertionError(f"placement policy {policy.name!r} chose {chosen!r} for {n} free addresses")
        self._take_singles(chosen)
        base = self.base
        return [base + i for i in chosen]

    def claim(self, addresses: Iterable[int]) -> None:
        """Take the named single addresses (ints), all or none.

        Raises Refused with the first offending address and its reason: OUTSIDE,
        SYSTEM_RESERVED, IN_RESERVATION, IN_USE or DUPLICATE.
        """
        offsets = self._check_claim(addresses)
        self._take_singles(offsets)

    def _check_claim(self, addresses: Iterable[int]) -> list[int]:
        base, size, addr = self.base, self.size, self.addr
        offsets: list[int] = []
        seen: set[int] = set()
        for a in addresses:
            i = a - base
            if not 0 <= i < size:
                raise Refused(_fmt(a), Refusal.OUTSIDE, str(self.cidr))
            state = addr[i]
            if state:
                if state == AddrState.SYSTEM:
                    raise Refused(_fmt(a), Refusal.SYSTEM_RESERVED)
                if state == AddrState.SINGLE:
                    raise Refused(_fmt(a), Refusal.IN_USE)
                raise Refused(_fmt(a), Refusal.IN_RESERVATION, str(self._slots[self.block_slot[i >> BLOCK_SHIFT]].reservation))
            if i in seen:
                raise Refused(_fmt(a), Refusal.DUPLICATE)
            seen.add(i)
            offsets.append(i)
        return offsets

    def release(self, addresses: Iterable[int]) -> None:
        """Give back single addresses (ints), all or none.

        Raises Refused (NOT_HELD, OUTSIDE or DUPLICATE) naming the first offending address.
        """
        if not isinstance(addresses, list):
            addresses = list(addresses)
        base, size, addr = self.base, self.size, self.addr
        block_free, partial = self.block_free, self.partial
        hint = self.scan_hint
        n = 0
        # Check and apply in one pass (this is the hot path); a refusal undoes the first n.
        # Two copies of the loop so that neither tests the policy's needs per address.
        if partial is None:
            for a in addresses:
                i = a - base
                if not 0 <= i < size or addr[i] != _SINGLE:
                    self._undo_release(addresses[:n])
                    raise self._release_refusal(addresses[:n], a)
                addr[i] = _FREE
                block_free[i >> BLOCK_SHIFT] += 1
                if i < hint:
                    hint = i
                n += 1
        else:
            pos = self._partial_pos
            for a in addresses:
                i = a - base
                if not 0 <= i < size or addr[i] != _SINGLE:
                    self._undo_release(addresses[:n])
                    raise self._release_refusal(addresses[:n], a)
                addr[i] = _FREE
                b = i >> BLOCK_SHIFT
                k = block_free[b] + 1
                block_free[b] = k
                if k == 1:
                    pos[b] = len(partial)
                    partial.append(b)
                elif k == BLOCK:
                    self._partial_remove(b)
                if i < hint:
                    hint = i
                n += 1
        self.scan_hint = hint
        self.free_count += n
        self.used_count -= n

    def _partial_remove(self, b: int) -> None:
        j = self._partial_pos.pop(b)
        last = self.partial.pop()
        if last != b:
            self.partial[j] = last
            self._partial_pos[last] = j

    def _undo_release(self, done: list[int]) -> None:
        base = self.base
        self._take_singles([a - base for a in done])
        self.free_count += len(done)
        self.used_count -= len(done)

    def _release_refusal(self, done: list[int], a: int) -> Refused:
        if not 0 <= a - self.base < self.size:
            return Refused(_fmt(a), Refusal.OUTSIDE, str(self.cidr))
        if a in done:
            return Refused(_fmt(a), Refusal.DUPLICATE)
        return Refused(_fmt(a), Refusal.NOT_HELD)

    def _take_singles(self, offsets: list[int]) -> None:
        addr, block_free, partial = self.addr, self.block_free, self.partial
        if partial is None:
            for i in offsets:
                addr[i] = _SINGLE
                block_free[i >> BLOCK_SHIFT] -= 1
        else:
            pos = self._partial_pos
            for i in offsets:
                addr[i] = _SINGLE
                b = i >> BLOCK_SHIFT
                k = block_free[b] - 1
                block_free[b] = k
                if k == BLOCK - 1:
                    pos[b] = len(partial)
                    partial.append(b)
                elif k == 0:  # full: out of ``partial`` (inline, as pack fills blocks all the time)
                    j = pos.pop(b)
                    last = partial.pop()
                    if last != b:
                        partial[j] = last
                        pos[last] = j
        self.free_count -= len(offsets)
        self.used_count += len(offsets)

    def partly_used_order(self) -> list[int] | None:
        """The partly used blocks outside reservations in the order a policy reading
        ``partial`` walks them (``pack``: the last broken last); None when the policy reads no
        such order. A snapshot keeps it, as it decides where the next address lands."""
        return None if self.partial is None else list(self.partial)

    def set_partly_used_order(self, blocks: Iterable[int]) -> None:
        """Put the partly used blocks back in a saved order (``partly_used_order``).

        Raises ValueError when ``blocks`` are not exactly the partly used blocks now, naming
        the difference; nothing is changed then. Does nothing for a policy that reads no order.
        """
        if self.partial is None:
            return
        blocks = list(blocks)
        if sorted(blocks) != sorted(self.partial):
            extra = sorted(set(blocks) - set(self.partial))
            missing = sorted(set(self.partial) - set(blocks))
            raise ValueError(f"partly used blocks of {self.cidr}: the saved order names {extra} that are not partly "
                             f"used and leaves out {missing} that are")
        self.partial[:] = blocks
        self._partial_pos = {b: j for j, b in enumerate(blocks)}

    def state_of(self, address: int) -> AddrState:
        """The state of one address of the vSwitch. Raises Refused(OUTSIDE) for others."""
        i = address - self.base
        if not 0 <= i < self.size:
            raise Refused(_fmt(address), Refusal.OUTSIDE, str(self.cidr))
        return AddrState(self.addr[i])

    # ---------------------------------------------------------------- reservations

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        """The CIDR reservations, lowest first."""
        return tuple(state.reservation for state in self._res_sorted)

    def reserve(self, cidr: str | Cidr | None = None, *, mask: int | None = None) -> Reservation:
        """Create a CIDR reservation, given as a CIDR or as a mask (then placed by simkit).

        Exactly one of ``cidr`` and ``mask``. The mask must be at least 2 bits longer than
        the vSwitch's and at most /28; the block must lie inside the vSwitch, overlap no other
        reservation, and hold no system-reserved or used address. Given a mask, simkit places
        the reservation on the lowest aligned block that meets those rules (how Alibaba Cloud
        places it is not published).

        Raises ValueError when both or neither are given; Refused with reason TOO_MANY,
        MASK_RANGE, NOT_A_CIDR, HOST_BITS, OUTSIDE, OVERLAP, SYSTEM_RESERVED, IN_USE or NO_ROOM.
        """
        if (cidr is None) == (mask is None):
            raise ValueError("give exactly one of cidr and mask for a CIDR reservation")
        if self.max_reservations is not None and len(self._res_sorted) >= self.max_reservations:
            shown = str(cidr) if cidr is not None else f"/{mask}"
            raise Refused(shown, Refusal.TOO_MANY, f"at most {self.max_reservations} per vSwitch")
        lo = self.cidr.prefixlen + RESERVATION_MIN_EXTRA_BITS
        hi = RESERVATION_MAX_PREFIXLEN
        if cidr is None:
            if not isinstance(mask, int) or isinstance(mask, bool) or not lo <= mask <= hi:
                raise Refused(f"/{mask}", Refusal.MASK_RANGE, self._mask_range_text(lo, hi))
            block = self._place_reservation(mask)
        else:
            block = self._parse_block(cidr)
            if not lo <= block.prefixlen <= hi:
                raise Refused(str(block), Refusal.MASK_RANGE, self._mask_range_text(lo, hi))
            self._check_reservable(block)
        first = (block.base - self.base) >> BLOCK_SHIFT
        last = first + (block.size >> BLOCK_SHIFT)
        reservation = Reservation(block)
        state = _ResState(reservation, first, last)
        slot = self._slots.index(None, 1)
        self._slots[slot] = state
        self._res_sorted.append(state)
        self._res_sorted.sort(key=lambda st: st.block_lo)
        start = block.base - self.base
        self.addr[start : start + block.size] = bytes([AddrState.RESERVED]) * block.size
        for b in range(first, last):
            # A reservable block is whole, so it is never in ``partial``.
            self.block_free[b] = 0
            self.block_res[b] = _RES_FREE
            self.block_slot[b] = slot
        self.free_count -= block.size
        return reservation

    def unreserve(self, reservation: Reservation) -> None:
        """Delete a CIDR reservation that holds no prefix; its addresses become free again.

        Raises Refused(NOT_IN_RESERVATION) for an unknown one, Refused(NOT_EMPTY) while it
        holds prefixes.
        """
        state = self._res_state(reservation)
        if state.free_blocks != state.block_hi - state.block_lo:
            raise Refused(str(reservation), Refusal.NOT_EMPTY)
        self._res_sorted.remove(state)
        self._slots[self._slots.index(state)] = None
        size = reservation.cidr.size
        start = reservation.cidr.base - self.base
        self.addr[start : start + size] = bytes(size)
        for b in range(state.block_lo, state.block_hi):
            self.block_res[b] = _NOT_RESERVED
            self.block_slot[b] = 0
            self.block_free[b] = BLOCK
        self.free_count += size
        self.scan_hint = min(self.scan_hint, start)

    def _mask_range_text(self, lo: int, hi: int) -> str:
        if lo > hi:
            return f"a /{self.cidr.prefixlen} vSwitch cannot hold a reservation (the mask must be /{lo} or longer and at most /{hi})"
        return f"allowed masks for this /{self.cidr.prefixlen} vSwitch are /{lo} to /{hi}"

    def _parse_block(self, cidr: str | Cidr) -> Cidr:
        if isinstance(cidr, Cidr):
            return cidr
        try:
            return Cidr.parse(cidr)
        except MalformedCidr as exc:
            raise Refused(repr(cidr), Refusal.HOST_BITS if exc.host_bits else Refusal.NOT_A_CIDR) from None

    def _check_reservable(self, block: Cidr) -> None:
        if not self.cidr.contains_block(block):
            raise Refused(str(block), Refusal.OUTSIDE, str(self.cidr))
        for other in self._res_sorted:
            if other.reservation.cidr.overlaps(block):
                raise Refused(str(block), Refusal.OVERLAP, str(other.reservation))
        start = block.base - self.base
        window = self.addr[start : start + block.size]
        if AddrState.SYSTEM in window:
            raise Refused(str(block), Refusal.SYSTEM_RESERVED, "it would hold a system-reserved address")
        if any(window):
            raise Refused(str(block), Refusal.IN_USE, "it would hold addresses already in use")

    def _place_reservation(self, mask: int) -> Cidr:
        # A block is placeable when all its /28 blocks are whole, free and unreserved; read the
        # block counts, not the bitmap.
        per = 1 << (PREFIX_LEN - mask)
        free = np.frombuffer(self.block_free, dtype=np.uint8) == BLOCK
        ok = free.reshape(-1, per).all(axis=1)
        hits = np.flatnonzero(ok)
        if hits.size == 0:
            raise Refused(f"/{mask}", Refusal.NO_ROOM, "no aligned block of that size is free of used, system-reserved and reserved addresses")
        return Cidr(self.base + (int(hits[0]) * per << BLOCK_SHIFT), mask)

    def _res_state(self, reservation: Reservation) -> _ResState:
        state = next((st for st in self._res_sorted if st.reservation == reservation), None)
        if state is None:
            raise Refused(str(reservation), Refusal.NOT_IN_RESERVATION, "no such reservation on this vSwitch")
        return state

    # ---------------------------------------------------------------- prefixes

    def free_prefix_count(self, within: Iterable[Reservation] | None = None) -> int:
        """Free /28 blocks in the given reservations (all of them when ``within`` is None)."""
        states = self._res_sorted if within is None else [self._res_state(r) for r in within]
        return sum(s.free_blocks for s in states)

    def allocate_prefixes(self, n: int, within: Iterable[Reservation] | None = None) -> list[int]:
        """Take ``n`` free aligned /28 blocks from the reservations (all of them, or ``within``).

        Returns the prefixes' base addresses (ints). Raises ValueError when ``n`` < 1 and
        SpaceExhausted("prefixes") when fewer than ``n`` are free there.
        """
        if n < 1:
            raise ValueError(f"count must be at least 1, got {n}")
        states = self._res_sorted if within is None else [self._res_state(r) for r in within]
        available = 0
        for st in states:
            available += st.free_blocks
        if n > available:
            raise SpaceExhausted("prefixes", n, available, str(self.cidr))
        policy = self.policy
        chosen = policy.choose_blocks(self, n, states)
        if not policy.trusted:
            block_res = self.block_res
            if (
                len(chosen) != n
                or len(set(chosen)) != n
                or any(
                    not any(st.block_lo <= b < st.block_hi for st in states) or block_res[b] != _RES_FREE
                    for b in chosen
                )
            ):
                raise AssertionError(f"placement policy {policy.name!r} chose blocks {chosen!r}")
        self._take_blocks(chosen)
        base = self.base
        return [base + (b << BLOCK_SHIFT) for b in chosen]

    def claim_prefixes(self, prefixes: Iterable[str | Cidr | int]) -> list[int]:
        """Take the named /28 prefixes, all or none; returns their base addresses.

        Each is a CIDR text, a ``Cidr`` or a base address (int, taken as a /28). Raises
        Refused with the first offending prefix and its reason: NOT_A_CIDR, HOST_BITS,
        WRONG_MASK, OUTSIDE, NOT_IN_RESERVATION, NOT_FREE or DUPLICATE.
        """
        blocks = self._check_prefixes(prefixes)
        self._take_blocks(blocks)
        base = self.base
        return [base + (b << BLOCK_SHIFT) for b in blocks]

    def _check_prefixes(self, prefixes: Iterable[str | Cidr | int]) -> list[int]:
        blocks: list[int] = []
        for p in prefixes:
            block = self._prefix_block(p)
            text = format_ipv4(self.base + (block << BLOCK_SHIFT)) + "/28"
            flag = self.block_res[block]
            if flag == _NOT_RESERVED:
                raise Refused(text, Refusal.NOT_IN_RESERVATION)
            if flag != _RES_FREE:
                raise Refused(text, Refusal.NOT_FREE, "it is already allocated")
            if block in blocks:
                raise Refused(text, Refusal.DUPLICATE)
            blocks.append(block)
        return blocks

    def release_prefixes(self, prefixes: Iterable[str | Cidr | int]) -> None:
        """Give back /28 prefixes (CIDR texts, ``Cidr`` values or base ints), all or none.

        Raises Refused (NOT_A_CIDR, HOST_BITS, WRONG_MASK, OUTSIDE, NOT_HELD or DUPLICATE).
        """
        blocks: list[int] = []
        for p in prefixes:
            block = self._prefix_block(p)
            text = format_ipv4(self.base + (block << BLOCK_SHIFT)) + "/28"
            if self.block_res[block] != _RES_PREFIX:
                raise Refused(text, Refusal.NOT_HELD)
            if block in blocks:
                raise Refused(text, Refusal.DUPLICATE)
            blocks.append(block)
        for b in blocks:
            self.block_res[b] = _RES_FREE
            start = b << BLOCK_SHIFT
            self.addr[start : start + BLOCK] = _RESERVED_BLOCK
            self._slots[self.block_slot[b]].free_blocks += 1
        self.prefix_count -= len(blocks)

    def _prefix_block(self, p: str | Cidr | int) -> int:
        if isinstance(p, int) and not isinstance(p, bool):
            cidr = Cidr(p, PREFIX_LEN) if p & (BLOCK - 1) == 0 else None
            if cidr is None:
                raise Refused(f"{_fmt(p)}/28", Refusal.HOST_BITS)
        elif isinstance(p, Cidr):
            cidr = p
        else:
            try:
                cidr = Cidr.parse(p)
            except MalformedCidr as exc:
                raise Refused(repr(p), Refusal.HOST_BITS if exc.host_bits else Refusal.NOT_A_CIDR) from None
        if cidr.prefixlen != PREFIX_LEN:
            raise Refused(str(cidr), Refusal.WRONG_MASK)
        if not self.cidr.contains_block(cidr):
            raise Refused(str(cidr), Refusal.OUTSIDE, str(self.cidr))
        return (cidr.base - self.base) >> BLOCK_SHIFT

    def _take_blocks(self, blocks: list[int]) -> None:
        block_res, addr, slots, block_slot = self.block_res, self.addr, self._slots, self.block_slot
        for b in blocks:
            block_res[b] = _RES_PREFIX
            start = b << BLOCK_SHIFT
            addr[start : start + BLOCK] = _PREFIX_BLOCK
            slots[block_slot[b]].free_blocks -= 1
        self.prefix_count += len(blocks)

    # ---------------------------------------------------------------- figures

    def block_states(self) -> np.ndarray:
        """The state of every aligned /28 block, lowest first, as a uint8 array of
        ``BlockState`` values (one element for a /29 vSwitch)."""
        free, single, res = self._block_arrays()
        system = np.frombuffer(self.block_system, dtype=np.uint8)
        out = np.full(self.n_blocks, BlockState.FREE, dtype=np.uint8)
        out[(single == 0) & (system > 0)] = BlockState.SYSTEM
        out[(single > 0) & (free > 0)] = BlockState.PARTIAL
        out[(single > 0) & (free == 0)] = BlockState.FULL
        out[res == _RES_FREE] = BlockState.RESERVED_FREE
        out[res == _RES_PREFIX] = BlockState.PREFIX
        return out

    def _block_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per block: addresses free for single IPs, addresses held as single IPs, and the
        reservation flag. Single IPs are what is neither free nor system-reserved outside
        reservations."""
        free = np.frombuffer(self.block_free, dtype=np.uint8)
        res = np.frombuffer(self.block_res, dtype=np.uint8)
        system = np.frombuffer(self.block_system, dtype=np.uint8)
        single = np.where(res == _NOT_RESERVED, self.block_cap - system.astype(np.int16) - free, 0)
        return free, single, res

    def address_states(self) -> np.ndarray:
        """A copy of the bitmap: one ``AddrState`` value per address, lowest first."""
        return np.frombuffer(bytes(self.addr), dtype=np.uint8)

    def stats(self) -> SpaceStats:
        """Fragmentation figures of the whole vSwitch now (see ``SpaceStats``)."""
        free, single, res = self._block_arrays()
        outside = res == _NOT_RESERVED
        whole = free == BLOCK  # only outside reservations can a block have 16 single-free addresses
        partial_free = int(free[(single > 0) & (free > 0)].sum())
        reserved = sum(s.reservation.cidr.size for s in self._res_sorted)
        return SpaceStats(
            cidr=str(self.cidr),
            total=self.size,
            system_reserved=len(self.system_offsets),
            reserved=reserved,
            used_ips=self.used_count,
            prefixes=self.prefix_count,
            free_ips=self.free_count,
            free_blocks_28=int(whole.sum()),
            free_blocks_28_reserved=int((res == _RES_FREE).sum()),
            largest_free_prefixlen=self._largest_free(whole, outside & (free > 0) & ~whole, AddrState.FREE),
            fragmentation=partial_free / self.free_count if self.free_count else 0.0,
        )

    def reservation_stats(self, reservation: Reservation) -> SpaceStats:
        """Fragmentation figures of one reservation now (see ``SpaceStats``)."""
        state = self._res_state(reservation)
        res = np.frombuffer(self.block_res, dtype=np.uint8)[state.block_lo : state.block_hi]
        whole = res == _RES_FREE
        size = reservation.cidr.size
        return SpaceStats(
            cidr=str(reservation.cidr),
            total=size,
            system_reserved=0,
            reserved=size,
            used_ips=0,
            prefixes=int((res == _RES_PREFIX).sum()),
            free_ips=state.free_blocks * BLOCK,
            free_blocks_28=state.free_blocks,
            free_blocks_28_reserved=state.free_blocks,
            largest_free_prefixlen=self._largest_free(whole, None, AddrState.RESERVED),
            fragmentation=0.0,
        )

    def _largest_free(self, whole: np.ndarray, partial: np.ndarray | None, free_state: int) -> int | None:
        """Largest aligned all-free block, as a prefix length. ``whole`` flags fully free /28
        blocks; ``partial`` flags the other blocks with free addresses (only those are read
        from the bitmap, and only when no whole block is free)."""
        if self.block_cap == BLOCK and whole.any():
            level, plen = whole, PREFIX_LEN
            while level.size > 1:
                level = level.reshape(-1, 2).all(axis=1)
                if not level.any():
                    break
                plen -= 1
            return plen
        if partial is None:
            return None
        bitmap = np.frombuffer(self.addr, dtype=np.uint8).reshape(-1, self.block_cap)
        rows = bitmap[partial] == free_state
        if not rows.size:
            return None
        width = self.block_cap
        while width >= 1:
            if rows.reshape(rows.shape[0], -1, width).all(axis=2).any():
                return 32 - (width.bit_length() - 1)
            width //= 2
        return None


_FREE = int(AddrState.FREE)
_SINGLE = int(AddrState.SINGLE)
_PREFIX_BLOCK = bytes([AddrState.PREFIX]) * BLOCK
_RESERVED_BLOCK = bytes([AddrState.RESERVED]) * BLOCK


def _fmt(value: int) -> str:
    try:
        return format_ipv4(value)
    except Exception:  # not an int in range: show it as given
        return repr(value)
