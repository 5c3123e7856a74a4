"""The vSwitch address space: literal values from the sources, every refusal, and the figures.

Sources: ../shared/reference/alibaba-facts.md §1 (masks /16-/29, first and last three
addresses reserved: 192.168.1.0/24 reserves .0, .253, .254, .255), §2.1 (/28 prefixes only
from reservations), §2.2 (10 reservations, mask rules).
"""

import pytest

from simkit.net import (
    AddressSpace,
    AddrState,
    BlockState,
    Cidr,
    MalformedAddress,
    MalformedCidr,
    Refusal,
    Refused,
    SpaceExhausted,
    format_ipv4,
    parse_ipv4,
)

ip = parse_ipv4


def ips(space_result):
    return [format_ipv4(a) for a in space_result]


# ---------------------------------------------------------------- parsing at the edge


@pytest.mark.parametrize("text", ["10.0.0", "10.0.0.256", "10.0.0.01", "1.2.3.4.5", "", "a.b.c.d", "10.0.0.-1", "١.2.3.4", " 10.0.0.1"])
def test_malformed_addresses_are_refused_naming_the_text(text):
    with pytest.raises(MalformedAddress) as err:
        parse_ipv4(text, field="PrivateIpAddress.1")
    assert repr(text) in str(err.value) and "PrivateIpAddress.1" in str(err.value)


def test_address_round_trip():
    assert parse_ipv4("192.168.1.253") == 0xC0A801FD
    assert format_ipv4(0xC0A801FD) == "192.168.1.253"
    assert format_ipv4(parse_ipv4("0.0.0.0")) == "0.0.0.0"
    assert format_ipv4(parse_ipv4("255.255.255.255")) == "255.255.255.255"


@pytest.mark.parametrize("text", ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0/24", "10.0.0.0/2x", "10.0.0.0/24/1"])
def test_malformed_cidrs(text):
    with pytest.raises(MalformedCidr) as err:
        Cidr.parse(text)
    assert not err.value.host_bits


def test_cidr_with_host_bits_is_refused_and_names_the_block_start():
    with pytest.raises(MalformedCidr) as err:
        Cidr.parse("10.0.0.5/24")
    assert err.value.host_bits and "10.0.0.0/24" in str(err.value)


# ---------------------------------------------------------------- vSwitch size and reserved addresses


@pytest.mark.parametrize(
    "cidr, usable",
    [("10.0.0.0/16", 65532), ("10.0.0.0/24", 252), ("192.168.1.0/24", 252), ("10.0.0.0/28", 12), ("10.0.0.0/29", 4)],
)
def test_usable_addresses_are_size_minus_four(cidr, usable):
    space = AddressSpace(cidr)
    assert space.usable == usable
    assert space.free_count == usable
    assert space.stats().free_ips == usable


def test_system_reserved_addresses_are_first_and_last_three():
    space = AddressSpace("192.168.1.0/24")
    reserved = [a for a in range(ip("192.168.1.0"), ip("192.168.1.255") + 1) if space.state_of(a) == AddrState.SYSTEM]
    assert ips(reserved) == ["192.168.1.0", "192.168.1.253", "192.168.1.254", "192.168.1.255"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/30", "10.0.0.0/8", "10.0.0.0/32"])
def test_vswitch_mask_outside_16_29_is_a_clear_error(cidr):
    with pytest.raises(ValueError) as err:
        AddressSpace(cidr)
    msg = str(err.value)
    assert cidr in msg and "/16 to /29" in msg


def test_vswitch_cidr_with_host_bits_is_refused():
    with pytest.raises(ValueError, match="host bits"):
        AddressSpace("10.0.0.1/24")


def test_unknown_policy_names_the_allowed_ones():
    with pytest.raises(ValueError, match="random, lowest, pack"):
        AddressSpace("10.0.0.0/24", policy="first-fit")


def test_a_29_can_be_filled_with_exactly_four_addresses_then_is_exhausted():
    space = AddressSpace("10.0.0.0/29", policy="lowest")
    assert ips(space.allocate(4)) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    with pytest.raises(SpaceExhausted) as err:
        space.allocate(1)
    assert (err.value.kind, err.value.requested, err.value.available) == ("addresses", 1, 0)


# ---------------------------------------------------------------- single addresses


def test_lowest_policy_hands_out_lowest_free_and_reuses_released():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    assert ips(space.allocate(3)) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    space.release([ip("10.0.0.2")])
    assert ips(space.allocate(2)) == ["10.0.0.2", "10.0.0.4"]


def test_allocation_larger_than_free_space_is_refused_and_changes_nothing():
    space = AddressSpace("10.0.0.0/28", policy="lowest")
    space.allocate(10)
    before = space.address_states().copy()
    with pytest.raises(SpaceExhausted) as err:
        space.allocate(3)
    assert (err.value.requested, err.value.available) == (3, 2)
    assert (space.address_states() == before).all() and space.free_count == 2


@pytest.mark.parametrize("n", [0, -1])
def test_allocate_count_must_be_positive(n):
    with pytest.raises(ValueError, match="at least 1"):
        AddressSpace("10.0.0.0/24").allocate(n)


def test_random_policy_is_reproducible_by_seed_and_differs_across_seeds():
    def draw(seed):
        space = AddressSpace("10.0.0.0/20", policy="random", seed=seed)
        return [space.allocate(3) for _ in range(20)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_random_policy_in_a_nearly_full_space_finds_the_last_addresses():
    space = AddressSpace("10.0.0.0/24", policy="random", seed=3)
    space.allocate(250)
    last = space.allocate(2)
    assert space.free_count == 0 and len(set(last)) == 2
    assert all(space.state_of(a) == AddrState.SINGLE for a in last)


def test_pack_fills_partly_used_blocks_before_breaking_whole_ones():
    space = AddressSpace("10.0.0.0/24", policy="pack")
    # Block .0/28 holds the gateway and block .240/28 the last three: both are broken already.
    first = space.allocate(28)
    assert sorted(ips(first)) == sorted([f"10.0.0.{i}" for i in list(range(1, 16)) + list(range(240, 253))])
    assert space.stats().free_blocks_28 == 14  # no whole block broken yet
    assert ips(space.allocate(2)) == ["10.0.0.16", "10.0.0.17"]  # then the lowest whole block
    space.release([ip("10.0.0.5")])
    third = space.allocate(15)
    assert ip("10.0.0.5") in third  # the hole and the broken block are filled first
    assert all(ip("10.0.0.1") <= a < ip("10.0.0.32") for a in third)
    assert space.stats().free_blocks_28 == 13


def test_pack_keeps_whole_blocks_free_where_random_does_not():
    def whole_blocks(policy):
        space = AddressSpace("10.0.0.0/22", policy=policy, seed=5)
        held = []
        for _ in range(200):
            held += space.allocate(3)
            if len(held) > 300:
                space.release(held[:4])
                held = held[4:]
        return space.stats().free_blocks_28

    assert whole_blocks("pack") > whole_blocks("random")
    assert whole_blocks("pack") >= 64 - 22  # 300-odd addresses need about 20 blocks


@pytest.mark.parametrize(
    "address, reason",
    [
        ("10.0.1.5", Refusal.OUTSIDE),
        ("10.0.0.0", Refusal.SYSTEM_RESERVED),
        ("10.0.0.255", Refusal.SYSTEM_RESERVED),
        ("10.0.0.253", Refusal.SYSTEM_RESERVED),
        ("10.0.0.7", Refusal.IN_USE),
        ("10.0.0.70", Refusal.IN_RESERVATION),
    ],
)
def test_claim_refusals_each_have_their_own_reason(address, reason):
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.claim([ip("10.0.0.7")])
    space.reserve("10.0.0.64/27")
    before = space.address_states().copy()
    with pytest.raises(Refused) as err:
        space.claim([ip("10.0.0.9"), ip(address)])
    assert err.value.reason is reason and address in str(err.value)
    assert (space.address_states() == before).all()  # the good address before it was not taken


def test_claim_naming_an_address_twice_is_refused():
    space = AddressSpace("10.0.0.0/24")
    with pytest.raises(Refused) as err:
        space.claim([ip("10.0.0.9"), ip("10.0.0.9")])
    assert err.value.reason is Refusal.DUPLICATE
    assert space.free_count == 252


def test_claim_then_allocate_never_hands_out_a_claimed_address():
    space = AddressSpace("10.0.0.0/28", policy="lowest")
    space.claim([ip("10.0.0.1"), ip("10.0.0.3")])
    assert ips(space.allocate(2)) == ["10.0.0.2", "10.0.0.4"]


def test_release_refuses_addresses_not_held_and_changes_nothing():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    held = space.allocate(2)
    with pytest.raises(Refused) as err:
        space.release([held[0], ip("10.0.0.100")])
    assert err.value.reason is Refusal.NOT_HELD and "10.0.0.100" in str(err.value)
    assert space.used_count == 2
    with pytest.raises(Refused) as err:
        space.release([held[0], held[0]])
    assert err.value.reason is Refusal.DUPLICATE
    with pytest.raises(Refused) as err:
        space.release([ip("10.9.9.9")])
    assert err.value.reason is Refusal.OUTSIDE


# ---------------------------------------------------------------- reservations


def test_a_28_reservation_in_a_24_leaves_236_for_single_ips():
    space = AddressSpace("10.0.0.0/24")
    space.reserve("10.0.0.16/28")
    assert space.free_count == 236
    stats = space.stats()
    assert (stats.free_ips, stats.reserved, stats.free_blocks_28_reserved) == (236, 16, 1)


def test_single_ips_never_come_from_a_reservation():
    space = AddressSpace("10.0.0.0/26", policy="random", seed=0)
    r = space.reserve(mask=28)
    taken = space.allocate(space.free_count)
    assert not any(a in r.cidr for a in taken)
    with pytest.raises(SpaceExhausted):
        space.allocate(1)


def test_reservation_by_mask_is_placed_on_the_lowest_free_aligned_block():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    # .0/26 holds the gateway, so the first /26 that fits is .64/26.
    assert str(space.reserve(mask=26)) == "10.0.0.64/26"
    space.claim([ip("10.0.0.130")])
    # .128/26 now holds a used address and .192/26 the last three: no /26 left.
    with pytest.raises(Refused) as err:
        space.reserve(mask=26)
    assert err.value.reason is Refusal.NO_ROOM
    assert str(space.reserve(mask=28)) == "10.0.0.16/28"


@pytest.mark.parametrize(
    "vswitch, mask, ok",
    [("10.0.0.0/24", 26, True), ("10.0.0.0/24", 25, False), ("10.0.0.0/24", 28, True), ("10.0.0.0/24", 29, False),
     ("10.0.0.0/16", 18, True), ("10.0.0.0/16", 17, False), ("10.0.0.0/26", 28, True), ("10.0.0.0/27", 28, False)],
)
def test_reservation_mask_is_two_bits_longer_than_the_vswitch_and_at_most_28(vswitch, mask, ok):
    space = AddressSpace(vswitch)
    if ok:
        assert space.reserve(mask=mask).cidr.prefixlen == mask
    else:
        with pytest.raises(Refused) as err:
            space.reserve(mask=mask)
        assert err.value.reason is Refusal.MASK_RANGE
        assert "/28" in str(err.value)


def test_at_most_ten_reservations_per_vswitch():
    space = AddressSpace("10.0.0.0/24")
    for _ in range(10):
        space.reserve(mask=28)
    with pytest.raises(Refused) as err:
        space.reserve(mask=28)
    assert err.value.reason is Refusal.TOO_MANY and "10" in str(err.value)
    assert len(space.reservations) == 10 and space.free_count == 252 - 160


@pytest.mark.parametrize(
    "cidr, reason",
    [
        ("10.0.0.0/28", Refusal.SYSTEM_RESERVED),  # holds the gateway .0
        ("10.0.0.240/28", Refusal.SYSTEM_RESERVED),  # holds .253-.255
        ("10.0.1.0/28", Refusal.OUTSIDE),
        ("10.0.0.96/28", Refusal.OVERLAP),
        ("10.0.0.32/28", Refusal.IN_USE),
        ("10.0.0.17/28", Refusal.HOST_BITS),
        ("10.0.0.16", Refusal.NOT_A_CIDR),
        ("10.0.0.0/25", Refusal.MASK_RANGE),
    ],
)
def test_reservation_refusals(cidr, reason):
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.reserve("10.0.0.96/27")
    space.claim([ip("10.0.0.40")])
    with pytest.raises(Refused) as err:
        space.reserve(cidr)
    assert err.value.reason is reason
    assert len(space.reservations) == 1


def test_reserve_needs_exactly_one_of_cidr_and_mask():
    space = AddressSpace("10.0.0.0/24")
    with pytest.raises(ValueError, match="exactly one"):
        space.reserve()
    with pytest.raises(ValueError, match="exactly one"):
        space.reserve("10.0.0.16/28", mask=28)


def test_unreserve_frees_the_block_only_when_it_holds_no_prefix():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    r = space.reserve("10.0.0.16/28")
    (p,) = space.allocate_prefixes(1)
    with pytest.raises(Refused) as err:
        space.unreserve(r)
    assert err.value.reason is Refusal.NOT_EMPTY
    space.release_prefixes([p])
    space.unreserve(r)
    assert space.free_count == 252 and space.reservations == ()
    with pytest.raises(Refused):
        space.unreserve(r)


# ---------------------------------------------------------------- prefixes


def test_prefixes_are_aligned_28s_from_the_reservation():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.reserve("10.0.0.64/26")
    got = space.allocate_prefixes(3)
    assert ips(got) == ["10.0.0.64", "10.0.0.80", "10.0.0.96"]
    assert space.stats().free_blocks_28_reserved == 1
    with pytest.raises(SpaceExhausted) as err:
        space.allocate_prefixes(2)
    assert (err.value.kind, err.value.requested, err.value.available) == ("prefixes", 2, 1)


def test_no_prefix_without_a_reservation():
    space = AddressSpace("10.0.0.0/24")
    with pytest.raises(SpaceExhausted) as err:
        space.allocate_prefixes(1)
    assert err.value.available == 0


def test_prefixes_within_named_reservations_only():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    a = space.reserve("10.0.0.64/28")
    b = space.reserve("10.0.0.128/27")
    assert ips(space.allocate_prefixes(2, within=[b])) == ["10.0.0.128", "10.0.0.144"]
    with pytest.raises(SpaceExhausted):
        space.allocate_prefixes(1, within=[b])
    assert ips(space.allocate_prefixes(1, within=[a])) == ["10.0.0.64"]


def test_pack_fills_the_fullest_reservation_first():
    space = AddressSpace("10.0.0.0/24", policy="pack")
    space.reserve("10.0.0.64/26")
    small = space.reserve("10.0.0.128/27")
    assert ips(space.allocate_prefixes(1)) == ["10.0.0.128"]  # /27 has fewer free blocks
    assert ips(space.allocate_prefixes(1)) == ["10.0.0.144"]
    assert space.reservation_stats(small).free_blocks_28 == 0
    assert ips(space.allocate_prefixes(1)) == ["10.0.0.64"]


@pytest.mark.parametrize(
    "prefix, reason",
    [
        ("10.0.0.64", Refusal.NOT_A_CIDR),
        ("not-a-prefix", Refusal.NOT_A_CIDR),
        ("10.0.0.65/28", Refusal.HOST_BITS),
        ("10.0.0.64/27", Refusal.WRONG_MASK),
        ("10.0.0.64/29", Refusal.WRONG_MASK),
        ("10.0.0.96/28", Refusal.NOT_FREE),
        ("10.0.0.160/28", Refusal.NOT_IN_RESERVATION),
        ("10.0.9.0/28", Refusal.OUTSIDE),
    ],
)
def test_claim_prefix_refusals(prefix, reason):
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.reserve("10.0.0.64/27")
    space.reserve("10.0.0.96/28")
    space.claim_prefixes(["10.0.0.96/28"])
    before = space.address_states().copy()
    with pytest.raises(Refused) as err:
        space.claim_prefixes(["10.0.0.80/28", prefix])
    assert err.value.reason is reason
    assert (space.address_states() == before).all()


def test_claim_prefix_twice_in_one_call_is_refused():
    space = AddressSpace("10.0.0.0/24")
    space.reserve("10.0.0.64/27")
    with pytest.raises(Refused) as err:
        space.claim_prefixes(["10.0.0.64/28", "10.0.0.64/28"])
    assert err.value.reason is Refusal.DUPLICATE
    assert space.prefix_count == 0


def test_release_prefix_refusals_and_reuse():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.reserve("10.0.0.64/27")
    (p,) = space.claim_prefixes(["10.0.0.80/28"])
    with pytest.raises(Refused) as err:
        space.release_prefixes(["10.0.0.64/28"])
    assert err.value.reason is Refusal.NOT_HELD
    space.release_prefixes([p])
    assert space.prefix_count == 0 and space.stats().free_blocks_28_reserved == 2
    assert ips(space.allocate_prefixes(2)) == ["10.0.0.64", "10.0.0.80"]


# ---------------------------------------------------------------- fragmentation figures


def test_figures_of_an_empty_24():
    s = AddressSpace("10.0.0.0/24").stats()
    assert (s.total, s.system_reserved, s.free_ips, s.used_ips) == (256, 4, 252, 0)
    # Blocks .0/28 and .240/28 hold system-reserved addresses: 14 whole free blocks.
    assert s.free_blocks_28 == 14
    # .64/26 and .128/26 are whole, .0/26 and .192/26 are not: the largest free block is a /26.
    assert s.largest_free_prefixlen == 26
    assert s.fragmentation == 0.0


def test_fragmentation_is_the_share_of_free_addresses_in_partly_used_blocks():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.claim([ip("10.0.0.20"), ip("10.0.0.40")])  # breaks blocks .16/28 and .32/28
    s = space.stats()
    assert s.free_ips == 250
    assert s.free_blocks_28 == 12
    assert s.fragmentation == pytest.approx(30 / 250)
    assert s.largest_free_prefixlen == 26  # .64/26 is still whole


def test_largest_free_block_below_28_is_found_in_the_bitmap():
    space = AddressSpace("10.0.0.0/28", policy="lowest")
    # .0 is the gateway, .13-.15 are system-reserved; hold .1-.3 and .8: free are .4-.7 and .9-.12.
    space.claim([ip(f"10.0.0.{i}") for i in (1, 2, 3, 8)])
    assert space.stats().largest_free_prefixlen == 30  # .4/30
    space.claim([ip("10.0.0.5")])
    assert space.stats().largest_free_prefixlen == 31  # .6/31 (or .10/31)
    space.claim([ip(f"10.0.0.{i}") for i in (4, 6, 7, 9, 10, 11, 12)])
    assert space.stats().largest_free_prefixlen is None
    assert space.stats().fragmentation == 0.0


def test_block_states():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    space.reserve("10.0.0.64/27")
    space.claim_prefixes(["10.0.0.80/28"])
    space.claim([ip("10.0.0.20")])
    space.claim([ip(f"10.0.0.{i}") for i in range(32, 48)])
    states = space.block_states().tolist()
    assert len(states) == 16
    assert states[0] == BlockState.SYSTEM
    assert states[1] == BlockState.PARTIAL
    assert states[2] == BlockState.FULL
    assert states[3] == BlockState.FREE
    assert states[4] == BlockState.RESERVED_FREE
    assert states[5] == BlockState.PREFIX
    assert states[15] == BlockState.SYSTEM


def test_reservation_figures():
    space = AddressSpace("10.0.0.0/24", policy="lowest")
    r = space.reserve("10.0.0.64/26")
    space.claim_prefixes(["10.0.0.64/28"])
    s = space.reservation_stats(r)
    assert (s.cidr, s.total, s.prefixes, s.free_blocks_28, s.free_ips) == ("10.0.0.64/26", 64, 1, 3, 48)
    assert s.largest_free_prefixlen == 27  # .96/27
    assert s.fragmentation == 0.0


def test_random_prefixes_in_a_nearly_full_reservation_are_valid_and_spread():
    space = AddressSpace("10.0.0.0/16", policy="random", seed=11)
    space.reserve("10.0.64.0/18")  # 1,024 blocks
    space.allocate_prefixes(1024 - 8)  # 8 left: below 1/64 free, the sparse path
    free_before = {b for b in range(space.n_blocks) if space.block_states()[b] == BlockState.RESERVED_FREE}
    seen = set()
    for _ in range(400):
        got = space.allocate_prefixes(3)
        assert len(set(got)) == 3
        blocks = {(a - space.base) >> 4 for a in got}
        assert blocks <= free_before
        seen |= blocks
        space.release_prefixes(got)
    assert seen == free_before  # every free block gets picked


def test_a_custom_policy_that_chooses_a_used_address_is_caught_before_any_change():
    from simkit.net import PlacementPolicy

    class Sloppy(PlacementPolicy):
        name = "sloppy"

        def choose(self, space, n):
            return [1] * n  # offset 1, whatever its state

    space = AddressSpace("10.0.0.0/24", policy=Sloppy())
    assert ips(space.allocate(1)) == ["10.0.0.1"]
    before = space.address_states().copy()
    with pytest.raises(AssertionError, match="sloppy"):
        space.allocate(1)
    with pytest.raises(AssertionError, match="sloppy"):
        AddressSpace("10.0.0.0/24", policy=Sloppy()).allocate(2)  # the same address twice
    assert (space.address_states() == before).all() and space.used_count == 1
