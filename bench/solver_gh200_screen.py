"""Screen search settings on Gehring & Homberger 200-customer instances, ours only.

    .venv/bin/python bench/solver_gh200_screen.py R2_2_1,RC1_2_1 --seconds 10 \
        --params '{"new_route_rate": 0.05}' [--iterations 200000] [--seeds 1,2] [--json out.json]

Each plan is checked by verify_plan.py and compared with PyVRP's cached 30 s result for the
instance (`$WENQING_BENCH_CACHE`, written by `python -m dispatch bench gh200 --seconds 30`;
PyVRP is run, and cached, where it is missing), whatever our own budget: a relative yardstick
for comparing settings with each other, not the benchmark's like-for-like ratio. With
`--iterations` the search makes exactly that many steps (the clock does not matter: runs on a
busy machine compare fairly).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatch.solver import ruin_recreate  # noqa: E402
from dispatch.solver.bench.gh200 import gh200_dir  # noqa: E402
from dispatch.solver.bench.shared import verify, vrplib_problem  # noqa: E402
from dispatch.solver.bench.yardstick import pyvrp_distance  # noqa: E402
from dispatch.solver.problem import dump_plan, load_problem  # noqa: E402
from dispatch.solver.ruin_recreate import SearchParams  # noqa: E402
from dispatch.solver.solve import solve  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", help="comma-separated names, e.g. R2_2_1,RC2_2_1")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--params", default="{}", help="SearchParams fields as JSON")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    fields = json.loads(args.params)
    ruin_recreate.warm()
    rows = []
    for name in args.instances.split(","):
        path = gh200_dir() / f"{name}.vrp"
        doc = vrplib_problem(path)
        ref = pyvrp_distance(doc, 30.0)
        for seed in (int(s) for s in args.seeds.split(",")):
            search = SearchParams(**{**fields, "seed": seed, "iterations": args.iterations})
            plan = solve(load_problem(doc), args.seconds, search=search)
            verdict = verify(doc, dump_plan(plan))
            clean = bool(verdict.get("ok")) and not verdict.get("unassigned")
            row = {"instance": name, "seed": seed, "ok": clean, "vehicles": verdict.get("engineers_used"),
                   "distance": verdict.get("distance"), "pyvrp_30s": ref["distance"],
                   "pyvrp_vehicles": ref["vehicles"],
                   "ratio": verdict["distance"] / ref["distance"] if clean else None,
                   "steps": plan.solver.get("improver_iterations")}
            rows.append(row)
            print(f"{name:9} seed {seed}  veh {row['vehicles']:>3} (pv {ref['vehicles']:>2})  "
                  f"{row['distance']:9.2f}  ratio {row['ratio'] or float('nan'):.4f}  steps {row['steps']}  "
                  f"{'OK' if clean else 'NOT CLEAN'}", flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(rows, indent=1))
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    if ratios:
        print(f"mean ratio {statistics.mean(ratios):.4f}  worst {max(ratios):.4f}  "
              f"verified {len(ratios)}/{len(rows)}  params {fields}")
    return 0 if len(ratios) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
