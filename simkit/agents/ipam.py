"""When an agent calls: Terway's two IPAMs (``agent.ipam``), from Terway's source (paths in
``AliyunContainerService/terway``; docs/terway.md lists each behaviour with its source).

``daemon`` (``pkg/eni/manager.go``, ``local.go``): a pod with no idle address is asked for at
once, after the allocation worker's 300 ms gathering; idle addresses go back to the cloud, and
the pool is topped up to ``min_idle``, only at the pool's sync, which runs at start and then
``ip_pool_sync_period`` (120 s) x (1 + U[0, 1)) after each (``wait.JitterUntil``, factor 1.0).
After ``InvalidVSwitchId.IpNotEnough`` on an Assign the daemon asks nothing more of that ENI for
10 minutes; on a CreateNetworkInterface it blocks the vSwitch in its own cache for its TTL (10
minutes). ``EniPerInstanceLimitExceeded`` stops ENI creation for 1 minute.

``centralized`` (``pkg/controller/multi-ip/node/pool.go``, the Helm chart's default): a
controller reconciles each node on every pod event, at most once a second per node, and at
least every pool period (2 minutes). It hands idle addresses to pods, asks for ``pods waiting +
max(0, min_idle + pods waiting - idle)`` less what ENIs still attaching were created with (one
Assign or CreateNetworkInterface a reconcile, no new ENI while one attaches), and releases
``idle - max_idle`` at most once a pool period (``multiIPGCPeriod``). After
``InvalidVSwitchId.IpNotEnough`` or ``QuotaExceeded.PrivateIpAddress`` it blocks that vSwitch
for the whole cluster for ``vSwitchCacheTTL`` (20 minutes); after other errors it tries again at
the next reconcile.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from simkit.agents.config import VSWITCH_EXHAUSTED
from simkit.agents.pods import WaitReason
from simkit.ecs.requests import AssignPrivateIpAddresses, CreateNetworkInterface

if TYPE_CHECKING:
    from simkit.agents.base import AgentEni, NodeAgent

__all__ = ["Centralized", "Daemon", "GATHER_SECONDS", "IPAM_CLASSES", "IPAM_OF_MODE", "Ipam", "PrefixTarget", "RECONCILE_SPACING",
           "VSwitchBlocks"]

#: The daemon's allocation worker sleeps this long before it asks, so the pods that arrive
#: meanwhile are asked for in one call (``time.Sleep(300 * time.Millisecond)``, pkg/eni/local.go).
GATHER_SECONDS = 0.3
#: The controller reconciles a node at most once a second (``LastReconcileTime.Add(1 *
#: time.Second)``, pool.go).
RECONCILE_SPACING = 1.0
#: Codes after which the daemon blocks (only IpNotEnough: local.go, factory/aliyun/aliyun.go) and
#: the controller blocks (IpNotEnough and QuotaExceeded.PrivateIpAddress: pool.go).
_DAEMON_EXHAUSTED = "InvalidVSwitchId.IpNotEnough"
_CONTROLLER_EXHAUSTED = frozenset({"InvalidVSwitchId.IpNotEnough", "QuotaExceeded.PrivateIpAddress"})
#: What holds an agent's waiting pods after a refusal with this code (others: RETRYING).
_HOLD_OF_CODE = {code: WaitReason.VSWITCH_ADDRESSES for code in VSWITCH_EXHAUSTED} | {
    "EniPerInstanceLimitExceeded": WaitReason.ENI_LIMIT,
    "MaxEniCountExceeded": WaitReason.ACCOUNT_ENI_QUOTA,
    "SecurityGroupInstanceLimitExceed": WaitReason.SECURITY_GROUP,
    "Throttling": WaitReason.THROTTLED,
}
#: ... or with this limit, when the refusal names it (``ApiError.limit``): simkit knows which limit
#: refused a code that several share; the agent, like Terway, reacts to the code alone.
_HOLD_OF_LIMIT = {"security_group_addresses": WaitReason.SECURITY_GROUP, "security_group_enis": WaitReason.SECURITY_GROUP,
                  "vpc_private_ips": WaitReason.VPC_ADDRESSES}


class VSwitchBlocks:
    """Terway's vSwitch cache (pkg/vswitch): each vSwitch's free-address count as
    DescribeVSwitches last gave it, kept for the cache's TTL and not lowered as addresses go
    out; ``Block`` sets a vSwitch's count to 0 until its entry expires. The controller keeps one
    for the whole cluster; each daemon one of its own."""

    def __init__(self) -> None:
        self._until: dict[str, tuple[float, WaitReason]] = {}
        self._counts: dict[str, tuple[int, float]] = {}  # vSwitch id -> (count, read at)

    def block(self, vswitch_id: str, until: float, reason: WaitReason = WaitReason.VSWITCH_ADDRESSES) -> None:
        """Ask nothing of ``vswitch_id`` before ``until`` (the TTL restarts at each block);
        ``reason`` is what the refusal that blocked it says held the pods (Terway sees an
        exhausted vSwitch; simkit knows when it was the VPC's quota)."""
        self._until[vswitch_id] = (until, reason)

    def blocked(self, vswitch_id: str, now: float) -> WaitReason:
        """What holds pods on ``vswitch_id`` at ``now``: NONE (falsy) when it is not blocked."""
        block = self._until.get(vswitch_id)
        return block[1] if block is not None and now < block[0] else WaitReason.NONE

    def count(self, vswitch_id: str, now: float, ttl: float) -> int | None:
        """The cached free count of ``vswitch_id``, or None when it was never read or is older
        than ``ttl`` seconds."""
        cached = self._counts.get(vswitch_id)
        return cached[0] if cached is not None and now < cached[1] + ttl else None

    def store(self, vswitch_id: str, count: int, now: float) -> None:
        """Remember ``count`` as read from DescribeVSwitches at ``now``."""
        self._counts[vswitch_id] = (count, now)


class Ipam:
    """When one node's agent calls. The base class holds what both of Terway's IPAMs share:
    the agent, what holds waiting pods after a code, and the work loop's entry points; a
    subclass decides when to grow and when to release."""

    #: Whether a pod that finds an idle address takes it at once (else at the next reconcile).
    serves_at_once = True

    def __init__(self, agent: "NodeAgent"):
        self.agent = agent
        self.ctx = agent.ctx
        self.config = agent.config
        self.surplus = 0  # idle addresses to give back, set when the IPAM releases

    def start(self) -> None:
        """The workload starts."""

    def pod_waiting(self) -> None:
        """A pod waits on this node for an address."""

    def pod_ended(self) -> None:
        """A pod of this node ended (its address is idle now)."""

    def addresses_came(self) -> None:
        """An ENI finished attaching: its addresses are idle now."""

    def settled(self) -> None:
        """A call (and its retries) succeeded: go on."""

    def refused(self, code: str, request: Any) -> None:
        """A call was refused with ``code`` for good (its retries, if any, ran out)."""

    def hold_of(self, code: str, limit: str | None = None) -> WaitReason:
        """What holds the waiting pods after a refusal with ``code`` by ``limit`` (when the
        refusal names the limit: one code can stand for several)."""
        if limit in _HOLD_OF_LIMIT:
            return _HOLD_OF_LIMIT[limit]
        return _HOLD_OF_CODE.get(code, WaitReason.RETRYING)

    def kick(self, _: Any = None) -> None:
        """``work()``, as a clock callback (the end of a block)."""
        self.work()

    @property
    def cache(self) -> "VSwitchBlocks":
        """The vSwitch cache this IPAM reads (the cluster's, or its own)."""
        return self.ctx.vswitches

    @property
    def cache_ttl(self) -> float:
        """How long a vSwitch's cached count stands: ``block_exhausted`` or the IPAM's own."""
        cfg = self.config
        return cfg.block_exhausted if cfg.block_exhausted is not None else self.default_ttl

    #: The cache's TTL by default (centralized: vSwitchCacheTTL 20 min).
    default_ttl = 1200.0

    def pick_vswitch(self) -> str | None:
        """The vSwitch for a new ENI (pkg/vswitch ``GetOne``): among the node's pod vSwitches (or
        its own), those not blocked; ``ordered``: the most free addresses by the cached count
        first (a count older than the TTL is read again with DescribeVSwitches), ``random``: any,
        at random. None when every one is blocked."""
        agent, ctx = self.agent, self.ctx
        now = ctx.now
        cache, ttl = self.cache, self.cache_ttl
        candidates = [v for v, _ in agent.node.pod_vswitches] or [agent.node.vswitch_id]
        candidates = [v for v in candidates if not cache.blocked(v, now)]
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        if self.config.vswitch_selection == "random":
            return candidates[int(ctx.jitter() * len(candidates))]
        best, most = None, -1
        for v in candidates:
            count = cache.count(v, now, ttl)
            if count is None:
                count = agent.describe_vswitch(v)
                if count is None:
                    continue  # not read (refused): not a candidate this time
                cache.store(v, count, now)
            if count > most:
                best, most = v, count
        return best

    def work(self) -> None:  # pragma: no cover - every IPAM fills it in
        """One call, if one is due now."""
        raise NotImplementedError

    def _release(self, deletes) -> bool:
        """Give back surplus idle addresses, one call at a time; True if a call was made."""
        if self.surplus <= 0:
            return False
        plan = self.agent.release(self.surplus, deletes)
        if plan is None:
            self.surplus = 0
            return False
        given, go = plan
        # Counted before the call goes out: its answer (and what follows it) comes within it.
        self.surplus = max(0, self.surplus - given)
        go()
        return True


class Daemon(Ipam):
    """Terway's daemon (``ipam: daemon``; see the module docstring)."""

    serves_at_once = True

    def __init__(self, agent: "NodeAgent"):
        super().__init__(agent)
        cfg = self.config
        # Exclusive-ENI mode forces the daemon's pool to 0 (daemon/config.go).
        self.min_idle, self.max_idle = (0, 0) if cfg.mode == "exclusive-eni" else (cfg.min_idle, cfg.max_idle)
        self.gathering = False
        self.topup = False  # the last sync found fewer than min_idle idle
        self.blocked_until = 0.0  # after a refusal it does not wait out otherwise
        self.create_blocked_until = 0.0  # after EniPerInstanceLimitExceeded
        self.vswitches = VSwitchBlocks()  # its own vSwitch cache

    #: The daemon's vSwitch cache TTL (daemon/builder.go ``NewSwitchPool(100, "10m")``).
    default_ttl = 600.0

    @property
    def cache(self) -> VSwitchBlocks:
        """The daemon's own vSwitch cache."""
        return self.vswitches

    def start(self) -> None:
        """The pool's first sync, at once (``JitterUntil`` runs its function before it waits)."""
        self.sync()

    def sync(self, _: Any = None) -> None:
        """Release idle addresses above ``max_idle`` and top the pool up to ``min_idle``; the
        next sync comes ``pool_sync_period`` x (1 + U[0, 1)) later."""
        cfg, agent = self.config, self.agent
        idle = len(agent.idle)
        self.surplus = max(0, idle - self.max_idle)
        self.topup = idle < self.min_idle
        self.work()
        self.ctx.after(cfg.pool_sync_period * (1.0 + self.ctx.jitter()), self.sync)

    def pod_waiting(self) -> None:
        """Gather for 300 ms, then ask."""
        if not self.gathering:
            self.gathering = True
            self.ctx.after(GATHER_SECONDS, self._gathered)

    def _gathered(self, _: Any = None) -> None:
        self.gathering = False
        self.work()

    def settled(self) -> None:
        """Go on with what is left: pods waiting, a top-up, a release."""
        self.agent.serve()
        self.work()

    #: An ENI's addresses came: the same as a call that settled.
    addresses_came = settled

    def work(self) -> None:
        """Ask for the pods waiting (and the sync's top-up), else give back the sync's surplus."""
        agent, ctx = self.agent, self.ctx
        now = ctx.now
        if agent.busy or now < self.blocked_until:
            return
        idle = len(agent.idle)
        need = len(agent.waiting) - idle
        if self.topup:
            need += self.min_idle
            if idle >= self.min_idle:
                self.topup = False
        need -= agent.attaching()
        if need > 0:
            # A new ENI's requests queue on it while it is created and attached (local.go): no
            # second one meanwhile.
            can_create = now >= self.create_blocked_until and not (agent.one_eni_at_a_time and agent.attaching())
            blocks = self.vswitches
            if agent.grow(need, lambda eni: eni.inhibited_until <= now and not blocks.blocked(eni.vswitch_id, now),
                          can_create):
                return
            held = agent.all_blocked(blocks, now)
            if held:
                agent.held_by(held)
                return
        if agent.waiting:
            return  # nothing to release while pods wait
        self._release(lambda eni, n: n >= eni.slots)  # local.go Dispose: n >= its addresses

    def refused(self, code: str, request: Any) -> None:
        """IpNotEnough on an Assign: that ENI rests 10 minutes; on a Create: the vSwitch is
        blocked in the daemon's cache for its TTL. EniPerInstanceLimitExceeded: no ENI created
        for 1 minute. Any other code: the pods' CNI requests fail and kubelet asks again
        (``give_up_backoff``, a choice: kubelet's sandbox back-off)."""
        cfg, ctx = self.config, self.ctx
        now = ctx.now
        block = cfg.block_exhausted if cfg.block_exhausted is not None else 600.0
        if code == _DAEMON_EXHAUSTED and isinstance(request, AssignPrivateIpAddresses):
            self.agent.eni_by_id[request.network_interface_id].inhibited_until = now + block
            ctx.after(block, self.kick)
            self.work()
        elif code == _DAEMON_EXHAUSTED and isinstance(request, CreateNetworkInterface):
            self.vswitches.block(request.vswitch_id, now + block, self.agent.hold)
            ctx.after(block, self.kick)
            self.work()
        elif code == "EniPerInstanceLimitExceeded":
            self.create_blocked_until = now + cfg.block_eni_limit
            ctx.after(cfg.block_eni_limit, self.kick)
            self.work()
        else:
            self.blocked_until = now + cfg.give_up_backoff
            ctx.after(cfg.give_up_backoff, self.kick)


class Centralized(Ipam):
    """Terway's centralized controller (``ipam: centralized``; see the module docstring)."""

    #: The controller assigns each pod its address at a reconcile (pool.go ``syncPods``).
    serves_at_once = False

    def __init__(self, agent: "NodeAgent"):
        super().__init__(agent)
        self.last = -math.inf  # the last reconcile
        self.last_gc = -math.inf  # the last release (multiIPGCPeriod)
        self.due = math.inf  # the next reconcile scheduled
        self.pending = False  # a reconcile came while a call was in flight
        self.grown = False  # this reconcile made its one allocation call

    def start(self) -> None:
        """The node's first reconcile, at once (its first release with it: no release yet)."""
        self.request()

    def request(self, at: float | None = None) -> None:
        """Reconcile the node at ``at`` (default: now), but no sooner than a second after the
        last reconcile; a reconcile already due sooner stands."""
        now = self.ctx.now
        at = max(now if at is None else at, self.last + RECONCILE_SPACING)
        if at < self.due:
            self.due = at
            self.ctx.after(at - now, self._reconcile, at)

    def _reconcile(self, at: float) -> None:
        if at != self.due:
            return  # superseded by a sooner one
        self.due = math.inf
        ctx, agent, cfg = self.ctx, self.agent, self.config
        now = ctx.now
        self.last = now
        if agent.busy:
            self.pending = True
            return
        agent.serve()
        if now >= self.last_gc + cfg.gc_period:
            self.last_gc = now
            self.surplus = max(0, len(agent.idle) - cfg.max_idle)
        self.grown = False
        self.work()
        self.request(now + cfg.gc_period)  # requeue after the pool period

    def pod_waiting(self) -> None:
        """A pod event: reconcile."""
        self.request()

    def pod_ended(self) -> None:
        """A pod event: reconcile."""
        self.request()

    def addresses_came(self) -> None:
        """The attach task completed: the node's status changed, reconcile."""
        self.request()

    def settled(self) -> None:
        """The call changed the node's status: go on releasing, then reconcile again."""
        if self.pending:
            self.pending = False
            self.request()
            return
        if not self._release(self._deletes):
            self.request()

    @staticmethod
    def _deletes(eni: "AgentEni", n: int) -> bool:
        # multi-ip/node/eni.go releaseUnUsedIP: len(eni.IPv4) < toDel, strictly.
        return eni.slots < n

    def work(self) -> None:
        """Give back the surplus, else make this reconcile's one allocation call."""
        agent, ctx, cfg = self.agent, self.ctx, self.config
        if agent.busy:
            return
        if self._release(self._deletes):
            return
        if self.grown:
            return
        waiting, idle = len(agent.waiting), len(agent.idle)
        need = waiting + max(0, cfg.min_idle + waiting - idle) - agent.attaching()
        if need <= 0:
            return
        now = ctx.now
        blocks = ctx.vswitches
        # No new ENI while one attaches (createBatchSize 1 less the attaching count); an ENI on a
        # blocked vSwitch gets no address (validateENI).
        can_create = not agent.attaching()
        self.grown = agent.grow(need, lambda eni: not blocks.blocked(eni.vswitch_id, now), can_create)
        if not self.grown:
            held = agent.all_blocked(blocks, now)
            if held:
                agent.held_by(held)

    def refused(self, code: str, request: Any) -> None:
        """IpNotEnough or QuotaExceeded.PrivateIpAddress: the vSwitch is blocked for the whole
        cluster for ``block_exhausted`` (vSwitchCacheTTL, 20 minutes). Other codes: the next
        reconcile tries again (the status changed, so it requeues after the pool period, or
        sooner on a pod event)."""
        cfg, ctx = self.config, self.ctx
        if code in _CONTROLLER_EXHAUSTED:
            vswitch = self.agent.vswitch_of(request)
            block = cfg.block_exhausted if cfg.block_exhausted is not None else 1200.0
            ctx.vswitches.block(vswitch, ctx.now + block, self.agent.hold)
        if self.pending:
            self.pending = False
            self.request()


class PrefixTarget(Centralized):
    """Terway's controller in prefix mode (pool.go ``syncPrefixAllocation``; prefix mode has no
    daemon IPAM): each node is brought to ``agent.prefix_count`` /28 prefixes, on its InUse ENIs'
    free slots first (IPv4PerAdapter less addresses and prefixes on it), then on new ENIs of up
    to IPv4PerAdapter - 1 prefixes, at most 10 a call; prefixes are never given back, and the
    pool settings do not apply. The node's daemon binds each pod to a free address of the node's
    prefixes at once. A refusal is requeued with the controller's failure back-off, 1 s doubling
    to 300 s (``MultiIPMinSyncPeriodOnFailure`` / ``MaxSyncPeriodOnFailure``): the prefix sync does
    not mark the node's status modified, so the error reaches the work queue's rate limiter."""

    serves_at_once = True

    def __init__(self, agent: "NodeAgent"):
        super().__init__(agent)
        self.failures = 0

    def pod_waiting(self) -> None:
        """A pod found no free address: if the node already holds all its prefixes, it waits for
        one to free (the prefix count is the node's capacity); else the reconcile goes on."""
        agent = self.agent
        if agent.prefixes_held() >= self.config.prefix_count and not agent.attaching():
            agent.held_by(WaitReason.NODE_PREFIXES)
        self.request()

    def pod_ended(self) -> None:
        """Nothing to do: an address back to the node's prefixes serves the next pod at once."""

    def settled(self) -> None:
        """A call succeeded: the next reconcile (a second later) goes on towards the target."""
        self.failures = 0
        self.agent.serve()
        self.request()

    def addresses_came(self) -> None:
        """An ENI attached: its prefixes serve pods at once."""
        self.agent.serve()
        self.request()

    def work(self) -> None:
        """Towards ``prefix_count``: one call a reconcile."""
        agent = self.agent
        if agent.busy or self.grown:
            return
        missing = self.config.prefix_count - agent.prefixes_held()  # attaching ENIs' prefixes included
        if missing > 0:
            self.grown = agent.grow_prefixes(missing, can_create=not agent.attaching())

    def refused(self, code: str, request: Any) -> None:
        """Requeue after the failure back-off: 1, 2, 4 ... 256, then 300 s."""
        delay = min(300.0, 2.0 ** self.failures)
        self.failures += 1
        self.request(self.ctx.now + delay)


#: agent.ipam (one of ``simkit.agents.config.IPAMS``) -> its class (some modes have their own: ``IPAM_OF_MODE``)
IPAM_CLASSES: dict[str, type[Ipam]] = {"daemon": Daemon, "centralized": Centralized}
#: agent.mode -> the IPAM it always uses, whatever agent.ipam says
IPAM_OF_MODE: dict[str, type[Ipam]] = {"prefix": PrefixTarget, "exclusive-eni": Daemon}
