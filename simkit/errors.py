"""The error registry: one row per API error code, and the exception every refused call raises.

Each row gives the code verbatim, its HTTP status, a message template, the API actions it
belongs to, and the condition under which simkit raises it - or, when it cannot arise in a
simulation, why not and how a scenario injects it (``faults: {Code: rate}``).

The codes of the AssignPrivateIpAddresses page (``../shared/reference/
AssignPrivateIpAddresses.txt``) all have a row (a test parses the page's table and checks);
codes of the companion APIs come from the sources named in their row. Where a source gives
no code for a condition, simkit uses the generic ``InvalidParameter`` with a message naming
the parameter and what is allowed, rather than inventing a code.

``docs/error-codes.md`` is generated from this table (``simkit error-codes``).
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

__all__ = ["ApiError", "ErrorCode", "QUOTED", "REGISTRY", "api_error", "quoted", "render_markdown"]

#: How much of a value a message quotes, so that it stays one readable line.
QUOTED = 60
_SHORT = reprlib.Repr()  # (Python 3.11's Repr takes no arguments: its limits are attributes)
_SHORT.maxlevel = 3
_SHORT.maxtuple = _SHORT.maxlist = _SHORT.maxdict = _SHORT.maxset = _SHORT.maxfrozenset = 4


def quoted(value: Any) -> str:
    """``value`` as a message quotes it, in every layer: its repr, cut to ``QUOTED`` characters
    ("..." marks the cut). A container is written by reprlib, which stops at a few items a level,
    so a nested YAML value ("billion laughs") that stands for millions of items is never spelled
    out before being cut; an integer too long for Python to write out (over 4,300 digits) is
    described instead.

    >>> quoted("9" * 400)[:12], len(quoted("9" * 400))
    ("'99999999999", 60)
    """
    try:
        shown = _SHORT.repr(value) if isinstance(value, (list, dict, tuple, set, frozenset)) else repr(value)
    except ValueError:  # sys.get_int_max_str_digits(): an int of thousands of digits
        shown = f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    return shown if len(shown) <= QUOTED else shown[:QUOTED - 3] + "..."

ASSIGN = "AssignPrivateIpAddresses"
UNASSIGN = "UnassignPrivateIpAddresses"
CREATE_ENI = "CreateNetworkInterface"
ATTACH = "AttachNetworkInterface"
DETACH = "DetachNetworkInterface"
DELETE_ENI = "DeleteNetworkInterface"
DESCRIBE_ENIS = "DescribeNetworkInterfaces"
RUN = "RunInstances"
START = "StartInstance"
STOP = "StopInstance"
DELETE_INSTANCE = "DeleteInstance"
CREATE_VPC = "CreateVpc"
CREATE_VSWITCH = "CreateVSwitch"
DESCRIBE_VSWITCHES = "DescribeVSwitches"
CREATE_RESERVATION = "CreateVSwitchCidrReservation"
LIST_RESERVATIONS = "ListVSwitchCidrReservations"
RESERVATION_USAGE = "GetVSwitchCidrReservationUsage"
CREATE_SG = "CreateSecurityGroup"
DESCRIBE_TYPES = "DescribeInstanceTypes"
ALL = "*"

PAGE = "AssignPrivateIpAddresses page (shared/reference)"
FACTS = "alibaba-facts.md"
RESEARCH = "docs/research/error-codes-sources.md"
#: The limits that bind real clusters (issue 10 point 11), quoted with their dates.
LIMITS = "docs/research/limits-sources.md"
#: The capacities of basic and advanced groups: ECS "Basic and advanced security groups", Apr 27 2026.
SG_PAGE = "ECS 'Basic and advanced security groups' (Apr 27 2026), " + LIMITS
#: The VPC quotas (help.aliyun.com/zh/vpc/understanding-vpc-quotas-in-alibaba-cloud, 限制与配额).
VPC_QUOTAS = "VPC quotas page (zh, 限制与配额), " + LIMITS


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One row of the registry."""

    code: str
    http_status: int
    message: str  # str.format template; {} fields are filled in order
    apis: tuple[str, ...]
    condition: str  # when simkit raises it, or why it cannot arise and how to inject it
    arises: bool  # True when some call can provoke it without fault injection
    source: str


class ApiError(Exception):
    """A refused API call: ``code`` and ``http_status`` as the real API returns them.

    ``request_id`` is set by the caller that issued the request (``Cloud.call``). ``limit``
    names the simkit limit that refused the call, when one did and its code alone does not say
    which (``SecurityGroupInstanceLimitExceed`` is raised by a basic group's address capacity
    and by a group's ENI capacity): ``security_group_addresses``, ``security_group_enis``,
    ``vpc_private_ips``, ``vpc_vswitches``, ``vpc_reservations``, ``vswitch_reservations``
    (docs/scenario.md, "The summary": ``exhaustion``); None otherwise. It is simkit's, not the
    wire's: rendered bodies do not carry it.
    """

    def __init__(self, code: str, http_status: int, message: str, request_id: str | None = None,
                 limit: str | None = None):
        super().__init__(f"{code} (HTTP {http_status}): {message}")
        self.code = code
        self.http_status = http_status
        self.message = message
        self.request_id = request_id
        self.limit = limit

    def __reduce__(self):  # keep code/status/message through pickling (process pools, Dask)
        return (type(self), (self.code, self.http_status, self.message, self.request_id, self.limit))


def _row(code, status, message, apis, condition, arises=True, source=PAGE) -> ErrorCode:
    return ErrorCode(code, status, message, tuple(apis), condition, arises, source)


_INJECT = "Cannot arise in a simulation of one account; a scenario injects it with faults: {{{code}: rate}}."

_ROWS = [
    # ---- generic request validation and gateway
    _row("InvalidAction", 400, "The specified action {} is not valid.", [ALL],
         "The action is not one simkit simulates."),
    _row("UnsupportedParameter", 400, "The parameter {} is not supported by {}.", [ALL],
         "A parameter the action does not take (names are case-sensitive)."),
    _row("MissingParameter", 400, "The input parameter {} that is mandatory for processing this request is not supplied.", [ALL],
         "A required parameter is absent (the page lists this code with HTTP 400 and 403; simkit returns 400)."),
    _row("InvalidParameter", 400, "The specified parameter {} is not valid: {}", [ALL],
         "A value of the wrong type or outside its documented range, where the sources give no more specific code "
         "(the message names the parameter and what is allowed). Among them, limits no source gives a code for: a CIDR "
         "reservation past limits.reservations_per_vpc (100) or limits.reservations_per_vswitch (none unless set; "
         "the English page's 10); more security groups on one ENI than limits.security_groups_per_eni (5), or groups "
         "of both types on one ENI."),
    _row("InvalidParameter.Conflict", 400, "The specified parameters conflict: {}", [ASSIGN, CREATE_ENI, UNASSIGN],
         "PrivateIpAddress.N with SecondaryPrivateIpAddressCount, Ipv4Prefix.N with Ipv4PrefixCount, or single IPs "
         "and prefixes in one call (Terway: ECS does not take both in one request)."),
    _row("Forbidden.RegionId", 400, "The service is unavailable in the region {}.", [ALL],
         "RegionId is not an Alibaba Cloud public region simkit knows (simkit.catalog.REGIONS)."),
    _row("Throttling", 400, "Request was denied due to request throttling.", [ALL],
         "More calls of one API in one region within a one-minute window than limits.throttle_per_minute allows "
         "(no throttling unless a limit is set: Alibaba publishes no defaults)."),
    _row("InternalError", 500, "The request processing has failed due to some unknown error, exception or failure.", [ALL],
         "Injected by faults: {InternalError: rate} from the seeded generator.", arises=False),
    _row("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server.", [ALL],
         "Injected by faults: {ServiceUnavailable: rate}.", arises=False, source=FACTS + " §3.3 (common 5xx errors)"),
    _row("IdempotentParameterMismatch", 400, "The request uses the same client token as a previous, but non-identical request.",
         [ASSIGN, CREATE_ENI, RUN, CREATE_VPC, CREATE_VSWITCH, CREATE_RESERVATION, CREATE_SG],
         "A ClientToken already used with other parameters for the same action in the same region.",
         source=FACTS + " §3.3 (How to ensure idempotence)"),
    _row("InvalidUserType.NotSupported", 403, "Your account does not support this operation.", [ASSIGN],
         _INJECT.format(code="InvalidUserType.NotSupported"), arises=False),
    _row("Abs.InvalidAccount.NotFound", 403, "Your Alibaba Cloud account does not exist or your AccessKey pair has expired.", [ASSIGN],
         _INJECT.format(code="Abs.InvalidAccount.NotFound"), arises=False),
    _row("Forbidden.NotSupportRAM", 403, "RAM users are not authorized to perform this operation.", [ASSIGN],
         _INJECT.format(code="Forbidden.NotSupportRAM"), arises=False),
    _row("Forbidden.SubUser", 403, "You are not authorized to manage this resource.", [ASSIGN],
         _INJECT.format(code="Forbidden.SubUser"), arises=False),
    _row("InvalidOperation.Unsupported", 400, "The operation is not supported: {}", [ASSIGN],
         "No documented condition maps to it; a scenario injects it with faults.", arises=False),
    # ---- identifiers and lookups
    _row("InvalidEniId.Malformed", 400,
         'The specified parameter "NetworkInterfaceId" is not valid. Ensure you provide the full ENI id in the form eni-xxx.',
         [ASSIGN, UNASSIGN, ATTACH, DETACH, DELETE_ENI], "NetworkInterfaceId does not start with eni-."),
    _row("InvalidEniId.NotFound", 404, "The specified NetworkInterfaceId {} does not exist.",
         [ASSIGN, UNASSIGN, ATTACH, DETACH, DELETE_ENI], "No ENI with that id in the region."),
    _row("InvalidInstanceID.Malformed", 400, "The specified InstanceId {} is not valid.",
         [ATTACH, DETACH, START, STOP, DELETE_INSTANCE, DESCRIBE_ENIS], "InstanceId does not start with i-."),
    _row("InvalidEcsId.NotFound", 404, "The specified instance {} does not exist.", [ATTACH, DETACH],
         "No instance with that id in the region (the ENI attach/detach APIs name it so)."),
    _row("InvalidInstanceId.NotFound", 404, "The specified InstanceId {} does not exist.", [START, STOP, DELETE_INSTANCE],
         "No instance with that id in the region (the instance APIs name it so).", source=PAGE + "; " + RESEARCH),
    _row("InvalidVSwitchId.NotFound", 404, "The specified vSwitch {} does not exist.",
         [CREATE_ENI, RUN, CREATE_RESERVATION, DESCRIBE_VSWITCHES], "No vSwitch with that id in the region."),
    _row("InvalidSecurityGroupId.NotFound", 404, "The specified security group {} does not exist.", [CREATE_ENI, RUN],
         "No security group with that id in the region."),
    _row("InvalidVpcId.NotFound", 404, "Specified VPC {} does not exist.", [CREATE_VSWITCH, CREATE_SG],
         "No VPC with that id in the region.", source=RESEARCH + " (VPC and ECS docs)"),
    _row("InvalidZoneId.NotFound", 404, "The specified zone {} does not exist in {}.", [CREATE_VSWITCH],
         "ZoneId is not one of the region's zones in data/zones.csv (a region the file does not list accepts <RegionId>-<letter> or <RegionId><letter>).",
         source=RESEARCH + " (VPC CreateVSwitch doc)"),
    _row("InvalidCidrBlock.Malformed", 400, "Specified CIDR block {} is not valid.", [CREATE_VSWITCH],
         "CidrBlock is not a strict CIDR block.", source=RESEARCH + " (VPC CreateVSwitch doc)"),
    _row("InvalidCirdrBlock.MaskLength", 400, "The mask of CIDR block {} must be /16 to /29.", [CREATE_VSWITCH],
         "The vSwitch CIDR mask is outside /16-/29 (the code's spelling is Alibaba's; mapping it to the mask length "
         "is an interpretation of a doc that says 'CIDR format incorrect').", source=RESEARCH + " (VPC CreateVSwitch doc)"),
    _row("InvalidCidrBlock.Overlapped", 400, "Specified CIDR block {} is overlapped with other subnets ({}).", [CREATE_VSWITCH],
         "The CIDR overlaps another vSwitch of the VPC.", source=RESEARCH + " (VPC CreateVSwitch doc)"),
    _row("QuotaExceeded.VSwitch", 400, "Virtual switch quota exceeded: VPC {} holds {} vSwitches.", [CREATE_VSWITCH],
         "The VPC already holds limits.vswitches_per_vpc vSwitches (150: the VPC quotas page, "
         "vpc_quota_vswitches_num, and the CreateVSwitch page).",
         source=RESEARCH + " (VPC CreateVSwitch doc); the limit: " + VPC_QUOTAS),
    _row("Conflict.VSwitchCidrReservationMaskAndVSwitchCidrReservationCidr", 400,
         "VSwitchCidrReservationMask and VSwitchCidrReservationCidr cannot be given together.", [CREATE_RESERVATION],
         "Both VSwitchCidrReservationCidr and VSwitchCidrReservationMask are given (neither: MissingParameter).",
         source=RESEARCH + " (VPC error-code page)"),
    _row("InvalidInstanceType.ValueNotSupported", 400, "The specified InstanceType {} is not supported: {}", [RUN],
         "The instance type is not in simkit's catalog, or the catalog has no ENI/IP limits for it.",
         source=RESEARCH + " (ECS RunInstances 2021 doc)"),
    _row("InvalidParam.Amount", 403, "The specified Amount {} is not valid (1 to 100).", [RUN],
         "Amount outside 1-100.", source=RESEARCH + " (ECS RunInstances 2021 doc)"),
    _row("InvalidParameter.Mismatch", 400, "Specified {} does not match: {}.", [RUN],
         "ZoneId is not the vSwitch's zone, or a security group is in another VPC than the vSwitch.",
         source=RESEARCH + " (ECS RunInstances 2021 doc)"),
    _row("InvalidSecurityGroupId.NotVpc", 403, "The security group {} is not of the VPC network type.", [CREATE_ENI, RUN],
         "The security group was created without a VpcId (a classic-network group)."),
    _row("InvalidOperation.VpcMismatch", 403, "The VPC of {} does not match the VPC of {}.", [CREATE_ENI, ATTACH],
         "The security group and the vSwitch, or the ENI and the instance, belong to different VPCs."),
    _row("InvalidOperation.AvailabilityZoneMismatch", 403, "The zone of ENI {} ({}) does not match the zone of instance {} ({}).",
         [ATTACH], "The ENI's vSwitch is in another zone than the instance."),
    _row("SecurityGroupInstanceLimitExceed", 403, "Exceeding the allowed amount of instances of a security group: {} {}.",
         [CREATE_ENI, RUN, ASSIGN],
         "A new ENI would take a group past limits.security_group_capacity ENIs (65,536: an advanced group's "
         "capacity; applied to every group, a basic one reaches its address capacity first); or a call (RunInstances' "
         "primary ENIs, CreateNetworkInterface with its secondaries or prefixes, AssignPrivateIpAddresses) would take "
         "the private IPv4 addresses on a basic (normal) group's ENIs past limits.security_group_ip_capacity (6,000; "
         "the primary and secondary addresses, one per /28 prefix). For the address capacity the code is chosen, not "
         "sourced: no source names the code for a full basic group; this is the documented code for a full group.",
         source=RESEARCH + " (ECS RunInstances 2021 doc); " + FACTS + " §3.2 (CreateNetworkInterface); capacities: " + SG_PAGE),
    # ---- ENI and instance states
    _row("InvalidOperation.InvalidEniState", 400, "The operation is not allowed in the current state of ENI {}: {}.",
         [ASSIGN, UNASSIGN, ATTACH, DETACH, DELETE_ENI],
         "Assign/Unassign on an ENI being deleted; Attach on an ENI that is not Available; Detach on an ENI that is "
         "not attached to that instance; Delete on an ENI that is not Available, or on a primary ENI."),
    _row("Operation.Conflict", 403, "The operation conflicts with another operation in progress on {}: {}. Try again later.",
         [ASSIGN, UNASSIGN, ATTACH, DELETE_ENI],
         "The ENI has an attach or detach in flight (Attaching or Detaching) when the call arrives."),
    _row("InvalidOperation.InvalidEcsState", 400, "The operation is not allowed in the current state of instance {}: {}.",
         [ASSIGN, UNASSIGN, ATTACH, DETACH],
         "Assign/Unassign on a primary ENI, or Attach/Detach, while the instance is neither Running nor Stopped."),
    _row("IncorrectInstanceStatus", 403, "The current status of the resource does not support this operation: {} is {}.",
         [START, STOP, DELETE_INSTANCE],
         "Start on an instance that is not Stopped; Stop on one that is not Running; Delete on one that is not "
         "Stopped, without Force (that last mapping is an interpretation: the doc only says Force=false needs Stopped).",
         source=RESEARCH + " (ECS 2021 docs)"),
    _row("InvalidOperation.DetachPrimaryEniNotAllowed", 400, "The primary ENI {} cannot be detached.", [DETACH],
         "DetachNetworkInterface names a primary ENI."),
    _row("InvalidStatus.InstanceIsMigrating", 400, "The ECS which ENI is attached to is migrating. Please try again later.",
         [ASSIGN, UNASSIGN], "The ENI's instance is marked as migrating (simulation knob set_instance_migrating)."),
    _row("InvalidOperation.InstanceNotSupportMulitipleIp", 400, "Assigning private ip for instance in cloud box is unsupported.",
         [ASSIGN], "The ENI's instance is marked as a cloud-box instance (simulation knob set_instance_cloud_box)."),
    _row("InvalidOperation.EniServiceManaged", 403, "The ENI {} is managed by a cloud service.", [ASSIGN, UNASSIGN, DELETE_ENI],
         "The ENI is marked as service-managed (simulation knob set_eni_service_managed)."),
    _row("InvalidOperation.InvalidEniType", 403, "The operation is not supported for the type of ENI {}.", [ASSIGN],
         "No documented ENI type refuses secondary IPs among those simkit models; a scenario injects it with faults.",
         arises=False),
    _row("IncorrectVSwitchStatus", 400,
         'The operation is not allowed in the current VSwitch state. Expecting state includes "Created Available", but current state is "{}".',
         [ASSIGN], "The ENI's vSwitch is Pending (simulation knob set_vswitch_status)."),
    _row("InvalidVSwitch.IllegalStatus", 400,
         'The operation is not allowed in the current VSwitch state. Expecting state includes "Created", but current state is "{}".',
         [CREATE_ENI, RUN, CREATE_RESERVATION], "A new ENI, instance or reservation in a Pending vSwitch."),
    # ---- limits
    _row("MaxEniCountExceeded", 403, "The maximum number of ENIs in region {} has been reached ({}).", [CREATE_ENI],
         "limits.account_eni_quota is set and the region already holds that many secondary ENIs (the 2021 docs gave "
         "100; newer ones point to Quota Center, so there is no limit unless set)."),
    _row("EniPerInstanceLimitExceeded", 403, "Instance {} of type {} already has the most ENIs it may ({}, the primary ENI included).",
         [ATTACH], "Attaching would give the instance more ENIs (primary included, attaching ones counted) than its "
         "type's EniQuantity."),
    _row("MaxEniPrivateIpsCountExceeded", 403,
         "The ENI {} would hold {} secondary private IPv4 addresses and prefixes; an Available ENI holds at most {}.",
         [ASSIGN, CREATE_ENI],
         "An Available (unattached) ENI would hold more than limits.available_eni_max_secondary (49) secondary IPs "
         "and prefixes."),
    _row("InvalidOperation.Ipv4CountExceeded", 403,
         "The ENI {} would hold {} private IPv4 addresses (the primary included, one per prefix); instance type {} allows {}.",
         [ASSIGN, ATTACH],
         "An InUse ENI would exceed its instance type's private IPv4 per ENI (the primary IP and each /28 prefix "
         "count one); or attaching an ENI that already holds more than the target type allows."),
    _row("InvalidParameter.PrivateIpCount", 500, "The current privateIpCount is not in the range 1.0 through 100.0.", [ASSIGN],
         "SecondaryPrivateIpAddressCount is an integer outside 1-100."),
    _row("InvalidSecondaryPrivateIpAddressCount.Malformed", 400, "The specified SecondaryPrivateIpAddressCount {} is not an integer.",
         [ASSIGN, CREATE_ENI], "SecondaryPrivateIpAddressCount is not a whole number."),
    # ---- addresses
    _row("InvalidPrivateIpAddress.Malformed", 400, "The specified private IP address {} is malformed.",
         [ASSIGN, UNASSIGN, CREATE_ENI, RUN], "A named private IP is not a dotted-quad IPv4 address."),
    _row("InvalidPrivateIpAddress.Duplicated", 400, "Specified private IP address is duplicated: {}.", [ASSIGN, CREATE_ENI],
         "The same address is named twice in one call."),
    _row("InvalidVSwitchId.IpNotEnough", 403, "The vSwitch {} does not have enough free private IP addresses ({} requested, {} free).",
         [ASSIGN, CREATE_ENI],
         "Fewer free addresses outside the vSwitch's CIDR reservations than requested (the default for Assign; "
         "settings.ip_exhausted_code may choose QuotaExceeded.PrivateIpAddress instead)."),
    _row("QuotaExceeded.PrivateIpAddress", 400, "Don't have enough private IPs in {}: {} requested, {} free.", [ASSIGN, RUN, CREATE_ENI],
         "RunInstances into a vSwitch without a free address for every instance's primary IP; Assign when "
         "settings.ip_exhausted_code selects it; or a call that would take the private IPv4 addresses on the ENIs of "
         "a VPC (primary and secondary, one per /28 prefix) past limits.vpc_private_ips (300,000, the VPC quotas "
         "page; the code is chosen, not sourced for the VPC quota: the page names none, and this is the code whose "
         "name says a private-IP quota was exceeded).", source=PAGE + "; the VPC quota: " + VPC_QUOTAS),
    _row("InvalidVSwitchId.IpInvalid", 403, "The specified private IP address {} is not valid in vSwitch {}: {}.",
         [ASSIGN, CREATE_ENI, RUN],
         "A named address outside the vSwitch CIDR, system-reserved (the first and last three), or inside a CIDR "
         "reservation (single IPs never come from one)."),
    _row("InvalidIp.IpAssigned", 403, "The specified IP address {} is already assigned.", [ASSIGN, CREATE_ENI, RUN],
         "A named address is held by another ENI."),
    _row("InvalidIp.IpRepeated", 403, "The specified IP address {} already exists on ENI {}.", [ASSIGN],
         "A named address is already held by this same ENI."),
    _row("InvalidIp.IpUnassigned", 403, "The specified IP address {} is not assigned to ENI {}{}.", [UNASSIGN],
         "Unassign names an address or prefix the ENI does not hold, or its primary IP.",
         source=FACTS + " §3.2 (UnassignPrivateIpAddresses)"),
    # ---- prefixes
    _row("InvalidOperation.RegionNotSupportIpPrefix", 500, "The current region does not support IP prefix feature.",
         [ASSIGN, CREATE_ENI], "Ipv4Prefix.N or Ipv4PrefixCount in a region outside the documented prefix regions."),
    _row("InvalidIp.IpPrefixIllegal", 403, "The ip prefixes {} is/are illegal.", [ASSIGN, UNASSIGN, CREATE_ENI],
         "A named prefix is not in CIDR form (a.b.c.d/n). Unassign and CreateNetworkInterface borrow the code: their "
         "sources name none for it."),
    _row("InvalidIp.IpPrefixMaskIllegal", 403, "The current IP prefix mask is illegal.", [ASSIGN, CREATE_ENI],
         "A named prefix's mask is not a whole number 0-32."),
    _row("InvalidIp.IpPrefixNotStrict", 403, 'The IP prefix "{}" must be strict CIDR format.', [ASSIGN, UNASSIGN, CREATE_ENI],
         "A named prefix has host bits set (borrowed by Unassign and CreateNetworkInterface, as above)."),
    _row("InvalidIp.IpPrefixMaskNotSame", 403, "The IP prefixes {} are illegal.The IP prefix mask must be the same.",
         [ASSIGN, CREATE_ENI], "The named prefixes of one call have different masks."),
    _row("InvalidIp.IpPrefixMaskInvalid", 403, 'The IP prefixes mask "{}" is illegal.Ensure the mask is between 28 and 28.',
         [ASSIGN, CREATE_ENI], "A named prefix's mask is not /28 (IPv4 prefixes are always /28)."),
    _row("InvalidIp.IpPrefixMustInReserveSegment", 403,
         "The IP prefix must be in VSwitch reserved segment. Ensure you create reserved segment for the VSwitch.",
         [ASSIGN, CREATE_ENI], "A named prefix is not inside a CIDR reservation of the ENI's vSwitch."),
    _row("InvalidIp.IpPrefixNotAvailable", 403, "The IP prefix {} is not available.", [ASSIGN, CREATE_ENI],
         "A named prefix is already allocated, named twice, or its reservation is still being assigned."),
    _row("InvalidVSwitchId.IpPrefixNotEnough", 403, "The specified VSwitch does not have enough IP prefixes ({} requested, {} free).",
         [ASSIGN, CREATE_ENI], "Fewer free /28 blocks in the vSwitch's assigned CIDR reservations than Ipv4PrefixCount."),
    _row("InvalidOperation.VSwitchCidrReservationNotExist", 404, "The specified VSwitch does not have CIDR reservation.",
         [ASSIGN, CREATE_ENI], "Ipv4PrefixCount on an ENI whose vSwitch has no CIDR reservation at all."),
]

#: code -> row. One row per code: a duplicate is a programming error caught at import.
REGISTRY: dict[str, ErrorCode] = {}
for _r in _ROWS:
    if _r.code in REGISTRY:
        raise AssertionError(f"error code {_r.code} has two rows")
    REGISTRY[_r.code] = _r


def api_error(code: str, *args: object, limit: str | None = None) -> ApiError:
    """The ApiError for ``code`` with its registry status and message (``args`` fill the
    template's fields in order), naming the ``limit`` that refused the call when one did (see
    ``ApiError``). A code without a row is a programming error (KeyError)."""
    row = REGISTRY[code]
    try:
        message = row.message.format(*args)
    except IndexError:
        message = row.message
    return ApiError(code, row.http_status, message, limit=limit)


def render_markdown() -> str:
    """The registry as a Markdown table (``docs/error-codes.md`` is this text)."""
    lines = [
        "# Error codes",
        "",
        "Generated from `simkit/errors.py` by `simkit error-codes > docs/error-codes.md`; a test keeps it current.",
        "Every code of the AssignPrivateIpAddresses page has a row, with the condition that raises it in simkit or,",
        "where it cannot arise in a simulation, how a scenario injects it (`faults: {Code: rate}`).",
        "",
        "| code | HTTP | APIs | arises | condition in simkit | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in sorted(REGISTRY.values(), key=lambda r: (r.http_status, r.code)):
        apis = "all" if row.apis == (ALL,) else ", ".join(row.apis)
        cond = row.condition.replace("|", "\\|")
        lines.append(f"| `{row.code}` | {row.http_status} | {apis} | {'yes' if row.arises else 'injected'} | {cond} | {row.source} |")
    return "\n".join(lines) + "\n"

