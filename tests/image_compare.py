"""Figures compared against committed baseline images (tests/baselines/<name>.png) with
matplotlib's own ``compare_images`` and a tolerance (RMS of the pixel difference, 0-255), so a
change in what a figure draws fails a test while anti-aliasing noise does not.

To accept a deliberate change: ``SIMKIT_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/...``
rewrites the baselines the tests draw; commit them with the change that made them.
"""

from __future__ import annotations

import os
from pathlib import Path

BASELINES = Path(__file__).parent / "baselines"
#: RMS difference allowed: well under a changed colour or a moved line, above text anti-aliasing.
TOLERANCE = 2.0


def assert_matches_baseline(fig, name: str, tmp_path: Path, tol: float = TOLERANCE) -> None:
    """Save ``fig`` as PNG (fixed DPI and metadata) and compare it with the baseline ``name``."""
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=80, metadata={"Software": None})
    expected = BASELINES / f"{name}.png"
    if os.environ.get("SIMKIT_UPDATE_BASELINES") == "1" or not expected.exists():
        if not expected.exists() and os.environ.get("CI"):
            raise AssertionError(f"no baseline {expected}: draw it with SIMKIT_UPDATE_BASELINES=1 and commit it")
        BASELINES.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
        return
    problem = compare_images(str(expected), str(actual), tol=tol)
    assert problem is None, problem


def pixels(fig):
    """The rendered figure as an (height, width, 4) uint8 RGBA array (Agg)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())
