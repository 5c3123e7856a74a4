"""Address-space churn: simkit's AddressSpace beside what a notebook user would write.

1. Single-address churn on a /16 at about 50 % occupancy: 3,200 owners (think ENIs) start
   with 10 addresses each; then each operation picks an owner and either takes 1-4 more
   addresses or gives back 1-4 of its own, steering towards the starting occupancy. Every
   allocator replays the same seeded trace through the same harness; ops/s is operations
   divided by the wall time of the whole loop.
2. Prefix churn inside a /20 reservation of a /16, half full: take one /28 or give one back.
3. Finding and taking a free aligned /28 on a /16 whose /18 reservation is 95 % full.

Baselines: a netaddr IPSet free pool (``next(iter(free))`` / ``remove`` / ``add``) and a
Python set of free ints (``set.pop()``, no policy at all). Run: ``make bench``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import netaddr  # noqa: E402
from _common import machine, table  # noqa: E402

from simkit.net import AddressSpace, Cidr  # noqa: E402

VSWITCH = "10.0.0.0/16"
OWNERS = 3200
START_PER_OWNER = 10
OPS = 200_000
OPS_IPSET = 4_000  # netaddr is about 1-2k ops/s; fewer ops keep the bench short
SEED = 42
REPEATS = 3


# ---------------------------------------------------------------- allocators (single addresses)


class IPSetPool:
    name = "netaddr IPSet"

    def __init__(self, cidr: str):
        net = netaddr.IPNetwork(cidr)
        self.free = netaddr.IPSet([net])
        for a in (net.first, net.last - 2, net.last - 1, net.last):  # Alibaba's reserved four
            self.free.remove(netaddr.IPAddress(a))

    def allocate(self, n):
        out = []
        for _ in range(n):
            ip = next(iter(self.free))
            self.free.remove(ip)
            out.append(int(ip))
        return out

    def release(self, addrs):
        for a in addrs:
            self.free.add(netaddr.IPAddress(a))


class IntSetPool:
    name = "set of free ints"

    def __init__(self, cidr: str):
        c = Cidr.parse(cidr)
        self.free = set(range(c.base + 1, c.last - 2))

    def allocate(self, n):
        pop = self.free.pop
        return [pop() for _ in range(n)]

    def release(self, addrs):
        self.free.update(addrs)


class SimkitPool:
    def __init__(self, cidr: str, policy: str):
        self.name = f"simkit {policy}"
        self.space = AddressSpace(cidr, policy=policy, seed=SEED)
        self.allocate = self.space.allocate
        self.release = self.space.release


def make_trace(n_ops: int, seed: int):
    """(owner, take?, k) triples; the harness decides which addresses a release gives back."""
    rng = random.Random(seed)
    held = [START_PER_OWNER] * OWNERS
    total = OWNERS * START_PER_OWNER
    target = total
    trace = []
    for _ in range(n_ops):
        owner = rng.randrange(OWNERS)
        k = rng.randint(1, 4)
        p_take = 0.55 if total < target else 0.45
        take = rng.random() < p_take or held[owner] < k
        if take and held[owner] + k > 30:
            take = False
        trace.append((owner, take, k))
        held[owner] += k if take else -k
        total += k if take else -k
    return trace


def run_single(pool, trace) -> float:
    owned = [pool.allocate(START_PER_OWNER) for _ in range(OWNERS)]  # untimed fill, ~49 %
    allocate, release = pool.allocate, pool.release
    start = time.perf_counter()
    for owner, take, k in trace:
        mine = owned[owner]
        if take:
            mine += allocate(k)
        else:
            release(mine[-k:])
            del mine[-k:]
    elapsed = time.perf_counter() - start
    held = [a for mine in owned for a in mine]
    assert len(held) == len(set(held)), f"{pool.name} handed out an address twice"
    return len(trace) / elapsed


# ---------------------------------------------------------------- prefixes


class IPSetPrefixPool:
    name = "netaddr IPSet"

    def __init__(self, reservation: str):
        self.free = netaddr.IPSet([reservation])

    def allocate(self):
        for cidr in self.free.iter_cidrs():
            if cidr.prefixlen <= 28:
                block = netaddr.IPNetwork((cidr.first, 28))
                self.free.remove(block)
                return cidr.first
        raise RuntimeError("no free /28")

    def release(self, base):
        self.free.add(netaddr.IPNetwork((base, 28)))


class IntSetPrefixPool:
    name = "set of free ints"

    def __init__(self, reservation: str):
        c = Cidr.parse(reservation)
        self.free = set(range(c.base, c.last + 1, 16))

    def allocate(self):
        return self.free.pop()

    def release(self, base):
        self.free.add(base)


class SimkitPrefixPool:
    def __init__(self, reservation: str, policy: str):
        self.name = f"simkit {policy}"
        self.space = AddressSpace(VSWITCH, policy=policy, seed=SEED)
        self.space.reserve(reservation)

    def allocate(self):
        return self.space.allocate_prefixes(1)[0]

    def release(self, base):
        self.space.release_prefixes([base])


def run_prefix(pool, n_ops: int, seed: int) -> float:
    rng = random.Random(seed)
    held = [pool.allocate() for _ in range(128)]  # half of the /20's 256 blocks
    draws = [(rng.random(), rng.random()) for _ in range(n_ops)]
    start = time.perf_counter()
    for r1, r2 in draws:
        if r1 < (0.55 if len(held) < 128 else 0.45):
            held.append(pool.allocate())
        else:
            i = int(r2 * len(held))
            held[i], held[-1] = held[-1], held[i]
            pool.release(held.pop())
    elapsed = time.perf_counter() - start
    assert len(held) == len(set(held))
    return n_ops / elapsed


def find_28_on_16(policy: str, n: int = 200_000) -> float:
    """Mean µs to find and take one free /28 (allocate_prefixes(1)) on a /16 whose /18
    reservation is 95 % full; the release after each take is not timed."""
    space = AddressSpace(VSWITCH, policy=policy, seed=SEED)
    space.reserve("10.0.64.0/18")
    space.allocate_prefixes(int(1024 * 0.95))
    allocate, release = space.allocate_prefixes, space.release_prefixes
    clock = time.perf_counter
    spent = 0.0
    for _ in range(n):
        t0 = clock()
        got = allocate(1)
        spent += clock() - t0
        release(got)
    return spent / n * 1e6


def main() -> None:
    print(f"machine: {machine()}; numpy and netaddr {netaddr.__version__}")
    print(f"single-address churn: {VSWITCH}, {OWNERS} owners x {START_PER_OWNER} addresses (~49 % full), "
          f"{OPS:,} ops ({OPS_IPSET:,} for IPSet), 1-4 addresses per op, best of {REPEATS} runs\n")
    trace = make_trace(OPS, SEED)
    rates = {}
    # Best of REPEATS fresh runs each (as timeit does): this machine's noise is larger than the
    # differences that matter.
    rates["netaddr IPSet"] = max(run_single(IPSetPool(VSWITCH), trace[:OPS_IPSET]) for _ in range(REPEATS))
    rates["set of free ints"] = max(run_single(IntSetPool(VSWITCH), trace) for _ in range(REPEATS))
    for policy in ("lowest", "pack", "random"):
        rates[f"simkit {policy}"] = max(run_single(SimkitPool(VSWITCH, policy), trace) for _ in range(REPEATS))
    base = {"IPSet": rates["netaddr IPSet"], "set of ints": rates["set of free ints"]}
    print(table("single-address churn", list(rates.items()), "ops/s", base))
    for policy in ("lowest", "pack"):
        r = rates[f"simkit {policy}"]
        print(
            f"  target simkit {policy}: >= 100x IPSet ({r / base['IPSet']:.0f}x) and within 3x of the "
            f"set of ints ({base['set of ints'] / r:.2f}x slower): "
            f"{'MET' if r >= 100 * base['IPSet'] and r * 3 >= base['set of ints'] else 'MISSED'}"
        )

    print(f"\nprefix churn: /28 blocks in a /20 reservation of {VSWITCH}, half full, take or give back one\n")
    reservation = "10.0.16.0/20"
    prates = {}
    prates["netaddr IPSet"] = run_prefix(IPSetPrefixPool(reservation), 20_000, SEED)
    prates["set of free ints"] = run_prefix(IntSetPrefixPool(reservation), 200_000, SEED)
    for policy in ("lowest", "pack", "random"):
        prates[f"simkit {policy}"] = run_prefix(SimkitPrefixPool(reservation, policy), 200_000, SEED)
    pbase = {"IPSet": prates["netaddr IPSet"], "set of ints": prates["set of free ints"]}
    print(table("prefix churn", list(prates.items()), "ops/s", pbase))

    print("\nfind and take a free aligned /28 on a /16 (/18 reservation 95 % full), target < 2 µs:")
    for policy in ("lowest", "pack", "random"):
        us = find_28_on_16(policy)
        print(f"  simkit {policy:<7} {us:6.2f} µs  {'MET' if us < 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
