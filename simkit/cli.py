"""The ``simkit`` command line: parse, call the library, print.

Commands: ``run`` (a scenario's summary, and with ``--out DIR`` its capacity report),
``sweep``, ``size``, ``catalog``, ``validate``, ``demo`` and ``error-codes``. Errors go to stderr
as one line with a non-zero exit (2; 130 when interrupted); no traceback for the user. Warnings
are one line each on stderr. A reader that goes away before the output is written (``simkit run
--json s.yaml | head -1``) ends the command quietly with exit status 1, as Python's note on
SIGPIPE recommends.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Collection, Iterator
from typing import Any


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


@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Every warning raised inside, printed as one line on stderr when the block ends."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                print(f"simkit: warning: {w.message}", file=sys.stderr)


def _run_and_warn(scenario, progress: bool | None = None):
    """``simkit.run`` with its warnings printed as one line each on stderr."""
    from simkit.scenario import run

    with _warnings_on_stderr():
        return run(scenario, progress=progress)


def _value(text: str) -> Any:
    """A value given on the command line, read as YAML reads it in a scenario file: ``12`` a
    number, ``true`` a boolean, ``10.0.0.0/23`` or ``prefix`` text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _assignment(text: str, option: str) -> tuple[str, str]:
    """``key.path=value`` split at its first ``=``; ValueError naming the option otherwise."""
    key, eq, value = text.partition("=")
    if not eq or not key.strip():
        raise ValueError(f"{option} {text!r}: expected key.path=value, e.g. {option} vswitches.0.cidr=10.0.0.0/23")
    return key.strip(), value


def _scenario(path: str | None, sets: list[str] | None = None, seed: int | None = None):
    """The scenario named on the command line (the embedded default when None), with each
    ``--set key.path=value`` and ``--seed`` applied, still named by its file in messages."""
    from simkit.analysis.keypaths import with_value
    from simkit.scenario import DEFAULT_SCENARIO, load_scenario
    from simkit.scenario.load import LoadedScenario

    loaded = load_scenario(path if path is not None else DEFAULT_SCENARIO)
    data = loaded.data
    for text in sets or ():
        key, value = _assignment(text, "--set")
        data = with_value(data, key, _value(value), loaded.name)
    if seed is not None:
        data = {**data, "seed": seed}
    return LoadedScenario(data, loaded.name, loaded.base)


def _progress(args: argparse.Namespace) -> bool | None:
    """--progress / --no-progress as given; --quiet alone turns the bar off; else a bar only
    in a terminal."""
    if args.progress is not None:
        return args.progress
    return False if args.quiet else None


def _cmd_demo(args: argparse.Namespace) -> int:
    from simkit.scenario import DEFAULT_SCENARIO

    print("simkit demo: the embedded default scenario (DEFAULT_SCENARIO in simkit/scenario/default.py)\n")
    result = _run_and_warn({**DEFAULT_SCENARIO, "seed": args.seed} if args.seed is not None else DEFAULT_SCENARIO,
                           _progress(args))
    print(format_summary(result.summary, _reserved(result)))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    out = None
    if args.out is not None:
        from simkit.report.atomic import check_destination

        out = check_destination(args.out, args.force)  # refused now, not after the run
    scenario = _scenario(args.scenario, args.set, args.seed)
    result = _run_and_warn(scenario, _progress(args))
    if args.json:
        import json

        print(json.dumps(result.summary, indent=2))
    elif not args.quiet:
        print(format_summary(result.summary, _reserved(result)))
    if out is not None:
        from simkit.report import write_run_report

        page = write_run_report(result, out, force=args.force, scenario_file=args.scenario, base=scenario.base)
        # The page's path is the one line --quiet prints; with --json, stdout holds the JSON only.
        print(f"report: {page}" if not args.quiet else page, file=sys.stderr if args.json else sys.stdout)
    return 0


def _grid(items: list[str]) -> dict[str, list]:
    """``--grid key.path=v1,v2`` options as {key path: [values]} (a key given twice is refused)."""
    grid: dict[str, list] = {}
    for text in items:
        key, values = _assignment(text, "--grid")
        if key in grid:
            raise ValueError(f"--grid {key}: given twice; give all its values in one option, separated by commas")
        parts = [v for v in values.split(",")]
        if any(not v.strip() for v in parts):
            raise ValueError(f"--grid {text!r}: an empty value; expected key.path=v1,v2,...")
        grid[key] = [_value(v) for v in parts]
    return grid


def _cmd_sweep(args: argparse.Namespace) -> int:
    from simkit.analysis.sweep import sweep, sweep_seeds

    out = None
    if args.out is not None:
        from simkit.report.atomic import check_destination

        out = check_destination(args.out, args.force)
    scenario = _scenario(args.scenario, args.set)
    grid = _grid(args.grid or [])
    root = scenario.data.get("seed", 0)
    with _warnings_on_stderr():
        table = sweep(scenario, grid=grid or None, seeds=args.seeds, executor=args.scheduler or None,
                      progress=_progress(args))
    failed = int((table["error"] != "").sum())
    if failed:
        print(f"simkit: warning: {failed} of {len(table)} runs failed; the error column of their rows says why",
              file=sys.stderr)
    if out is None:
        print(table.to_csv(index=False), end="")
        return 0
    from simkit.report import write_sweep_report

    keys = list(grid)
    seeds = sweep_seeds(args.seeds, root if isinstance(root, int) else 0)
    page = write_sweep_report(table, out, data=scenario.data, name=scenario.name, keys=keys, seeds=seeds,
                              root_seed=root, confidence=args.confidence, risk=args.risk, force=args.force,
                              scenario_file=args.scenario, base=scenario.base)
    if not args.quiet:
        print(f"{len(table):,} runs; report: {page}")
    else:
        print(page)
    return 0


def _target(text: str) -> dict[str, Any]:
    key, value = _assignment(text, "--target")
    return {key: _value(value)}


def _candidates(items: list[str] | None) -> dict[str, list] | None:
    return _grid(items) if items else None


def _cmd_size(args: argparse.Namespace) -> int:
    from simkit.analysis.size import size

    out = None
    if args.out is not None:
        from simkit.report.atomic import check_destination

        out = check_destination(args.out, args.force)
    scenario = _scenario(args.scenario, args.set)
    vary = [v for v in args.vary]
    candidates = _candidates(args.candidates)
    with _warnings_on_stderr():
        result = size(scenario, vary=vary if len(vary) > 1 else vary[0], target=_target(args.target),
                      candidates=candidates, confidence=args.confidence, risk=args.risk, seeds=args.seeds,
                      executor=args.scheduler or None, progress=_progress(args))
    if not args.quiet:
        print(result.answer)
    from simkit.report import write_size_report

    return _report(args, out, write_size_report, result, scenario)


def _cmd_forecast(args: argparse.Namespace) -> int:
    from simkit.analysis.forecast import forecast

    out = None
    if args.out is not None:
        from simkit.report.atomic import check_destination

        out = check_destination(args.out, args.force)
    scenario = _scenario(args.scenario, args.set)
    with _warnings_on_stderr():
        result = forecast(scenario, seeds=args.seeds, progress=_progress(args))
    if not args.quiet:
        print(result.sentence)
    from simkit.report import write_forecast_report

    return _report(args, out, write_forecast_report, result, scenario)


def _report(args: argparse.Namespace, out, writer, result, scenario) -> int:
    """Write ``result``'s report with ``writer`` (a size search's or a forecast's) when ``--out``
    named a folder, and print its path."""
    if out is not None:
        page = writer(result, out, data=scenario.data, seeds=args.seeds, force=args.force,
                      scenario_file=args.scenario, base=scenario.base)
        print(f"report: {page}" if not args.quiet else page)
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from simkit.analysis.capacity import max_pods_per_node
    from simkit.catalog import load_catalog

    catalog = load_catalog()
    families = sorted({t.family for t in catalog})
    if args.family is not None and args.family not in families:
        import difflib

        near = difflib.get_close_matches(args.family, families, n=3)
        hint = f" (did you mean {' or '.join(near)}?)" if near else ""
        raise ValueError(f"--family {args.family!r}: no such instance family{hint}; the families: "
                         f"{', '.join(families[:12])}, ... ({len(families)} in all)")
    modes = [args.mode] if args.mode else ["secondary-ip", "prefix", "exclusive-eni"]
    rows = []
    for t in catalog:
        if args.family is not None and t.family != args.family:
            continue
        pods = max_pods_per_node(t.name) if t.ip_limits_known else {}
        if args.min_pods is not None and pods.get(modes[0], -1) < args.min_pods:
            continue
        rows.append({"instance_type": t.name, "family": t.family, "vcpu": t.vcpu, "memory_gib": t.memory_gib,
                     "enis": t.eni_quantity, "ipv4_per_eni": t.private_ipv4_per_eni,
                     **{f"max_pods_{m}": pods.get(m) for m in modes}})
    if args.json:
        import json

        print(json.dumps(rows, indent=2))
        return 0
    columns = ["instance_type", "vcpu", "memory_gib", "enis", "ipv4_per_eni"] + [f"max_pods_{m}" for m in modes]
    heads = ["instance type", "vCPU", "GiB", "ENIs", "IPv4/ENI"] + [f"pods {m}" for m in modes]
    cells = [[("-" if r[c] is None else f"{r[c]:g}" if isinstance(r[c], float) else str(r[c])) for c in columns]
             for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(heads)]
    line = lambda values: "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))  # noqa: E731
    print(line(heads))
    for row in cells:
        print(line(row))
    if not args.quiet:
        print(f"{len(rows):,} instance types; '-': the source gives no IP limits (data/instance_types.csv); pods: "
              f"Terway's max pods per node in each mode (docs/scenario.md, fleet[].max_pods)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from simkit.scenario.runner import check_scenario

    scenario = _scenario(args.scenario, args.set, args.seed)
    with _warnings_on_stderr():
        plan = check_scenario(scenario)
    if not args.quiet:
        from simkit.analysis.words import clock_time

        nodes = sum(f.count for f in plan.fleet)
        kind = scenario.data.get("workload", {}).get("kind")
        print(f"{scenario.name}: ok: {len(plan.vswitches)} vSwitch(es), {nodes:,} nodes, a {kind} workload, "
              f"{clock_time(plan.duration)} to replay")
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


def _output_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """--progress / --no-progress and --quiet, before the command or after it. After it they
    default to SUPPRESS, so that they do not undo the ones given before."""
    default = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction,
                        help="show a progress bar (default: only when stderr is a terminal)",
                        **(default or {"default": None}))
    parser.add_argument("--quiet", "-q", action="store_true", help="print only what was written (or nothing)",
                        **default)


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="write the report to this folder (it must not exist, "
                                                     "unless --force)")
    parser.add_argument("--force", action="store_true", help="replace the folder --out names if it exists")
    parser.add_argument("--set", action="append", metavar="KEY.PATH=VALUE", default=[],
                        help="change one key of the scenario (vswitches.0.cidr=10.0.0.0/23); repeatable")


def _confidence_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence of the verdict (default 0.95)")
    parser.add_argument("--risk", type=float, default=0.05,
                        help="largest share of runs allowed to miss a target (default 0.05)")
    parser.add_argument("--scheduler", metavar="ADDR", help="a Dask scheduler to run on (tcp://host:8786); "
                                                            "default: local processes")


def build_parser() -> argparse.ArgumentParser:
    """The ``simkit`` command line's parser."""
    parser = argparse.ArgumentParser(prog="simkit", description="Private-IP capacity planning for Alibaba Cloud ECS.")
    _output_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the embedded default scenario and print its summary")
    demo.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's own)")
    demo.set_defaults(func=_cmd_demo)

    run = sub.add_parser("run", help="run a scenario and print its summary; with --out, write its report",
                         description="Run a scenario (the embedded default when none is given) and print its "
                                     "summary; with --out DIR, write its capacity report there.")
    run.add_argument("scenario", nargs="?", help="a scenario YAML file (default: the embedded default)")
    _report_options(run)
    run.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's own)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(func=_cmd_run)

    sweep = sub.add_parser("sweep", help="run a scenario over a grid of values and seeds",
                           description="Run a scenario for every combination of the --grid values, each with "
                                       "--seeds seeds; print the table as CSV, or with --out write a report.")
    sweep.add_argument("scenario", help="a scenario YAML file")
    sweep.add_argument("--grid", action="append", metavar="KEY.PATH=V1,V2",
                       help="a key and its values (vswitches.0.cidr=10.0.0.0/24,10.0.0.0/23); repeatable")
    sweep.add_argument("--seeds", type=int, default=1, help="runs per grid point, seeds drawn from the scenario's seed")
    _report_options(sweep)
    _confidence_options(sweep)
    sweep.set_defaults(func=_cmd_sweep)

    size = sub.add_parser("size", help="find the smallest layout that meets a target with confidence",
                          description="Find the smallest value of --vary (or layout, when several keys vary) "
                                      "whose runs meet --target with the stated confidence.")
    size.add_argument("scenario", help="a scenario YAML file")
    size.add_argument("--vary", action="append", required=True, metavar="KEY.PATH",
                      help="a key to size (vswitches.0.cidr, fleet.0.count, ...); repeatable")
    size.add_argument("--target", required=True, metavar="FIGURE=BOUND",
                      help="pod_failure_rate=0.001, pod_wait_p99=30s, pod_wait_p50=5s or api_error_rate=0.01")
    size.add_argument("--candidates", action="append", metavar="KEY.PATH=V1,V2",
                      help="the values to try for a key (default: derived from the closed forms); repeatable")
    size.add_argument("--seeds", type=int, default=59, help="runs per layout (default 59: the fewest that can "
                                                            "show a 5 %% risk at 95 %% confidence)")
    _report_options(size)
    _confidence_options(size)
    size.set_defaults(func=_cmd_size)

    fc = sub.add_parser("forecast", help="when each limit is first hit over seeds, and what first",
                        description="Run a scenario once per seed and say when each limit is first hit (p10, "
                                    "p50, p90 over the seeds) and which comes first; with --out, write a report.")
    fc.add_argument("scenario", help="a scenario YAML file")
    fc.add_argument("--seeds", type=int, default=10, help="runs, seeds drawn from the scenario's seed (default 10)")
    _report_options(fc)
    fc.set_defaults(func=_cmd_forecast)

    catalog = sub.add_parser("catalog", help="instance types: ENI and address limits, max pods per mode")
    catalog.add_argument("--family", help="one family, e.g. g7")
    catalog.add_argument("--min-pods", type=int, metavar="N", help="only types with at least N max pods in --mode "
                                                                   "(default secondary-ip)")
    catalog.add_argument("--mode", choices=["secondary-ip", "prefix", "exclusive-eni"],
                         help="show this agent mode's max pods only")
    catalog.add_argument("--json", action="store_true", help="print the rows as JSON")
    catalog.set_defaults(func=_cmd_catalog)

    validate = sub.add_parser("validate", help="check a scenario and say what is wrong, where")
    validate.add_argument("scenario", help="a scenario YAML file")
    validate.add_argument("--set", action="append", metavar="KEY.PATH=VALUE", default=[],
                          help="change one key of the scenario first; repeatable")
    validate.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    validate.set_defaults(func=_cmd_validate)

    imp = sub.add_parser("import", help="a scenario and a state file from the JSON of the real Describe* APIs")
    imp.add_argument("paths", nargs="+", help="response files, or folders of .json files")
    imp.add_argument("--out", required=True, help="the scenario YAML to write (the state goes beside it)")
    imp.add_argument("--vpc", default=None, help="the VPC to import when the files hold several")
    imp.add_argument("--vpc-cidr", default=None, help="the VPC's CIDR block (default: the smallest holding every vSwitch)")
    imp.set_defaults(func=_cmd_import)
    codes = sub.add_parser("error-codes", help="print the error registry as a Markdown table")
    codes.set_defaults(func=_cmd_error_codes)
    for command in (demo, run, sweep, size, fc, catalog, validate, imp, codes):
        _output_options(command, top=False)
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
    except KeyboardInterrupt:
        print("simkit: interrupted; nothing was written", file=sys.stderr)
        return 130
