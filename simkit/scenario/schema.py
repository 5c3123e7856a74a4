"""The one definition of the scenario file (DESIGN.md, "The scenario file"): every key, its type,
its default, what is allowed and what it means, as pydantic models.

From these come the checking of a scenario (``simkit.scenario.check.validate``), the key
reference in docs/scenario.md and the JSON Schema shipped as ``simkit/scenario.schema.json``
(both written by ``python -m simkit.scenario.reference``; a test keeps them current).

Why pydantic rather than a JSON Schema checked by ``jsonschema``: the scenario has rules a JSON
Schema cannot state (a vSwitch inside the VPC and overlapping no other, a reservation that fits,
a fleet on a vSwitch the file names, a zone of the region, an instance type in the catalog,
durations with units bounded in seconds), so a schema alone would need a second, hand-written
checker beside it: two definitions again. pydantic holds the structure, the value types and the
cross-checks in one place, writes the JSON Schema for editors from it, and reports where a value
sits as a key path; the value types (``simkit.scenario.types``) write every message.

Cross-checks that concern one section live in its ``after`` validator; those across sections in
``Scenario``'s. Both raise ``Problem`` with the key path below the section. The files a workload
names are opened later, by ``simkit.scenario.workload``.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, Optional, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from simkit.agents import IPAMS, MODES, AgentConfig, SchedulerConfig
from simkit.agents.config import DEFAULT_RETRY, TERWAY_RETRIES, Backoff, RetryPolicy
from simkit.catalog import REGIONS, IpLimitsUnknown, UnknownInstanceType, load_catalog
from simkit.ecs import ACTIONS, CloudSettings, SecurityGroupType
from simkit.ecs.settings import IP_EXHAUSTED_CODES
from simkit.errors import REGISTRY
from simkit.net.policy import POLICIES
from simkit.scenario.rules import check_across, served
from simkit.scenario.types import (
    Allowed,
    ArrivalRate,
    Growth,
    CidrBlock,
    allowed_of,
    Choice,
    Duration,
    Flag,
    Number,
    Problem,
    Rate,
    Table,
    Text,
    Whole,
    choice_problem,
    near_miss,
    seconds_text,
    show,
)

__all__ = ["SCHEMA_PATH", "Scenario", "Section", "Shown", "json_schema", "json_schema_text"]

#: Where the JSON Schema is shipped, for editors (``# yaml-language-server: $schema=...``).
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "scenario.schema.json"

# --- bounds (docs/scenario.md, "Bounds"): wide enough for any real study --------------------
#: A run covers at most a leap year (capacity is planned a year ahead);
MAX_DURATION = 366 * 86400.0
#: samples come at most once a second (the model's durations are whole seconds: finer samples
#: see nothing new), at most once a run, and at most 200,000 times a run (a year every 3
#: minutes; each sample keeps one byte per /28 block of every vSwitch: 4 KiB for a /16);
MIN_SAMPLE_EVERY = 1.0
MAX_SAMPLES = 200_000
#: an agent's waits (Terway's are 5 s to 20 min) and the cloud's simulated durations (seconds)
#: are at most a day; a retry's wait grows by a factor of at most 10 a step (Terway's is 1) and
#: is stretched by a jitter of at most 10 (Terway's 1.3), over at most 100 attempts (Terway's 6).
MAX_AGENT_WAIT = 86400.0
MAX_CLOUD_SECONDS = 86400.0
MAX_RETRY_FACTOR = 10.0
MAX_RETRY_ATTEMPTS = 100
#: Synthetic churn: lifetimes from a millisecond to ten years (the bounds also keep the
#: lognormal's mean, median x exp(sigma^2 / 2), a finite number), a diurnal period of at least
#: a second, and at most 100 million pods a run (arrival_rate x duration, plus the bursts: about
#: 36 bytes and 80 us of replay a pod, so 3.6 GB and hours).
MIN_LIFETIME = 1e-3
MAX_LIFETIME = 3650 * 86400.0
MIN_PERIOD = 1.0
MAX_PODS = 100_000_000
#: Instances in one fleet entry.
MAX_FLEET_COUNT = 100_000
#: A pod that waits longer than this for its address is not served in time (``slo.pod_wait``).
DEFAULT_SLO_POD_WAIT = 30.0
#: The verdict's targets unless the scenario sets its own: at most 0.1 % of pods fail (DESIGN.md's
#: "keeps IP-assignment errors under 0.1 %"), and at most 1 % of API calls are refused. Alibaba
#: publishes neither: they are simkit's choices, for a report to judge against.
DEFAULT_SLO_POD_FAILURE_RATE = 0.001
DEFAULT_SLO_API_ERROR_RATE = 0.01
#: Replays keep ClientTokens this long unless the scenario says otherwise: the real validity is
#: not published, and remembering every token of a million-call run would cost more memory
#: than the run itself. Agents reuse a token only within a retry sequence (seconds to minutes).
DEFAULT_TOKEN_TTL = "1h"
#: Units a pod trace's times may be in, as seconds.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "m": 60.0, "h": 3600.0}

_AGENT = AgentConfig()
_SCHEDULER = SchedulerConfig()
_CLOUD = CloudSettings()


def _seconds_default(seconds: float) -> str:
    """A default in seconds as a scenario writes it (``600`` -> ``"10m"``, ``5.0`` -> ``"5s"``),
    for the reference."""
    text = seconds_text(seconds)
    return text.split(" ")[0] if "(" in text else f"{seconds:g}s"


class Shown(NamedTuple):
    """How the key reference states a default that is worked out (``zone``: the region's first)."""

    text: str


class Section(BaseModel):
    """A mapping of the scenario file. The base class owns what every section must be: a
    mapping whose keys are strings it defines, with every required key given; a value of the
    wrong kind is refused naming the keys a section takes. Each field's ``description`` is its
    meaning in the key reference."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, arbitrary_types_allowed=True,
                              json_schema_mode_override="validation")
    #: What the section is, in the key reference's heading ("vswitches[]").
    where: ClassVar[str] = ""
    #: What a list of these holds, in words ("vSwitches"), for a list's "allowed" text.
    noun: ClassVar[str] = ""
    #: Keys an earlier simkit took here -> where they went, named in the refusal.
    moved: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        keys = ", ".join(cls.model_fields)
        if not isinstance(data, dict):
            raise Problem(f"expected a mapping with keys {keys}, got {show(data)}")
        for key in data:
            if key not in cls.model_fields:
                moved = cls.moved.get(key) if isinstance(key, str) else None
                hint = f" (it is now {moved})" if moved else near_miss(key, cls.model_fields, cutoff=0.75)
                raise Problem(f"unknown key{hint}; allowed: {keys}", at=(str(key),))
        for name, info in cls.model_fields.items():
            if info.is_required() and name not in data:
                raise Problem(f"is required; allowed: {allowed_text(info).replace('`', '')}", at=(name,))
        return data


def allowed_text(info: Any) -> str:
    """What a field allows, in words: its value type's ``Allowed`` text, or, for a section, a
    list of sections or a workload, what they are made of. The key reference's "allowed"
    column and the message for a missing key both say this."""
    text = allowed_of(info.metadata)
    if text:
        return text
    inner = sections_of(info.annotation)
    if len(inner) > 1:
        return f"a mapping with a kind ({', '.join(WORKLOADS)})"
    if len(inner) == 1:
        keys = ", ".join(inner[0].model_fields)
        if inner[0].where.endswith("[]"):
            return f"a list of {inner[0].noun}, each a mapping with keys {keys}"
        return f"a mapping with keys {keys}"
    for arg in typing.get_args(info.annotation):
        text = allowed_of(getattr(arg, "__metadata__", ()))
        if text:
            return text + " (or `null`)"
    return ""


def sections_of(annotation: Any) -> list:
    """The sections an annotation is made of (a section, a list of them, a union of kinds)."""
    if isinstance(annotation, type) and issubclass(annotation, Section):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found += sections_of(arg)
    return found


# --- instance types, actions, fault tables ---------------------------------------------------

def _instance_type(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Problem(f"expected an instance type name such as ecs.g7.large, got {show(value)}")
    try:
        load_catalog().require_ip_limits(value)
    except UnknownInstanceType as exc:
        raise Problem(str(exc)) from None
    except IpLimitsUnknown as exc:
        near = load_catalog().similar(value)
        such = f", such as {' or '.join(near) if len(near) < 3 else near[0] + ', ' + near[1] + ' or ' + near[2]}" if near else ""
        raise Problem(f"{exc}; allowed: an instance type whose ENI and IP limits are known "
                      f"(data/instance_types.csv){such}") from None
    return value


InstanceTypeName = Annotated[str, PlainValidator(_instance_type), WithJsonSchema({"type": "string", "pattern": r"^ecs\."}),
                             Allowed("an ECS instance type whose ENI and IP limits are known (`data/instance_types.csv`)")]

#: Error codes a fault may inject (the registry: docs/error-codes.md) and actions simkit models.
CODES = tuple(REGISTRY)
_RATE = Number(0.0, 1.0)
_RATE_CHECK = next(m for m in _RATE.__metadata__ if isinstance(m, PlainValidator)).func
assert not set(CODES) & set(ACTIONS), "fault tables tell codes from actions by name"


def _faults(table: Any) -> dict:
    """``{Code: rate}`` for every action, or ``{Action: {Code: rate}}``: each key is an error
    code or an action simkit models, told apart by name."""
    if not isinstance(table, dict):
        raise Problem(f"expected a mapping of error code to rate, or of API action to such a mapping, got {show(table)}")
    out: dict = {}
    for key, value in table.items():
        if key in CODES:
            try:
                out[key] = _RATE_CHECK(value)
            except Problem as exc:
                raise Problem(exc.text, at=(key,)) from None
        elif key in ACTIONS:
            if not isinstance(value, dict):
                raise Problem(f"expected a mapping of error code to rate, got {show(value)}", at=(key,))
            out[key] = {}
            for code, rate in value.items():
                if code not in CODES:
                    raise Problem(f"{choice_problem(code, CODES, 'an error code simkit knows')} "
                                  f"(docs/error-codes.md)".replace("; allowed: " + ", ".join(CODES), ""),
                                  at=(key, str(code)))
                try:
                    out[key][code] = _RATE_CHECK(rate)
                except Problem as exc:
                    raise Problem(exc.text, at=(key, code)) from None
        else:
            hint = near_miss(key, CODES + ACTIONS, cutoff=0.75)
            raise Problem(f"{show(key)} is neither an error code simkit knows (docs/error-codes.md) nor an API "
                          f"action it models{hint}; actions: {', '.join(ACTIONS)}", at=(str(key),))
    return out


FaultTable = Annotated[dict, PlainValidator(_faults), WithJsonSchema({
    "type": "object", "propertyNames": {"enum": [*CODES, *ACTIONS]},
    "additionalProperties": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                                       {"type": "object", "propertyNames": {"enum": list(CODES)},
                                        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}}]}}),
    Allowed("a mapping of error code to a rate from 0 to 1, or of API action to such a mapping")]


# --- the sections, in the order of the file --------------------------------------------------

class Vpc(Section):
    """The VPC."""

    where: ClassVar[str] = "vpc"
    cidr: CidrBlock = Field(description="the VPC's CIDR block")


class SecurityGroup(Section):
    """The security group every instance and ENI of the fleet is in."""

    where: ClassVar[str] = "security_group"
    type: Choice(tuple(t.value for t in SecurityGroupType)) = Field(SecurityGroupType.NORMAL.value, description=(
        "CreateSecurityGroup's SecurityGroupType: `normal`, a basic group, holds at most "
        "`limits.security_group_ip_capacity` private addresses on its ENIs (6,000: every primary and secondary "
        "address, one per /28 prefix), so a fleet on one basic group stops near 6,000 pod addresses; `enterprise`, an "
        "advanced group, at most `limits.security_group_capacity` ENIs (65,536)"))


class Reservation(Section):
    """A CIDR reservation of a vSwitch: a mask (placed by simkit) or a CIDR."""

    where: ClassVar[str] = "vswitches[].reservations[]"
    noun: ClassVar[str] = "CIDR reservations"
    mask: Optional[Whole(0, 32)] = Field(None, description=(
        "the reservation's mask; simkit places it on the lowest free aligned block (how Alibaba Cloud places "
        "it is not published)"))
    cidr: Optional[CidrBlock] = Field(None, description="the reservation's block")

    @model_validator(mode="after")
    def _one(self) -> "Reservation":
        if (self.mask is None) == (self.cidr is None):
            raise Problem("give exactly one of mask and cidr")
        return self


class VSwitch(Section):
    """A vSwitch."""

    where: ClassVar[str] = "vswitches[]"
    noun: ClassVar[str] = "vSwitches"
    name: Text("non-empty text, a name no other vSwitch has") = Field(description="referred to by `fleet[].vswitch`")
    zone: Annotated[Optional[Text("a zone of the region, such as cn-hangzhou-h")],
                    Shown("the region's first zone")] = Field(None, description=(
        "a zone of the region, as `data/zones.csv` lists it (e.g. `ap-southeast-1a`, `cn-hangzhou-h`); left out: "
        "the region's first zone"))
    cidr: CidrBlock = Field(description="inside `vpc.cidr`, mask /16 to /29, not overlapping another vSwitch")
    reservations: list[Reservation] = Field([], description=(
        "CIDR reservations: at most `limits.reservations_per_vpc` (100) in the VPC and, when set, "
        "`limits.reservations_per_vswitch` here; each mask at least 2 bits longer than the vSwitch's and at most /28 "
        "(so a /27 or smaller vSwitch has none). Required on every vSwitch that carries fleet nodes when `agent.mode` "
        "is `prefix` and the workload is pods"))


class ScaleStep(Section):
    """More nodes for a fleet group at a time of the run."""

    where: ClassVar[str] = "fleet[].scale[]"
    noun: ClassVar[str] = "scale steps"
    at: Duration(positive=False, text="0 or longer, before duration ends") = Field(description="when, from the start of the run")
    count: Whole(1, MAX_FLEET_COUNT) = Field(description="how many nodes to add (`+10` or `10`)")


class FleetEntry(Section):
    """A group of instances of one type on one vSwitch."""

    where: ClassVar[str] = "fleet[]"
    noun: ClassVar[str] = "instance groups"
    instance_type: InstanceTypeName = Field(description="the ECS instance type")
    count: Whole(1, MAX_FLEET_COUNT) = Field(description="how many instances")
    vswitch: Text("a vswitches[].name") = Field(description=(
        "a `vswitches[].name`; each instance's primary ENI and its agent's ENIs use it"))
    max_pods: Annotated[Optional[Whole(1)], Shown("from the ENI limits")] = Field(None, description=(
        "pods per node; left out, from the limits: (EniQuantity − 1) × EniPrivateIpAddressQuantity in secondary-ip "
        "mode, (EniQuantity − 1) × (EniPrivateIpAddressQuantity − 1) × 16 in prefix mode (Terway's formulas: the "
        "primary ENI is the node's own, and in prefix mode each ENI keeps one slot for its primary IP). An instance "
        "type for which this comes out 0 is refused for a pod workload, whatever `max_pods` says: in both modes one "
        "with EniQuantity 1 (ecs.t1.xsmall), in prefix mode also one with EniPrivateIpAddressQuantity 1. In "
        "secondary-ip mode an instance type for which it comes out 11 or fewer is refused too, whatever `max_pods` "
        "says: ACK admits such a node to no cluster (\"Manage pod capacity on nodes\"; ecs.g6.large: (2 − 1) × 6 = "
        "6). A `max_pods` above the formula is allowed: like a kubelet max-pods set above the ENI limits, the pods "
        "beyond wait for an address (unless `scheduler.ip_aware`)"))

    pod_vswitches: list[Text("a vswitches[].name")] = Field([], description=(
        "the vSwitches the agents create pod ENIs on (Terway's `vswitches` for the node's zone; ACK \"Modify the "
        "vSwitch for pods\"); only those in the zone of the node's `vswitch` count, and with none there the node's "
        "own vSwitch serves; not used in prefix mode"))
    scale: list[ScaleStep] = Field([], description=(
        "node-pool scale-out during the run: `[{at: 14d, count: +10}]` launches 10 more nodes like these at 14 days "
        "(RunInstances in the group's vSwitch; if the vSwitch or a limit refuses, the nodes that fit are launched and "
        "the refusal is recorded as that limit's exhaustion); scale-in is not modelled"))

    @field_validator("max_pods", mode="wrap")
    @classmethod
    def _say_what_the_limits_give(cls, value: Any, handler: Any, info: Any) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            problem = exc.errors()[0].get("ctx", {}).get("error")
            itype = info.data.get("instance_type")
            if not isinstance(problem, Problem) or itype is None:
                raise
            given = [f"{served(load_catalog().get(itype), mode)[0]} in {mode} mode" for mode in MODES if mode != "prefix"]
            raise Problem(f"{problem.text}; leave it out to use the pods {itype}'s ENI limits address: "
                          f"{', '.join(given)} (in prefix mode it is required)") from None


_WAIT = Duration(positive=False, most=MAX_AGENT_WAIT)


def _codes(value: Any) -> Any:
    if value == "any":
        return None
    if not isinstance(value, list) or not value:
        raise Problem(f"expected a list of error codes, or any, got {show(value)}")
    for i, code in enumerate(value):
        if code not in CODES:
            raise Problem(choice_problem(code, CODES, "an error code simkit knows").split("; allowed")[0]
                          + " (docs/error-codes.md)", at=(i,))
    return frozenset(value)


RetryCodes = Annotated[Any, PlainValidator(_codes), WithJsonSchema(
    {"anyOf": [{"const": "any"}, {"type": "array", "minItems": 1, "items": {"enum": list(CODES)}}]}),
    Allowed("a list of error codes (docs/error-codes.md), or `any`")]


class Retry(Section):
    """How one action is retried (Kubernetes' `wait.Backoff`, as Terway uses it): `attempts`
    tries; before try i + 1 a wait of `backoff * factor^(i - 1) * (1 + jitter * U[0, 1))`. A key
    left out keeps Terway's value for the action."""

    where: ClassVar[str] = "agent.retries.<Action>"
    backoff: Optional[_WAIT] = Field(None, description="the first wait")
    factor: Optional[Number(0.0, MAX_RETRY_FACTOR)] = Field(None, description="each wait is this many times the last")
    jitter: Optional[Number(0.0, MAX_RETRY_FACTOR)] = Field(None, description="a wait grows by up to this share of itself, at random")
    attempts: Optional[Whole(1, MAX_RETRY_ATTEMPTS)] = Field(None, description="tries in all, the first included")
    codes: RetryCodes = Field(None, validate_default=False, description=(
        "the codes after which the call is tried again (`any`: every code)"))

    def policy(self, action: str) -> RetryPolicy:
        """Terway's policy for ``action`` with this section's keys laid on top."""
        base = TERWAY_RETRIES.get(action, DEFAULT_RETRY)
        b = base.backoff
        backoff = Backoff(b.duration if self.backoff is None else self.backoff,
                          b.factor if self.factor is None else self.factor,
                          b.jitter if self.jitter is None else self.jitter,
                          b.steps if self.attempts is None else self.attempts)
        codes = base.codes if "codes" not in self.model_fields_set else self.codes
        return RetryPolicy(backoff, codes)


class Agent(Section):
    """The node agents (Terway-like; the defaults are Terway's: `simkit.agents.AgentConfig`)."""

    where: ClassVar[str] = "agent"
    moved: ClassVar[dict[str, str]] = {f"retry_{old}": f"retries.<Action>.{new}" for old, new in (
        ("attempts", "attempts"), ("backoff", "backoff"), ("factor", "factor"), ("jitter", "jitter"))}
    ipam: Choice(IPAMS) = Field(_AGENT.ipam, description=(
        "who manages each node's addresses: `centralized`, Terway's controller (the Helm chart's default, "
        "`centralizedIPAM: true`), or `daemon`, each node's own daemon; see docs/terway.md"))
    mode: Choice(MODES) = Field(_AGENT.mode, description=(
        "`secondary-ip` (single IPs on secondary ENIs), `prefix` (/28 prefixes, which come only from the "
        "vSwitch's `reservations`; run by the centralized controller) or `exclusive-eni` (an ENI of its own for "
        "every pod, EniQuantity - 1 pods a node; run by each node's daemon, whatever `ipam` says, with its pool "
        "at 0)"))
    vswitch_selection: Choice(("ordered", "random")) = Field(_AGENT.vswitch_selection, description=(
        "how a pod vSwitch is picked for a new ENI: `ordered`, the most free addresses first by the count cached from "
        "DescribeVSwitches (the Helm chart's and ACK's choice), or `random` (Terway's code default); the cached count "
        "is not lowered as addresses go out and is read again when its cache entry expires (20 min centralized, "
        "10 min daemon)"))
    min_idle: Whole(0) = Field(_AGENT.min_idle, description="idle addresses a node keeps ready")
    max_idle: Whole(0) = Field(_AGENT.max_idle, description="idle addresses above this are given back; at least `min_idle`")
    batch: Whole(1) = Field(_AGENT.batch, description="most secondary IPs asked in one call")
    retries: dict[Choice(ACTIONS, "an API action simkit models"), Retry] = Field({}, description=(
        "how each action is retried, with the same ClientToken; a key given here changes Terway's for that action "
        "(`pkg/backoff/backoff.go`, `pkg/aliyun/client/ecs.go`): AssignPrivateIpAddresses 5 s, x1, jitter 1.3, 6 "
        "attempts, after Throttling, InternalError, Operation.Conflict; CreateNetworkInterface 10 s, x2, jitter "
        "0.3, 2 attempts, after Throttling, InternalError; AttachNetworkInterface 3 s, x1.5, jitter 0.5, 8; "
        "DetachNetworkInterface 4 s, x2, jitter 0.5, 8; DeleteNetworkInterface and UnassignPrivateIpAddresses "
        "5 s, x2, jitter 0.3, 6, each after any error; other actions 2 s, x1.5, jitter 0.3, 6, after Throttling "
        "and InternalError"))
    pool_sync_period: Duration(least=1.0, most=MAX_AGENT_WAIT) = Field(_seconds_default(_AGENT.pool_sync_period), description=(
        "the daemon's pool sync (`ip_pool_sync_period`): idle addresses above `max_idle` go back and the pool is "
        "topped up to `min_idle` at start and then every period x (1 + U[0, 1)), 120 to 240 s by default"))
    gc_period: Duration(least=1.0, most=MAX_AGENT_WAIT) = Field(_seconds_default(_AGENT.gc_period), description=(
        "the controller's pool period (`multiIPGCPeriod`): it releases idle addresses above `max_idle` at most this "
        "often, and reconciles each node at least this often"))
    block_exhausted: Annotated[Optional[_WAIT], Shown("20m centralized, 10m daemon")] = Field(None, description=(
        "how long a vSwitch that ran out of addresses is left alone: by the controller for every node "
        "(`vSwitchCacheTTL`), by the daemon for its node (its vSwitch cache TTL; after an Assign, that ENI)"))
    block_eni_limit: _WAIT = Field(_seconds_default(_AGENT.block_eni_limit), description=(
        "the daemon creates no ENI for this long after EniPerInstanceLimitExceeded"))
    prefix_count: Optional[Whole(1)] = Field(None, description=(
        "prefix mode: the /28 prefixes Terway's controller keeps on each node (`ipv4_prefix_count`), at most "
        "(EniQuantity - 1) x (EniPrivateIpAddressQuantity - 1) for the fleet's types; required in prefix mode, "
        "where the pool settings do not apply and prefixes are never given back (docs/terway.md)"))
    give_up_backoff: _WAIT = Field(_seconds_default(_AGENT.give_up_backoff), description=(
        "when the daemon asks again after any other refusal, once the retries ran out (kubelet's retry of the pod; "
        "a choice)"))

    @field_validator("retries", mode="before")
    @classmethod
    def _retries_table(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise Problem(f"expected a mapping of API action to how it is retried (backoff, factor, jitter, attempts, "
                          f"codes), got {show(value)}")
        return value

    @model_validator(mode="after")
    def _pool(self) -> "Agent":
        if self.min_idle > self.max_idle:
            raise Problem(f"{self.min_idle} is more than max_idle ({self.max_idle}); allowed: at most max_idle",
                          at=("min_idle",))
        return self

    def config(self) -> AgentConfig:
        """The agents' settings."""
        kwargs = {name: getattr(self, name) for name in type(self).model_fields}
        kwargs["retries"] = MappingProxyType({**TERWAY_RETRIES, **{a: r.policy(a) for a, r in self.retries.items()}})
        return AgentConfig(**kwargs)


class Scheduler(Section):
    """How pods are placed on nodes (`simkit.agents.SchedulerConfig`). Nodes are tried
    round-robin; a node takes a pod while it runs fewer than its max pods and, when pods request
    them, has the CPU and memory left."""

    where: ClassVar[str] = "scheduler"
    ip_aware: Flag = Field(_SCHEDULER.ip_aware, description=(
        "IP-aware scheduling, as ACK Pro's kube-scheduler does it (ACK \"Schedule pods based on idle vSwitch IP "
        "addresses\"): no pod is placed on a node whose agent found its vSwitch out of addresses (Terway then sets "
        "the node's `SufficientIP` condition false), for `ip_condition_period` or until a pod's address is released "
        "on that node; and no node takes more pods than its ENIs address (the `k8s.aliyun.com/max-available-ip` "
        "annotation: Terway's formula, see `fleet[].max_pods`), whatever `fleet[].max_pods` says. A pod that finds "
        "no node for that reason waits for one (`fleet_addresses`; see \"IP-aware scheduling\"). Off by default in "
        "simkit, so that runs compare with a cluster without it and a sweep can compare both; on ACK Pro it is on: "
        "\"automatically enabled\" once Terway is 1.5.7 or later and kube-scheduler recent enough"))
    ip_condition_period: _WAIT = Field(_seconds_default(_SCHEDULER.ip_condition_period), description=(
        "with `ip_aware`, how long a node is skipped after its agent found the vSwitch out of addresses, unless "
        "a pod's address is released on it first (Terway's daemon: 10 minutes, `ipExhaustiveConditionPeriod`); "
        "not extended while it runs"))

    def config(self) -> SchedulerConfig:
        """The scheduler's settings."""
        return SchedulerConfig(**{name: getattr(self, name) for name in type(self).model_fields})


class Lifetime(Section):
    """A lognormal lifetime, by its median and 90th percentile."""

    where: ClassVar[str] = "workload.lifetime"
    median: Duration(least=MIN_LIFETIME, most=MAX_LIFETIME) = Field(description="half the pods live shorter")
    p90: Duration(least=MIN_LIFETIME, most=MAX_LIFETIME) = Field(description="90 % live shorter; longer than the median")

    @model_validator(mode="after")
    def _spread(self) -> "Lifetime":
        if self.p90 <= self.median:
            raise Problem(f"must be longer than the median ({self.median:g} s), got {self.p90:g} s", at=("p90",))
        return self


class Diurnal(Section):
    """A daily cycle of the arrival rate: `arrival_rate * (1 + amplitude * cos(2 * pi * (t - peak) / period))`."""

    where: ClassVar[str] = "workload.diurnal"
    amplitude: Number(0.0, 0.999) = Field(description="how far the rate swings around `arrival_rate`")
    period: Duration(least=MIN_PERIOD) = Field("1d", description="the cycle's length")
    peak: Duration(positive=False) = Field(0, description="when in the cycle the rate is highest")


class Burst(Section):
    """Extra pods arriving at once, or spread evenly over `over`."""

    where: ClassVar[str] = "workload.bursts[]"
    noun: ClassVar[str] = "bursts"
    at: Duration(positive=False, text="0 or longer, before duration ends") = Field(description=(
        "when the burst starts"))
    pods: Whole(1, MAX_PODS) = Field(description="how many pods")
    over: Duration(positive=False) = Field(0, description="spread over this long; the burst ends by `duration`")


class PodChurn(Section):
    """`kind: pod-churn`: synthetic pods with Poisson arrivals and lognormal lifetimes."""

    where: ClassVar[str] = "workload (kind: pod-churn)"
    kind: Literal["pod-churn"] = Field(description="synthetic churn")
    arrival_rate: ArrivalRate() = Field(description=(
        "Poisson arrivals: a rate, or a schedule of rates by time of the run (`{0d: 1/s, 30d: 1.5/s}`: linear "
        "between the times, the first rate before the first time, the last after the last)"))
    lifetime: Lifetime = Field(description="`{median, p90}` of a lognormal lifetime")
    diurnal: Optional[Diurnal] = Field(None, description="a daily cycle of the arrival rate")
    bursts: list[Burst] = Field([], description="extra pods at given times")
    cpu_milli: Optional[Whole(0)] = Field(None, description="CPU request of every pod (the scheduler then checks CPU)")
    memory_mib: Optional[Whole(0)] = Field(None, description="memory request of every pod (the scheduler then checks memory)")
    growth: Optional[Growth()] = Field(None, description=(
        "a trend on top of `arrival_rate`: the rate times (1 + g)^(t / period), e.g. `+5%/week`, `-1%/day`, "
        "`+20%/30d`; Poisson arrivals then come by thinning from the run's highest rate"))
    arrivals: Choice(("poisson", "regular")) = Field("poisson", description=(
        "`poisson`, or `regular`: evenly spaced, each pod 1/rate after the one before (the rate read at the previous "
        "arrival), for hand-checked runs"))

    def rate_points(self) -> tuple[tuple[float, float], ...] | None:
        """The schedule as ((seconds, pods/s), ...), or None when ``arrival_rate`` is one rate."""
        return self.arrival_rate if isinstance(self.arrival_rate, tuple) else None

    def peak_rate(self, duration: float) -> float:
        """A rate the arrivals never exceed within ``duration`` (before any diurnal cycle): the
        schedule's highest times the growth at its highest."""
        points = self.rate_points()
        base = max(r for _, r in points) if points else self.arrival_rate
        if self.growth is None:
            return base
        fraction, period = self.growth
        return base * max(1.0, (1.0 + fraction) ** (duration / period))


class PodTrace(Section):
    """`kind: pod-trace`: a CSV of pod lifecycles, rows in any order (see "Pod traces")."""

    where: ClassVar[str] = "workload (kind: pod-trace)"
    kind: Literal["pod-trace"] = Field(description="a trace of pods")
    path: Text("the path of a CSV file") = Field(description="relative to the scenario file")
    start_column: Text("a column name") = Field(description="start times (in `time_unit`); a row with no start never starts")
    end_column: Text("a column name") = Field(description="end times; a row with no end lives to the end of the run")
    name_column: Optional[Text("a column name")] = Field(None, description="pod names")
    cpu_column: Optional[Text("a column name")] = Field(None, description="CPU requests (millicores)")
    memory_column: Optional[Text("a column name")] = Field(None, description="memory requests (MiB)")
    time_unit: Choice(TIME_UNITS) = Field("s", description="the unit of the start and end columns")


class ApiCalls(Section):
    """`kind: api-calls`: a log of API calls replayed through `Cloud.call` (see "What a workload file must be")."""

    where: ClassVar[str] = "workload (kind: api-calls)"
    kind: Literal["api-calls"] = Field(description="a log of API calls")
    path: Text("the path of a JSONL or JSON file") = Field(description=(
        "simkit JSONL (`time`, `action`, `params`, optional `creates`) or ActionTrail records (JSONL, a JSON array, "
        "or LookupEvents' `{\"Events\": [...]}`); ids the log created are mapped to the simulated ones, and ids it "
        "never created stand for the scenario's vSwitches, VPC, security group and instances in order of "
        "appearance"))


WORKLOADS: dict[str, type[Section]] = {"pod-churn": PodChurn, "pod-trace": PodTrace, "api-calls": ApiCalls}
Workload = Annotated[Union[PodChurn, PodTrace, ApiCalls], Field(discriminator="kind")]


class Limits(Section):
    """Account limits."""

    where: ClassVar[str] = "limits"
    throttle_per_minute: Table(ACTIONS, "an API action simkit models", Whole(1),
                               "API action to calls per minute per region") = Field({}, description=(
        "calls per minute per region, by action; no throttling unless set (Alibaba publishes no defaults)"))
    account_eni_quota: Optional[Whole(0)] = Field(_CLOUD.account_eni_quota, description=(
        "secondary ENIs per region (the 2021 docs said 100); none: no limit"))
    security_group_ip_capacity: Optional[Whole(0)] = Field(_CLOUD.security_group_ip_capacity, description=(
        "private addresses on the ENIs of a basic (`normal`) security group: each primary and secondary address, one "
        "per /28 prefix (ECS \"Basic and advanced security groups\", Apr 2026; older pages said 2,000); past it, "
        "SecurityGroupInstanceLimitExceed (a code chosen: no source names one); null: no limit"))
    security_group_capacity: Optional[Whole(0)] = Field(_CLOUD.security_group_capacity, description=(
        "ENIs per security group (65,536: an advanced group's capacity, same page; a basic group reaches "
        "`security_group_ip_capacity` first); null: no limit"))
    security_groups_per_eni: Optional[Whole(1)] = Field(_CLOUD.security_groups_per_eni, description=(
        "security groups one ENI may be in (ECS \"Manage ENIs in security groups\": 5 by default); null: no limit"))
    vswitches_per_vpc: Optional[Whole(0)] = Field(_CLOUD.vswitches_per_vpc, description=(
        "vSwitches in the VPC (VPC quotas page, vpc_quota_vswitches_num; CreateVSwitch refuses the next with "
        "QuotaExceeded.VSwitch); null: no limit"))
    vpc_private_ips: Optional[Whole(0)] = Field(_CLOUD.vpc_private_ips, description=(
        "private addresses used by cloud resources in the VPC, counted as for a basic group (VPC quotas page); past "
        "it, QuotaExceeded.PrivateIpAddress (a code chosen: the page names none); null: no limit"))
    reservations_per_vpc: Optional[Whole(0)] = Field(_CLOUD.reservations_per_vpc, description=(
        "reserved IPv4 CIDR blocks in the VPC (the VPC quotas page and the current Chinese and Spanish "
        "CreateVSwitchCidrReservation pages); null: no limit"))
    reservations_per_vswitch: Optional[Whole(0)] = Field(_CLOUD.reservations_per_vswitch, description=(
        "reserved IPv4 CIDR blocks per vSwitch: none by default; the English CreateVSwitchCidrReservation page still "
        "says 10 per vSwitch, which is `reservations_per_vswitch: 10, reservations_per_vpc: null`"))
    available_eni_max_secondary: Whole(1) = Field(_CLOUD.available_eni_max_secondary, description=(
        "secondary IPs on an unattached ENI"))
    client_token_ttl: Optional[Duration(nullable=True)] = Field(DEFAULT_TOKEN_TTL, description=(
        "how long ClientTokens are remembered in a replay (the real validity is not published); null: for the "
        "whole run"))


_CLOUD_SECONDS = Duration(positive=False, most=MAX_CLOUD_SECONDS)


class Cloud(Section):
    """Other settings of the simulated cloud (`simkit.CloudSettings`)."""

    where: ClassVar[str] = "cloud"
    max_named_ips_per_call: Whole(1) = Field(_CLOUD.max_named_ips_per_call, description=(
        "PrivateIpAddress.N an Assign call may name"))
    max_prefixes_per_call: Whole(1) = Field(_CLOUD.max_prefixes_per_call, description=(
        "Ipv4Prefix.N / Ipv4PrefixCount in one call"))
    ip_exhausted_code: Choice(IP_EXHAUSTED_CODES) = Field(_CLOUD.ip_exhausted_code, description=(
        "the code Assign returns when the vSwitch has too few free IPs (the sources name both)"))
    available_ip_count_includes_reserved: Flag = Field(_CLOUD.available_ip_count_includes_reserved, description=(
        "whether DescribeVSwitches' AvailableIpAddressCount counts free addresses inside CIDR reservations"))
    eni_attach_seconds: _CLOUD_SECONDS = Field(_CLOUD.eni_attach_seconds, description="how long an ENI takes to attach")
    eni_detach_seconds: _CLOUD_SECONDS = Field(_CLOUD.eni_detach_seconds, description="how long an ENI takes to detach")
    eni_delete_seconds: _CLOUD_SECONDS = Field(_CLOUD.eni_delete_seconds, description="how long an ENI takes to delete")
    reservation_assign_seconds: _CLOUD_SECONDS = Field(_CLOUD.reservation_assign_seconds, description=(
        "how long a CIDR reservation takes to become usable"))
    instance_start_seconds: _CLOUD_SECONDS = Field(_CLOUD.instance_start_seconds, description="how long an instance takes to start")
    instance_stop_seconds: _CLOUD_SECONDS = Field(_CLOUD.instance_stop_seconds, description="how long an instance takes to stop")


class Slo(Section):
    """What counts as served in time, and the targets a report's verdict judges a run by."""

    where: ClassVar[str] = "slo"
    pod_wait: Duration(positive=False) = Field(_seconds_default(DEFAULT_SLO_POD_WAIT), description=(
        "how long a pod may wait for its address and still count as served in time (see \"Pod outcomes\")"))
    pod_failure_rate: _RATE = Field(DEFAULT_SLO_POD_FAILURE_RATE, description=(
        "the verdict's target for the pod failure rate: a run meets it when at most this share of the pods that "
        "arrived failed (see \"The verdict\")"))
    pod_wait_p99: Annotated[Optional[Duration(positive=False)], Shown("`pod_wait`")] = Field(
        None, description="the verdict's target for the 99th percentile of pod waits, unserved pods counted; left out: `pod_wait`")
    api_error_rate: _RATE = Field(DEFAULT_SLO_API_ERROR_RATE, description=(
        "the verdict's target for the API error rate: a run meets it when at most this share of its API calls "
        "were refused"))

    def targets(self) -> dict[str, float]:
        """The verdict's targets: ``pod_failure_rate``, ``pod_wait_p99`` (seconds) and
        ``api_error_rate``."""
        p99 = self.pod_wait if self.pod_wait_p99 is None else self.pod_wait_p99
        return {"pod_failure_rate": self.pod_failure_rate, "pod_wait_p99": p99, "api_error_rate": self.api_error_rate}


class Scenario(Section):
    """A scenario: what to build (a VPC, vSwitches with CIDR reservations, a fleet of instances)
    and what to replay against it."""

    where: ClassVar[str] = "top level"
    name: Text() = Field("scenario", description="shown in summaries and reports")
    seed: Whole(0) = Field(0, description=(
        "seeds every random choice; the same scenario and seed give the same results, bit for bit"))
    region: Choice(REGIONS, "a region simkit knows") = Field("cn-hangzhou", description=(
        "an Alibaba Cloud region id (IPv4 prefixes only in the regions that support them)"))
    duration: Duration(most=MAX_DURATION) = Field("1d", description="simulated time to replay")
    sample_every: Duration(text=f"at least {MIN_SAMPLE_EVERY:g} s, at most the duration, and at most "
                                f"{MAX_SAMPLES:,} samples a run") = Field("5m", description=(
        f"how often the per-vSwitch figures are sampled: at most `duration`, and at most {MAX_SAMPLES:,} samples a run"))
    vpc: Vpc = Field({"cidr": "10.0.0.0/8"}, description="the VPC")
    security_group: SecurityGroup = Field({}, description="the fleet's security group")
    vswitches: Annotated[list[VSwitch], Field(min_length=1)] = Field(description="the vSwitches")
    placement: Choice(POLICIES) = Field(_CLOUD.placement, description=(
        "how a free IP is picked: `random`, `lowest` or `pack` (fills partly used /28 blocks first)"))
    fleet: Annotated[list[FleetEntry], Field(min_length=1)] = Field(description="groups of instances")
    agent: Agent = Field({}, description="the node agents")
    scheduler: Scheduler = Field({}, description="how pods are placed on nodes")
    workload: Workload = Field(description="what to replay: `kind` is `pod-churn`, `pod-trace` or `api-calls`")
    faults: FaultTable = Field({}, description=(
        "injected errors: `{Code: rate}` for every action, or `{Action: {Code: rate}}`; codes from "
        "[error-codes.md](error-codes.md); drawn from the seeded generator"))
    setup_meets_faults: Flag = Field(False, description=(
        "whether building the scenario (VPC, vSwitches, security group, instances) meets `faults` and "
        "`limits.throttle_per_minute` too; false: they apply to the workload only, and a set-up call they refuse "
        "would otherwise fail the run"))
    limits: Limits = Field({}, description="account limits")
    cloud: Cloud = Field({}, description="other settings of the simulated cloud")
    slo: Slo = Field({}, description="what counts as served in time, and the verdict's targets")
    state: Annotated[Optional[Text("the path of a simkit state file (JSON)")], Shown("none: an empty account")] = Field(
        None, description=(
            "a state file (`simkit import`'s, or a saved `Cloud.snapshot()`; format in [state.md](state.md)) restored "
            "before the layout is built, relative to the scenario file: its resources stay as they are, holding "
            "their addresses; the scenario's VPC and vSwitches with the state's CIDR blocks are the state's own, "
            "their reservations too, and the fleet is the nodes the run launches beside today's"))

    @field_validator("workload", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        # pydantic picks the kind before a section checks its keys: say what a workload is here.
        kind = value.get("kind") if isinstance(value, dict) else None
        if not isinstance(value, dict):
            raise Problem(f"expected a mapping with a kind ({', '.join(WORKLOADS)}), got {show(value)}")
        if isinstance(kind, str) and kind in WORKLOADS:
            return value
        raise Problem("is required; allowed: " + ", ".join(WORKLOADS) if "kind" not in value else
                      choice_problem(kind, tuple(WORKLOADS)), at=("kind",))

    @model_validator(mode="after")
    def _across(self) -> "Scenario":
        check_across(self)
        return self


def json_schema() -> dict:
    """The JSON Schema of the scenario file (draft 2020-12), as shipped in ``SCHEMA_PATH``."""
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://simkit.dev/scenario.schema.json", **schema}


def json_schema_text() -> str:
    """``json_schema()`` as the shipped file's text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
