"""``simkit.forecast``: when each limit is first hit, over seeds; hand-worked cases."""

import math

import pytest

import simkit
from simkit.analysis.forecast import first_hits, forecast

HOUR = 3600.0


def hand_worked(**changes):
    # A /25 (124 usable) less a /28 reservation (16) less 8 nodes' primaries: 100 free addresses.
    # Exclusive-ENI mode: each pod is an ENI whose primary is its one address, from the node's
    # vSwitch (31 pods a node: 248 slots). One pod an hour, evenly spaced, none ending within the
    # run (lifetimes of about ten years): pod k takes an address at hour k, so the 100th takes
    # the last at hour 100, whatever the seed.
    return {"name": "hand-worked", "duration": "110h", "sample_every": "1h",
            "vswitches": [{"name": "pods", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/25", "reservations": [{"mask": 28}]}],
            "fleet": [{"instance_type": "ecs.ebmg6.26xlarge", "count": 8, "vswitch": "pods"}],
            "agent": {"mode": "exclusive-eni"},
            "workload": {"kind": "pod-churn", "arrival_rate": "1/h", "arrivals": "regular",
                         "lifetime": {"median": "3000d", "p90": "3650d"}}, **changes}


def test_a_vswitch_with_100_free_addresses_and_a_pod_an_hour_runs_out_at_hour_100_in_every_seed():
    f = forecast(hand_worked(), seeds=5)
    row = f.limits[(f.limits["limit"] == "vswitch_addresses") & (f.limits["resource"] == "pods")].iloc[0]
    assert row["seeds_hit"] == 1.0
    per_seed = f.runs[f.runs["limit"] == "vswitch_addresses"]["time"]
    assert len(per_seed) == 5
    # The pod of hour 100 gets its ENI a moment later (create, then a 2 s attach): within a minute.
    assert all(100 * HOUR <= t < 100 * HOUR + 60 for t in per_seed), per_seed.tolist()
    assert all(100 * HOUR <= row[q] < 100 * HOUR + 60 for q in ("p10", "p50", "p90"))
    assert f.first == {("vswitch_addresses", "pods"): 5}
    assert f.sentence.startswith("vswitch_addresses on pods runs out first in 5 of 5 seeds: p10 100.0 h, p50 100.0 h")


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")
def test_the_refusal_that_follows_is_dated_too_but_the_last_address_comes_first():
    r = simkit.run(hand_worked(), progress=False)
    hits = first_hits(r)
    assert 100 * HOUR <= hits[("vswitch_addresses", "pods")] < 100 * HOUR + 60
    # The 101st pod finds no address at hour 101: the summary's exhaustion, a later date.
    assert r.summary["exhaustion"]["vswitch_addresses"]["time"] == pytest.approx(101 * HOUR, abs=60)


def test_a_limit_no_seed_reaches_is_absent_and_said():
    f = forecast(hand_worked(duration="50h"), seeds=2)
    assert f.limits.empty and f.first == {}
    assert f.sentence == "hand-worked: no limit is hit within the run in any of 2 seeds"


def test_percentiles_count_seeds_that_never_hit_as_late():
    from simkit.analysis.forecast import _percentile

    assert _percentile([1.0, 2.0, math.inf, math.inf], 0.5) == 2.0
    assert _percentile([1.0, math.inf, math.inf, math.inf], 0.5) is None


def test_forecast_from_an_imported_vpc_under_growth(tmp_path):
    # Import -> scenario file with a relative state path -> forecast from that file.
    import yaml

    from simkit.scenario.importer import write_imported
    from test_import import write_folder

    scenario, _state, _notes = write_imported(write_folder(tmp_path / "in"), tmp_path / "vpc.yaml")
    data = yaml.safe_load(scenario.read_text())
    data.update(duration="20d", sample_every="1h", agent={"mode": "secondary-ip", "min_idle": 0, "max_idle": 0})
    data["fleet"] = [{"instance_type": "ecs.g7.xlarge", "count": 3, "vswitch": "nodes-h",
                      "scale": [{"at": "5d", "count": 2}]}]
    data["workload"] = {"kind": "pod-churn", "arrival_rate": "4/h", "growth": "+20%/week",
                        "lifetime": {"median": "10d", "p90": "30d"}}
    (tmp_path / "grow.yaml").write_text(yaml.safe_dump(data))
    f = forecast(tmp_path / "grow.yaml", seeds=2)
    by = {(r.limit, r.resource): r for r in f.limits.itertuples()}
    # The 3 new nodes hold 135 pods (45 each); 4 pods an hour, most living days, fill them in
    # about 34 hours less the few that end: the fleet binds first.
    fleet = by[("node_pods", "fleet")]
    assert fleet.seeds_hit == 1.0 and 24 * HOUR < fleet.p50 < 34 * HOUR
    # At 5 days 2 more nodes come and take the waiting pods: the about 30 addresses nodes-h has
    # left (179 at the start, less 3 nodes' primaries, 135 pods' and their ENIs') go at once.
    vsw = by[("vswitch_addresses", "nodes-h")]
    assert vsw.seeds_hit == 1.0 and 5 * 24 * HOUR <= vsw.p50 < 5 * 24 * HOUR + 60
    assert f.first == {("node_pods", "fleet"): 2}
    assert f.sentence.startswith("node_pods on fleet runs out first in 2 of 2 seeds")


def test_simkit_forecast_writes_its_report(tmp_path, capsys):
    """`simkit forecast S.yaml --seeds 3 --out DIR`: the sentence on stdout, and a report whose
    verdict names the vSwitch's addresses running out at hour 100 (4 d 4 h) in 3 of 3 seeds,
    with the tables beside it agreeing."""
    import json

    import pandas as pd
    import yaml

    from simkit.cli import main

    (tmp_path / "s.yaml").write_text(yaml.safe_dump(hand_worked()))
    out = tmp_path / "forecast"
    assert main(["forecast", str(tmp_path / "s.yaml"), "--seeds", "3", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("vswitch_addresses on pods runs out first in 3 of 3 seeds") and "report:" in printed
    assert sorted(p.name for p in out.iterdir()) == ["limits.csv", "report.html", "report.xlsx", "runs.csv",
                                                      "summary.json"]
    page = (out / "report.html").read_text()
    assert "vswitch_addresses on pods: hit in 100% of the seeds (p10 4 d 4 h, p50 4 d 4 h, p90 4 d 4 h); first in 3 of 3" \
        in page
    summary = json.loads((out / "summary.json").read_text())
    assert summary["first"] == [{"limit": "vswitch_addresses", "resource": "pods", "seeds": 3}]
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs[runs["limit"] == "vswitch_addresses"]) == 3
    assert main(["forecast", str(tmp_path / "s.yaml"), "--seeds", "3", "--out", str(out)]) == 2  # no --force
