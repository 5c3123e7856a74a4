"""A recorder's columns as pandas DataFrames, built only when asked.

The recorder appends plain values during a run; names and dtypes are given here, after it.
pandas is imported inside each function so that a run (and ``import simkit``) never pays for it.
"""

from __future__ import annotations

from simkit.engine.recorder import SAMPLE_COLUMNS, Recorder

__all__ = ["events_frame", "exhaustion_frame", "samples_frame"]


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
