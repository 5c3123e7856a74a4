"""Periodic samples of every vSwitch's address space and of the fleet's pods and addresses."""

from __future__ import annotations

from typing import Any

from simkit.agents import NodeAgent, Scheduler
from simkit.clock import LAST, Clock
from simkit.ecs import Account
from simkit.engine.recorder import Recorder, Sample
from simkit.net import BLOCK

__all__ = ["Sampler"]


class Sampler:
    """Samples every ``every`` seconds from its first sample until ``end`` (clock time); times
    are recorded from ``t0``, the start of the workload. Besides the figures of each vSwitch, it
    keeps the state of every /28 block and the use of every address of each vSwitch at every
    sample."""

    def __init__(self, clock: Clock, model: Account, region_id: str, vswitch_ids: dict[str, str], agents: list[NodeAgent],
                 scheduler: Scheduler, recorder: Recorder, t0: float, every: float, end: float):
        self.clock = clock
        self.usage = model.vswitch_usage
        self.block_states = model.block_states
        self.address_map = model.address_map
        self.region_id = region_id
        self.vswitch_ids = vswitch_ids
        self.agents = agents
        self.agents_in = {name: [a for a in agents if a.node.vswitch_name == name] for name in vswitch_ids}
        self.scheduler = scheduler
        self.recorder = recorder
        self.t0 = t0
        self.every = every
        self.end = end

    def add(self, agent: NodeAgent) -> None:
        """A node that joined the fleet is sampled from now on (the fleet-wide list is the
        scheduler's, which has it already)."""
        group = self.agents_in.get(agent.node.vswitch_name)
        if group is not None:
            group.append(agent)

    def start(self) -> None:
        """Schedule the first sample, at the start of the workload."""
        self.clock.at(self.t0, self.sample, None, LAST)

    def sample(self, _: Any = None) -> None:
        """Record every vSwitch now and schedule the next sample."""
        now = self.clock.now
        agents = self.agents
        running = sum(a.running for a in agents)
        pending = self.scheduler.n_unscheduled + sum(len(a.waiting) for a in agents)
        held = sum(a.held for a in agents)
        idle = sum(len(a.idle) for a in agents)
        t = now - self.t0
        rec = self.recorder
        rec.block_map_times.append(t)
        for name, vswitch_id in self.vswitch_ids.items():
            usage = self.usage(self.region_id, vswitch_id)
            s = usage.stats
            largest = s.largest_free_prefixlen if s.largest_free_prefixlen is not None else -1
            prefix_ips = s.prefixes * BLOCK
            rec.sample(Sample(t, name, s.used_ips, s.free_ips, s.free_blocks_28, s.free_blocks_28_reserved,
                              largest, s.fragmentation, running, pending, held, idle,
                              usage.primary_ips, s.used_ips - usage.primary_ips, prefix_ips, s.reserved - prefix_ips,
                              s.used_ips + s.reserved, sum(len(a.idle) for a in self.agents_in[name])))
            rec.block_map(name, self.block_states(self.region_id, vswitch_id).tobytes())
            rec.address_map(name, self.address_map(self.region_id, vswitch_id).tobytes())
        nxt = now + self.every
        if nxt <= self.end + 1e-9:
            self.clock.at(nxt, self.sample, None, LAST)
