"""`python -m dispatch bench warm --seconds S`: re-planning after one change, warm and cold.

For seeded station days: plan the day cold for S seconds (the "published" plan), make one
change (an urgent visit added, a visit cancelled, an engineer absent, a visit pinned to
another engineer), then plan the changed day cold for S seconds (the quality to reach) and,
for growing budgets, warm from the published routes (and cold at 1 s). Every plan is
checked by verify_plan.py; a row counts only when it verifies. Reports priority-weighted
work left undone, travel hours, how many published stops moved and how many kept their
engineer. The warm starts run with the default move cost and, for comparison, without one
("free": `SearchParams(move_cost=0)`, what the re-plan did before).
"""
from __future__ import annotations

import copy
import json
import statistics
import sys
from pathlib import Path

from dispatch.solver import SearchParams, dump_plan, load_problem, ruin_recreate, solve
from dispatch.solver.bench.shared import verify
from dispatch.solver.bench.stations import station_day
from dispatch.solver.problem import ProblemError
from dispatch.solver.solve import _check_fixed_days as check_fixed_days
from dispatch.solver.travel import matrices

DAYS = ((60, 12, 60), (120, 24, 120), (300, 60, 300))
BUDGETS = (0.25, 0.5, 1.0)
FREE_BUDGETS = (0.5, 1.0)  # warm without a move cost


def with_urgent_visit(doc: dict) -> dict:
    """The day with one more visit near the first customer, priority 3, any time."""
    changed = copy.deepcopy(doc)
    near = next(loc for loc in changed["locations"] if loc["id"] != "station")
    changed["locations"].append({"id": "urgent", "lat": near["lat"] + 0.01, "lng": near["lng"]})
    changed["visits"].append({"id": "v-urgent", "location": "urgent", "duration": 2700, "priority": 3})
    return changed


def measure(doc: dict, seconds: float, initial=None, search: SearchParams | None = None) -> dict:
    plan = dump_plan(solve(load_problem(doc), seconds, initial=initial, search=search))
    verdict = verify(doc, plan)
    priority = {v["id"]: v.get("priority", 1) for v in doc["visits"]}
    return {"ok": bool(verdict.get("ok")), "plan": plan,
            "weighted": sum(priority[s["visit"]] for r in plan["routes"] for s in r["stops"]),
            "hours": plan["totals"]["travel_time"] / 3600}


def kept(published: dict, plan: dict) -> int:
    """Stops of the published plan that stay with the same engineer."""
    before = {s["visit"]: r["engineer"] for r in published["routes"] for s in r["stops"]}
    return sum(1 for r in plan["routes"] for s in r["stops"] if before.get(s["visit"]) == r["engineer"])


def _places(plan: dict) -> dict[str, tuple[str, str | None]]:
    """Each served visit's (engineer, visit before it on the route)."""
    out = {}
    for r in plan["routes"]:
        before = None
        for s in r["stops"]:
            out[s["visit"]] = (r["engineer"], before)
            before = s["visit"]
    return out


def moved(published: dict, plan: dict, doc: dict) -> int:
    """Published stops, of visits still in the day, that now have another engineer, another
    visit before them, or no place: what a manager sees change."""
    alive = {v["id"] for v in doc["visits"]}
    before, after = _places(published), _places(plan)
    return sum(1 for v, place in before.items() if v in alive and after.get(v) != place)


def with_cancelled_visit(doc: dict, published: dict) -> dict:
    """The day without the first served visit of the longest published route."""
    route = max(published["routes"], key=lambda r: len(r["stops"]))
    gone = route["stops"][len(route["stops"]) // 2]["visit"]
    changed = copy.deepcopy(doc)
    changed["visits"] = [v for v in changed["visits"] if v["id"] != gone]
    return changed


def with_engineer_absent(doc: dict, published: dict) -> dict:
    """The day without the engineer of the longest published route (nobody chose them)."""
    chosen = {v.get("engineer") for v in doc["visits"]}
    route = max((r for r in published["routes"] if r["engineer"] not in chosen),
                key=lambda r: len(r["stops"]), default=published["routes"][0])
    changed = copy.deepcopy(doc)
    changed["engineers"] = [e for e in changed["engineers"] if e["id"] != route["engineer"]]
    changed["visits"] = [v for v in changed["visits"] if v.get("engineer") != route["engineer"]]
    return changed


def with_visit_pinned(doc: dict, published: dict) -> dict:
    """A served visit pinned to an engineer the published plan leaves idle (able to take it
    and to be there at its published start), else pinned where it is."""
    at = {s["visit"]: (r["engineer"], s["start"]) for r in published["routes"] for s in r["stops"]}
    busy = {r["engineer"] for r in published["routes"] if r["stops"]}
    idle = [e for e in doc["engineers"] if e["id"] not in busy]
    for visit in doc["visits"]:
        if visit["id"] not in at or "engineer" in visit:
            continue
        for engineer in idle:
            if visit.get("skill") in (None, *engineer["skills"]):
                changed = _pinned(doc, visit["id"], engineer["id"], at[visit["id"]][1])
                if changed is not None:
                    return changed
    first = next(v for v in at)
    return _pinned(doc, first, *at[first])


def _pinned(doc: dict, visit_id: str, engineer: str, start: float) -> dict | None:
    changed = copy.deepcopy(doc)
    for visit in changed["visits"]:
        if visit["id"] == visit_id:
            visit["fixed"] = {"engineer": engineer, "start": start}
    problem = load_problem(changed)
    try:
        check_fixed_days(problem, matrices(problem.travel, problem.locations).time)
    except ProblemError:
        return None
    return changed


CHANGES = (
    ("added", lambda doc, _published: with_urgent_visit(doc)),
    ("cancelled", with_cancelled_visit),
    ("absent", with_engineer_absent),
    ("pinned", with_visit_pinned),
)


def misses(cold: list[int], warm: list[int]) -> int:
    """Warm re-plans that leave more priority-weighted work undone than the median of the cold
    runs (one cold seed is no yardstick: its own result varies by a visit from seed to seed)."""
    reference = statistics.median(cold)
    return sum(1 for undone in warm if undone > reference)


def _runs(changed: dict, initial: dict, seconds: float, seed: int) -> list[tuple[str, dict]]:
    """The changed day planned cold for `seconds` (first), warm at each budget, warm without a
    move cost, and cold at the largest warm budget."""
    runs = [(f"cold {seconds:g} s", measure(changed, seconds, search=SearchParams(seed=seed)))]
    runs += [(f"warm {b:g} s", measure(changed, b, initial, SearchParams(seed=seed))) for b in BUDGETS]
    runs += [(f"free {b:g} s", measure(changed, b, initial, SearchParams(seed=seed, move_cost=0)))
             for b in FREE_BUDGETS]
    if BUDGETS[-1] != seconds:
        quick = measure(changed, BUDGETS[-1], search=SearchParams(seed=seed))
        runs.append((f"cold {BUDGETS[-1]:g} s", quick))
    return runs


def run_warm(seconds: float, seeds: tuple[int, ...] = (1,), results: str | None = None) -> int:
    """Per day and change: a cold `seconds` solve (the quality to reach), warm starts from the
    published plan at growing budgets and a cold one at the largest, each with every seed;
    every plan verified. The published plan is the cold `seconds` plan of the first seed.
    With several seeds, a summary counts the warm re-plans that miss the median cold work;
    `results` also gets every row as JSON."""
    ruin_recreate.warm()
    print(f"{'day':8} {'change':10} {'run':14} {'verified':>8} {'undone':>6} {'travel h':>9} {'moved':>6}"
          f" {'kept eng.':>9}  (undone = priority-weighted work left out; moved = published stops"
          " with another engineer, predecessor or none)")
    failed = 0
    undone: dict[tuple[str, str], dict[str, list[int]]] = {}
    table: list[dict] = []
    for visits, engineers, day_seed in DAYS:
        doc = station_day(visits, engineers, day_seed)
        published = measure(doc, seconds, search=SearchParams(seed=seeds[0]))
        initial = {r["engineer"]: [s["visit"] for s in r["stops"]] for r in published["plan"]["routes"]}
        # the day before the change, as published: a warm re-plan starts from this draw of a
        # cold solve, so its travel is the fair yardstick for the re-plans' travel
        left = sum(v.get("priority", 1) for v in doc["visits"]) - published["weighted"]
        stops = sum(len(r["stops"]) for r in published["plan"]["routes"])
        table.append({"day": f"{visits}/{engineers}", "change": "none", "run": "published", "seed": seeds[0],
                      "ok": published["ok"], "undone": left, "travel_hours": published["hours"],
                      "moved": 0, "kept": stops})
        failed += not published["ok"]
        _print_row(table[-1], "(none)", "published")
        for change, make in CHANGES:
            changed = make(doc, published["plan"])
            total = sum(v.get("priority", 1) for v in changed["visits"])
            by_run = undone.setdefault((f"{visits}/{engineers}", change), {})
            for seed in seeds:
                tag = f" #{seed}" if len(seeds) > 1 else ""
                rows = _runs(changed, initial, seconds, seed)
                for name, row in rows:
                    failed += not row["ok"]
                    left = total - row["weighted"]
                    by_run.setdefault(name, []).append(left)
                    table.append({"day": f"{visits}/{engineers}", "change": change, "run": name, "seed": seed,
                                  "ok": row["ok"], "undone": left, "travel_hours": row["hours"],
                                  "moved": moved(published["plan"], row["plan"], changed),
                                  "kept": kept(published["plan"], row["plan"])})
                    _print_row(table[-1], change, name + tag)
                sys.stdout.flush()
    if len(seeds) > 1:
        _summary(undone, f"cold {seconds:g} s")
    if results:
        Path(results).write_text(json.dumps(table, indent=1))
    return 1 if failed else 0


def _print_row(entry: dict, change: str, run: str) -> None:
    """One line of the table from its JSON row."""
    print(f"{entry['day']:8} {change:10} {run:14} {'OK' if entry['ok'] else 'NO':>8} {entry['undone']:6d} "
          f"{entry['travel_hours']:9.1f} {entry['moved']:6d} {entry['kept']:9d}")


def _summary(undone: dict[tuple[str, str], dict[str, list[int]]], reference: str) -> None:
    """Per run kind: the re-plans that leave more work undone than the median of `reference`."""
    kinds = [name for name in next(iter(undone.values())) if name != reference]
    print(f"\nmisses: re-plans (seeds x changes) leaving more weighted work undone than the median"
          f" {reference}")
    for name in kinds:
        missed = sum(misses(runs[reference], runs[name]) for runs in undone.values())
        count = sum(len(runs[name]) for runs in undone.values())
        where = ", ".join(f"{day} {change} {misses(runs[reference], runs[name])}"
                          for (day, change), runs in undone.items() if misses(runs[reference], runs[name]))
        print(f"  {name:10} {missed:3d} of {count}" + (f"  ({where})" if where else ""))
