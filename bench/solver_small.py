"""Small stations cost little: where the time of a 30-visit day goes outside the search, whether
0.5 s plans it as well as 10 s, and the peak memory of a 300-visit day.

    python bench/solver_small.py phases            # per-phase ms, 30-visit days, warm process
    python bench/solver_small.py budgets 0.5,10    # the same days at each budget, verified
    python bench/solver_small.py memory 300 2      # peak memory of one day in this (fresh) process

Every plan is checked by verify_plan.py. Storing the plan (dispatch/planning.py, the
database) is not measured here.
"""
from __future__ import annotations

import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

DAYS = [(30, 6, seed) for seed in (3, 11, 23, 37, 41)]


def _timed_solve(doc: dict, seconds: float) -> tuple[dict, dict]:
    from dispatch.solver import dump_plan, load_problem, solve

    clock = time.perf_counter()
    problem = load_problem(doc)
    loaded = time.perf_counter()
    plan = solve(problem, seconds)
    solved = time.perf_counter()
    plan_doc = dump_plan(plan)
    dumped = time.perf_counter()
    info = plan.solver
    ms = {
        "load": (loaded - clock) * 1000,
        "matrix": info["matrix_seconds"] * 1000,
        "screen+model": (info["seconds"] - info["matrix_seconds"] - info["search_seconds"]
                         - info["read_seconds"]) * 1000,
        "read back": info["read_seconds"] * 1000,
        "dump": (dumped - solved) * 1000,
        "search": info["search_seconds"] * 1000,
        "ours": info.get("improver_seconds", 0) * 1000,
    }
    ms["outside search"] = ms["load"] + ms["matrix"] + ms["screen+model"] + ms["read back"] + ms["dump"]
    return plan_doc, ms


def phases(seconds: float = 0.5) -> None:
    from dispatch.solver import ruin_recreate
    from dispatch.solver.bench.stations import station_day

    ruin_recreate.warm()
    _timed_solve(station_day(30, 6, 1), seconds)  # the process's first solve: imports, OR-Tools set-up
    rows = []
    for visits, engineers, seed in DAYS:
        _plan, ms = _timed_solve(station_day(visits, engineers, seed), seconds)
        rows.append(ms)
    keys = list(rows[0])
    print(f"{'day':14}" + "".join(f"{k:>15}" for k in keys) + "   (ms)")
    for (visits, engineers, seed), ms in zip(DAYS, rows):
        print(f"{visits}x{engineers}-seed{seed:<6}" + "".join(f"{ms[k]:15.1f}" for k in keys))
    print(f"{'median':14}" + "".join(f"{statistics.median(r[k] for r in rows):15.1f}" for k in keys))


def budgets(seconds: list[float]) -> None:
    from dispatch.solver import ruin_recreate
    from dispatch.solver.bench.shared import verify
    from dispatch.solver.bench.stations import station_day

    ruin_recreate.warm()
    print(f"{'day':14} {'budget':>6} {'verified':>8} {'undone':>6} {'assigned':>8} {'travel h':>8}")
    for visits, engineers, seed in DAYS:
        doc = station_day(visits, engineers, seed)
        priority = {v["id"]: v.get("priority", 1) for v in doc["visits"]}
        for budget in seconds:
            plan, _ms = _timed_solve(doc, budget)
            verdict = verify(doc, plan)
            undone = sum(priority[u["visit"]] for u in plan["unassigned"])
            print(f"{visits}x{engineers}-seed{seed:<6} {budget:6g} {'OK' if verdict.get('ok') else 'NO':>8} "
                  f"{undone:6d} {verdict.get('assigned', 0):8d} {plan['totals']['travel_time'] / 3600:8.2f}",
                  flush=True)


def memory(visits: int, seconds: float) -> None:
    """Peak memory of planning one day in this process (run it in a fresh one)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from dispatch.solver import ruin_recreate
    from dispatch.solver.bench.stations import station_day

    ruin_recreate.warm()
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    doc = station_day(visits, visits // 5, visits)
    tracemalloc.start()
    plan, _ms = _timed_solve(doc, seconds)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"visits": visits, "seconds": seconds, "assigned": plan["totals"]["assigned"],
                      "rss_start_mb": round(before, 1), "rss_after_imports_mb": round(loaded, 1),
                      "rss_peak_mb": round(after, 1), "python_peak_during_solve_mb": round(peak / 2**20, 1)}))


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else "phases"
    if kind == "phases":
        phases(float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
    elif kind == "budgets":
        budgets([float(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "0.5,10").split(",")])
    elif kind == "memory":
        memory(int(sys.argv[2]) if len(sys.argv) > 2 else 300,
               float(sys.argv[3]) if len(sys.argv) > 3 else 2.0)
    else:
        sys.exit(__doc__)
