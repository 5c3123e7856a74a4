"""Growth (issue 14): arrival rates that follow a schedule or compound growth, evenly spaced
arrivals for hand-checked runs, and node pools scaled out during the run."""

import numpy as np
import pytest

import simkit
from simkit import ScenarioError
from simkit.workloads import pod_churn

DAY = 86400.0
LONG = {"lifetime_median": 3000 * DAY, "lifetime_p90": 3650 * DAY}


def starts(**kw):
    return np.array([p.start for p in pod_churn(3, **kw)])


def test_without_a_trend_the_stream_is_the_one_it_was():
    # The golden results pin this too; here, the trend-free stream equals a flat schedule's count.
    a = starts(arrival_rate=0.5, lifetime_median=60, lifetime_p90=600, duration=3600)
    b = starts(arrival_rate=0.5, lifetime_median=60, lifetime_p90=600, duration=3600)
    assert np.array_equal(a, b)


def test_a_schedule_ramps_linearly_then_holds():
    s = starts(arrival_rate=1.0, schedule=[(0, 1.0), (DAY, 2.0)], duration=2 * DAY, lifetime_median=60, lifetime_p90=600)
    first, second = (s < DAY).sum(), (s >= DAY).sum()
    # Expected 1.5 x 86,400 = 129,600 and 2 x 86,400 = 172,800 (Poisson: sd about 360 and 416).
    assert abs(first - 129_600) < 2_000 and abs(second - 172_800) < 2_000


def test_growth_compounds():
    s = starts(arrival_rate=1.0, growth=(0.5, 7 * DAY), duration=14 * DAY, lifetime_median=60, lifetime_p90=600)
    # The last day runs at 1.5 ** (13.5 / 7) = 2.186 times the first day's 1.5 ** (0.5 / 7) = 1.029 (about).
    ratio = (s >= 13 * DAY).sum() / (s < DAY).sum()
    assert 2.05 < ratio < 2.20


def test_regular_arrivals_are_evenly_spaced():
    s = starts(arrival_rate=1 / 3600, arrivals="regular", duration=100.5 * 3600, **LONG)
    assert np.allclose(s / 3600, np.arange(1, 101))


@pytest.mark.parametrize("rate, growth, message", [
    ({"zero": "1/s"}, None, "'zero' is not a time of the run"),
    ({"0d": "fast"}, None, "at '0d': rate 'fast' is not understood"),
    (1.0, "5%", "'5%' is not understood; allowed: a growth rate"),
    (1.0, "-100%/day", "is out of range"),
])
def test_bad_trends_are_refused_at_their_key(rate, growth, message):
    sc = {"duration": "1d", "vswitches": [{"name": "a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
          "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 1, "vswitch": "a"}],
          "workload": {"kind": "pod-churn", "arrival_rate": rate, "lifetime": {"median": "1h", "p90": "2h"},
                       **({"growth": growth} if growth else {})}}
    with pytest.raises(ScenarioError, match=message):
        simkit.run(sc, progress=False)


def scenario(**workload):
    return {"name": "grow", "duration": "3d", "sample_every": "1h",
            "vswitches": [{"name": "a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
            "fleet": [{"instance_type": "ecs.g7.xlarge", "count": 2, "vswitch": "a", "scale": [{"at": "1d", "count": 3}]}],
            "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 2},
            "workload": {"kind": "pod-churn", "lifetime": {"median": "30d", "p90": "60d"}, **workload}}


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")
def test_scale_out_adds_nodes_at_its_time_and_serves_the_waiting_pods():
    r = simkit.run(scenario(arrival_rate="8/h", arrivals="regular"), progress=False)
    assert len(r._run.node_ids) == 5
    s = r.samples().set_index("time")
    # 2 nodes hold 90 pods (45 each in secondary-ip mode); by 23 h, 184 pods have come (8 an
    # hour, none ending); at 1 d 3 more nodes make room for 225, and at 25 h all 200 run but the
    # one arriving at that instant, which waits for its address.
    before, after = s.loc[DAY - 3600], s.loc[DAY + 3600]
    assert (before["pods_running"], before["pods_pending"]) == (90, 94)
    assert (after["pods_running"], after["pods_pending"]) == (199, 1)


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")
def test_scale_out_that_does_not_fit_launches_what_fits_and_records_the_limit():
    sc = scenario(arrival_rate=0)  # no pods: the nodes' primaries alone fill the vSwitch
    sc["vswitches"][0]["cidr"] = "10.0.0.0/29"  # 4 usable: 2 nodes, then 2 more fit
    sc["fleet"][0]["max_pods"] = 12
    sc["fleet"][0]["scale"] = [{"at": "1d", "count": 5}]
    r = simkit.run(sc, progress=False)
    assert len(r._run.node_ids) == 4
    assert r.summary["exhaustion"]["vswitch_addresses"]["time"] == pytest.approx(DAY)


def test_a_scale_step_after_the_run_is_refused():
    sc = scenario(arrival_rate="1/h")
    sc["fleet"][0]["scale"] = [{"at": "4d", "count": 1}]
    with pytest.raises(ScenarioError, match=r"fleet\[0\]\.scale\[0\]\.at: 345600 s is not before the run ends"):
        simkit.run(sc, progress=False)
