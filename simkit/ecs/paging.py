"""What the listings share: range checks of paging parameters and NextToken pages."""

from __future__ import annotations

from simkit.ecs.results import Page
from simkit.errors import api_error

__all__ = ["check_range", "token_page"]


def check_range(name: str, value: int, lo: int, hi: int | None) -> None:
    """Raises InvalidParameter naming ``name`` when ``value`` is outside [lo, hi]."""
    if value < lo or (hi is not None and value > hi):
        allowed = f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise api_error("InvalidParameter", name, f"{value} is outside the allowed range ({allowed})")


def token_page(items: list, next_token: str | None, max_results: int) -> Page:
    """One NextToken page of ``items``. Raises InvalidParameter for a token no listing gave."""
    start = 0
    if next_token:
        # isdigit() alone takes "²", which int() refuses; a token longer than any this listing
        # could give is refused before int(), which will not parse more than 4,300 digits.
        if not (next_token.isascii() and next_token.isdigit()) or len(next_token) > len(str(len(items))) \
                or int(next_token) > len(items):
            raise api_error("InvalidParameter", "NextToken", f"{next_token[:40]!r} is not a token this listing gave")
        start = int(next_token)
    end = start + max_results
    return Page(items[start:end], len(items), next_token=str(end) if end < len(items) else None, max_results=max_results)
