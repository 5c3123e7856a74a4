"""The states of the model's resources, as the API names them. ``StrEnum``: a state compares
equal to its API text and renders as it, while the code names every state it uses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EniStatus", "EniType", "InstanceStatus", "ReservationStatus", "VSwitchStatus"]


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


class VSwitchStatus(StrEnum):
    """A vSwitch's status."""

    AVAILABLE = "Available"
    PENDING = "Pending"  # a simulation knob
