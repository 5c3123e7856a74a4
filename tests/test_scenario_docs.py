"""docs/scenario.md names every key the scenario checker accepts, so the reference cannot fall
behind the code."""

from pathlib import Path

from simkit.scenario import plan, workload

DOC = (Path(__file__).resolve().parent.parent / "docs" / "scenario.md").read_text()


def test_every_accepted_key_is_documented():
    keys = set(plan._TOP) | plan._LIMITS | plan._CLOUD | plan._AGENT
    for allowed, _required in workload._WORKLOADS.values():
        keys |= allowed
    keys |= {"mask", "cidr", "zone", "reservations", "instance_type", "count", "vswitch", "max_pods",
             "median", "p90", "amplitude", "period", "peak", "at", "pods", "over"}
    missing = sorted(k for k in keys if f"`{k}`" not in DOC and f"{k}:" not in DOC)
    assert missing == [], f"docs/scenario.md does not mention: {missing}"


def test_documented_kinds_are_the_accepted_ones():
    for kind in workload._WORKLOADS:
        assert f"kind: {kind}" in DOC
