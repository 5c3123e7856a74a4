"""The one error a scenario that cannot be run raises."""

from __future__ import annotations

__all__ = ["ScenarioError"]


class ScenarioError(ValueError):
    """A scenario that cannot be run: the message names the source, the key path and what is
    allowed."""

    def __init__(self, source: str, path: str, problem: str):
        self.source = source
        self.path = path
        super().__init__(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")
