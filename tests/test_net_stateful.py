"""Hypothesis drives random allocate / claim / release / reserve / prefix sequences under each
placement policy, and after every step compares the space with a plain set-based reference
model that recomputes everything from scratch."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from simkit.net import AddressSpace, AddrState, BlockState, Cidr, Refusal, Refused, SpaceExhausted

BASE = 0x0A010000  # 10.1.0.0
STEPS = 50
EXAMPLES = 40  # 40 x 50 = 2,000 steps per policy


class Reference:
    """What the address space must look like, kept with sets and recomputed naively."""

    def __init__(self, prefixlen):
        self.base = BASE
        self.prefixlen = prefixlen
        self.size = 1 << (32 - prefixlen)
        self.system = {BASE, BASE + self.size - 3, BASE + self.size - 2, BASE + self.size - 1}
        self.singles: set[int] = set()
        self.prefixes: set[int] = set()  # base addresses
        self.reservations: list[Cidr] = []

    def reserved_addresses(self):
        return {a for r in self.reservations for a in range(r.base, r.base + r.size)}

    def free_singles(self):
        taken = self.singles | self.system | self.reserved_addresses()
        return [a for a in range(BASE, BASE + self.size) if a not in taken]

    def reservation_of(self, address):
        return next((r for r in self.reservations if r.base <= address <= r.last), None)

    def states(self):
        out = []
        for a in range(BASE, BASE + self.size):
            if a in self.system:
                out.append(AddrState.SYSTEM)
            elif a in self.singles:
                out.append(AddrState.SINGLE)
            elif (a & ~15) in self.prefixes:
                out.append(AddrState.PREFIX)
            elif self.reservation_of(a):
                out.append(AddrState.RESERVED)
            else:
                out.append(AddrState.FREE)
        return out

    def block_states(self):
        states = self.states()
        cap = min(16, self.size)
        out = []
        for start in range(0, self.size, cap):
            blk = states[start : start + cap]
            if AddrState.PREFIX in blk:
                out.append(BlockState.PREFIX)
            elif AddrState.RESERVED in blk:
                out.append(BlockState.RESERVED_FREE)
            elif AddrState.SINGLE in blk:
                out.append(BlockState.PARTIAL if AddrState.FREE in blk else BlockState.FULL)
            elif AddrState.SYSTEM in blk:
                out.append(BlockState.SYSTEM)
            else:
                out.append(BlockState.FREE)
        return out

    def largest_free(self, states, free_state):
        free = [s == free_state for s in states]
        for plen in range(self.prefixlen, 33):
            width = 1 << (32 - plen)
            if any(all(free[i : i + width]) for i in range(0, self.size, width)):
                return plen
        return None

    def figures(self):
        states = self.states()
        cap = min(16, self.size)
        free_ips = states.count(AddrState.FREE)
        whole = partial_free = 0
        for start in range(0, self.size, cap):
            blk = states[start : start + cap]
            nfree = blk.count(AddrState.FREE)
            if cap == 16 and nfree == 16:
                whole += 1
            if nfree and AddrState.SINGLE in blk:
                partial_free += nfree
        return dict(
            total=self.size,
            system_reserved=4,
            reserved=sum(r.size for r in self.reservations),
            used_ips=len(self.singles),
            prefixes=len(self.prefixes),
            free_ips=free_ips,
            free_blocks_28=whole,
            free_blocks_28_reserved=states.count(AddrState.RESERVED) // 16,
            largest_free_prefixlen=self.largest_free(states, AddrState.FREE),
            fragmentation=partial_free / free_ips if free_ips else 0.0,
        )


def machine_for(policy):
    class AddressSpaceMachine(RuleBasedStateMachine):
        @initialize(prefixlen=st.sampled_from([22, 24, 24, 25, 26, 26, 27, 28, 29]), seed=st.integers(0, 2**16))
        def setup(self, prefixlen, seed):
            self.space = AddressSpace(Cidr(BASE, prefixlen), policy=policy, seed=seed)
            self.ref = Reference(prefixlen)

        def offset_address(self, frac):
            # Mostly inside the vSwitch, sometimes just outside it.
            return BASE - 2 + int(frac * (self.ref.size + 4))

        @rule(n=st.integers(1, 40))
        def allocate(self, n):
            free = self.ref.free_singles()
            if n > len(free):
                with pytest.raises(SpaceExhausted):
                    self.space.allocate(n)
                return
            got = self.space.allocate(n)
            assert len(got) == n and len(set(got)) == n
            assert set(got) <= set(free)
            if policy == "lowest":
                assert got == free[:n]
            if policy == "pack":
                # A whole free block is broken only once every partly used block is full.
                counts = {}
                for a in free:
                    counts[a & ~15] = counts.get(a & ~15, 0) + 1
                whole = {b for b, c in counts.items() if c == 16}
                partial_free = sum(c for b, c in counts.items() if b not in whole)
                from_whole = [a for a in got if a & ~15 in whole]
                if from_whole:
                    assert len(got) - len(from_whole) == partial_free
                    # ... and whole blocks are taken lowest first, filled in order.
                    lowest = sorted(whole)[0]
                    assert from_whole[0] == lowest
            self.ref.singles |= set(got)

        @rule(fracs=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=4))
        def claim(self, fracs):
            addrs = [self.offset_address(f) for f in fracs]
            expected = None
            seen = set()
            for a in addrs:
                if not BASE <= a < BASE + self.ref.size:
                    expected = Refusal.OUTSIDE
                elif a in self.ref.system:
                    expected = Refusal.SYSTEM_RESERVED
                elif a in self.ref.singles:
                    expected = Refusal.IN_USE
                elif self.ref.reservation_of(a):
                    expected = Refusal.IN_RESERVATION
                elif a in seen:
                    expected = Refusal.DUPLICATE
                if expected:
                    break
                seen.add(a)
            if expected:
                with pytest.raises(Refused) as err:
                    self.space.claim(addrs)
                assert err.value.reason is expected
            else:
                self.space.claim(addrs)
                self.ref.singles |= set(addrs)

        @rule(data=st.data())
        def release(self, data):
            held = sorted(self.ref.singles)
            if not held:
                return
            chosen = data.draw(st.lists(st.sampled_from(held), min_size=1, max_size=6, unique=True))
            if data.draw(st.booleans()) and len(self.ref.free_singles()):
                bad = self.ref.free_singles()[0]
                with pytest.raises(Refused) as err:
                    self.space.release(chosen + [bad])
                assert err.value.reason is Refusal.NOT_HELD
                return
            self.space.release(chosen)
            self.ref.singles -= set(chosen)

        @rule(k=st.integers(1, 3))
        def release_highest(self, k):
            # Gives back the addresses just below where the lowest policy would look next.
            chosen = sorted(self.ref.singles)[-k:]
            if chosen:
                self.space.release(chosen)
                self.ref.singles -= set(chosen)

        @rule(mask=st.integers(20, 30), frac=st.floats(0, 1, exclude_max=True), by_mask=st.booleans())
        def reserve(self, mask, frac, by_mask):
            ref = self.ref
            lo, hi = ref.prefixlen + 2, 28
            if by_mask:
                if len(ref.reservations) >= 10:
                    expect = Refusal.TOO_MANY
                elif not lo <= mask <= hi:
                    expect = Refusal.MASK_RANGE
                else:
                    width = 1 << (32 - mask)
                    states = ref.states()
                    spots = [s for s in range(0, ref.size, width) if all(x == AddrState.FREE for x in states[s : s + width])]
                    if not spots:
                        expect = Refusal.NO_ROOM
                    else:
                        expect = None
                        block = Cidr(BASE + spots[0], mask)
                if expect:
                    with pytest.raises(Refused) as err:
                        self.space.reserve(mask=mask)
                    assert err.value.reason is expect
                    return
                got = self.space.reserve(mask=mask)
                assert got.cidr == block
                ref.reservations.append(block)
                return
            width = 1 << (32 - mask) if mask <= 32 else 1
            start = (self.offset_address(frac) // width) * width
            block = Cidr(start & 0xFFFFFFFF, mask)
            addrs = set(range(block.base, block.last + 1))
            if len(ref.reservations) >= 10:
                expect = Refusal.TOO_MANY
            elif not lo <= mask <= hi:
                expect = Refusal.MASK_RANGE
            elif not (BASE <= block.base and block.last < BASE + ref.size):
                expect = Refusal.OUTSIDE
            elif any(r.overlaps(block) for r in ref.reservations):
                expect = Refusal.OVERLAP
            elif addrs & ref.system:
                expect = Refusal.SYSTEM_RESERVED
            elif addrs & ref.singles:
                expect = Refusal.IN_USE
            else:
                expect = None
            if expect:
                with pytest.raises(Refused) as err:
                    self.space.reserve(str(block))
                assert err.value.reason is expect
                return
            self.space.reserve(str(block))
            ref.reservations.append(block)

        @rule(data=st.data())
        def unreserve(self, data):
            if not self.ref.reservations:
                return
            r = data.draw(st.sampled_from(self.ref.reservations))
            held = [p for p in self.ref.prefixes if p in r]
            reservation = next(x for x in self.space.reservations if x.cidr == r)
            if held:
                with pytest.raises(Refused) as err:
                    self.space.unreserve(reservation)
                assert err.value.reason is Refusal.NOT_EMPTY
                return
            self.space.unreserve(reservation)
            self.ref.reservations.remove(r)

        @rule(n=st.integers(1, 10))
        def allocate_prefixes(self, n):
            free = sorted(
                b for r in self.ref.reservations for b in range(r.base, r.last + 1, 16) if b not in self.ref.prefixes
            )
            if n > len(free):
                with pytest.raises(SpaceExhausted) as err:
                    self.space.allocate_prefixes(n)
                assert err.value.available == len(free)
                return
            got = self.space.allocate_prefixes(n)
            assert len(set(got)) == n and set(got) <= set(free)
            if policy == "lowest":
                assert got == free[:n]
            self.ref.prefixes |= set(got)

        @rule(fracs=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=3))
        def claim_prefixes(self, fracs):
            bases = [(self.offset_address(f) & ~15) for f in fracs]
            expect = None
            seen = set()
            for b in bases:
                if not (BASE <= b and b + 15 < BASE + self.ref.size):
                    expect = Refusal.OUTSIDE
                elif not self.ref.reservation_of(b):
                    expect = Refusal.NOT_IN_RESERVATION
                elif b in self.ref.prefixes:
                    expect = Refusal.NOT_FREE
                elif b in seen:
                    expect = Refusal.DUPLICATE
                if expect:
                    break
                seen.add(b)
            texts = [str(Cidr(b, 28)) for b in bases]
            if expect:
                with pytest.raises(Refused) as err:
                    self.space.claim_prefixes(texts)
                assert err.value.reason is expect
                return
            self.space.claim_prefixes(texts)
            self.ref.prefixes |= set(bases)

        @rule(data=st.data())
        def release_prefixes(self, data):
            if not self.ref.prefixes:
                return
            chosen = data.draw(st.lists(st.sampled_from(sorted(self.ref.prefixes)), min_size=1, max_size=4, unique=True))
            self.space.release_prefixes(chosen)
            self.ref.prefixes -= set(chosen)

        @invariant()
        def matches_reference(self):
            if not hasattr(self, "space"):
                return
            ref, space = self.ref, self.space
            assert space.address_states().tolist() == [int(s) for s in ref.states()]
            assert space.block_states().tolist() == [int(s) for s in ref.block_states()]
            stats = space.stats()
            expected = ref.figures()
            for key, value in expected.items():
                got = getattr(stats, key)
                assert got == pytest.approx(value) if key == "fragmentation" else got == value, (key, got, value)
            assert space.free_count == expected["free_ips"]
            for r in space.reservations:
                rs = space.reservation_stats(r)
                held = sum(1 for p in ref.prefixes if p in r.cidr)
                assert rs.prefixes == held
                assert rs.free_blocks_28 == r.cidr.size // 16 - held
                sub = [s for a, s in zip(range(BASE, BASE + ref.size), ref.states()) if a in r.cidr]
                width_ok = Reference(r.cidr.prefixlen)
                width_ok.size = r.cidr.size
                assert rs.largest_free_prefixlen == width_ok.largest_free(sub, AddrState.RESERVED)

    AddressSpaceMachine.__name__ = f"AddressSpace_{policy}"
    return AddressSpaceMachine


_settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestRandomPolicy = _settings(machine_for("random")).TestCase
TestLowestPolicy = _settings(machine_for("lowest")).TestCase
TestPackPolicy = _settings(machine_for("pack")).TestCase
