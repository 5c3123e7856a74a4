"""The progress bar of a run, in simulated seconds."""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


def progress_bar(duration: float, show: bool | None, unit: str = "s"):
    """A tqdm bar counting ``duration`` simulated seconds (or, with ``unit="run"``, that many
    runs of a sweep), or None for no bar.

    ``show``: True always, False never, None only when stderr is a terminal or in a notebook
    (so logs and pipes get no bar). The caller updates and closes it.
    """
    if show is False:
        return None
    interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
    if show is None and not interactive:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=round(duration), unit=unit, desc="simulated" if unit == "s" else "runs", leave=False)
