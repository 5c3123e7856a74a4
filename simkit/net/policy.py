"""Placement policies: which free address, or which free /28 block, to hand out next.

How Alibaba Cloud picks a free private IP is not published, so simkit makes it a choice:

- ``random`` (the default): uniformly among the free addresses, from the seeded generator;
- ``lowest``: the lowest free address (and the lowest free /28 of the lowest reservation);
- ``pack``: partly used /28 blocks first, then the lowest whole block, so whole blocks stay
  free for reservations and prefixes; prefixes fill the reservation with the fewest free
  blocks first.

A policy only chooses. The ``AddressSpace`` owns the bitmap and the block counts, passes a
policy read access to them, and checks every choice before applying it. A policy may
raise ``space.scan_hint`` (a cache: no free address lies below it) and nothing else.

To add one, subclass ``PlacementPolicy``, implement ``choose`` and ``choose_blocks``, and
either pass an instance to ``AddressSpace(policy=...)`` or add it to ``POLICIES``.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import numpy as np

from simkit.net.states import BLOCK, BLOCK_SHIFT, AddrState, ReservedFlag

if TYPE_CHECKING:  # pragma: no cover
    from simkit.net.space import AddressSpace

__all__ = ["LowestPolicy", "PackPolicy", "PlacementPolicy", "RandomPolicy", "POLICIES", "resolve_policy"]

# Plain ints of the states, for the hot loops.
_FREE = int(AddrState.FREE)
_RES_FREE = int(ReservedFlag.FREE)
_SHIFT = BLOCK_SHIFT

#: One reservation as a policy sees it: ``block_lo``, ``block_hi`` (its blocks are
#: block_lo .. block_hi - 1) and ``free_blocks``. Lists of them come lowest first.
BlockRange = Any


class PlacementPolicy:
    """Chooses offsets; never writes the space (see the module docstring)."""

    name = "abstract"
    #: True only for the built-in policies, which the test suite proves; the space checks
    #: every choice of any other policy before applying it.
    trusted = False
    #: True when the policy reads ``space.partial`` (the space keeps it only then).
    uses_partial = False

    def __init__(self, rng: random.Random | None = None):
        self.rng = rng if rng is not None else random.Random(0)

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        """Return ``n`` distinct offsets whose state is FREE. ``space.free_count >= n``."""
        raise NotImplementedError

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        """Return ``n`` distinct free reserved block indices from the reservations in
        ``ranges``; they hold at least ``n`` free blocks in all (some may hold none)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def _lowest_blocks(space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
    find = space.block_res.find
    out: list[int] = []
    need = n
    for r in ranges:
        free = r.free_blocks
        if not free:
            continue
        b, hi = r.block_lo, r.block_hi
        take = free if free < need else need
        for _ in range(take):
            b = find(_RES_FREE, b, hi)
            out.append(b)
            b += 1
        need -= take
        if not need:
            break
    return out


class LowestPolicy(PlacementPolicy):
    """The lowest free addresses; the lowest free /28 blocks."""

    name = "lowest"
    trusted = True

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        """The ``n`` lowest free offsets."""
        find = space.addr.find
        i = find(_FREE, space.scan_hint)
        out = [i]
        for _ in range(n - 1):
            i = find(_FREE, i + 1)
            out.append(i)
        # Once these are taken nothing below the last of them is free.
        space.scan_hint = i + 1
        return out

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        """The ``n`` lowest free reserved blocks."""
        return _lowest_blocks(space, n, ranges)


class PackPolicy(PlacementPolicy):
    """Addresses from partly used /28 blocks first (those holding single IPs or
    system-reserved addresses), then from the lowest whole free block, so that whole blocks
    are broken only when no partly used one is left and stay free for reservations and
    prefixes."""

    name = "pack"
    trusted = True
    uses_partial = True

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        """Free offsets from partly used blocks, most recently broken first, then from the
        lowest whole free blocks."""
        find = space.addr.find
        block_free = space.block_free
        partial = space.partial
        if partial:
            # The common case: the most recently broken block serves the whole request.
            b = partial[-1]
            if block_free[b] >= n:
                i = find(_FREE, b << _SHIFT)
                if n == 1:
                    return [i]
                out = [i]
                for _ in range(n - 1):
                    i = find(_FREE, i + 1)
                    out.append(i)
                return out
        out = []
        need = n
        for b in reversed(partial):
            i = b << _SHIFT
            end = i + BLOCK
            k = block_free[b]
            take = k if k < need else need
            for _ in range(take):
                i = find(_FREE, i, end)
                out.append(i)
                i += 1
            need -= take
            if not need:
                return out
        find_block = block_free.find
        b = 0
        while need:
            b = find_block(BLOCK, b)  # every address free: a whole block outside reservations
            i = b << _SHIFT
            take = BLOCK if BLOCK < need else need
            out.extend(range(i, i + take))
            need -= take
            b += 1
        return out

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        """Free reserved blocks of the most used reservation first."""
        # Fill the most used reservation first, keeping whole reservations free longest.
        if len(ranges) > 1:
            ranges = sorted(ranges, key=lambda r: (r.free_blocks, r.block_lo))
        return _lowest_blocks(space, n, ranges)


class RandomPolicy(PlacementPolicy):
    """Uniformly random among the free addresses (and free /28 blocks), seeded."""

    name = "random"
    trusted = True

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        """``n`` free offsets drawn uniformly at random."""
        addr, size = space.addr, space.size
        if space.free_count * 4 >= size:
            # At least a quarter free: rejection sampling needs at most four draws on average.
            getrandbits = self.rng.getrandbits
            bits = size.bit_length() - 1
            out: list[int] = []
            while len(out) < n:
                i = getrandbits(bits)
                if not addr[i] and i not in out:
                    out.append(i)
            return out
        # Sparse: draw ranks among the free addresses and locate them through the block counts.
        ranks = sorted(self.rng.sample(range(space.free_count), n))
        cum = np.cumsum(np.frombuffer(space.block_free, dtype=np.uint8), dtype=np.int64)
        blocks = np.searchsorted(cum, ranks, side="right")
        find = addr.find
        out = []
        for rank, b in zip(ranks, blocks.tolist()):
            skip = rank - (int(cum[b - 1]) if b else 0)
            i = find(_FREE, b << _SHIFT)
            for _ in range(skip):
                i = find(_FREE, i + 1)
            out.append(i)
        return out

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        """``n`` free reserved blocks drawn uniformly at random."""
        ranges = [r for r in ranges if r.free_blocks]
        total = sum(r.block_hi - r.block_lo for r in ranges)
        free = sum(r.free_blocks for r in ranges)
        block_res = space.block_res
        if free * 64 >= total:
            # At least 1/64 free: rejection sampling, 64 draws at most on average. random() is
            # several times cheaper than randrange(); with at most 2**12 blocks per /16 its
            # 2**-53 granularity adds no measurable bias.
            out: list[int] = []
            rand = self.rng.random
            while len(out) < n:
                x = int(rand() * total)
                for r in ranges:
                    size = r.block_hi - r.block_lo
                    if x < size:
                        b = r.block_lo + x
                        break
                    x -= size
                if block_res[b] == _RES_FREE and b not in out:
                    out.append(b)
            return out
        # Sparse: draw ranks among the free blocks and walk to them (fewer than total/64 steps).
        ranks = sorted(self.rng.sample(range(free), n))
        find = block_res.find
        out = []
        seen = 0  # free blocks passed in earlier reservations
        for r in ranges:
            b = r.block_lo
            j = seen
            while ranks and ranks[0] < seen + r.free_blocks:
                target = ranks.pop(0)
                while True:
                    b = find(_RES_FREE, b, r.block_hi)
                    if j == target:
                        out.append(b)
                        b += 1
                        j += 1
                        break
                    b += 1
                    j += 1
            seen += r.free_blocks
        return out


#: The built-in policies by name.
POLICIES: dict[str, type[PlacementPolicy]] = {
    "random": RandomPolicy,
    "lowest": LowestPolicy,
    "pack": PackPolicy,
}


def resolve_policy(policy: "str | PlacementPolicy", rng: random.Random) -> PlacementPolicy:
    """A policy instance from a name (using ``rng``) or an instance (returned as is).

    Raises ValueError naming the unknown policy and the allowed names.
    """
    if isinstance(policy, PlacementPolicy):
        return policy
    cls = POLICIES.get(policy) if isinstance(policy, str) else None
    if cls is None:
        raise ValueError(f"placement policy {policy!r} is unknown; allowed: {', '.join(POLICIES)}")
    return cls(rng)
