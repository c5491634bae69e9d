"""`python -m dispatch bench gh200 --seconds 30`: our solver against PyVRP on the Gehring &
Homberger 200-customer instances (`../shared/benchmarks/gh200`).

The large-day counterpart of the Solomon benchmark: one core, distance objective, fleet free
(up to the instance's 50 vehicles), PyVRP given the same time. Every plan is checked by
`verify_plan.py`. The best-known solutions (`.sol`) are measured again in real arithmetic
(their stated costs truncate every arc to one decimal), so the gap to them is like for like.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

from dispatch.solver import ruin_recreate
from dispatch.solver.bench.shared import shared_dir, verify, vrplib_problem
from dispatch.solver.bench.solomon import family
from dispatch.solver.bench.yardstick import pyvrp_distance
from dispatch.solver.model import RoutingParams
from dispatch.solver.problem import dump_plan, load_problem
from dispatch.solver.ruin_recreate import SearchParams
from dispatch.solver.solve import solve


def gh200_dir() -> Path:
    return shared_dir() / "benchmarks" / "gh200"


def best_known(problem: dict, solution: Path) -> tuple[int, float]:
    """Routes and real-arithmetic distance of a `.sol` file (customer k is visit `c{k}`)."""
    coords = {loc["id"]: (loc["x"], loc["y"]) for loc in problem["locations"]}
    routes = [line.split(":", 1)[1].split() for line in solution.read_text().splitlines()
              if line.startswith("Route")]
    distance = 0.0
    for route in routes:
        path = ["depot", *(f"c{k}" for k in route), "depot"]
        distance += sum(math.dist(coords[a], coords[b]) for a, b in zip(path, path[1:]))
    return len(routes), distance


def run_instance(path: Path, seconds: float, routing: RoutingParams | None = None,
                 search: SearchParams | None = None) -> dict:
    """Solve, verify and compare one instance; one result row."""
    doc = vrplib_problem(path)
    started = time.perf_counter()
    plan = solve(load_problem(doc), seconds, routing=routing, search=search)
    elapsed = time.perf_counter() - started
    verdict = verify(doc, dump_plan(plan))
    ref = pyvrp_distance(doc, seconds)
    bks_routes, bks_distance = best_known(doc, path.with_suffix(".sol"))
    clean = bool(verdict.get("ok")) and not verdict.get("unassigned")
    return {
        "instance": path.stem, "family": family(path.stem.replace("_", "")), "ok": bool(verdict.get("ok")),
        "violations": verdict.get("violations", [])[:3], "unassigned": verdict.get("unassigned"),
        "vehicles": verdict.get("engineers_used"), "distance": verdict.get("distance"),
        "seconds": round(elapsed, 2), "pyvrp_distance": ref["distance"], "pyvrp_vehicles": ref["vehicles"],
        "bks_vehicles": bks_routes, "bks_distance": bks_distance,
        "ratio": verdict["distance"] / ref["distance"] if clean and ref.get("feasible", True) else None,
        "pyvrp_gap_bks": ref["distance"] / bks_distance - 1,
        "gap_bks": verdict["distance"] / bks_distance - 1 if clean else None,
    }


def run_gh200(seconds: float, instances: list[str] | None = None, results: str | None = None,
              routing: RoutingParams | None = None, search: SearchParams | None = None) -> int:
    """Run the benchmark and print per instance, per family and overall figures."""
    ruin_recreate.warm()
    paths = sorted(gh200_dir().glob("*.vrp"))
    if instances:
        wanted = {name.lower() for name in instances}
        paths = [p for p in paths if p.stem.lower() in wanted]
    print(f"{'instance':9} {'veh':>3} {'distance':>9} {'pyvrp':>9} {'pv veh':>6} {'ratio':>7} "
          f"{'gap bks':>8} {'pv gap':>8} {'bks veh':>7} {'secs':>6}  verified", flush=True)
    rows = []
    for path in paths:
        rows.append(run_instance(path, seconds, routing, search))
        print(_line(rows[-1]), flush=True)
        if results:
            Path(results).write_text(json.dumps(rows, indent=1))
    _summary(rows)
    return 0 if all(r["ok"] and r["unassigned"] == 0 for r in rows) else 1


def _line(row: dict) -> str:
    ratio = f"{row['ratio']:.4f}" if row["ratio"] else "  -   "
    gap = f"{row['gap_bks'] * 100:+.2f}%" if row["gap_bks"] is not None else "   -  "
    state = "OK" if row["ok"] else "FAIL " + "; ".join(row["violations"])
    if row["ok"] and row["unassigned"]:
        state += f" ({row['unassigned']} unassigned)"
    distance = f"{row['distance']:9.2f}" if row["distance"] is not None else "    -    "
    return (f"{row['instance']:9} {row['vehicles'] or '-':>3} {distance} {row['pyvrp_distance']:9.2f} "
            f"{row['pyvrp_vehicles']:>6} {ratio:>7} {gap:>8} {row['pyvrp_gap_bks'] * 100:+7.2f}% "
            f"{row['bks_vehicles']:>7} {row['seconds']:6.1f}  {state}")


def _summary(rows: list[dict]) -> None:
    print()
    print(f"{'family':8} {'n':>3} {'mean ratio':>10} {'worst':>7} {'gap bks':>8} {'pv gap':>8} {'veh':>5} "
          f"{'pv veh':>6}")
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["family"], []).append(row)
    for name, group in [*sorted(groups.items()), ("ALL", rows)]:
        ok = [r for r in group if r["ratio"]]
        if not ok:
            print(f"{name:8} {len(group):>3}  no verified plan")
            continue
        print(f"{name:8} {len(group):>3} {statistics.mean(r['ratio'] for r in ok):10.4f} "
              f"{max(r['ratio'] for r in ok):7.4f} "
              f"{statistics.mean(r['gap_bks'] for r in ok) * 100:+7.2f}% "
              f"{statistics.mean(r['pyvrp_gap_bks'] for r in ok) * 100:+7.2f}% "
              f"{statistics.mean(r['vehicles'] for r in ok):5.1f} "
              f"{statistics.mean(r['pyvrp_vehicles'] for r in ok):6.1f}")
    failed = [r["instance"] for r in rows if not r["ok"] or r["unassigned"]]
    print(f"verified: {len(rows) - len(failed)}/{len(rows)}"
          + (f"  not clean: {', '.join(failed)}" if failed else ""))
    sys.stdout.flush()
