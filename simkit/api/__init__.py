"""The wire layer: API-named parameters to typed calls on the model, and the documented
response bodies back. ``Cloud`` is the in-process entry point."""

from simkit.api.cloud import Cloud

__all__ = ["Cloud"]
