"""Command line: `python -m dispatch solve problem.json --seconds N [--out plan.json]`,
`python -m dispatch bench solomon DIR --seconds S [--instances c101,r101]` and
`python -m dispatch bench gh200 --seconds S` (Gehring & Homberger, 200 customers, against PyVRP),
`python -m dispatch bench stations --seconds S`; each takes `--params` (experiments:
`{"routing": {RoutingParams fields}, "search": {SearchParams fields}}` as JSON).
`python -m dispatch bench vroom --seconds 1,2,10` compares our plans at each budget with
VROOM's (pyvroom, requirements-bench.txt) day by day.

Kept free of Flask so a planning worker or a benchmark loads only the solver.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from dispatch.solver.problem import ProblemError, dump_plan, load_problem

PARAMS_HELP = ("experiments: solver settings as JSON, e.g. "
               "'{\"routing\": {\"gls_lambda\": 0.2}, \"search\": {\"enabled\": false}}'")


def _progress(elapsed: float, objective: int) -> None:
    print(f"\r  {elapsed:6.1f} s  best objective {objective}", end="", file=sys.stderr, flush=True)


def _params(text: str | None) -> dict:
    """`--params` JSON as `solve`'s keyword arguments: {"routing": ..., "search": ...}."""
    from dispatch.solver import RoutingParams, SearchParams

    if not text:
        return {}
    document = json.loads(text)
    if not isinstance(document, dict) or not set(document) <= {"routing", "search"}:
        raise ValueError('expected {"routing": {...}, "search": {...}}')
    kinds = {"routing": RoutingParams, "search": SearchParams}
    return {part: kinds[part](**fields) for part, fields in document.items()}


def _parsed_params(args: argparse.Namespace) -> dict | None:
    try:
        return _params(args.params)
    except (ValueError, TypeError) as exc:
        print(f"dispatch: --params: {exc}", file=sys.stderr)
        return None


def _solve(args: argparse.Namespace) -> int:
    from dispatch.solver import ruin_recreate, solve

    params = _parsed_params(args)
    if params is None:
        return 2
    ruin_recreate.warm()  # the search's time is for searching, not for loading compiled code

    try:
        problem = load_problem(Path(args.problem).read_bytes())
        plan = solve(problem, args.seconds, progress=_progress, **params)
    except (OSError, ProblemError) as exc:
        print(f"dispatch: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    text = json.dumps(dump_plan(plan), indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        totals = plan.totals
        print(f"{problem.name}: assigned {totals['assigned']}, unassigned {totals['unassigned']}, "
              f"distance {totals['distance']:.1f}, travel time {totals['travel_time']:.0f}", file=sys.stderr)
    else:
        print(text)
    return 0


# What each benchmark can use besides --seconds; anything else given is refused, not dropped.
BENCH_OPTIONS = {"solomon": {"instances", "results", "params"}, "gh200": {"instances", "results", "params"},
                 "stations": {"results", "params"}, "warm": {"results", "seeds"}, "vroom": {"results"}}


def _bench(args: argparse.Namespace) -> int:
    given = {name for name in ("instances", "results", "params") if getattr(args, name)}
    given |= {"seeds"} if args.seeds is not None else set()
    unused = sorted(given - BENCH_OPTIONS[args.kind])
    if unused:
        print(f"dispatch: bench {args.kind} does not use --{', --'.join(unused)}", file=sys.stderr)
        return 2
    params = _parsed_params(args)
    if params is None:
        return 2
    if args.kind == "vroom":
        from dispatch.solver.bench.vroom import run_vroom

        return run_vroom(args.seconds, args.results)
    if len(args.seconds) != 1:
        print(f"dispatch: bench {args.kind} takes one --seconds value", file=sys.stderr)
        return 2
    args.seconds = args.seconds[0]
    instances = args.instances.split(",") if args.instances else None
    if args.kind == "solomon":
        from dispatch.solver.bench.solomon import run_solomon

        return run_solomon(Path(args.directory), args.seconds, instances, args.results, **params)
    if args.kind == "gh200":
        from dispatch.solver.bench.gh200 import run_gh200

        return run_gh200(args.seconds, instances, args.results, **params)
    if args.kind == "warm":
        from dispatch.solver.bench.warm import run_warm

        return run_warm(args.seconds, tuple(args.seeds or [1]), args.results)
    from dispatch.solver.bench.stations import run_stations

    return run_stations(args.seconds, args.results, **params)


def _seconds(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole numbers separated by commas, got {text!r}") from None
    if any(seed < 0 for seed in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"must be different whole numbers >= 0, got {text!r}")
    return seeds


def _seconds_list(text: str) -> list[float]:
    return [_seconds(part) for part in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dispatch", description="Wenqing dispatch solver")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("solve", help="plan one problem document")
    p.add_argument("problem")
    p.add_argument("--seconds", type=_seconds, default=10.0)
    p.add_argument("--out")
    p.add_argument("--params", help=PARAMS_HELP)
    p.set_defaults(run=_solve)
    b = sub.add_parser("bench", help="benchmarks: solomon DIR, gh200, stations, warm (re-planning) or vroom")
    b.add_argument("kind", choices=["solomon", "gh200", "stations", "warm", "vroom"])
    b.add_argument("directory", nargs="?", help="the Solomon instances folder")
    b.add_argument("--seconds", type=_seconds_list, default=[10.0],
                   help="seconds per solve; vroom takes a comma-separated list, e.g. 1,2,10")
    b.add_argument("--instances", help="comma-separated subset, e.g. c101,r101")
    b.add_argument("--results", help="also write the rows as JSON to this file")
    b.add_argument("--params", help=PARAMS_HELP)
    b.add_argument("--seeds", type=_seeds,
                   help="warm only: comma-separated search seeds, e.g. 1,2,3 (misses judged against the"
                        " median cold run)")
    b.set_defaults(run=_bench)
    args = parser.parse_args(argv)
    if args.command == "bench" and args.kind == "solomon" and not args.directory:
        parser.error("bench solomon needs the instances folder")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
