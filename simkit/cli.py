"""The ``simkit`` command line: parse, call the library, print.

Errors go to stderr as one line with a non-zero exit (2); no traceback for the user. A reader
that goes away before the output is written (``simkit run --json s.yaml | head -1``) ends the
command quietly with exit status 1, as Python's note on SIGPIPE recommends.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Collection


def format_summary(summary: dict, reserved: Collection[str]) -> str:
    """The run summary as the few lines a person reads first: what happened to the pods and why,
    then the API calls and the address space.

    ``reserved``: the names of the vSwitches that have CIDR reservations (from the plan: the
    summary gives every vSwitch a reservation figure, 0 where there is none); only those show
    their fewest free /28 blocks in reservations.
    """
    s = summary
    o = s["pod_outcomes"]
    w = s["pod_wait_seconds"]
    lines = [
        f"scenario {s['scenario']!r} (seed {s['seed']}, {s['duration'] / 3600:g} h simulated)",
        f"  pods arrived         {s['pods_arrived']:,}: served {o['served']:,}, expired while waiting {o['expired']:,}, "
        f"still waiting for a node {o['unscheduled']:,}, still waiting for an address {o['waiting']:,}",
        f"  pod failure rate     {s['pod_failure_rate']:.2%}  (not served within {s['slo_pod_wait']:g} s; "
        f"{s['pods_over_slo']:.2%} waited longer)",
        f"  pod wait (s)         p50 {w['p50']:.1f}  p90 {w['p90']:.1f}  p99 {w['p99']:.1f}  max {w['max']:.1f}",
        f"  binding limit        {s['binding_limit']['sentence']}",
        f"  peak pods running    {s['peak_pods_running']:,};  peak addresses held {s['peak_ips_held']:,}",
        f"  API calls            {s['calls']:,}  ({', '.join(f'{k} {v:,}' for k, v in s['calls_by_action'].items())})",
        f"  API errors           {s['api_errors']:,}  ({s['api_error_rate']:.2%} of calls)",
    ]
    for code, n in s["api_errors_by_code"].items():
        lines.append(f"    {code:<40} {n:>8,}  {s['api_error_rate_by_code'][code]:.2%}")
    for name, free in s["min_free_ips"].items():
        line = f"  vSwitch {name:<12} fewest free addresses {free:,}"
        if name in reserved:
            line += f"; fewest free /28 in reservations {s['min_free_blocks_28_reserved'].get(name, 0):,}"
        lines.append(line)
    if s["exhaustion"]:
        lines.append("  first exhaustion:")
        for limit, e in s["exhaustion"].items():
            code = f" ({e['code']})" if e["code"] else ""
            lines.append(f"    {limit:<22} at {e['time']:.0f} s on {e['resource']}{code}")
    else:
        lines.append("  no limit was exhausted")
    return "\n".join(lines)


def _run_and_warn(scenario):
    """``simkit.run`` with its warnings printed as one line each on stderr."""
    import warnings

    from simkit.scenario import run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(scenario)
    for w in caught:
        print(f"simkit: warning: {w.message}", file=sys.stderr)
    return result


def _cmd_demo(args: argparse.Namespace) -> int:
    from simkit.scenario import DEFAULT_SCENARIO

    print("simkit demo: the embedded default scenario (DEFAULT_SCENARIO in simkit/scenario/default.py)\n")
    result = _run_and_warn({**DEFAULT_SCENARIO, "seed": args.seed} if args.seed is not None else DEFAULT_SCENARIO)
    print(format_summary(result.summary, _reserved(result)))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    result = _run_and_warn(args.scenario)
    if args.json:
        import json

        print(json.dumps(result.summary, indent=2))
    else:
        print(format_summary(result.summary, _reserved(result)))
    return 0


def _reserved(result) -> set[str]:
    """The names of the run's vSwitches that have at least one CIDR reservation."""
    return {v.name for v in result.plan.vswitches if v.reservations}


def _cmd_import(args: argparse.Namespace) -> int:
    from simkit.scenario.importer import write_imported

    scenario, state, notes = write_imported(args.paths, args.out, vpc_id=args.vpc, vpc_cidr=args.vpc_cidr)
    for note in notes:
        print(f"simkit: note: {note}", file=sys.stderr)
    print(f"wrote {scenario} and {state}")
    return 0


def _cmd_error_codes(args: argparse.Namespace) -> int:
    from simkit.errors import render_markdown

    print(render_markdown(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``simkit`` command line's parser."""
    parser = argparse.ArgumentParser(prog="simkit", description="Private-IP capacity planning for Alibaba Cloud ECS.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the embedded default scenario and print its summary")
    demo.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's own)")
    demo.set_defaults(func=_cmd_demo)
    run = sub.add_parser("run", help="run a scenario file and print its summary")
    run.add_argument("scenario", help="a scenario YAML file")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(func=_cmd_run)
    imp = sub.add_parser("import", help="a scenario and a state file from the JSON of the real Describe* APIs")
    imp.add_argument("paths", nargs="+", help="response files, or folders of .json files")
    imp.add_argument("--out", required=True, help="the scenario YAML to write (the state goes beside it)")
    imp.add_argument("--vpc", default=None, help="the VPC to import when the files hold several")
    imp.add_argument("--vpc-cidr", default=None, help="the VPC's CIDR block (default: the smallest holding every vSwitch)")
    imp.set_defaults(func=_cmd_import)
    codes = sub.add_parser("error-codes", help="print the error registry as a Markdown table")
    codes.set_defaults(func=_cmd_error_codes)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
        # Flush here, so that a reader gone away is found inside this try, not at exit.
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # https://docs.python.org/3/library/signal.html#note-on-sigpipe: point stdout at devnull
        # so the flush at exit cannot fail again, and exit 1, as Python does on EPIPE. Not
        # SIG_DFL for SIGPIPE, which the same note warns against.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (ValueError, OSError) as exc:
        print(f"simkit: error: {exc}", file=sys.stderr)
        return 2
