"""Command line: `python -m dispatch solve problem.json --seconds N [--out plan.json]`,
`python -m dispatch bench solomon DIR --seconds S [--instances c101,r101]` and
`python -m dispatch bench stations --seconds S`.

Kept free of Flask so a planning worker or a benchmark loads only the solver.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from dispatch.solver.problem import ProblemError, dump_plan, load_problem


def _progress(elapsed: float, objective: int) -> None:
    print(f"\r  {elapsed:6.1f} s  best objective {objective}", end="", file=sys.stderr, flush=True)


def _solve(args: argparse.Namespace) -> int:
    from dispatch.solver import ruin_recreate, solve

    ruin_recreate.warm()  # the search's time is for searching, not for loading compiled code

    try:
        problem = load_problem(Path(args.problem).read_bytes())
        plan = solve(problem, args.seconds, progress=_progress)
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


def _bench(args: argparse.Namespace) -> int:
    if args.kind == "solomon":
        from dispatch.solver import Tuning
        from dispatch.solver.bench.solomon import run_solomon

        instances = args.instances.split(",") if args.instances else None
        try:
            tuning = Tuning(**json.loads(args.tuning)) if args.tuning else None
        except (ValueError, TypeError) as exc:
            print(f"dispatch: --tuning: {exc}", file=sys.stderr)
            return 2
        return run_solomon(Path(args.directory), args.seconds, instances, args.results, tuning)
    from dispatch.solver.bench.stations import run_stations

    return run_stations(args.seconds, args.results)


def _seconds(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dispatch", description="Wenqing dispatch solver")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("solve", help="plan one problem document")
    p.add_argument("problem")
    p.add_argument("--seconds", type=_seconds, default=10.0)
    p.add_argument("--out")
    p.set_defaults(run=_solve)
    b = sub.add_parser("bench", help="benchmarks: solomon DIR, or stations")
    b.add_argument("kind", choices=["solomon", "stations"])
    b.add_argument("directory", nargs="?", help="the Solomon instances folder")
    b.add_argument("--seconds", type=_seconds, default=10.0)
    b.add_argument("--instances", help="comma-separated subset, e.g. c101,r101")
    b.add_argument("--results", help="also write the rows as JSON to this file")
    b.add_argument("--tuning", help="experiments: solver Tuning fields as JSON, e.g. '{\"gls_lambda\": 0.2}'")
    b.set_defaults(run=_bench)
    args = parser.parse_args(argv)
    if args.command == "bench" and args.kind == "solomon" and not args.directory:
        parser.error("bench solomon needs the instances folder")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
