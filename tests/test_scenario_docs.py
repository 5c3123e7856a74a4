"""docs/scenario.md names every key the scenario checker accepts, so the reference cannot fall
behind the code."""

from pathlib import Path

from simkit import scenario

DOC = (Path(__file__).resolve().parent.parent / "docs" / "scenario.md").read_text()


def test_every_accepted_key_is_documented():
    keys = set(scenario._TOP) | scenario._LIMITS | scenario._CLOUD | scenario._AGENT
    for allowed, _required in scenario._WORKLOADS.values():
        keys |= allowed
    keys |= {"mask", "cidr", "zone", "reservations", "instance_type", "count", "vswitch", "max_pods",
             "median", "p90", "amplitude", "period", "peak", "at", "pods", "over"}
    missing = sorted(k for k in keys if f"`{k}`" not in DOC and f"{k}:" not in DOC)
    assert missing == [], f"docs/scenario.md does not mention: {missing}"


def test_documented_kinds_are_the_accepted_ones():
    for kind in scenario._WORKLOADS:
        assert f"kind: {kind}" in DOC
