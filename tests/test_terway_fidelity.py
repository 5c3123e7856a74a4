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
        "agent": {"ipam": "daemon", "mode": "secondary-ip", "min_idle": 0, "max_idle": 0},
        "workload": {"kind": "pod-trace", "path": str(trace(tmp_path, rows)), "start_column": "start",
                     "end_column": "end"},
        **over,
    }


def calls_of(replay):
    """Every request an agent sends, with its outcome code ("" for success) and the agent's
    node name (as a fourth item), in order."""
    seen = []
    call = replay.host.call

    def spy(agent, request, attempt):
        entry = [replay.clock.now - replay.t0, request, "", agent.node.name]
        seen.append(entry)
        try:
            return call(agent, request, attempt)
        except ApiError as exc:
            entry[2] = exc.code
            raise

    replay.host.call = spy
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
        creates = [(t, c) for t, r, c, _ in seen if type(r).__name__ == "CreateNetworkInterface"]
        assert [c for _, c in creates[:tries]] == [code] * tries
        if tries == 2:
            assert 10.0 <= creates[1][0] - creates[0][0] <= 13.0
        # the next try comes only after the agent's give-up wait (1 minute), past this run
        assert len(creates) == tries


def test_service_unavailable_is_not_retried(tmp_path):
    """ServiceUnavailable is in neither of Terway's retry lists: an Assign refused with it is
    sent once, then the agent gives up (and looks again after give_up_backoff, 1 min)."""
    s = scenario(tmp_path, [("p0", 0, None), ("p1", 30, None)], duration=50, sample_every=10,
                 faults={"AssignPrivateIpAddresses": {"ServiceUnavailable": 1.0}})
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    replay.run()
    assigns = [c for _, r, c, _ in seen if type(r).__name__ == "AssignPrivateIpAddresses"]
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
    asked = [(type(r).__name__, getattr(r, "secondary_private_ip_address_count", None)) for _, r, c, _ in seen
             if type(r).__name__ in ("CreateNetworkInterface", "AssignPrivateIpAddresses")]
    assert asked == [("CreateNetworkInterface", 9), ("AssignPrivateIpAddresses", 5), ("CreateNetworkInterface", 4)]
    assert result.summary["pod_outcomes"]["served"] == 20


# --- point 1: the pool is reconciled on a period, not on every pod end ------------------------

def _one_pod_for_ten_seconds(tmp_path, ipam):
    s = scenario(tmp_path, [("p0", 0, 10)], duration=400, agent={"ipam": ipam, "min_idle": 0, "max_idle": 0})
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    result = replay.run()
    return [(t, type(r).__name__, c) for t, r, c, _ in seen], result


def test_the_daemon_gives_an_idle_address_back_at_its_next_sync(tmp_path):
    """ipam daemon, max_idle 0: p0 arrives at 0 s; after the 0.3 s gathering the daemon creates
    an ENI with 1 address (IPCount 1: its primary only) and attaches it; p0 ends at 10 s and its
    address stays idle (no call) until the pool's next sync. The first sync runs at 0 s, the next
    120 x (1 + U[0, 1)) s after it, so in [120, 240) s: it finds 1 idle above max_idle 0, and an
    ENI whose every address is idle with n = 1 >= its 1 address is deleted whole (local.go
    Dispose): detached then, deleted 3 s later (wait_eni_status's first wait)."""
    calls, result = _one_pod_for_ten_seconds(tmp_path, "daemon")
    names = [n for _, n, _ in calls]
    assert names == ["CreateNetworkInterface", "AttachNetworkInterface", "DetachNetworkInterface", "DeleteNetworkInterface"]
    assert calls[0][0] == __import__("pytest").approx(0.3)
    detach, delete = calls[2][0], calls[3][0]
    assert 120.0 <= detach < 240.0 and delete == __import__("pytest").approx(detach + 3.0)
    assert result.summary["pod_outcomes"]["served"] == 1


def test_the_controller_gives_an_idle_address_back_a_pool_period_after_its_last_release(tmp_path):
    """ipam centralized, max_idle 0: the first reconcile (0 s, after p0 arrived) asks
    pods waiting 1 + max(0, min_idle 0 + 1 - idle 0) = 2 addresses (pool.go's demand): an ENI with
    its primary and 1 secondary, attached at 2 s; the attach's reconcile at 2 s gives p0 its
    address. p0 ends at 10 s: its reconcile releases nothing (the last release was at 0 s, the
    pool period is 2 minutes) and requeues the node for 130 s, where 2 idle addresses are above
    max_idle 0. The ENI is not deleted whole (eni.go: only when len(IPv4) 2 < toDel 2, strictly),
    so its 1 secondary is unassigned, and its primary stays: with 1 address and toDel 1 it is
    never deleted."""
    calls, result = _one_pod_for_ten_seconds(tmp_path, "centralized")
    assert [(round(t, 6), n) for t, n, _ in calls] == [
        (0.0, "CreateNetworkInterface"), (0.0, "AttachNetworkInterface"), (130.0, "UnassignPrivateIpAddresses")]
    assert result.summary["pod_wait_seconds"]["max"] == 2.0
    assert list(result.recorder.asked) == [2, 0, 1]


# --- point 2: after the vSwitch runs out, the controller blocks it for every node -------------

def _exhausting(tmp_path, ipam, code="InvalidVSwitchId.IpNotEnough"):
    """A /28 (16 addresses, 4 system-reserved, 2 node primaries: 10 for pods) under two
    ecs.g7.2xlarge, and a pod every 10 s that never ends, alternating between the nodes."""
    rows = [(f"p{i}", 10 * i, None) for i in range(30)]
    s = scenario(tmp_path, rows, duration=3000, sample_every=60,
                 vswitches=[{"name": "vsw", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/28"}],
                 fleet=[{"instance_type": "ecs.g7.2xlarge", "count": 2, "vswitch": "vsw"}],
                 agent={"ipam": ipam, "min_idle": 0, "max_idle": 0}, cloud={"ip_exhausted_code": code})
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    result = replay.run()
    return [(t, node, type(r).__name__, c) for t, r, c, node in seen], result


def test_the_controller_blocks_a_full_vswitch_for_every_node_for_20_minutes(tmp_path):
    """ipam centralized: once a call is refused with InvalidVSwitchId.IpNotEnough at T, no node
    asks for addresses before T + 1,200 s (vSwitchCacheTTL 20 minutes, one cache for the
    cluster), although both nodes have ENI slots and pods waiting; after it, they ask again."""
    calls, result = _exhausting(tmp_path, "centralized")
    asks = [(t, c) for t, _, n, c in calls if n in ("AssignPrivateIpAddresses", "CreateNetworkInterface")]
    first = next(t for t, c in asks if c == "InvalidVSwitchId.IpNotEnough")
    after = [t for t, _ in asks if t > first]
    assert after and min(after) >= first + 1200.0
    assert result.summary["pod_waits_by_reason"]["vswitch_addresses"] > 0


def test_the_controller_blocks_after_quota_exceeded_too_and_the_daemon_does_not(tmp_path):
    """With the cloud answering QuotaExceeded.PrivateIpAddress for a full vSwitch: the
    controller blocks the vSwitch for 20 minutes (pool.go names both codes); the daemon handles
    only IpNotEnough (local.go, aliyun.go), so it just asks again a give_up_backoff (1 minute)
    later."""
    code = "QuotaExceeded.PrivateIpAddress"
    for ipam, gap in (("centralized", 1200.0), ("daemon", 60.0)):
        calls, _ = _exhausting(tmp_path, ipam, code)
        asks = [(t, node, c) for t, node, n, c in calls if n in ("AssignPrivateIpAddresses", "CreateNetworkInterface")]
        first, node = next((t, node) for t, node, c in asks if c == code)
        # the centralized block holds for every node; the daemon's give-up for its own node
        later = min(t for t, n, _ in asks if t > first and (ipam == "centralized" or n == node))
        assert later - first >= gap and (ipam == "centralized" or later - first < 1200.0), (ipam, first, later)


def test_the_daemon_rests_only_the_eni_that_ran_out(tmp_path):
    """ipam daemon: IpNotEnough on an Assign rests that ENI for 10 minutes and on a Create
    blocks the vSwitch in that daemon's own cache; the other node's daemon knows nothing of it
    and asks again within the 10 minutes."""
    calls, _ = _exhausting(tmp_path, "daemon")
    refused = [(t, node) for t, node, n, c in calls if c == "InvalidVSwitchId.IpNotEnough"]
    t0, node0 = refused[0]
    others = [t for t, node, n, c in calls
              if node != node0 and n in ("AssignPrivateIpAddresses", "CreateNetworkInterface") and t0 < t < t0 + 600]
    assert others


def test_every_setting_docs_terway_md_names_is_an_agent_key():
    """docs/terway.md says which setting controls each behaviour: each must exist."""
    import re
    from pathlib import Path

    from simkit.scenario.schema import Agent

    doc = (Path(__file__).resolve().parent.parent / "docs" / "terway.md").read_text()
    named = set(re.findall(r"`agent\.([a-z_]+)", doc))
    assert named and named <= set(Agent.model_fields), named - set(Agent.model_fields)


# --- point 8: exclusive-ENI mode ---------------------------------------------------------------

def test_exclusive_eni_mode_gives_each_pod_an_eni_of_its_own(tmp_path):
    """agent.mode exclusive-eni on one ecs.g7.large (EniQuantity 3): the node runs at most
    EniQuantity - 1 = 2 pods (limit.go ExclusiveENIPod). p0 (0 s) and p1 (1 s) each cause a
    CreateNetworkInterface with no secondary address (0.3 s after the pod: the daemon's
    gathering; p1's while p0's ENI still attaches: each ENI is a slot of its own) and an attach;
    each pod gets its ENI's primary. p2 (2 s) finds no node with room. p0 ends at 10 s: its ENI
    is idle, and p2, placed then, takes it at once (the daemon hands out idle addresses first).
    p1 ends at 50 s: its ENI waits idle (the daemon's pool is 0) until the next sync, in
    [120, 240) s, which detaches it, and deletes it 3 s later."""
    s = scenario(tmp_path, [("p0", 0, 10), ("p1", 1, 50), ("p2", 2, None)], duration=400,
                 fleet=[{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw"}],
                 agent={"mode": "exclusive-eni"})
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    result = replay.run()
    calls = [(round(t, 6), type(r).__name__, getattr(r, "secondary_private_ip_address_count", None))
             for t, r, _, _ in seen]
    assert [node.max_pods for node in replay.layout.nodes] == [2]
    assert [(t, n) for t, n, _ in calls] == [
        (0.3, "CreateNetworkInterface"), (0.3, "AttachNetworkInterface"),
        (1.3, "CreateNetworkInterface"), (1.3, "AttachNetworkInterface"),
        (calls[4][0], "DetachNetworkInterface"), (calls[5][0], "DeleteNetworkInterface")]
    assert all(n is None for _, _, n in calls)  # no secondary address on any ENI
    assert 120.0 <= calls[4][0] < 240.0 and calls[5][0] == calls[4][0] + 3.0
    assert result.summary["pod_outcomes"] == {"served": 3, "expired": 0, "unscheduled": 0, "waiting": 0}
    assert result.summary["pod_waits_by_reason"] == {"in_flight": 2, "fleet_pods": 1}


# --- point 6: pod vSwitches, and how one is chosen ----------------------------------------------

def test_ordered_picks_the_most_free_by_a_count_that_goes_stale_until_the_vswitch_is_blocked(tmp_path):
    """One ecs.g7.2xlarge (4 ENIs, 15 addresses each) on vSwitch ``nodes``, its pod vSwitches
    pods-a (/27: 28 addresses), pods-b (/28: 12) and pods-k (in zone k, not the node's: ignored,
    as Terway keys the list by zone); ipam daemon, vswitch_selection ordered (the default); a
    pod a second that never ends, 36 pods.

    The first ENI: the daemon reads both counts with DescribeVSwitches (2 calls), 28 and 12, and
    creates it on pods-a. Its 15 addresses go by 14.3 s; the second ENI goes on pods-a too (the
    cached 28 is not lowered as addresses go out, and stands for the cache's 10 minutes), and
    takes 13 by 27.3 s: pods-a is full (15 + 13 = 28). At 28.3 s an Assign on it meets
    InvalidVSwitchId.IpNotEnough (that ENI rests), the Create the daemon tries next goes to pods-a
    again (its stale count) and is refused too, which blocks pods-a in the cache; the next Create
    goes to pods-b, whose ENI serves the rest. Every pod is served."""
    s = scenario(tmp_path, [(f"p{i}", i, None) for i in range(36)], duration=120, sample_every=60,
                 vswitches=[{"name": "nodes", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"},
                            {"name": "pods-a", "zone": "cn-hangzhou-h", "cidr": "10.0.1.0/27"},
                            {"name": "pods-b", "zone": "cn-hangzhou-h", "cidr": "10.0.2.0/28"},
                            {"name": "pods-k", "zone": "cn-hangzhou-k", "cidr": "10.0.3.0/24"}],
                 fleet=[{"instance_type": "ecs.g7.2xlarge", "count": 1, "vswitch": "nodes",
                         "pod_vswitches": ["pods-a", "pods-b", "pods-k"]}])
    replay = Replay(build_plan(s))
    seen = calls_of(replay)
    result = replay.run()
    names = {v: k for k, v in result.vswitch_ids.items()}
    creates = [(names[r.vswitch_id], c) for _, r, c, _ in seen if type(r).__name__ == "CreateNetworkInterface"]
    assert creates == [("pods-a", ""), ("pods-a", ""), ("pods-a", "InvalidVSwitchId.IpNotEnough"), ("pods-b", "")]
    summary = result.summary
    assert summary["calls_by_action"]["DescribeVSwitches"] == 2
    assert summary["exhaustion"] == {"vswitch_addresses": {"time": __import__("pytest").approx(28.3), "resource": "pods-a",
                                                           "code": "InvalidVSwitchId.IpNotEnough"}}
    assert summary["pod_outcomes"]["served"] == 36


def test_a_pod_vswitch_the_file_does_not_name_is_refused():
    s = {"vswitches": [{"name": "a", "cidr": "10.0.0.0/24"}],
         "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "a", "pod_vswitches": ["a", "b"]}],
         "workload": {"kind": "pod-churn", "arrival_rate": "1/m", "lifetime": {"median": "1m", "p90": "2m"}}}
    with __import__("pytest").raises(__import__("simkit").ScenarioError,
                                     match=r"fleet\[0\]\.pod_vswitches\[1\]: 'b' is not a vswitches\[\]\.name; allowed: a$"):
        build_plan(s)
