"""Issue 12, point 1: the address map. The curve keeps every aligned /28 a 4x4 square and every
larger aligned block a square or a 2:1 rectangle, neighbours adjacent on the Hilbert curve; the
map colours each address by its use, outlines and labels reservations, counts uses in its
legend, and refuses what it cannot draw."""

import numpy as np
import pytest

import simkit
from simkit.ecs import AddressUse
from simkit.viz import address_map
from simkit.viz.curves import cells, grid_shape, hilbert_d2xy, morton_d2xy
from simkit.viz.style import ADDRESS_COLOURS
from tests.image_compare import assert_matches_baseline

SIZES = {"/28": 16, "/26": 64, "/24": 256, "/23": 512, "/22": 1024, "/16": 65536}


def rgb(use: AddressUse) -> np.ndarray:
    colour = ADDRESS_COLOURS[use]
    return np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])


def test_hilbert_d2xy_gives_wikipedias_points():
    """Wikipedia "Hilbert curve", d2xy on a 4x4 grid (n = 4): d = 0..15 visits (0,0) (1,0) (1,1)
    (0,1) (0,2) (0,3) (1,3) (1,2) (2,2) (2,3) (3,3) (3,2) (3,1) (2,1) (2,0) (3,0)."""
    x, y = hilbert_d2xy(2, np.arange(16))
    assert list(zip(x.tolist(), y.tolist())) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 2), (0, 3), (1, 3), (1, 2),
                                                 (2, 2), (2, 3), (3, 3), (3, 2), (3, 1), (2, 1), (2, 0), (3, 0)]
    assert list(zip(*hilbert_d2xy(1, np.arange(4)))) == [(0, 0), (0, 1), (1, 1), (1, 0)]


def wikipedias_d2xy(n: int, d: int) -> tuple[int, int]:
    """Wikipedia's "Hilbert curve" d2xy for an n x n grid, one point at a time, as its C reads
    (rot(s, ...) inside the loop): the reference the vectorised version must reproduce."""
    x = y = 0
    s, t = 1, d
    while s < n:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        x += s * rx
        y += s * ry
        t //= 4
        s *= 2
    return x, y


@pytest.mark.parametrize("order", range(9))
def test_the_vectorised_d2xy_is_wikipedias_at_every_point(order):
    """Orders 0 to 8: a single address up to a /16, every point the same as the scalar code's."""
    d = np.arange(4 ** order)
    x, y = hilbert_d2xy(order, d)
    assert list(zip(x.tolist(), y.tolist())) == [wikipedias_d2xy(2 ** order, i) for i in range(4 ** order)]


def test_morton_takes_x_from_even_bits_and_y_from_odd_bits():
    """d = 0b110110 (54): even bits 0,1,1 -> x = 0b110 = 6; odd bits 1,0,1 -> y = 0b101 = 5."""
    x, y = morton_d2xy(np.array([54, 3, 4]))
    assert x.tolist() == [6, 1, 2] and y.tolist() == [5, 1, 0]


@pytest.mark.parametrize("n", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("curve", ["hilbert", "morton"])
def test_every_address_has_its_own_cell_on_the_grid(curve, n):
    x, y = cells(n, curve)
    rows, columns = grid_shape(n)
    assert rows * columns == n and len(set(zip(x.tolist(), y.tolist()))) == n
    assert x.min() == y.min() == 0 and x.max() == columns - 1 and y.max() == rows - 1


@pytest.mark.parametrize("n", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("curve", ["hilbert", "morton"])
def test_every_aligned_block_is_a_square_or_a_two_to_one_rectangle(curve, n):
    """An aligned block of 2^k addresses: a 2^(k/2) square for even k (a /28: 4x4), two such
    squares side by side or stacked for odd k (a /27: 8x4 or 4x8), aligned to its own size."""
    x, y = cells(n, curve)
    for k in range(4, n.bit_length()):
        size = 1 << k
        side = 1 << (k // 2)
        for first in range(0, n, size):
            xs, ys = x[first:first + size], y[first:first + size]
            width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
            assert width * height == size, (curve, n, k, first)
            assert sorted((width, height)) == ([side, side] if k % 2 == 0 else [side, 2 * side]), (curve, n, k, first)
            assert xs.min() % min(width, height) == 0 and ys.min() % min(width, height) == 0


@pytest.mark.parametrize("n", SIZES.values(), ids=SIZES.keys())
def test_consecutive_addresses_are_neighbours_on_the_hilbert_curve(n):
    x, y = cells(n, "hilbert")
    assert (np.abs(np.diff(x)) + np.abs(np.diff(y)) == 1).all()


def test_mortons_jumps_fall_on_aligned_boundaries():
    """Z-order steps to a non-neighbour only into the first address of an aligned block, and
    only as far as that block is wide: into an address d whose lowest t bits are 0 (it starts a
    block of 2^t), at most 2 x 2^(t // 2) cells. 1 (1,0) -> 2 (0,1): 2 cells, d = 2 starts a pair;
    31 (7,3) -> 32 (0,4): 8 cells, 32 starts a /27 (8 x 4)."""
    x, y = cells(256, "morton")
    step = np.abs(np.diff(x)) + np.abs(np.diff(y))
    into = np.arange(1, 256)
    trailing = np.array([(int(d) & -int(d)).bit_length() - 1 for d in into])
    assert (step[into % 2 == 1] == 1).all()  # inside an aligned pair: neighbours
    assert (step <= 2 * 2 ** (trailing // 2)).all()
    assert step[31] == 8 and step[1] == 2  # step[i]: from address i to i + 1


@pytest.mark.parametrize("n", SIZES.values(), ids=SIZES.keys())
def test_mortons_jumps_stay_inside_the_block_they_cross_into_at_every_size(n):
    """The same bound on every size, odd host bits included (there the top bit moves x: a /23's
    address 255 is (15, 15) and 256 is (16, 0), a 16-cell jump into its second /24)."""
    x, y = cells(n, "morton")
    step = np.abs(np.diff(x)) + np.abs(np.diff(y))
    into = np.arange(1, n)
    trailing = np.array([(int(d) & -int(d)).bit_length() - 1 for d in into])
    assert (step[into % 2 == 1] == 1).all()
    assert (step <= 2 * 2 ** (trailing // 2)).all()
    if n == 512:
        assert (x[255], y[255], x[256], y[256]) == (15, 15, 16, 0)


def a_24_with(uses: dict[int, AddressUse]) -> np.ndarray:
    """A /24's address array, free but for the system-reserved four and the given addresses."""
    a = np.full(256, AddressUse.FREE, dtype=np.uint8)
    a[[0, 253, 254, 255]] = AddressUse.SYSTEM
    for address, use in uses.items():
        a[address] = use
    return a


def test_the_map_colours_each_address_by_its_use():
    """Address 37 of 10.0.0.0/24 (10.0.0.37) is a secondary address, 5 a primary: their cells
    take those colours; 10.0.0.0 is system-reserved; 100 is free."""
    fig = address_map(a_24_with({37: AddressUse.SECONDARY, 5: AddressUse.PRIMARY}), cidr="10.0.0.0/24")
    image = fig.axes[0].images[0].get_array()
    x, y = cells(256, "hilbert")
    for address, use in ((37, AddressUse.SECONDARY), (5, AddressUse.PRIMARY), (0, AddressUse.SYSTEM),
                         (255, AddressUse.SYSTEM), (100, AddressUse.FREE)):
        assert np.allclose(image[y[address], x[address]], rgb(use)), address


def test_two_prefixes_are_two_whole_squares_of_the_prefix_colour():
    """Prefixes 10.0.0.32/28 and 10.0.0.80/28 (blocks 2 and 5): exactly two of the sixteen 4x4
    squares are wholly the prefix colour."""
    a = a_24_with({i: AddressUse.PREFIX for i in [*range(32, 48), *range(80, 96)]})
    for curve in ("hilbert", "morton"):
        image = address_map(a, cidr="10.0.0.0/24", curve=curve).axes[0].images[0].get_array()
        squares = [np.allclose(image[r:r + 4, c:c + 4], rgb(AddressUse.PREFIX)) for r in range(0, 16, 4)
                   for c in range(0, 16, 4)]
        assert sum(squares) == 2, curve


def test_the_legend_counts_each_use_present():
    fig = address_map(a_24_with({37: AddressUse.SECONDARY, 38: AddressUse.SECONDARY}), cidr="10.0.0.0/24")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["free (250)", "secondary address (2)", "system-reserved (4)"]


@pytest.fixture(scope="module")
def trace_run():
    """data/scenarios/pod-trace-sample.yaml: prefix mode, a /26 reservation in 10.0.0.0/24."""
    return simkit.run("data/scenarios/pod-trace-sample.yaml", progress=False)


def test_a_runs_map_outlines_and_labels_its_reservation(trace_run):
    fig = address_map(trace_run)
    ax = fig.axes[0]
    assert "reserved\n10.0.0.64/26" in [t.get_text() for t in ax.texts]
    (outline,) = ax.patches
    # A /26 is 64 addresses: an 8x8 square of cells.
    assert (outline.get_width(), outline.get_height()) == (8, 8)
    assert ax.get_title() == "vSwitch vsw-a: 10.0.0.0/24, at 2 h"


def test_a_runs_map_counts_equal_the_sample(trace_run):
    """The legend's counts are the last sample's primary_ips, prefix_ips, free_ips..."""
    last = trace_run.samples().iloc[-1]
    labels = [t.get_text() for t in address_map(trace_run).axes[0].get_legend().get_texts()]
    assert f"ENI primary ({last.primary_ips})" in labels and f"/28 prefix ({last.prefix_ips})" in labels
    assert f"free ({last.free_ips})" in labels


def test_the_map_at_a_time_shows_that_sample(trace_run):
    fig = address_map(trace_run, "vsw-a", time=90)  # samples every minute: the one at 1 min
    assert fig.axes[0].get_title().endswith("at 1 min")


@pytest.mark.parametrize("call, error, match", [
    (lambda a: address_map(a, cidr="10.0.0.0/24", curve="peano"), ValueError,
     "unknown curve 'peano'; the curves are hilbert, morton"),
    (lambda a: address_map(a), ValueError, "needs its vSwitch's cidr"),
    (lambda a: address_map(a, cidr="10.0.0.0/25"), ValueError, "holds 256 addresses, but 10.0.0.0/25 holds 128"),
    (lambda a: address_map(a, cidr="10.0.0.1/24"), ValueError,
     r"cidr: .10.0.0.1/24. has host bits set \(the block starts at 10.0.0.0/24\)"),
    (lambda a: address_map(a, cidr="10.0.0.0/24", reservations=["10.0.1.0/28"]), ValueError,
     "reservation 10.0.1.0/28 lies outside the vSwitch's 10.0.0.0/24"),
])
def test_what_the_map_cannot_draw_is_refused_naming_what_is_allowed(call, error, match):
    with pytest.raises(error, match=match):
        call(a_24_with({}))


def test_a_length_that_is_no_cidr_blocks_is_refused():
    """100 addresses: no CIDR block holds that many, and it is not the /24's 256."""
    with pytest.raises(ValueError, match="holds 100 addresses, but 10.0.0.0/24 holds 256"):
        address_map(np.zeros(100, dtype=np.uint8), cidr="10.0.0.0/24")
    with pytest.raises(ValueError, match="a CIDR block holds a power of two of addresses, got 100"):
        cells(100)


def test_an_unknown_vswitch_is_refused_naming_the_runs_vswitches(trace_run):
    with pytest.raises(KeyError, match="no vSwitch 'nope' in this run; its vSwitches: vsw-a"):
        address_map(trace_run, "nope")


@pytest.mark.parametrize("curve", ["hilbert", "morton"])
def test_the_map_looks_as_it_did(trace_run, curve, tmp_path):
    assert_matches_baseline(address_map(trace_run, curve=curve), f"address_map_{curve}", tmp_path)


def test_the_docs_example_draws_what_it_says(tmp_path, monkeypatch):
    """docs/figures.md's address map example runs as printed, in a scratch directory."""
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "figures.md").read_text()
    section = docs.split("## The address map", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.*?)```", section, re.S)
    monkeypatch.chdir(tmp_path)
    names = {}
    exec(example, names)
    assert (tmp_path / "pods-h-at-1-h.png").stat().st_size > 0
    ax = names["fig"].axes[0]
    assert ax.get_title() == "a hand-built /24: 10.0.0.0/24"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "free (188)", "/28 prefix (16)", "reserved, free (48)", "system-reserved (4)"]
