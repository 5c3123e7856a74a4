"""Issue 11: sweeps over a grid of values and seeds, on local processes and on a Dask cluster,
one row of figures per run; a bad key path is refused before anything runs; a failed run is a
row, not the end of the sweep."""

import numpy as np
import pytest

import simkit
from simkit import ScenarioError

#: The default scenario, shortened to two hours: a vSwitch of three sizes, three seeds.
SHORT = {**simkit.DEFAULT_SCENARIO, "duration": "2h", "sample_every": "10m"}
GRID = {"vswitches.0.cidr": ["192.168.0.0/25", "192.168.0.0/24", "192.168.0.0/23"]}


def comparable(frame):
    return frame.drop(columns="run_seconds")


def test_a_sweep_has_one_row_per_run_in_grid_order_with_seeds_from_the_root_seed():
    df = simkit.sweep(SHORT, grid=GRID, seeds=3, executor="serial", progress=False)
    assert len(df) == 9 and list(df["vswitches.0.cidr"]) == [c for c in GRID["vswitches.0.cidr"] for _ in range(3)]
    expected = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(7).spawn(3)]  # the scenario's seed 7
    assert list(df.seed[:3]) == expected and list(df.seed[3:6]) == expected
    assert (df.error == "").all() and (df.served + df.expired + df.unscheduled + df.waiting == df.pods_arrived).all()
    # A /25 gives 124 usable addresses, the /23 508: the smaller vSwitch fails at least as many pods.
    small, large = df[df["vswitches.0.cidr"] == "192.168.0.0/25"], df[df["vswitches.0.cidr"] == "192.168.0.0/23"]
    assert (small.pod_failure_rate.values >= large.pod_failure_rate.values).all()


def test_the_same_sweep_gives_the_same_table_on_local_processes_and_on_a_dask_cluster():
    """3 masks x 3 seeds: local processes, then a Dask LocalCluster of 2 workers started here."""
    from dask.distributed import Client, LocalCluster

    local = simkit.sweep(SHORT, grid=GRID, seeds=3, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = simkit.sweep(SHORT, grid=GRID, seeds=3, executor=client, progress=False)
    assert comparable(local).equals(comparable(remote))


def test_a_run_that_fails_is_a_row_and_the_sweep_goes_on():
    """With setup_meets_faults, CreateVSwitch failing every time fails the build of that run;
    the variant without faults runs."""
    df = simkit.sweep(SHORT, variants={"broken": {"setup_meets_faults": True,
                                                  "faults": {"CreateVSwitch": {"InternalError": 1.0}}},
                                       "fine": {}}, seeds=1, executor="serial", progress=False)
    assert list(df.variant) == ["broken", "fine"]
    assert df.error_type[0] == "ScenarioError" and "building the scenario failed: InternalError" in df.error[0]
    assert df.error[1] == "" and df.pods_arrived[1] > 0


@pytest.mark.parametrize("grid, message", [
    ({"vswitches.3.cidr": ["10.0.0.0/24"]}, "scenario: vswitches.3.cidr: '3' is not an item of vswitches (a list of 1); "
                                            "allowed: an index from 0 to 0"),
    ({"agent.max_idel": [1]}, "scenario: agent.max_idel: unknown key (did you mean max_idle?)"),
    ({"vswitches.0.cidr": ["192.168.0.0/24", "192.168.0.1/24"]},
     "scenario: vswitches[0].cidr: '192.168.0.1/24' has host bits set"),
])
def test_a_bad_key_path_or_value_is_refused_before_anything_runs(grid, message):
    with pytest.raises(ScenarioError) as err:
        simkit.sweep(SHORT, grid=grid, seeds=2, executor="serial", progress=False)
    assert str(err.value).startswith(message)
    if "0.1/24" in str(grid):
        assert "(at vswitches.0.cidr='192.168.0.1/24')" in str(err.value)


@pytest.mark.parametrize("kwargs, message", [
    ({"grid": {"agent.max_idle": [1]}, "variants": {"a": {}}}, "sweep: grid: give a grid or variants, not both"),
    ({"grid": {"agent.max_idle": []}}, "sweep: grid.agent.max_idle: expected a non-empty list of values, got []"),
    ({"grid": {"agent.max_idle": "5"}}, "sweep: grid.agent.max_idle: expected a non-empty list of values, got '5'"),
    ({"grid": ["agent.max_idle"]}, "sweep: grid: expected a mapping of key path to a list of values"),
    ({"variants": ["a"]}, "sweep: variants: expected a mapping of name to {key path: value}"),
    ({"seeds": 0}, "sweep: seeds: expected a count from 1 or a list of seeds, got 0"),
    ({"seeds": [1, -2]}, "sweep: seeds: expected whole numbers from 0, got [1, -2]"),
    ({"grid": {"name.first": ["x"]}}, "scenario: name.first: name is 'ack-node-pool-daily-peak', which has no keys"),
])
def test_bad_sweep_arguments_are_refused_before_anything_runs(kwargs, message):
    with pytest.raises(ScenarioError) as err:
        simkit.sweep(SHORT, executor="serial", progress=False, **kwargs)
    assert str(err.value).startswith(message)


def test_every_column_of_a_sweep_is_defined_in_the_docs():
    """docs/sweeps.md names each column (a per-code, per-limit or per-vSwitch column by its
    pattern: api_errors.<code>, exhausted_at.<limit>, min_free_ips.<vswitch>, ...)."""
    import re
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "sweeps.md").read_text()
    df = simkit.sweep({**SHORT, "vswitches": [{**SHORT["vswitches"][0], "cidr": "192.168.0.0/26"}]},
                      grid={"agent.max_idle": [5]}, seeds=1, executor="serial", progress=False)
    assert any(c.startswith("api_errors.") for c in df.columns) and any(c.startswith("exhausted_at.") for c in df.columns)
    for column in df.columns:
        if column == "agent.max_idle":
            continue
        pattern = re.sub(r"^(api_errors|exhausted_at)\..*", r"\1.<code>" if column.startswith("api_errors.")
                         else r"\1.<limit>", column)
        pattern = re.sub(r"^(peak_consumed|idle_at_peak|min_free_ips|min_free_blocks_28_reserved|min_free_blocks_28)\..*",
                         r"\1.<vswitch>", pattern)
        assert f"`{pattern}`" in docs, column
