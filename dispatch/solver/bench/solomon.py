"""`python -m dispatch bench solomon DIR --seconds S`: our solver against PyVRP on Solomon.

Every plan is checked by `verify_plan.py` before it counts; a plan that fails or leaves a
customer out is reported as such, never averaged in silently.
"""
from __future__ import annotations

import csv
import json
import re
import statistics
import sys
import time
from pathlib import Path

from dispatch.solver import ruin_recreate
from dispatch.solver.bench.shared import solomon_problem, verify
from dispatch.solver.bench.yardstick import pyvrp_distance
from dispatch.solver.model import RoutingParams
from dispatch.solver.problem import dump_plan, load_problem
from dispatch.solver.ruin_recreate import SearchParams
from dispatch.solver.solve import solve


def family(name: str) -> str:
    """c101 -> C1, rc208 -> RC2."""
    m = re.match(r"([a-z]+)(\d)", name.lower())
    return (m.group(1) + m.group(2)).upper() if m else name


def bks(directory: Path) -> dict[str, tuple[int, float]]:
    path = directory / "bks.csv"
    if not path.exists():
        return {}
    with path.open() as fh:
        return {row["instance"]: (int(row["vehicles"]), float(row["distance"])) for row in csv.DictReader(fh)}


def distance_bks(directory: Path) -> dict[str, float]:
    """The distance-only best-known distances (fleet free), re-measured in real arithmetic."""
    path = directory / "bks-distance.csv"
    if not path.exists():
        return {}
    with path.open() as fh:
        return {row["instance"]: float(row["distance_real"]) for row in csv.DictReader(fh)}


def run_instance(path: Path, seconds: float, routing: RoutingParams | None = None,
                 search: SearchParams | None = None) -> dict:
    """Solve, verify and compare one instance; one result row."""
    doc = solomon_problem(path)
    started = time.perf_counter()
    plan = solve(load_problem(doc), seconds, routing=routing, search=search)
    elapsed = time.perf_counter() - started
    plan_doc = dump_plan(plan)
    verdict = verify(doc, plan_doc)
    ref = pyvrp_distance(doc, seconds)
    return {
        "instance": path.stem, "family": family(path.stem), "ok": bool(verdict.get("ok")),
        "violations": verdict.get("violations", [])[:3], "unassigned": verdict.get("unassigned"),
        "vehicles": verdict.get("engineers_used"), "distance": verdict.get("distance"),
        "seconds": round(elapsed, 2), "pyvrp_distance": ref["distance"], "pyvrp_vehicles": ref["vehicles"],
        # compared only when both serve every customer: a plan with visits left out is not shorter
        "ratio": (verdict["distance"] / ref["distance"]
                  if verdict.get("ok") and not verdict.get("unassigned") and ref.get("feasible", True)
                  else None),
    }


def run_solomon(directory: Path, seconds: float, instances: list[str] | None = None,
                results: str | None = None, routing: RoutingParams | None = None,
                search: SearchParams | None = None) -> int:
    """Run the benchmark and print per instance, per family and overall figures."""
    best, best_distance = bks(directory), distance_bks(directory)
    ruin_recreate.warm()
    paths = sorted(directory.glob("*.txt"))
    if instances:
        wanted = {name.lower() for name in instances}
        paths = [p for p in paths if p.stem.lower() in wanted]
    print(f"{'instance':9} {'veh':>3} {'distance':>9} {'pyvrp':>9} {'pv veh':>6} {'ratio':>7} "
          f"{'gap bks':>8} {'gap dbks':>8} {'secs':>6}  verified")
    rows = []
    for path in paths:
        row = run_instance(path, seconds, routing, search)
        ref = best.get(path.stem)
        row["gap_bks"] = row["distance"] / ref[1] - 1 if ref and row["ratio"] else None
        ref_d = best_distance.get(path.stem)
        row["gap_dbks"] = row["distance"] / ref_d - 1 if ref_d and row["ratio"] else None
        rows.append(row)
        print(_line(row), flush=True)
        if results:
            Path(results).write_text(json.dumps(rows, indent=1))
    _summary(rows)
    return 0 if all(r["ok"] and r["unassigned"] == 0 for r in rows) else 1


def _line(row: dict) -> str:
    ratio = f"{row['ratio']:.4f}" if row["ratio"] else "  -   "
    gap = f"{row['gap_bks'] * 100:+.2f}%" if row["gap_bks"] is not None else "   -  "
    gap_d = f"{row['gap_dbks'] * 100:+.2f}%" if row.get("gap_dbks") is not None else "   -  "
    state = "OK" if row["ok"] else "FAIL " + "; ".join(row["violations"])
    if row["ok"] and row["unassigned"]:
        state += f" ({row['unassigned']} unassigned)"
    distance = f"{row['distance']:9.2f}" if row["distance"] is not None else "    -    "
    return (f"{row['instance']:9} {row['vehicles'] or '-':>3} {distance} {row['pyvrp_distance']:9.2f} "
            f"{row['pyvrp_vehicles']:>6} {ratio:>7} {gap:>8} {gap_d:>8} {row['seconds']:6.1f}  {state}")


def _summary(rows: list[dict]) -> None:
    print()
    print(f"{'family':8} {'n':>3} {'mean ratio':>10} {'worst':>7} {'gap bks':>8} {'gap dbks':>8} {'veh':>5} "
          f"{'pv veh':>6}")
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["family"], []).append(row)
    for name, group in [*sorted(groups.items()), ("ALL", rows)]:
        ok = [r for r in group if r["ratio"]]
        if not ok:
            print(f"{name:8} {len(group):>3}  no verified plan")
            continue
        ratios = [r["ratio"] for r in ok]
        gaps = [r["gap_bks"] for r in ok if r["gap_bks"] is not None]
        gaps_d = [r["gap_dbks"] for r in ok if r.get("gap_dbks") is not None]
        print(f"{name:8} {len(group):>3} {statistics.mean(ratios):10.4f} {max(ratios):7.4f} "
              f"{(statistics.mean(gaps) * 100 if gaps else 0):+7.2f}% "
              f"{(statistics.mean(gaps_d) * 100 if gaps_d else 0):+7.2f}% "
              f"{statistics.mean(r['vehicles'] for r in ok):5.1f} "
              f"{statistics.mean(r['pyvrp_vehicles'] for r in ok):6.1f}")
    failed = [r["instance"] for r in rows if not r["ok"] or r["unassigned"]]
    print(f"verified: {len(rows) - len(failed)}/{len(rows)}"
          + (f"  not clean: {', '.join(failed)}" if failed else ""))
    sys.stdout.flush()
