"""Issue 10 ("Terway and ECS fidelity"): each behaviour checked against a scenario whose figures
are worked out by hand from Terway's source (docs/terway.md lists the sources)."""

from simkit import ApiError
from simkit.agents.config import TERWAY_RETRIES, Backoff
from simkit.engine import Replay
from simkit.scenario import build_plan


def trace(tmp_path, rows):
    path = tmp_path / "pods.csv"
    path.write_text("name,start,end\n" + "".join(f"{n},{s},{'' if e is None else e}\n" for n, s, e in rows))
    return path


def scenario(tmp_path, rows, **over):
    return {
        "name": "terway", "seed": 1, "duration": 600, "sample_every": 60,
        "vpc": {"cidr": "10.0.0.0/16"},
        "vswitches": [{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
        "placement": "lowest",
        "fleet": [{"instance_type": "ecs.g7.2xlarge", "count": 1, "vswitch": "vsw"}],
        "agent": {"mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "workload": {"kind": "pod-trace", "path": str(trace(tmp_path, rows)), "start_column": "start",
                     "end_column": "end"},
        **over,
    }


def calls_of(replay):
    """Every request an agent sends, with its outcome code ("" for success), in order."""
    seen = []
    handle = replay.model.handle

    def spy(request):
        entry = [replay.clock.now - replay.t0, request, ""]
        seen.append(entry)
        try:
            return handle(request)
        except ApiError as exc:
            entry[2] = exc.code
            raise

    replay.host.handle = spy
    return seen


# --- point 3: retries per action, as Terway's ------------------------------------------------

def test_terways_backoffs_are_the_ones_in_its_source():
    """pkg/backoff/backoff.go: eni_ip_ops 5 s, x1, jitter 1.3, 6 steps (Assign); eni_create 10 s,
    x2, jitter 0.3, 2 steps (Create); the codes from pkg/aliyun/client/ecs.go."""
    assign, create = TERWAY_RETRIES["AssignPrivateIpAddresses"], TERWAY_RETRIES["CreateNetworkInterface"]
    assert assign.backoff == Backoff(5.0, 1.0, 1.3, 6)
    assert assign.codes == {"Throttling", "InternalError", "Operation.Conflict"}
    assert create.backoff == Backoff(10.0, 2.0, 0.3, 2)
    assert create.codes == {"Throttling", "InternalError"}
    # apimachinery's Jitter: d + rand * jitter * d: 5 s -> 5 to 11.5 s; 10 s -> 10 to 13 s.
    assert (assign.backoff.wait(1, 0.0), assign.backoff.wait(1, 1.0)) == (5.0, 11.5)
    assert (create.backoff.wait(1, 0.0), create.backoff.wait(1, 1.0)) == (10.0, 13.0)


def test_create_is_tried_twice_and_not_after_operation_conflict(tmp_path):
    """CreateNetworkInterface fails with InternalError every time: Terway's eni_create tries it
    twice (Steps 2), the second 10 to 13 s after the first; then the agent gives up. With
    Operation.Conflict (not in Create's list) it is tried once."""
    for code, tries in (("InternalError", 2), ("Operation.Conflict", 1)):
        s = scenario(tmp_path, [("p0", 0, None)], duration=59, sample_every=10,
                     faults={"CreateNetworkInterface": {code: 1.0}})
        replay = Replay(build_plan(s))
        seen = calls_of(replay)
        replay.run()
        creates = [(t, c) for t, r, c in seen if type(r).__name__ == "CreateNetworkInterface"]
        assert [c for _, c in creates[:tries]] == [code] * tries
        if tries == 2:
            assert 10.0 <= creates[1][0] - creates[0][0] <= 13.0
        # the next try comes only after the agent's give-up wait (1 minute), past this run
        assert len(creates) == tries


def test_service_unavailable_is_not_retried(tmp_path):
    """ServiceUnavailable is in neither of Terway's retry lists: an Assign refused with it is
    sent once, then the agent gives up (and looks again after give_up_backoff, 1 min)."""
    s = scenario(tmp_path, [("p0", 0, None), ("p1", 30, None)], duration=50, sample_every=10,
                 agent={"mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
                 faults={"AssignPrivateIpAddresses": {"ServiceUnavailable": 1.0}})
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    replay.run()
    assigns = [c for _, r, c in seen if type(r).__name__ == "AssignPrivateIpAddresses"]
    assert assigns == ["ServiceUnavailable"]


# --- point 4: a new ENI asks for at most 10 addresses, its primary included -----------------

def test_a_new_eni_asks_for_at_most_ten_addresses_with_its_primary(tmp_path):
    """20 pods at t = 0 on one ecs.g7.2xlarge (4 ENIs, 15 addresses each): the agent gathers
    them for 300 ms, has no ENI, so it creates one asking for min(20 waiting, 15 per ENI, batch 10) = 10 addresses, its
    primary included: SecondaryPrivateIpAddressCount 9 (Terway: IPCount - 1). The 10 other pods
    are then served by an Assign of min(10, 15 - 10 slots left = 5, 10) = 5 on that ENI, and a
    second ENI with 5 addresses (SecondaryPrivateIpAddressCount 4)."""
    s = scenario(tmp_path, [(f"p{i}", 0, None) for i in range(20)], duration=120)
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    result = replay.run()
    asked = [(type(r).__name__, getattr(r, "secondary_private_ip_address_count", None)) for _, r, c in seen
             if type(r).__name__ in ("CreateNetworkInterface", "AssignPrivateIpAddresses")]
    assert asked == [("CreateNetworkInterface", 9), ("AssignPrivateIpAddresses", 5), ("CreateNetworkInterface", 4)]
    assert result.summary["pod_outcomes"]["served"] == 20
