"""Issue 12, point 1: the figures over time and of sweeps and sizing draw what the run (or
table) says: the stacked /28 states add up to the vSwitch's blocks, lines carry the samples'
columns, the failed pods end at the summary's count, the error bars add up to the summary's
errors by code, the chosen size is marked where ``size`` chose it."""

import numpy as np
import pandas as pd
import pytest

import simkit
from simkit.analysis.size import SizeResult
from simkit.viz import addresses_held, api_errors, block_states, free_addresses, pareto, pod_waits, pods, size_curve, \
    sweep_band
from simkit.viz.timeseries import failure_times, time_axis
from tests.image_compare import assert_matches_baseline


@pytest.fixture(scope="module")
def day():
    """The default scenario: a /24 (16 /28 blocks) that runs out of addresses at 10 h 1 min."""
    return simkit.run(simkit.DEFAULT_SCENARIO, progress=False)


def test_time_runs_in_hours_up_to_three_days_then_in_days():
    assert time_axis(86400).unit == "h" and time_axis(3 * 86400).divisor == 3600
    assert time_axis(3 * 86400 + 1) == ("d", 86400.0, "time into the run (days)")


def test_block_states_add_up_to_the_vswitchs_blocks_at_every_sample(day):
    ax = block_states(day).axes[0]
    outline = ax.collections[-1].get_paths()[0].vertices  # the last area's polygon: its top edge is the total
    times = np.asarray(day.sample_times()) / 3600
    top = [outline[np.isclose(outline[:, 0], t), 1].max() for t in times]
    assert np.allclose(top, 16) and ax.get_ylim() == (0, 16)
    assert [t.get_text() for t in ax.get_legend().get_texts()][:3] == [
        "held as a /28 prefix", "full (single addresses)", "partly used"]


def test_free_addresses_draw_the_samples_and_mark_the_exhaustion(day):
    ax = free_addresses(day).axes[0]
    s = day.samples()
    (line,) = [ln for ln in ax.lines if ln.get_label() == "pods-h: free addresses"]
    assert np.array_equal(line.get_ydata(), s["free_ips"].to_numpy())
    marks = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert [m.get_xdata()[0] for m in marks] == [day.summary["exhaustion"]["vswitch_addresses"]["time"] / 3600]
    assert "vswitch_addresses at 10 h 1 min\n(pods-h)" in [t.get_text() for t in ax.texts]


def test_failed_pods_so_far_end_at_the_summarys_failed_pods(day):
    ax = pods(day).axes[0]
    (failed,) = [ln for ln in ax.lines if ln.get_label() == "failed so far"]
    s = day.summary
    assert failed.get_ydata()[-1] == round(s["pod_failure_rate"] * s["pods_arrived"])
    (running,) = [ln for ln in ax.lines if ln.get_label().startswith("running")]
    assert running.get_ydata().max() <= s["peak_pods_running"]


def test_the_pods_lines_are_the_pods_tables_counts_at_every_sample(day):
    """Running: got an address by then and not ended; waiting: arrived, no address yet, not ended
    (scenario.md, "Tables"), counted from ``pods()`` alone; failed at the end: expired or waited
    longer than the SLO."""
    ax = pods(day).axes[0]
    lines = {ln.get_label(): ln for ln in ax.lines}
    table = day.pods()
    t = np.asarray(day.sample_times())[:, None]
    arrival, got, ended = (table[c].to_numpy(dtype=float)[None, :] for c in ("arrival", "got_address", "ended"))
    alive = ~(ended <= t)
    running = ((got <= t) & alive).sum(axis=1)
    waiting = ((arrival <= t) & ~(got <= t) & alive).sum(axis=1)
    assert np.array_equal(lines["running (hold an address)"].get_xdata(), t[:, 0] / 3600)
    assert np.array_equal(lines["running (hold an address)"].get_ydata(), running)
    assert np.array_equal(lines["waiting (for a node or an address)"].get_ydata(), waiting) and waiting.max() > 0
    failed = ((table["outcome"] == "expired") | (table["wait"] > day.summary["slo_pod_wait"])).sum()
    assert lines["failed so far"].get_ydata()[-1] == failed


def test_the_exhaustion_marks_sit_at_the_exhaustion_tables_times(day):
    hits = day.exhaustion()
    for fig in (block_states(day), free_addresses(day), pods(day)):
        marks = [ln.get_xdata()[0] for ln in fig.axes[0].lines if ln.get_linestyle() == ":"]
        assert marks == (hits["time"] / 3600).tolist()


def test_a_pod_fails_when_its_wait_passes_the_slo_or_it_expires_sooner():
    """A waits 40 s (SLO 30 s): fails at 100 + 30. B expires after 10 s: fails at 200 + 10.
    C waits 5 s and is served: does not fail."""
    table = pd.DataFrame({"arrival": [100.0, 200.0, 300.0], "wait": [40.0, 10.0, 5.0],
                          "outcome": ["served", "expired", "served"]})
    assert failure_times(table, 30.0).tolist() == [130.0, 210.0]


def test_the_wait_distribution_marks_the_summarys_p50_p99_and_slo(day):
    ax = pod_waits(day).axes[0]
    labels = {ln.get_label(): ln.get_xdata()[0] for ln in ax.lines[1:]}
    w = day.summary["pod_wait_seconds"]
    assert labels == {"SLO: 30 s": 30, f"p50: {w['p50']:,.1f} s": w["p50"], f"p99: {w['p99']:,.1f} s": w["p99"]}
    assert ax.lines[0].get_ydata()[-1] == 1.0


def test_error_bars_add_up_to_the_summarys_errors_by_code(day):
    ax = api_errors(day).axes[0]
    drawn = {c.get_label().split(" (")[0]: sum(p.get_height() for p in c.patches) for c in ax.containers}
    assert drawn == day.summary["api_errors_by_code"] and drawn  # {'InvalidVSwitchId.IpNotEnough': 29}


def test_a_run_without_errors_says_so():
    run = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "2h"}, progress=False)
    assert [t.get_text() for t in api_errors(run).axes[0].texts] == [f"no API errors in {run.summary['calls']} calls"]


def test_addresses_held_shade_the_idle_pools(day):
    ax = addresses_held(day).axes[0]
    s = day.samples().drop_duplicates("time")
    held, used = ax.lines
    assert np.array_equal(held.get_ydata(), s["ips_held"].to_numpy())
    assert np.array_equal(held.get_ydata() - used.get_ydata(), s["ips_idle"].to_numpy())


@pytest.mark.parametrize("draw", [free_addresses, block_states])
def test_an_unknown_vswitch_is_refused_naming_the_runs_vswitches(day, draw):
    with pytest.raises(KeyError, match="no vSwitch 'nope' in this run; its vSwitches: pods-h"):
        draw(day, "nope")


#: A sweep's table by hand: two masks, three seeds each (only the columns the figure reads).
SWEEP = pd.DataFrame({"vswitches.0.cidr": ["10.0.0.0/24"] * 3 + ["10.0.0.0/23"] * 3,
                      "seed": [1, 2, 3] * 2,
                      "pod_failure_rate": [0.30, 0.32, 0.36, 0.0, 0.002, 0.0],
                      "error_type": [""] * 6})


def test_the_sweep_band_runs_from_the_lowest_to_the_highest_seed_around_the_median():
    """/24: seeds 0.30, 0.32, 0.36 -> median 0.32, band 0.30..0.36; /23: 0, 0.002, 0 -> 0."""
    ax = sweep_band(SWEEP, "vswitches.0.cidr", target=0.001).axes[0]
    median, target = ax.lines
    assert np.allclose(median.get_ydata(), [0.32, 0.0]) and target.get_ydata()[0] == 0.001
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.max(), 0.36) and np.isclose(band.min(), 0.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10.0.0.0/24", "10.0.0.0/23"]


@pytest.fixture(scope="module")
def swept():
    """A real sweep, small: 12 hours of the default scenario on a /24 and a /23, three seeds each
    (serially: six runs of a fraction of a second cost less than starting worker processes)."""
    return simkit.sweep({**simkit.DEFAULT_SCENARIO, "duration": "12h"},
                        grid={"vswitches.0.cidr": ["192.168.0.0/24", "192.168.0.0/23"]}, seeds=3, executor="serial",
                        progress=False)


def test_the_sweep_bands_median_and_ends_are_the_tables(swept):
    key, figure = "vswitches.0.cidr", "pod_failure_rate"
    ax = sweep_band(swept, key, figure).axes[0]
    by = swept.groupby(key, sort=False)[figure]
    (median,) = ax.lines
    assert np.allclose(median.get_ydata(), by.median().to_numpy()) and median.get_ydata()[0] > 0
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.max(), by.max().max()) and np.isclose(band.min(), by.min().min())


@pytest.mark.parametrize("key, figure, missing", [("fleet.0.count", "pod_failure_rate", "fleet.0.count"),
                                                  ("vswitches.0.cidr", "pod_wait_p90", "pod_wait_p90")])
def test_the_sweep_band_refuses_a_column_the_table_lacks(key, figure, missing):
    with pytest.raises(KeyError, match=f"no column '{missing}' in this sweep table; its columns: vswitches.0.cidr"):
        sweep_band(SWEEP, key, figure)


def sized(chosen="10.0.0.0/23") -> SizeResult:
    """What ``size`` returns for a search that ran /25 (59 of 59 missed), /24 (3 of 59) and /23
    (0 of 59, accepted: Clopper-Pearson bound 0.0495 <= 0.05)."""
    table = pd.DataFrame({"vswitches.0.cidr": ["10.0.0.0/24", "10.0.0.0/25", "10.0.0.0/23"],
                          "runs": [59, 59, 59], "misses": [3, 59, 0], "miss_bound": [0.127, 1.0, 0.0495],
                          "accepted": [False, False, True],
                          "mean pod_failure_rate": [0.0004, 0.2, 0.0], "max pod_failure_rate": [0.004, 0.3, 0.0],
                          "vpc_addresses": [256, 128, 512], "reserved_addresses": [0, 0, 0], "nodes": [10, 10, 10]})
    pareto_rows = table[table["accepted"]]
    return SizeResult(chosen, table, 177, "an answer", pareto_rows,
                      {"vswitches.0.cidr": ["10.0.0.0/25", "10.0.0.0/24", "10.0.0.0/23"]},
                      ("vswitches.0.cidr",), "pod_failure_rate", 0.001, 0.95, 0.05)


def test_the_size_curve_marks_the_chosen_candidate_in_size_order():
    ax = size_curve(sized()).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10.0.0.0/25", "10.0.0.0/24", "10.0.0.0/23"]
    (span,) = [p for p in ax.patches]
    assert np.isclose(span.get_x() + span.get_width() / 2, 2)  # the /23, third in size order
    assert [t.get_text() for t in ax.texts] == ["59/59 missed\nbound 100% > 5%", "3/59 missed\nbound 12.7% > 5%",
                                                "0/59 missed\nbound 4.95% \u2264 5%"]
    assert "chosen: 10.0.0.0/23 (95% confidence)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_size_curve_with_nothing_chosen_marks_nothing():
    ax = size_curve(sized(chosen=None)).axes[0]
    assert not ax.patches and ax.get_legend().get_title().get_text() == "none accepted"


@pytest.fixture(scope="module")
def two_keys():
    """A real search over two keys, small: fleets of 10 and 20 nodes, each on a /25, /24 or /23,
    12 hours, three seeds a layout. Three runs cannot bound a miss share at 95 % confidence and 5 %
    risk (the bound after 0 of 3 is 63 %), so the test asks less: 50 % confidence, 25 % risk
    (0 of 3: 20.6 %). Bisection runs each fleet's /23, then its /24, which misses: 12 runs."""
    return simkit.size({**simkit.DEFAULT_SCENARIO, "duration": "12h"}, vary=["fleet.0.count", "vswitches.0.cidr"],
                       candidates={"fleet.0.count": [10, 20],
                                   "vswitches.0.cidr": ["192.168.0.0/25", "192.168.0.0/24", "192.168.0.0/23"]},
                       target={"pod_failure_rate": 0.001}, seeds=3, confidence=0.5, risk=0.25, executor="serial",
                       progress=False)


def test_the_size_curve_of_a_real_search_marks_its_choice_on_its_line(two_keys):
    r = two_keys
    assert r.chosen == {"fleet.0.count": 10, "vswitches.0.cidr": "192.168.0.0/23"}
    ax = size_curve(r).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == r.candidates["vswitches.0.cidr"]
    (span,) = ax.patches
    assert np.isclose(span.get_x() + span.get_width() / 2, r.candidates["vswitches.0.cidr"].index("192.168.0.0/23"))
    mine = r.table[r.table["fleet.0.count"] == 10].sort_values("vpc_addresses")
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert lines["highest over seeds"].get_xdata().tolist() == [1, 2]  # the /25 was never run
    assert np.allclose(lines["highest over seeds"].get_ydata(), mine["max pod_failure_rate"])
    assert np.allclose(lines["mean over seeds"].get_ydata(), mine["mean pod_failure_rate"])
    assert [t.get_text().split("\n")[0] for t in ax.texts if "missed" in t.get_text()] == [
        f"{m}/{n} missed" for m, n in zip(mine["misses"], mine["runs"])]
    assert "fleet.0.count = 20" in [t.get_text() for t in ax.texts]  # the other fleet's line, faint
    assert ax.get_xlabel() == "vswitches.0.cidr (with fleet.0.count = 10)"


def test_with_nothing_chosen_the_size_curve_follows_the_layout_nearest_to_acceptance(two_keys):
    """Both fleets' /23 have the same bound and VPC addresses; 10 nodes are fewer than 20."""
    ax = size_curve(two_keys._replace(chosen=None)).axes[0]
    assert not ax.patches and ax.get_xlabel() == "vswitches.0.cidr (with fleet.0.count = 10)"


def test_the_pareto_figure_of_a_real_search_draws_every_layout_it_ran(two_keys):
    r = two_keys
    ax = pareto(r).axes[0]
    accepted, refused = ax.collections[0], ax.collections[1]
    table = r.table
    assert len(accepted.get_offsets()) == table["accepted"].sum() and len(refused.get_offsets()) == (~table["accepted"]).sum()
    assert sorted(refused.get_offsets()[:, 0]) == sorted(table.loc[~table["accepted"], "vpc_addresses"])
    assert [t.get_text() for t in ax.texts] == [
        ", ".join(f"{k} = {row[k]}" for k in r.keys) for _, row in r.pareto.iterrows()]


def test_the_pareto_figure_rings_the_pareto_set():
    ax = pareto(sized()).axes[0]
    assert [t.get_text() for t in ax.texts] == ["vswitches.0.cidr = 10.0.0.0/23"]
    accepted, refused = ax.collections[0], ax.collections[1]
    assert accepted.get_offsets().tolist() == [[512, 0.0]] and len(refused.get_offsets()) == 2


@pytest.mark.parametrize("name, draw", [
    ("block_states", lambda r: block_states(r)), ("free_addresses", lambda r: free_addresses(r)),
    ("pods", lambda r: pods(r)), ("pod_waits", lambda r: pod_waits(r)), ("api_errors", lambda r: api_errors(r)),
    ("addresses_held", lambda r: addresses_held(r)),
    ("sweep_band", lambda r: sweep_band(SWEEP, "vswitches.0.cidr", target=0.001)),
    ("size_curve", lambda r: size_curve(sized())), ("pareto", lambda r: pareto(sized())),
])
def test_each_figure_looks_as_it_did(day, name, draw, tmp_path):
    assert_matches_baseline(draw(day), f"series_{name}", tmp_path)
