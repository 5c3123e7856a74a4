"""The cloud model: regions, VPCs, vSwitches, CIDR reservations, security groups, instances and
ENIs, with the rules the ECS and VPC APIs enforce. Knows nothing of wire formats.

One door: ``Account.handle(request)`` with a typed request from ``simkit.ecs.requests``."""

from simkit.ecs import requests
from simkit.ecs.account import EPOCH, Account, api_time
from simkit.ecs.address_map import AddressUse
from simkit.ecs.requests import REQUESTS
from simkit.ecs.results import AssignResult, Page, PrefixUsage, ReservationListing, VSwitchListing, VSwitchUsage
from simkit.ecs.settings import CloudSettings
from simkit.ecs.snapshot import SnapshotError
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, ReservationStatus, SecurityGroupType, VSwitchStatus

#: The API actions the model simulates.
ACTIONS = tuple(REQUESTS)

__all__ = ["ACTIONS", "Account", "AddressUse", "AssignResult", "CloudSettings", "EPOCH", "EniStatus", "EniType", "InstanceStatus", "Page",
           "PrefixUsage", "REQUESTS", "ReservationListing", "ReservationStatus", "SecurityGroupType", "SnapshotError", "VSwitchListing", "VSwitchStatus", "VSwitchUsage", "api_time",
           "requests"]
