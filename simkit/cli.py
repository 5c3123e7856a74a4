"""The ``simkit`` command line: parse, call the library, print.

Errors go to stderr as one line with a non-zero exit; no traceback for the user.
"""

from __future__ import annotations

import argparse
import sys

from simkit.net import AddressSpace, format_ipv4

# The vSwitch of the default scenario in DESIGN.md: a /22 with one /25 CIDR reservation.
DEFAULT_VSWITCH = "10.0.0.0/22"
DEFAULT_RESERVATION_MASK = 25
DEMO_SINGLE_IPS = 300


def _layout_summary(cidr: str, reservation_mask: int, single_ips: int, seed: int) -> str:
    space = AddressSpace(cidr, policy="random", seed=seed)
    reservation = space.reserve(mask=reservation_mask)
    s = space.stats()
    rs = space.reservation_stats(reservation)
    system = [format_ipv4(space.base + off) for off in space.system_offsets]
    lines = [
        f"vSwitch {s.cidr}: {s.total} addresses",
        f"  system-reserved        {s.system_reserved}  ({system[0]}, {system[1]} - {system[-1]})",
        f"  CIDR reservation       {rs.cidr}  ({rs.free_blocks_28} free /28 prefixes)",
        f"  free for single IPs    {s.free_ips}",
        f"  whole free /28 blocks  {s.free_blocks_28} outside the reservation, {s.free_blocks_28_reserved} inside",
        f"  largest free block     /{s.largest_free_prefixlen}",
        "",
        f"After {single_ips} single IPs with each placement policy (seed {seed}):",
        f"  {'policy':<8} {'free IPs':>9} {'whole free /28':>15} {'largest free':>13} {'fragmentation':>14}",
    ]
    for policy in ("random", "lowest", "pack"):
        space = AddressSpace(cidr, policy=policy, seed=seed)
        space.reserve(mask=reservation_mask)
        space.allocate(single_ips)
        s = space.stats()
        lines.append(
            f"  {policy:<8} {s.free_ips:>9} {s.free_blocks_28:>15} {'/' + str(s.largest_free_prefixlen):>13} "
            f"{s.fragmentation:>13.1%}"
        )
    return "\n".join(lines)


def _cmd_demo(args: argparse.Namespace) -> int:
    print("simkit demo: the default vSwitch layout (replaying a workload comes in a later release)\n")
    print(_layout_summary(DEFAULT_VSWITCH, DEFAULT_RESERVATION_MASK, DEMO_SINGLE_IPS, args.seed))
    return 0


def _cmd_error_codes(args: argparse.Namespace) -> int:
    from simkit.errors import render_markdown

    print(render_markdown(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simkit", description="Private-IP capacity planning for Alibaba Cloud ECS.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="summarise the default vSwitch layout")
    demo.add_argument("--seed", type=int, default=0, help="seed of the random placement policy (default 0)")
    demo.set_defaults(func=_cmd_demo)
    codes = sub.add_parser("error-codes", help="print the error registry as a Markdown table")
    codes.set_defaults(func=_cmd_error_codes)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:
        print(f"simkit: error: {exc}", file=sys.stderr)
        return 2
