"""Random small scenarios, replayed whole: whatever the layout, agent and faults, the agents'
view of their addresses matches the model's, no address is held twice, and the recorded
figures are consistent with each other."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkit.agents import EniPhase
from simkit.engine import Replay
from simkit.scenario import build_plan

# Prefix mode needs a CIDR reservation, which a /27 cannot hold (build_plan refuses that), so
# prefix-mode scenarios take a /26 at most.
scenarios = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "mask": st.sampled_from([24, 25, 26, 27]),
    "itype": st.sampled_from(["ecs.g7.large", "ecs.g7.xlarge"]),
    "count": st.integers(1, 4),
    "mode": st.sampled_from(["secondary-ip", "prefix"]),
    "min_idle": st.integers(0, 3),
    "extra_idle": st.integers(0, 20),
    "rate": st.sampled_from(["1/m", "5/m", "20/m"]),
    "fault": st.sampled_from([0.0, 0.0, 0.2]),
    "placement": st.sampled_from(["random", "lowest", "pack"]),
    "ip_aware": st.booleans(),
}).map(lambda p: {**p, "mask": min(p["mask"], 26)} if p["mode"] == "prefix" else p)


def scenario(p):
    reservations = [{"mask": p["mask"] + 2}] if p["mode"] == "prefix" and p["mask"] <= 26 else []
    return {
        "seed": p["seed"], "duration": "2h", "sample_every": "10m", "placement": p["placement"],
        "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": f"10.0.0.0/{p['mask']}", "reservations": reservations}],
        # Prefix mode: Terway's controller keeps a fixed prefix count a node, and kubelet's max pods is set.
        "fleet": [{"instance_type": p["itype"], "count": p["count"], "vswitch": "v",
                   **({"max_pods": 16} if p["mode"] == "prefix" else {})}],
        "agent": {"mode": p["mode"], "min_idle": p["min_idle"], "max_idle": p["min_idle"] + p["extra_idle"],
                  **({"prefix_count": 1} if p["mode"] == "prefix" else {})},
        "workload": {"kind": "pod-churn", "arrival_rate": p["rate"], "lifetime": {"median": "10m", "p90": "40m"}},
        "faults": {"AssignPrivateIpAddresses": {"InternalError": p["fault"]}},
        "scheduler": {"ip_aware": p["ip_aware"]},
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_agents_and_model_agree_and_figures_are_consistent(p):
    replay = Replay(build_plan(scenario(p)))
    usable = 2 ** (32 - p["mask"]) - 4

    most_held = [0]

    def invariant(_t):
        # At every event: pods running <= addresses the agents hold <= what the vSwitch can give.
        held = sum(a.held for a in replay.agents)
        assert replay.host.pods.running <= held <= usable
        most_held[0] = max(most_held[0], held)
        # The scheduler's index: a node takes pods exactly while it is below its max pods and
        # (IP-aware) its SufficientIP condition is not false; ``short_room`` marks the nodes
        # the condition alone keeps from taking one.
        sch = replay.scheduler
        for i, agent in enumerate(replay.agents):
            below = sch.pods[i] < sch.max_pods[i]
            assert sch.room[i] == (below and not sch.short[i])
            assert sch.short_room[i] == (below and sch.short[i])
            assert sch.pods[i] == agent.running + len(agent.waiting)
            assert not sch.short[i] or p["ip_aware"]

    result = replay.run(after_each_event=invariant)
    # The peak of pods running, counted within events too, never exceeds the addresses held.
    assert result.summary["peak_pods_running"] <= most_held[0]
    region = replay.model.region("cn-hangzhou")
    # No address held twice, anywhere.
    held = []
    for eni in region.enis.values():
        held += [eni.primary_ip, *eni.secondaries]
        held += [a for base in eni.prefixes for a in range(base, base + 16)]
    assert len(held) == len(set(held))
    # Every address an agent hands to pods or keeps idle is really on one of its ENIs.
    for agent in replay.agents:
        on_enis = set()
        for e in agent.enis:
            eni = region.enis[e.id]
            assert eni.instance_id == agent.node.instance_id
            on_enis |= {eni.primary_ip, *eni.secondaries} | {a for b in eni.prefixes for a in range(b, b + 16)}
        pods = [pod for pod in agent.waiting]  # waiting pods hold nothing
        assert all(pod.ip is None for pod in pods)
        assert set(agent.idle) <= on_enis
        assert len(set(agent.idle)) == len(agent.idle)
        assert agent.running <= agent.node.max_pods
        if not agent.busy and all(e.phase is EniPhase.READY for e in agent.enis):
            # Nothing in flight: every address on its ENIs serves a pod or waits idle (in prefix
            # mode an ENI's own primary address serves no pod).
            unused = len(agent.enis) if p["mode"] == "prefix" else 0
            assert agent.held == len(on_enis) - unused
    # Recorded figures agree with each other.
    rec = result.recorder
    for asked, granted, code in zip(rec.asked, rec.granted, rec.code):
        assert granted <= max(asked, 1) or rec.codes.names[code] == ""
        if code:
            assert granted == 0
    cols = rec.sample_columns
    for used, free, pods_running, held_by_pods in zip(cols["used_ips"], cols["free_ips"], cols["pods_running"], cols["ips_held"]):
        assert 0 <= free <= usable and used <= usable
        assert held_by_pods >= pods_running
    s = result.summary
    o = s["pod_outcomes"]
    assert sum(o.values()) == s["pods_arrived"]  # every pod that arrived has exactly one outcome
    assert o["served"] >= s["peak_pods_running"]
    assert s["api_errors"] == sum(s["api_errors_by_code"].values())
