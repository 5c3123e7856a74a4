"""What a run supports recommending: the limit to raise, named by its scenario key with the
scenario's own figures, and the ``simkit size`` search that finds by how much. One run cannot
say how much larger is enough (that takes runs over seeds at several sizes); it can say which
limit bound, and which key to search.

Every figure is the summary's (docs/scenario.md, "The summary"); the limit is the summary's
``binding_limit`` (what held the most failed pods).
"""

from __future__ import annotations

import shlex
from typing import Any, NamedTuple

from simkit.analysis.verdict import Check, describe_target

__all__ = ["Advice", "recommend"]


class Advice(NamedTuple):
    """A recommendation: ``text`` in sentences (ending "run:" when a command follows); ``key``,
    the scenario key path to change (None when the layout meets its targets or nothing in it
    would help); ``command``, the ``simkit size`` command that finds the smallest value of
    ``key`` meeting the first missed pod target (None without a key)."""

    def __str__(self) -> str:
        return f"{self.text} {self.command}" if self.command else self.text

    text: str
    key: str | None
    command: str | None


def _index(items, name: str) -> int:
    return next((i for i, item in enumerate(items) if item.name == name), 0)


def recommend(result: Any, checks: list[Check], scenario_file: str | None = None) -> Advice:
    """The recommendation ``result`` (a ``simkit.Result``) supports, given its verdict
    ``checks`` (``run_verdict``). ``scenario_file``: the scenario's path, for the command (else
    ``SCENARIO.yaml``)."""
    s, plan = result.summary, result.plan
    missed = [c for c in checks if not c.met]
    if not missed:
        tight = min(s["min_free_ips"].items(), key=lambda kv: kv[1], default=None)
        headroom = (f" Its tightest point: vSwitch {tight[0]} kept {tight[1]:,} addresses free at its fewest."
                    if tight else "")
        return Advice("The layout meets every target: no change is needed." + headroom, None, None)
    limit = s["binding_limit"]["limit"]
    pod_missed = [c for c in missed if c.figure != "api_error_rate"]
    if not pod_missed:
        codes = sorted(s["api_errors_by_code"].items(), key=lambda kv: -kv[1])
        top = ", ".join(f"{code} {n:,}" for code, n in codes[:3])
        return Advice(f"Pods met their targets, but {s['api_error_rate']:.2%} of API calls were refused ({top}): "
                      f"the agents retried them, so no pod target was missed. Raise the limit behind the most "
                      f"frequent code if it matters beyond this run.", None, None)
    key, text = _limit_to_raise(result, limit)
    if key is None:
        return Advice(text, None, None)
    first = pod_missed[0]
    value = f"{first.target:g}" if first.figure != "pod_wait_p99" else f"{first.target:g}s"
    command = " ".join(["simkit", "size", shlex.quote(scenario_file or "SCENARIO.yaml"), "--vary", key,
                        "--target", f"{first.figure}={value}", "--out", "sizing/"])
    text += f" To find the smallest {key} that meets {describe_target(first.figure, first.target)}, run:"
    return Advice(text, key, command)


def _limit_to_raise(result: Any, limit: str | None) -> tuple[str | None, str]:
    """(the key path to raise, what to do in words) for the binding ``limit``."""
    s, plan = result.summary, result.plan
    exhaustion = s["exhaustion"]
    nodes = sum(f.count for f in plan.fleet)
    biggest = max(range(len(plan.fleet)), key=lambda i: plan.fleet[i].count)
    fleet = plan.fleet[biggest]
    if limit in ("vswitch_addresses", "fleet_addresses"):
        prefixes = exhaustion.get("reservation_prefixes")
        hit = exhaustion.get("vswitch_addresses") or prefixes
        name = hit["resource"] if hit else plan.vswitches[0].name
        i = _index(plan.vswitches, name)
        vswitch = plan.vswitches[i]
        peak = s["peak_consumed_ips"].get(name)
        at_peak = (f" At its peak ({peak['consumed']:,} addresses consumed) {peak['idle_in_pools']:,} sat idle in the "
                   f"agents' pools" if peak else "")
        if hit is prefixes and vswitch.reservations:
            key = f"vswitches.{i}.reservations.0.mask"
            return key, (f"vSwitch {name} ran out of free /28 blocks in its reservations: give its reservation more "
                         f"room ({key}, a shorter mask), or the vSwitch a larger block for it.")
        idle = (f"; a lower agent.max_idle (now {plan.agent.max_idle}) would hand idle addresses back sooner"
                if plan.agent.mode == "secondary-ip" and peak and peak["idle_in_pools"] else "")
        return f"vswitches.{i}.cidr", (f"Give vSwitch {name} more addresses (vswitches.{i}.cidr, now {vswitch.cidr}): it "
                                       f"ran out first.{at_peak}{idle}.")
    if limit in ("fleet_pods", "fleet_cpu", "fleet_memory", "eni_limit"):
        why = {"fleet_pods": "the fleet was full", "fleet_cpu": "the fleet ran out of CPU",
               "fleet_memory": "the fleet ran out of memory",
               "eni_limit": "the nodes' ENIs were full"}[limit]
        return f"fleet.{biggest}.count", (f"Add nodes (fleet.{biggest}.count, now {fleet.count} of {nodes:,} nodes, "
                                          f"{fleet.instance_type}) or choose a larger instance type: {why}.")
    if limit == "node_prefixes":
        return "agent.prefix_count", (f"Give each node more /28 prefixes (agent.prefix_count, now "
                                      f"{plan.agent.prefix_count}): every address of a node's prefixes was in use.")
    if limit == "account_eni_quota":
        return None, (f"Raise the account's ENI quota in {plan.region} (limits.account_eni_quota, now "
                      f"{plan.settings.account_eni_quota:,}; a quota request to Alibaba Cloud).")
    if limit == "throttled":
        limits = ", ".join(f"{a} {n}/min" for a, n in plan.settings.throttle_per_minute.items())
        return None, (f"Pods waited on throttled calls ({limits}): ask Alibaba Cloud for a higher API rate limit, or "
                      f"make the agents call less often (a larger batch, a warm pool with agent.min_idle).")
    if limit == "security_group":
        return None, ("The fleet's security group was full: use an advanced security group (security_group.type: "
                      "enterprise) or spread the nodes over several groups.")
    if limit == "vpc_addresses":
        return None, (f"The VPC held its quota of private addresses (limits.vpc_private_ips, now "
                      f"{plan.settings.vpc_private_ips:,}): a quota request to Alibaba Cloud, or a second VPC.")
    if limit == "retrying":
        return None, ("Pods waited while failed calls were retried (the scenario's injected faults): nothing in the "
                      "layout would change that; the retry policy (agent.retries) sets how long they wait.")
    if limit == "in_flight":
        return None, ("Pods failed waiting only for calls in flight (ENIs being created and attached): a warm pool "
                      "(agent.min_idle) serves them at once.")
    return None, "Pods failed, but no limit held them."
