"""Runs that would never end or mean nothing (issue 9, point 6): refused before they start, with
the range allowed; and a pod trace whose times do not fit the run warns with what it holds.

The bounds are in simkit/scenario/plan.py and simkit/scenario/workload.py, and stated in
docs/scenario.md ("Bounds"); the last test holds the two together."""

import math
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

import simkit
from simkit import ScenarioError
from simkit.scenario import build_plan
from simkit.scenario import schema
from simkit.scenario import workload as workload_module
from simkit.scenario.workload import TraceTimeWarning

DOC = (Path(__file__).resolve().parent.parent / "docs" / "scenario.md").read_text()

BASE = {
    "name": "bounds", "duration": "1h", "sample_every": "5m", "vpc": {"cidr": "10.0.0.0/16"},
    "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
    "fleet": [{"instance_type": "ecs.g7.large", "count": 2, "vswitch": "vsw-a"}],
    "workload": {"kind": "pod-churn", "arrival_rate": "1/m", "lifetime": {"median": "10m", "p90": "30m"}},
}


def churn(**over):
    return {**BASE, "workload": {**BASE["workload"], **over}}


def agent(**over):
    return {**BASE, "agent": over}


def retry(**over):
    return agent(retries={"AssignPrivateIpAddresses": over})


@pytest.mark.parametrize("scenario, message", [
    ({**BASE, "duration": "1e300d"},
     "duration: '1e300d' is 8.64e+304 s; allowed: longer than 0 and at most 366d (31,622,400 s)"),
    ({**BASE, "duration": "367d"},
     "duration: '367d' is 31,708,800 s; allowed: longer than 0 and at most 366d (31,622,400 s)"),
    ({**BASE, "duration": math.inf}, "duration: inf is not a finite number of seconds; allowed: longer than 0 and at most "
                                     "366d (31,622,400 s)"),
    ({**BASE, "duration": 10 ** 400},
     f"duration: {'1' + '0' * 56}... is not a finite number of seconds; allowed: longer than 0 and at most 366d "
     f"(31,622,400 s)"),
    ({**BASE, "sample_every": 1e-6},
     "sample_every: 1e-06 s is out of range; allowed: from 1 s to the duration (3,600 s): at least 1 s, and at most "
     "200,000 samples a run"),
    ({**BASE, "sample_every": "2h"},
     "sample_every: 2h (7,200 s) is out of range; allowed: from 1 s to the duration (3,600 s): at least 1 s, and at most "
     "200,000 samples a run"),
    # 366 days every minute would be 527,040 samples: at least 31,622,400 / 200,000 s apart.
    ({**BASE, "duration": "366d", "sample_every": "1m"},
     "sample_every: 1m (60 s) is out of range; allowed: from 158.112 s to the duration (31,622,400 s): at least 1 s, and at "
     "most 200,000 samples a run"),
    ({**BASE, "sample_every": math.nan}, "sample_every: nan is not a number of seconds; allowed: at least 1 s, at most the "
                                         "duration, and at most 200,000 samples a run"),
    (retry(factor=math.inf), "agent.retries.AssignPrivateIpAddresses.factor: expected a finite number from 0 to 10, got inf"),
    (retry(factor=math.nan), "agent.retries.AssignPrivateIpAddresses.factor: expected a finite number from 0 to 10, got nan"),
    (retry(jitter=11), "agent.retries.AssignPrivateIpAddresses.jitter: expected a finite number from 0 to 10, got 11"),
    (retry(attempts=1000), "agent.retries.AssignPrivateIpAddresses.attempts: expected a whole number from 1 to 100, got 1000"),
    (retry(backoff="2d"), "agent.retries.AssignPrivateIpAddresses.backoff: '2d' is 172,800 s; allowed: 0 or longer and at most 1d (86,400 s)"),
    (agent(give_up_backoff="2d"), "agent.give_up_backoff: '2d' is 172,800 s; allowed: 0 or longer and at most 1d (86,400 s)"),
    (agent(block_exhausted=math.inf), "agent.block_exhausted: inf is not a finite number of seconds; allowed: 0 or longer and at most 1d "
                                      "(86,400 s)"),
    ({**BASE, "cloud": {"eni_attach_seconds": 1e300}},
     "cloud.eni_attach_seconds: 1e+300 is 1e+300 s; allowed: 0 or longer and at most 1d (86,400 s)"),
    (churn(diurnal={"amplitude": math.nan}),
     "workload.diurnal.amplitude: expected a finite number from 0 to 0.999, got nan"),
    (churn(diurnal={"amplitude": 0.5, "period": 0.001}), "workload.diurnal.period: 0.001 is 0.001 s; allowed: at least 1 s"),
    (churn(lifetime={"median": 1e-300, "p90": 1e300}),
     "workload.lifetime.median: 1e-300 is 1e-300 s; allowed: at least 0.001 s and at most 3650d (315,360,000 s)"),
    (churn(lifetime={"median": "10m", "p90": "3651d"}),
     "workload.lifetime.p90: '3651d' is 315,446,400 s; allowed: at least 0.001 s and at most 3650d (315,360,000 s)"),
    (churn(arrival_rate="1e9/s"),
     "workload.arrival_rate: 1e+09/s over the run's 3,600 s offers about 3.6e+12 pods; allowed: at most "
     "100,000,000 pods a run (arrival_rate x duration, plus the bursts): here an arrival_rate of at most 27,777.8/s"),
    (churn(bursts=[{"at": 0, "pods": 10 ** 10}]),
     "workload.bursts[0].pods: expected a whole number from 1 to 100,000,000, got 10000000000"),
    (churn(arrival_rate="27000/s", bursts=[{"at": 0, "pods": 10 ** 7}, {"at": "1m", "pods": 10 ** 7}]),
     "workload.bursts: 20,000,000 pods in bursts, with about 97,200,000 from arrival_rate x duration, make about "
     "1.17e+08; allowed: at most 100,000,000 pods a run"),
])
def test_a_run_that_would_never_end_or_mean_nothing_is_refused_with_the_range(scenario, message):
    with pytest.raises(ScenarioError) as err:
        build_plan(scenario)
    assert str(err.value) == f"scenario: {message}"


@pytest.mark.parametrize("scenario", [
    {**BASE, "duration": "366d"},  # sampled every 5 minutes: 105,408 samples
    {**BASE, "duration": "2d", "sample_every": 1},  # 172,800 samples
    {**BASE, "duration": "366d", "sample_every": 158.112},  # exactly 200,000
    retry(factor=10, jitter=0, attempts=100, backoff="1d"),
    agent(give_up_backoff=0),
    {**BASE, "cloud": {"eni_attach_seconds": "1d"}},
    churn(lifetime={"median": 0.001, "p90": "3650d"}, diurnal={"amplitude": 0.5, "period": 1}),
    churn(arrival_rate=100_000_000 / 3600),
])
def test_the_bounds_themselves_are_allowed(scenario):
    build_plan(scenario)


def test_the_cli_refuses_a_retry_factor_of_inf_as_one_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(BASE) + "agent: {retries: {AssignPrivateIpAddresses: {factor: .inf}}}\n")
    out = subprocess.run([sys.executable, "-m", "simkit", "run", str(path)], capture_output=True, text=True, timeout=300)
    assert (out.returncode, out.stdout, out.stderr) == (
        2, "", f"simkit: error: {path}: agent.retries.AssignPrivateIpAddresses.factor: expected a finite number from 0 "
               f"to 10, got inf\n")


# --- pod traces whose times do not fit the run -------------------------------------------------

def trace(tmp_path, rows: str, **over) -> dict:
    (tmp_path / "pods.csv").write_text("name,start,end\n" + rows)
    return {**BASE, "duration": "2h",
            "workload": {"kind": "pod-trace", "path": str(tmp_path / "pods.csv"), "start_column": "start",
                         "end_column": "end", **over}}


def warned(scenario) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_plan(scenario)
    return [str(w.message) for w in caught if issubclass(w.category, TraceTimeWarning)]


NONE_WITHIN = "no pod starts within the run: the 3 pod start times (column 'start', time_unit {unit}) go from"


@pytest.mark.parametrize("rows, unit, message", [
    # Epoch seconds (2020-01-09 12:13:20 UTC on) against a run of 2 hours.
    ("a,1578572000,1578572600\nb,1578572060,\nc,1578575000,1578575100\n", "s",
     NONE_WITHIN + " 1,578,572,000 s to 1,578,575,000 s, and the run covers 0 to 7,200 s; they look like epoch "
     "timestamps (the first is 2020-01-09 12:13:20 UTC): subtract the first start from every time so that the trace "
     "begins at 0"),
    # Epoch milliseconds read as seconds.
    ("a,1578572000000,\nb,1578572060000,\nc,1578575000000,\n", "s",
     NONE_WITHIN + " 1,578,572,000,000 s to 1,578,575,000,000 s, and the run covers 0 to 7,200 s; they look like "
     "epoch timestamps in ms (the first is 2020-01-09 12:13:20 UTC): subtract the first start from every time so that "
     "the trace begins at 0, and set time_unit: ms"),
    # Milliseconds from the start of the trace, read as seconds: 10,000 s to 20,000 s is past 2 h.
    ("a,10000,\nb,15000,\nc,20000,\n", "s",
     NONE_WITHIN + " 10,000 s to 20,000 s, and the run covers 0 to 7,200 s; with time_unit ms or us they would "
     "overlap it"),
    # Seconds read as minutes: 200 min is 12,000 s; as seconds (or smaller) they would overlap.
    ("a,200,\nb,300,\nc,400,\n", "m",
     NONE_WITHIN + " 12,000 s to 24,000 s, and the run covers 0 to 7,200 s; with time_unit s or ms or us they "
     "would overlap it"),
    ("a,-300,-200\nb,-100,\nc,-50,\n", "s",
     NONE_WITHIN + " -300 s to -50 s, and the run covers 0 to 7,200 s; every one is negative"),
])
def test_a_trace_with_no_start_within_the_run_warns_with_what_it_holds(tmp_path, rows, unit, message):
    scenario = trace(tmp_path, rows, time_unit=unit)
    assert warned(scenario) == [f"{tmp_path / 'pods.csv'}: " + message.format(unit=unit)]


def test_a_trace_with_some_negative_starts_warns_with_the_first(tmp_path):
    scenario = trace(tmp_path, "a,0,10\nb,-60,30\nc,-5,\nd,600,\n")
    assert warned(scenario) == [
        f"{tmp_path / 'pods.csv'}: 2 of the 4 pod start times (column 'start', time_unit s) are negative, the first on "
        f"line 3 (-60 s); the run covers 0 to 7,200 s, and those pods arrive at 0 s, when it starts"]


def test_a_trace_within_the_run_or_partly_after_it_does_not_warn(tmp_path):
    # Replaying the first 2 hours of a longer trace is an ordinary choice.
    assert warned(trace(tmp_path, "a,0,10\nb,3600,\nc,90000,\n")) == []


def test_the_cli_prints_the_trace_warning_as_one_line_and_runs(tmp_path):
    path = tmp_path / "s.yaml"
    scenario = trace(tmp_path, "a,1578572000,1578572600\nb,1578572060,\n")
    scenario["workload"]["path"] = "pods.csv"
    path.write_text(yaml.safe_dump(scenario))
    out = subprocess.run([sys.executable, "-m", "simkit", "run", str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "pods arrived         0:" in out.stdout
    assert out.stderr == (
        f"simkit: warning: {tmp_path / 'pods.csv'}: no pod starts within the run: the 2 pod start times (column "
        f"'start', time_unit s) go from 1,578,572,000 s to 1,578,572,060 s, and the run covers 0 to 7,200 s; they look "
        f"like epoch timestamps (the first is 2020-01-09 12:13:20 UTC): subtract the first start from every time so "
        f"that the trace begins at 0\n")


def test_the_library_warning_is_a_user_warning_of_simkits_own():
    assert issubclass(TraceTimeWarning, UserWarning)
    with pytest.warns(TraceTimeWarning):
        simkit.run({**BASE, "duration": "10m", "sample_every": "5m", "workload": {
            "kind": "pod-trace", "path": str(Path(__file__).resolve().parent.parent / "data" / "samples" / "pods.csv"),
            "start_column": "scheduled_time", "end_column": "deletion_time", "time_unit": "h"}}, progress=False)


# --- the bounds are stated in docs/scenario.md --------------------------------------------------

def test_the_bounds_are_the_ones_docs_scenario_md_states():
    """The key reference states each bound as the definition checks it (it is written from the
    definition; this pins the figures), and the Bounds section gives the reasons."""
    keys = DOC[DOC.index("## Keys"):DOC.index("## Editors")]
    bounds = DOC[DOC.index("## Bounds"):]
    assert schema.MAX_DURATION == 366 * 86400 and "at most 366d (31,622,400 s)" in keys and "a leap year" in bounds
    assert schema.MIN_SAMPLE_EVERY == 1 and schema.MAX_SAMPLES == 200_000 and "at most 200,000 samples a run" in keys
    assert schema.MAX_AGENT_WAIT == schema.MAX_CLOUD_SECONDS == 86400 and "at most 1d (86,400 s)" in keys
    assert schema.MAX_RETRY_FACTOR == 10 and schema.MAX_RETRY_ATTEMPTS == 100
    assert "a finite number from 0 to 10" in keys and "a whole number from 1 to 100 " in keys
    assert schema.MIN_LIFETIME == 0.001 and schema.MAX_LIFETIME == 3650 * 86400
    assert "at least 0.001 s and at most 3650d (315,360,000 s)" in keys and "0.001 s to 3,650 days" in bounds
    assert schema.MIN_PERIOD == 1 and schema.MAX_PODS == 100_000_000 and "100,000,000 pods" in bounds
    assert workload_module.EPOCH_LIKE == 1e9 and "10^9 s" in bounds
