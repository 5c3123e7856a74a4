"""A run's results as one digest: what a user reads of a Result (summary, events(),
samples(), exhaustion()), in a canonical text form."""

from __future__ import annotations

import hashlib
import json


def parts(result) -> dict[str, str]:
    """sha256 of each part of a result, by name."""
    out = {"summary": json.dumps(result.summary, sort_keys=True, default=str)}
    for name in ("events", "samples", "exhaustion"):
        out[name] = getattr(result, name)().to_csv(index=False, float_format="%.17g")
    return {name: hashlib.sha256(text.encode()).hexdigest() for name, text in out.items()}
