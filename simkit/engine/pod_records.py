"""What happened to every pod of a run, one row per pod in arrival order, kept as columns of
plain arrays (about 36 bytes a pod); names and end times are read again from the workload when
a table is asked for, so they cost nothing during the run."""

from __future__ import annotations

import enum
from array import array
from typing import Any

__all__ = ["PodOutcome", "PodRecords"]

_NAN = float("nan")


class PodOutcome(enum.IntEnum):
    """How a pod's wait for an address ended (docs/scenario.md, "Pod outcomes")."""

    UNDECIDED = 0  # only while the run goes on
    SERVED = 1  # got an address
    EXPIRED = 2  # its lifetime ended while it waited, for a node or for an address
    UNSCHEDULED = 3  # the run ended while it waited for a node
    WAITING = 4  # the run ended while it waited on a node for an address


class PodRecords:
    """Columns per pod: arrival, scheduled (placed on a node), wait_ended (got its address, or
    its lifetime ended while it waited; NaN while it still waits), node (the recorder's node
    id, -1 none), address (0 none), eni (the recorder's ENI id, 0 none), outcome, reason
    (``simkit.agents.WaitReason``). Times are seconds from the start of the workload."""

    def __init__(self, many_nodes: bool = False):
        self.arrival = array("d")
        self.scheduled = array("d")
        self.wait_ended = array("d")
        self.node = array("i" if many_nodes else "h")  # 2 bytes a pod for fleets under 32,768 nodes
        self.address = array("I")
        self.eni = array("i")
        self.outcome = array("B")
        self.reason = array("B")

    def __len__(self) -> int:
        return len(self.arrival)

    def arrive(self, t: float) -> int:
        """A pod arrived at ``t``: its row (the pods' index in arrival order)."""
        self.arrival.append(t)
        self.scheduled.append(_NAN)
        self.wait_ended.append(_NAN)
        self.node.append(-1)
        self.address.append(0)
        self.eni.append(0)
        self.outcome.append(PodOutcome.UNDECIDED)
        self.reason.append(0)
        return len(self.arrival) - 1

    def placed(self, i: int, t: float, node: int) -> None:
        """Pod ``i`` was placed on ``node`` at ``t``."""
        self.scheduled[i] = t
        self.node[i] = node

    def served(self, i: int, t: float, address: int, eni: int, reason: int) -> None:
        """Pod ``i`` got ``address`` on ``eni`` at ``t``."""
        self.wait_ended[i] = t
        self.address[i] = address
        self.eni[i] = eni
        self.outcome[i] = PodOutcome.SERVED
        self.reason[i] = reason

    def unserved(self, i: int, outcome: PodOutcome, reason: int, t: float = _NAN) -> None:
        """Pod ``i`` never got an address: its lifetime ended at ``t`` (EXPIRED), or the run did."""
        self.wait_ended[i] = t
        self.outcome[i] = outcome
        self.reason[i] = reason

    def nbytes(self) -> int:
        """Memory held by the columns."""
        cols = (self.arrival, self.scheduled, self.wait_ended, self.node, self.address, self.eni, self.outcome, self.reason)
        return sum(c.itemsize * len(c) for c in cols)

    def columns(self) -> dict[str, Any]:
        """The columns as numpy arrays (views, no copies)."""
        import numpy as np

        return {name: np.frombuffer(getattr(self, name), dtype=getattr(self, name).typecode)
                for name in ("arrival", "scheduled", "wait_ended", "node", "address", "eni", "outcome", "reason")}
