"""Placement policies: which free address, or which free /28 block, to hand out next.

How Alibaba Cloud picks a free private IP is not published, so simkit makes it a choice:

- ``random`` (the default): uniformly among the free addresses, from the seeded generator;
- ``lowest``: the lowest free address (and the lowest free /28 of the lowest reservation);
- ``pack``: the fullest partly used /28 block first (best fit), so whole blocks stay free for
  reservations and prefixes; prefixes fill the reservation with the fewest free blocks first.

A policy only chooses. The ``AddressSpace`` owns the bitmap and the block counts, passes a
policy read access to them, and checks every choice before applying it. A policy may
raise ``space.scan_hint`` (a cache: no free address lies below it) and nothing else.

To add one, subclass ``PlacementPolicy``, implement ``choose`` and ``choose_blocks``, and
either pass an instance to ``AddressSpace(policy=...)`` or add it to ``POLICIES``.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from simkit.net.space import AddressSpace

__all__ = ["LowestPolicy", "PackPolicy", "PlacementPolicy", "RandomPolicy", "POLICIES", "resolve_policy"]

_FREE = 0  # AddrState.FREE
_RES_FREE = 1  # block flag: reserved and free
_SHIFT = 4  # log2 of the 16 addresses of a /28 block

#: (lo, hi, free): the blocks lo..hi-1 of one reservation, ``free`` of them free; lowest first.
BlockRange = tuple[int, int, int]


class PlacementPolicy:
    """Chooses offsets; never writes the space (see the module docstring)."""

    name = "abstract"

    def __init__(self, rng: random.Random | None = None):
        self.rng = rng if rng is not None else random.Random(0)

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        """Return ``n`` distinct offsets whose state is FREE. ``space.free_count >= n``."""
        raise NotImplementedError

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        """Return ``n`` distinct free reserved block indices from ``ranges``; they hold at
        least ``n`` free blocks in all."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def _lowest_blocks(space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
    find = space.block_res.find
    out: list[int] = []
    for lo, hi, free in ranges:
        b = lo
        for _ in range(min(free, n - len(out))):
            b = find(_RES_FREE, b, hi)
            out.append(b)
            b += 1
        if len(out) == n:
            break
    return out


class LowestPolicy(PlacementPolicy):
    """The lowest free addresses; the lowest free /28 blocks."""

    name = "lowest"

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
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
        return _lowest_blocks(space, n, ranges)


class PackPolicy(PlacementPolicy):
    """Best fit: addresses from the /28 blocks with the fewest free addresses first, so that
    whole blocks are broken only when no partly used block is left."""

    name = "pack"

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
        find = space.addr.find
        out: list[int] = []
        need = n
        for k, bucket in enumerate(space.buckets):
            if not bucket or not k:
                continue
            for b in bucket:
                i = b << _SHIFT
                end = i + 16
                take = k if k < need else need
                for _ in range(take):
                    i = find(_FREE, i, end)
                    out.append(i)
                    i += 1
                need -= take
                if not need:
                    return out
        return out

    def choose_blocks(self, space: "AddressSpace", n: int, ranges: list[BlockRange]) -> list[int]:
        # Fill the most used reservation first, keeping whole reservations free longest.
        return _lowest_blocks(space, n, sorted(ranges, key=lambda r: (r[2], r[0])))


class RandomPolicy(PlacementPolicy):
    """Uniformly random among the free addresses (and free /28 blocks), seeded."""

    name = "random"

    def choose(self, space: "AddressSpace", n: int) -> list[int]:
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
        total = sum(hi - lo for lo, hi, _ in ranges)
        free = sum(f for _, _, f in ranges)
        block_res = space.block_res
        if free * 4 >= total:
            out: list[int] = []
            while len(out) < n:
                r = self.rng.randrange(total)
                for lo, hi, _ in ranges:
                    if r < hi - lo:
                        b = lo + r
                        break
                    r -= hi - lo
                if block_res[b] == _RES_FREE and b not in out:
                    out.append(b)
            return out
        flags = np.frombuffer(block_res, dtype=np.uint8)
        candidates: list[int] = []
        for lo, hi, _ in ranges:
            candidates.extend((np.flatnonzero(flags[lo:hi] == _RES_FREE) + lo).tolist())
        return self.rng.sample(candidates, n)


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
