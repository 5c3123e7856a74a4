"""The cloud model: regions, VPCs, vSwitches, CIDR reservations, security groups, instances and
ENIs, with the rules the ECS and VPC APIs enforce. Knows nothing of wire formats."""

from simkit.ecs.account import ACTIONS, EPOCH, Account
from simkit.ecs.settings import CloudSettings

__all__ = ["ACTIONS", "Account", "CloudSettings", "EPOCH"]
