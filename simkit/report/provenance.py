"""What produced a report, stated beside its figures (as AWS Compute Optimizer puts a JSON of
what produced an export beside its CSV): the scenario as run and its hash, the seed, simkit's
version, the instance-type data and the date of the documents it was read from, and when the
report was made."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Mapping

__all__ = ["created_time", "data_dates", "provenance", "provenance_context", "scenario_hash", "scenario_label"]


def scenario_hash(scenario: Mapping[str, Any]) -> str:
    """The SHA-256 of ``scenario`` as canonical JSON (keys sorted, no spaces, UTF-8): the same
    scenario as run gives the same hash, however its file was laid out.

    >>> scenario_hash({"b": 1, "a": [1, 2]}) == scenario_hash({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(scenario, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def created_time(created: dt.datetime | None = None) -> dt.datetime:
    """When a report is made: ``created`` when given; else ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention) when set, so that the same run gives the same
    files; else now. In UTC, to the second. Raises ValueError for a SOURCE_DATE_EPOCH that is
    not a whole number."""
    if created is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:
            try:
                created = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
            except (ValueError, OverflowError, OSError):
                raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time; allowed: whole seconds since "
                                 f"1970-01-01 UTC") from None
        else:
            created = dt.datetime.now(dt.timezone.utc)
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    return created.astimezone(dt.timezone.utc).replace(microsecond=0)


def _file_sha256(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None


def provenance(scenario: Mapping[str, Any], *, seed: Any, created: dt.datetime, scenario_file: str | None = None,
               base: Path | None = None) -> dict[str, Any]:
    """The report's metadata, as summary.json and the report state it: ``simkit_version``,
    ``created`` (ISO 8601, UTC), ``scenario_file`` (None for the embedded default or a dict),
    ``scenario`` (as run) and ``scenario_sha256``, ``seed``, ``workload_file`` with its
    ``sha256`` when the workload reads one (relative paths from ``base``, the scenario file's
    folder), and ``instance_types``: the data file, its SHA-256 and ``source_dates`` (how many
    types each document date holds)."""
    import simkit
    from simkit.catalog import DEFAULT_CATALOG_PATH, load_catalog

    workload = scenario.get("workload") if isinstance(scenario.get("workload"), Mapping) else {}
    workload_file = None
    if isinstance(workload.get("path"), str):
        path = Path(workload["path"])
        path = path if path.is_absolute() or base is None else base / path
        workload_file = {"path": str(workload["path"]), "sha256": _file_sha256(path)}
    return {
        "simkit_version": simkit.__version__,
        "created": created.isoformat().replace("+00:00", "Z"),
        "scenario_file": scenario_file,
        "scenario_sha256": scenario_hash(scenario),
        "seed": seed,
        "workload_file": workload_file,
        "instance_types": {"file": "data/instance_types.csv", "sha256": _file_sha256(DEFAULT_CATALOG_PATH),
                           "source_dates": load_catalog().source_dates()},
        "scenario": json.loads(json.dumps(scenario, default=str)),
    }


def data_dates(dates: Mapping[str, int]) -> str:
    """The instance-type data's document dates in words, most types first:
    ``"2021-07-19 (572 types) and 2022-04-29 (2)"``."""
    items = [f"{date} ({n:,}{' types' if i == 0 else ''})" for i, (date, n) in
             enumerate(sorted(dates.items(), key=lambda kv: -kv[1]))]
    if not items:
        return "no dated document"
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


def scenario_label(scenario: Mapping[str, Any], scenario_file: str | None) -> str:
    """How the report names its scenario: the file, the embedded default (whatever its seed),
    or a mapping."""
    from simkit.scenario import DEFAULT_SCENARIO

    if scenario_file:
        return scenario_file
    if {k: v for k, v in scenario.items() if k != "seed"} == {k: v for k, v in DEFAULT_SCENARIO.items() if k != "seed"}:
        return "the embedded default scenario (simkit.DEFAULT_SCENARIO, data/scenarios/default.yaml)"
    return "a scenario given as a mapping"


def provenance_context(meta: Mapping[str, Any], files: tuple[str, ...] = ()) -> dict[str, Any]:
    """What every report's last section shows, from ``provenance``'s ``meta``: ``meta``,
    ``scenario_label``, ``data_dates``, ``scenario_yaml`` (the scenario as run) and ``files``
    (the files beside the page)."""
    import yaml

    seed = meta["seed"]
    if isinstance(seed, Mapping):
        runs = seed.get("runs")
        seed_text = (f"{seed['root']} (the root: each run's seed drawn from it; "
                     + (f"runs with {', '.join(map(str, runs[:8]))}{', ...' if len(runs) > 8 else ''})" if runs
                        else f"{seed.get('runs_per_layout')} runs a layout)"))
    else:
        seed_text = str(seed)
    return {"meta": meta, "seed_text": seed_text,
            "scenario_label": scenario_label(meta["scenario"], meta["scenario_file"]),
            "data_dates": data_dates(meta["instance_types"]["source_dates"]),
            "scenario_yaml": yaml.safe_dump(meta["scenario"], sort_keys=False, allow_unicode=True, width=100),
            "files": files}
