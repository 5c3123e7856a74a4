"""The states of the model's resources, as the API names them. ``StrEnum``: a state compares
equal to its API text and renders as it, while the code names every state it uses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EniStatus", "EniType", "InstanceStatus", "ReservationStatus", "SecurityGroupType", "VSwitchStatus"]


class EniStatus(StrEnum):
    """An ENI's status (DescribeNetworkInterfaces' Status)."""

    AVAILABLE = "Available"
    ATTACHING = "Attaching"
    IN_USE = "InUse"
    DETACHING = "Detaching"
    DELETING = "Deleting"


class EniType(StrEnum):
    """An ENI's type."""

    PRIMARY = "Primary"
    SECONDARY = "Secondary"


class InstanceStatus(StrEnum):
    """An instance's status."""

    PENDING = "Pending"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    DELETED = "Deleted"


class ReservationStatus(StrEnum):
    """A CIDR reservation's status."""

    ASSIGNING = "Assigning"
    ASSIGNED = "Assigned"


class SecurityGroupType(StrEnum):
    """A security group's type (CreateSecurityGroup's SecurityGroupType; normal by default).

    Their capacities differ (ECS "Basic and advanced security groups", Apr 27 2026): a basic
    group counts the private addresses on its ENIs, an advanced one its ENIs."""

    NORMAL = "normal"  # basic
    ENTERPRISE = "enterprise"  # advanced


class VSwitchStatus(StrEnum):
    """A vSwitch's status."""

    AVAILABLE = "Available"
    PENDING = "Pending"  # a simulation knob
