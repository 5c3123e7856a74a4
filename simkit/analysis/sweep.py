"""``sweep(scenario, grid=... | variants=..., seeds=N)``: run a scenario over a grid of values
(or named variants) and seeds, on local processes or a Dask cluster, and hand back one row of
figures per run (``simkit.analysis.figures``).

Every grid point is checked before anything runs, so a bad key path or value is refused at once,
naming it. Seeds come from one root seed through ``numpy.random.SeedSequence.spawn`` and are
recorded in the table. Only each run's figures travel back from a worker; its events stay there.
The table is the same, value for value, whichever executor ran it (``run_seconds`` aside).
"""

from __future__ import annotations

import itertools
import os
import time
import warnings
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from simkit.analysis.figures import figures_of
from simkit.analysis.keypaths import with_value
from simkit.scenario import DEFAULT_SCENARIO, ScenarioError, build_plan, load_scenario, run

__all__ = ["Task", "run_task", "sweep", "sweep_seeds", "with_absolute_paths"]


class Task(NamedTuple):
    """One run of a sweep: its row, what labels it, its scenario (a plain dict) and seed."""

    index: int
    labels: dict
    scenario: dict
    seed: int


def sweep_seeds(seeds: int | Iterable[int], root: int) -> list[int]:
    """The seeds of a sweep: ``seeds`` itself when it is a list, else that many drawn from the
    root seed by ``numpy.random.SeedSequence(root).spawn`` (each child's first 32-bit word)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int):
        seeds = list(seeds)
        if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
            raise ScenarioError("sweep", "seeds", f"expected whole numbers from 0, got {seeds!r}")
        return seeds
    if seeds < 1:
        raise ScenarioError("sweep", "seeds", f"expected a count from 1 or a list of seeds, got {seeds!r}")
    import numpy as np

    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(root).spawn(seeds)]


def run_task(task: Task) -> dict[str, Any]:
    """Run one task (in a worker): its row of figures, or its error, never an exception."""
    start = time.perf_counter()
    row: dict[str, Any] = {"index": task.index, **task.labels, "seed": task.seed}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is the scenario's, said when it is checked
            result = run({**task.scenario, "seed": task.seed}, progress=False)
        row.update(figures_of(result))
        row["error_type"], row["error"] = "", ""
    except Exception as exc:  # noqa: BLE001 - a failed run is reported in its row, never sinks the sweep
        row["error_type"], row["error"] = type(exc).__name__, str(exc)
    row["run_seconds"] = time.perf_counter() - start
    return row


def _points(grid: Mapping[str, list] | None, variants: Mapping[str, Mapping] | None) -> list[tuple[dict, list]]:
    """(labels, [(key path, value), ...]) for every point of the grid or every variant."""
    if grid and variants:
        raise ScenarioError("sweep", "grid", "give a grid or variants, not both")
    if variants:
        if not isinstance(variants, Mapping):
            raise ScenarioError("sweep", "variants", f"expected a mapping of name to {{key path: value}}, got {variants!r}")
        return [({"variant": name}, list(dict(changes).items())) for name, changes in variants.items()]
    if not grid:
        return [({}, [])]
    if not isinstance(grid, Mapping):
        raise ScenarioError("sweep", "grid", f"expected a mapping of key path to a list of values, got {grid!r}")
    for path, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable) or not list(values):
            raise ScenarioError("sweep", f"grid.{path}", f"expected a non-empty list of values, got {values!r}")
    paths = list(grid)
    return [(dict(zip(paths, combo)), list(zip(paths, combo))) for combo in itertools.product(*(grid[p] for p in paths))]


def with_absolute_paths(scenario: dict, base: Path | None) -> dict:
    """``scenario`` with a relative workload path made absolute from ``base``, the scenario
    file's folder: a worker runs elsewhere (another folder, another machine)."""
    workload = scenario.get("workload")
    if base is not None and isinstance(workload, dict) and isinstance(workload.get("path"), str):
        path = Path(workload["path"])
        if not path.is_absolute():
            scenario = {**scenario, "workload": {**workload, "path": str(base / path)}}
    return scenario


def sweep(scenario: Any = None, *, grid: Mapping[str, list] | None = None,
          variants: Mapping[str, Mapping] | None = None, seeds: int | Iterable[int] = 1,
          root_seed: int | None = None, executor: Any = None, progress: bool | None = None):
    """Run ``scenario`` (a YAML path, a dict; the embedded default when None) for every point of
    ``grid`` ({key path: [values]}, all combinations) or every one of ``variants``
    ({name: {key path: value}}), each with every seed, and return a pandas DataFrame, one row per
    run in grid order: the grid values (or ``variant``), ``seed``, the run's figures
    (``simkit.analysis.figures``), ``error_type`` and ``error`` (empty unless the run failed) and
    ``run_seconds``.

    ``seeds``: a count (drawn from ``root_seed``, default the scenario's ``seed``, through
    ``SeedSequence.spawn``) or a list. ``executor``: None or "processes" (local processes, one
    per core), "serial" (this process), a ``concurrent.futures`` executor of the caller's, a
    ``dask.distributed.Client``, or a scheduler address ("tcp://host:8786"). ``progress``: a bar over runs (None: in a terminal or notebook).

    Raises ScenarioError before anything runs for a bad key path or a value the scenario refuses.
    """
    data, name, base = load_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    data = with_absolute_paths(data, base)
    points = _points(grid, variants)
    root = data.get("seed", 0) if root_seed is None else root_seed
    seed_list = sweep_seeds(seeds, root if isinstance(root, int) else 0)
    scenarios = []
    for labels, changes in points:
        point = data
        for path, value in changes:
            point = with_value(point, path, value, name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                build_plan(point)  # refused here, before anything runs
        except ScenarioError as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in labels.items()) or "the scenario"
            raise ScenarioError(name, exc.path, f"{str(exc).split(': ', 2)[-1]} (at {where})") from None
        scenarios.append((labels, point))
    tasks = [Task(i * len(seed_list) + j, labels, point, seed)
             for i, (labels, point) in enumerate(scenarios) for j, seed in enumerate(seed_list)]
    rows = list(_execute(tasks, executor, progress))
    import pandas as pd

    rows.sort(key=lambda r: r["index"])
    frame = pd.DataFrame(rows).drop(columns="index")
    # Counts that a run never had (an error code, a limit never hit) are 0 or NaN, by kind.
    for column in frame.columns:
        if column.startswith("api_errors."):
            frame[column] = frame[column].fillna(0).astype("int64")
    tail = ["error_type", "error", "run_seconds"]
    return frame[[c for c in frame.columns if c not in tail] + tail]


def _execute(tasks: list[Task], executor: Any, progress: bool | None) -> Iterator[dict]:
    """Each task's row as it comes back, with a progress bar over runs."""
    from simkit.scenario.progress import progress_bar

    bar = progress_bar(len(tasks), progress, unit="run")
    try:
        for row in _rows(tasks, executor):
            if bar is not None:
                bar.update(1)
            yield row
    finally:
        if bar is not None:
            bar.close()


def _rows(tasks: list[Task], executor: Any) -> Iterator[dict]:
    if executor == "serial":
        yield from map(run_task, tasks)
        return
    from concurrent.futures import Executor, ProcessPoolExecutor, as_completed

    if isinstance(executor, Executor):  # the caller's pool (its size is the caller's choice)
        for future in as_completed([executor.submit(run_task, t) for t in tasks]):
            yield future.result()
        return
    if executor is None or executor == "processes":
        with ProcessPoolExecutor(max_workers=min(len(tasks), os.cpu_count() or 1)) as pool:
            for future in as_completed([pool.submit(run_task, t) for t in tasks]):
                yield future.result()
        return
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    client, own = (executor, False) if isinstance(executor, Client) else (Client(executor), True)
    try:
        futures = client.map(run_task, tasks, pure=False)
        for future in dask_completed(futures):
            yield future.result()
            future.release()
    finally:
        if own:
            client.close()
