"""IPv4 addresses and CIDR blocks as integers, with strict parsing at the edges.

Inside simkit an address is an ``int``; strings appear only where users and the wire meet
the model. Parsing is strict in the way ``ipaddress`` is (no leading zeros, no shorthand
forms such as ``10.1``), because a lenient parser would let a malformed address in a trace
silently become a different one.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from simkit.errors import quoted

__all__ = [
    "Cidr",
    "MalformedAddress",
    "MalformedCidr",
    "format_ipv4",
    "parse_ipv4",
]

_PACK = struct.Struct("!I")
_aton = socket.inet_aton
_ntoa = socket.inet_ntoa
_from_bytes = int.from_bytes
_MAX = 0xFFFFFFFF


class MalformedAddress(ValueError):
    """Text that is not a dotted-quad IPv4 address."""

    def __init__(self, text: object, field: str | None = None):
        self.text = text
        self.field = field
        where = f"{field}: " if field else ""
        super().__init__(
            f"{where}{text!r} is not an IPv4 address (expected four decimal numbers 0-255, "
            "like 10.0.0.7)"
        )


class MalformedCidr(ValueError):
    """Text that is not a CIDR block, or one with host bits set.

    ``host_bits`` tells the two apart: ``10.0.0.1/24`` is well formed but not strict.
    """

    def __init__(self, text: object, reason: str, field: str | None = None, host_bits: bool = False):
        self.text = text
        self.field = field
        self.host_bits = host_bits
        where = f"{field}: " if field else ""
        super().__init__(f"{where}{quoted(text)} {reason}")


def parse_ipv4(text: str, field: str | None = None) -> int:
    """Parse a dotted-quad IPv4 address into an int.

    >>> parse_ipv4("10.0.0.7")
    167772167

    Raises MalformedAddress (a ValueError) naming the text and ``field`` when given.
    """
    # inet_aton is lenient (it takes "10.1", "010.0.0.1", "0x0a.0.0.1"); formatting the result
    # back and comparing keeps only the canonical dotted quad, at C speed.
    try:
        packed = _aton(text)
    except (OSError, TypeError, ValueError):
        raise MalformedAddress(text, field) from None
    if _ntoa(packed) != text:
        raise MalformedAddress(text, field)
    return _from_bytes(packed, "big")


def format_ipv4(value: int) -> str:
    """Format an int as a dotted-quad IPv4 address (``167772167`` -> ``'10.0.0.7'``)."""
    return socket.inet_ntoa(_PACK.pack(value))


@dataclass(frozen=True, slots=True, order=True)
class Cidr:
    """An IPv4 CIDR block: ``base`` (an int with no host bits) and ``prefixlen``.

    >>> c = Cidr.parse("10.0.0.0/24")
    >>> c.size, str(c), c.last == parse_ipv4("10.0.0.255")
    (256, '10.0.0.0/24', True)
    """

    base: int
    prefixlen: int

    def __post_init__(self) -> None:
        if not (0 <= self.prefixlen <= 32):
            raise MalformedCidr(f"{self.base}/{self.prefixlen}", "has a mask outside 0-32")
        if not (0 <= self.base <= _MAX):
            raise MalformedCidr(f"{self.base}/{self.prefixlen}", "has a base outside the IPv4 range")
        if self.base & (self.size - 1):
            raise MalformedCidr(
                f"{format_ipv4(self.base)}/{self.prefixlen}",
                f"has host bits set (the block starts at "
                f"{format_ipv4(self.base & ~(self.size - 1) & _MAX)}/{self.prefixlen})",
                host_bits=True,
            )

    @classmethod
    def parse(cls, text: str, field: str | None = None) -> "Cidr":
        """Parse ``a.b.c.d/n`` strictly: host bits set is an error, not silently cleared.

        Raises MalformedCidr naming the text (and ``field``); ``.host_bits`` is True when the
        only fault is host bits.
        """
        if not isinstance(text, str) or text.count("/") != 1:
            raise MalformedCidr(text, "is not a CIDR block (expected a.b.c.d/n, like 10.0.0.0/24)", field)
        addr_text, _, len_text = text.partition("/")
        try:
            base = parse_ipv4(addr_text)
        except MalformedAddress:
            raise MalformedCidr(text, "is not a CIDR block (expected a.b.c.d/n, like 10.0.0.0/24)", field) from None
        if not (len_text.isascii() and len_text.isdigit()) or len(len_text) > 2 or int(len_text) > 32:
            raise MalformedCidr(text, "is not a CIDR block (the mask must be a whole number 0-32)", field)
        prefixlen = int(len_text)
        size = 1 << (32 - prefixlen)
        if base & (size - 1):
            start = format_ipv4(base & ~(size - 1) & _MAX)
            raise MalformedCidr(
                text, f"has host bits set (the block starts at {start}/{prefixlen})", field, host_bits=True
            )
        return cls(base, prefixlen)

    @property
    def size(self) -> int:
        """Number of addresses in the block."""
        return 1 << (32 - self.prefixlen)

    @property
    def last(self) -> int:
        """The last address of the block, as an int."""
        return self.base + self.size - 1

    def __contains__(self, address: int) -> bool:
        return self.base <= address <= self.base + (1 << (32 - self.prefixlen)) - 1

    def contains_block(self, other: "Cidr") -> bool:
        """True when ``other`` lies entirely inside this block."""
        return other.prefixlen >= self.prefixlen and self.base <= other.base and other.last <= self.last

    def overlaps(self, other: "Cidr") -> bool:
        """True when the two blocks share at least one address."""
        return self.base <= other.last and other.base <= self.last

    def __str__(self) -> str:
        return f"{format_ipv4(self.base)}/{self.prefixlen}"

    def __repr__(self) -> str:
        return f"Cidr('{self}')"
