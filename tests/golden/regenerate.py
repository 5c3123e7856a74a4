"""Write tests/golden/results.json from the scenarios in tests/golden/scenarios.py.

Only for a change that is meant to change results: commit the new file with a message that
says what changed and why."""

from __future__ import annotations

import json
from pathlib import Path

from simkit import run
from tests.golden.digest import parts
from tests.golden.scenarios import SCENARIOS

PINNED = Path(__file__).with_name("results.json")


def main() -> None:
    pinned = {name: parts(run(s, progress=False)) for name, s in SCENARIOS.items()}
    PINNED.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n")
    print(f"wrote {PINNED} ({len(pinned)} scenarios)")


if __name__ == "__main__":
    main()
