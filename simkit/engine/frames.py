"""A recorder's columns as pandas DataFrames, built only when asked.

The recorder appends plain values during a run; names and dtypes are given here, after it.
pandas is imported inside each function so that a run (and ``import simkit``) never pays for it.
"""

from __future__ import annotations

from simkit.engine.plan import Plan
from simkit.engine.recorder import SAMPLE_COLUMNS, Recorder

__all__ = ["events_frame", "exhaustion_frame", "pods_frame", "samples_frame"]


def events_frame(recorder: Recorder):
    """One row per API call, in call order: a ``pandas.DataFrame`` with the columns of
    ``recorder.events_columns()``.

    Interned columns (action, node, eni, vswitch, code) become categoricals whose categories are
    the interned names; the others keep the recorder's numpy dtypes.
    """
    import pandas as pd

    data = {}
    for key, value in recorder.events_columns().items():
        if isinstance(value, tuple):
            codes, names = value
            # Interned names are unique, so they serve as the categories as they are.
            data[key] = pd.Categorical.from_codes(codes.astype("int32"), categories=names)
        else:
            data[key] = value
    return pd.DataFrame(data)


def samples_frame(recorder: Recorder):
    """One row per sample and vSwitch: a ``pandas.DataFrame`` with the columns
    ``SAMPLE_COLUMNS``.

    ``largest_free_prefixlen`` is a nullable Int64, <NA> where the vSwitch had no free block.
    """
    import pandas as pd

    df = pd.DataFrame(recorder.sample_columns, columns=list(SAMPLE_COLUMNS))
    # Sample rows stay plain ints during the run, with -1 standing for "no free block".
    df["largest_free_prefixlen"] = df["largest_free_prefixlen"].astype("Int64").where(df["largest_free_prefixlen"] >= 0)
    return df


def exhaustion_frame(recorder: Recorder):
    """The first time each limit was hit, earliest first: a ``pandas.DataFrame`` with the
    columns limit, time, resource, code (no rows when no limit was hit)."""
    import pandas as pd

    rows = [(limit, t, resource, code)
            for limit, (t, resource, code) in sorted(recorder.exhaustion.items(), key=lambda kv: kv[1][0])]
    return pd.DataFrame(rows, columns=["limit", "time", "resource", "code"])


def pods_frame(recorder: Recorder, plan: Plan, node_vswitches: dict[str, str]):
    """One row per pod that arrived, in arrival order: a ``pandas.DataFrame`` with the columns
    pod, arrival, node, vswitch, scheduled, got_address, ended, outcome, wait, waited_for,
    address, eni (defined in docs/scenario.md, "Pods"). The pods' names and end times are read
    again from the workload (a trace file is read a second time; churn is generated again from
    its seed).
    """
    import itertools

    import numpy as np
    import pandas as pd

    from simkit.agents import WaitReason
    from simkit.engine.pod_records import PodOutcome
    from simkit.engine.summary import pod_waits
    from simkit.net import format_ipv4

    cols = recorder.pods.columns()
    n = len(cols["arrival"])
    specs = list(itertools.islice(plan.pods(), n)) if plan.pods is not None and n else []
    ends = np.array([np.nan if s.end is None or s.end > plan.duration else s.end for s in specs], dtype="d")
    node_names = recorder.nodes.names
    node = cols["node"]
    outcome = cols["outcome"]
    served = outcome == PodOutcome.SERVED
    outcomes = [o.name.lower() for o in PodOutcome]
    reasons = [r.name.lower() for r in WaitReason]
    return pd.DataFrame({
        "pod": [s.name for s in specs],
        "arrival": cols["arrival"],
        "node": pd.Categorical([node_names[i] if i >= 0 else None for i in node]),
        "vswitch": pd.Categorical([node_vswitches.get(node_names[i]) if i >= 0 else None for i in node]),
        "scheduled": cols["scheduled"],
        "got_address": np.where(served, cols["wait_ended"], np.nan),
        "ended": ends,
        "outcome": pd.Categorical.from_codes(outcome.astype("int8"), categories=outcomes),
        "wait": pod_waits(recorder, plan.duration),
        "waited_for": pd.Categorical.from_codes(cols["reason"].astype("int8"), categories=reasons),
        "address": [format_ipv4(a) if a else None for a in cols["address"]],
        "eni": pd.Categorical([recorder.enis.names[e] if e else None for e in cols["eni"]]),
    })
