"""`python -m dispatch bench warm --seconds S`: re-planning after one change, warm and cold.

For seeded station days: plan the day cold for S seconds (the "published" plan), add one
urgent visit, then plan the changed day cold for S seconds (the quality to reach) and, for
growing budgets, warm from the published routes and cold. Every plan is checked by
verify_plan.py; a row counts only when it verifies. Reports priority-weighted visits
served, travel hours, and how many of the published stops kept their engineer.
"""
from __future__ import annotations

import copy
import sys

from dispatch.solver import dump_plan, load_problem, ruin_recreate, solve
from dispatch.solver.bench.shared import verify
from dispatch.solver.bench.stations import station_day

DAYS = ((60, 12, 60), (120, 24, 120), (300, 60, 300))
BUDGETS = (0.25, 0.5, 1.0, 2.0)


def with_urgent_visit(doc: dict) -> dict:
    """The day with one more visit near the first customer, priority 3, any time."""
    changed = copy.deepcopy(doc)
    near = next(loc for loc in changed["locations"] if loc["id"] != "station")
    changed["locations"].append({"id": "urgent", "lat": near["lat"] + 0.01, "lng": near["lng"]})
    changed["visits"].append({"id": "v-urgent", "location": "urgent", "duration": 2700, "priority": 3})
    return changed


def measure(doc: dict, seconds: float, initial=None) -> dict:
    plan = dump_plan(solve(load_problem(doc), seconds, initial=initial))
    verdict = verify(doc, plan)
    priority = {v["id"]: v.get("priority", 1) for v in doc["visits"]}
    return {"ok": bool(verdict.get("ok")), "plan": plan,
            "weighted": sum(priority[s["visit"]] for r in plan["routes"] for s in r["stops"]),
            "hours": plan["totals"]["travel_time"] / 3600}


def kept(published: dict, plan: dict) -> int:
    """Stops of the published plan that stay with the same engineer."""
    before = {s["visit"]: r["engineer"] for r in published["routes"] for s in r["stops"]}
    return sum(1 for r in plan["routes"] for s in r["stops"] if before.get(s["visit"]) == r["engineer"])


def run_warm(seconds: float) -> int:
    ruin_recreate.warm()
    print(f"{'day':10} {'run':14} {'verified':>8} {'weighted':>8} {'travel h':>9} {'kept stops':>10}")
    failed = 0
    for visits, engineers, seed in DAYS:
        doc = station_day(visits, engineers, seed)
        published = measure(doc, seconds)
        changed = with_urgent_visit(doc)
        initial = {r["engineer"]: [s["visit"] for s in r["stops"]] for r in published["plan"]["routes"]}
        rows = [(f"cold {seconds:g} s", measure(changed, seconds))]
        for budget in BUDGETS:
            rows.append((f"warm {budget:g} s", measure(changed, budget, initial)))
            rows.append((f"cold {budget:g} s", measure(changed, budget)))
        for name, row in rows:
            failed += not row["ok"]
            print(f"{visits}/{engineers:<7} {name:14} {'OK' if row['ok'] else 'NO':>8} {row['weighted']:8d} "
                  f"{row['hours']:9.1f} {kept(published['plan'], row['plan']):10d}")
        sys.stdout.flush()
    return 1 if failed else 0
