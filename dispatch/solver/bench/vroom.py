"""`python -m dispatch bench vroom --seconds 1,2,10`: our solver against VROOM, per day.

Generated station days of 60 to 300 visits (`stations.station_day`): usual days, days with
30 % customer-chosen engineers, thinly staffed days (more work than the engineers can do) and
days in a sparse region, 23 in all (the last 16 held out until 2026-12-07).
VROOM (pyvroom, requirements-bench.txt) runs at its highest exploration level (5) on one
thread for `VROOM_SECONDS`; a customer-chosen engineer becomes a skill only that engineer
has. Its solution is converted to the exchange format and, like each of our plans, checked
by verify_plan.py; only verified plans count. Per day: priority-weighted work left undone,
and travel hours (compared when both serve the same visits).
"""
from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from dispatch.solver import dump_plan, load_problem, ruin_recreate, solve, travel as travel_model
from dispatch.solver.bench.shared import verify
from dispatch.solver.bench.stations import station_day

VROOM_SECONDS = 10.0
URUMQI = (43.8256, 87.6168)
SPARSE = {"radius_km": 90.0, "centre": URUMQI, "speed_kmh": 50.0}  # a county of Xinjiang
# (label, visits, engineers, seed, station_day keywords)
DAYS = (
    ("usual 60", 60, 12, 60, {}),
    ("usual 120", 120, 24, 120, {}),
    ("usual 300", 300, 60, 300, {}),
    ("chosen 30% 100", 100, 20, 7, {"chosen": 0.30}),
    ("chosen 30% 200", 200, 40, 11, {"chosen": 0.30}),
    ("thin 150", 150, 15, 13, {}),
    ("sparse 80", 80, 14, 17, SPARSE),
    # held out until 2026-12-07 (new seeds and sizes; where thin days first lost to VROOM)
    ("usual 70", 70, 14, 201, {}),
    ("usual 90", 90, 18, 101, {}),
    ("usual 200", 200, 40, 208, {}),
    ("usual 240", 240, 48, 102, {}),
    ("chosen 30% 120", 120, 24, 204, {"chosen": 0.30}),
    ("chosen 30% 150", 150, 30, 103, {"chosen": 0.30}),
    ("thin 90", 90, 8, 203, {}),
    ("thin 120", 120, 12, 104, {}),
    ("thin 160", 160, 16, 202, {}),
    ("thin 200", 200, 20, 105, {}),
    ("thin chosen 100", 100, 10, 107, {"chosen": 0.30}),
    ("thin chosen 180", 180, 18, 205, {"chosen": 0.30}),
    ("sparse 100", 100, 16, 206, SPARSE),
    ("sparse 120", 120, 20, 106, SPARSE),
    ("sparse thin 100", 100, 10, 108, SPARSE),
    ("sparse thin 140", 140, 12, 207, SPARSE),
)


def vroom_input(doc: dict):
    """The problem document as a pyvroom Input: travel times from our travel model."""
    import vroom

    problem = load_problem(doc)
    index = problem.location_index
    durations = travel_model.matrices(problem.travel, problem.locations).time
    data = vroom.Input()
    data.set_durations_matrix(profile="car", matrix_input=np.asarray(durations, dtype=np.uint32))
    skill_ids: dict[str, int] = {}
    for engineer in problem.engineers:
        for skill in engineer.skills:
            skill_ids.setdefault(skill, len(skill_ids) + 1)
    chosen_ids = {e.id: 1000 + k for k, e in enumerate(problem.engineers)}
    for k, engineer in enumerate(problem.engineers):
        breaks = []
        if engineer.break_ is not None:
            start, end = engineer.break_.window
            length = int(engineer.break_.duration)
            # VROOM's break window bounds the start; the format's holds the whole break
            window = vroom.TimeWindow(int(start), int(end) - length)
            breaks = [vroom.Break(1, time_windows=[window], service=length)]
        data.add_vehicle(vroom.Vehicle(
            k + 1, start=index[engineer.start], end=index[engineer.end],
            time_window=vroom.TimeWindow(int(engineer.shift[0]), int(engineer.shift[1])),
            skills={skill_ids[s] for s in engineer.skills} | {chosen_ids[engineer.id]}, breaks=breaks))
    for k, visit in enumerate(problem.visits):
        skills = set()
        if visit.skill is not None:
            skills.add(skill_ids.get(visit.skill, 999))
        if visit.engineer is not None:
            skills.add(chosen_ids[visit.engineer])
        windows = [vroom.TimeWindow(int(visit.window[0]), int(visit.window[1]))] if visit.window else []
        data.add_job(vroom.Job(k + 1, location=index[visit.location], default_service=int(visit.duration),
                               time_windows=windows, skills=skills, priority=int(visit.priority)))
    return problem, data


def vroom_plan(doc: dict, seconds: float) -> tuple[dict, float]:
    """VROOM's plan of the day in the exchange format, and its wall-clock seconds."""
    problem, data = vroom_input(doc)
    started = time.perf_counter()
    solution = data.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=seconds))
    elapsed = time.perf_counter() - started
    real = travel_model.matrices(problem.travel, problem.locations)
    index = problem.location_index
    routes, served = [], set()
    for route in solution.to_dict()["routes"]:
        engineer = problem.engineers[int(route["vehicle"]) - 1]
        out = {"engineer": engineer.id, "stops": [], "break": None}
        distance = travel_time = 0.0
        here = index[engineer.start]
        for step in route["steps"]:
            kind = step["type"]
            if kind == "start":
                out["depart"] = int(step["arrival"])
            elif kind == "break":
                begin = int(step["arrival"]) + int(step.get("waiting_time", 0))
                out["break"] = {"start": begin, "end": begin + int(step["service"])}
            else:
                visit = problem.visits[int(step["id"]) - 1] if kind == "job" else None
                there = index[visit.location] if visit is not None else index[engineer.end]
                distance += real.distance[here, there]
                travel_time += real.time[here, there]
                here = there
                if kind == "end":
                    out["return"] = int(step["arrival"])
                else:
                    begin = int(step["arrival"]) + int(step.get("waiting_time", 0))
                    out["stops"].append({"visit": visit.id, "arrival": int(step["arrival"]), "start": begin,
                                         "end": begin + int(step["service"])})
                    served.add(visit.id)
        out["distance"], out["travel_time"] = distance, travel_time
        if out["break"] is None:
            del out["break"]
        routes.append(out)
    unassigned = [{"visit": v.id, "reason": "left out by VROOM"}
                  for v in problem.visits if v.id not in served]
    plan = {"format": "dispatch-plan/1", "problem": problem.name, "routes": routes, "unassigned": unassigned,
            "totals": {"distance": sum(r["distance"] for r in routes),
                       "travel_time": sum(r["travel_time"] for r in routes),
                       "assigned": len(served), "unassigned": len(unassigned)},
            "solver": {"name": "vroom", "seconds": elapsed, "status": "exploration 5, 1 thread"}}
    return plan, elapsed


def _figures(doc: dict, plan: dict) -> dict:
    verdict = verify(doc, plan)
    priority = {v["id"]: v.get("priority", 1) for v in doc["visits"]}
    served = {s["visit"] for r in plan["routes"] for s in r["stops"]}
    return {"ok": bool(verdict.get("ok")), "violations": verdict.get("violations", [])[:3],
            "undone": sum(p for v, p in priority.items() if v not in served),
            "hours": verdict.get("travel_time", 0) / 3600, "served": sorted(served)}


def run_vroom(budgets: list[float], results: str | None = None, vroom_seconds: float = VROOM_SECONDS) -> int:
    """Solve every day with VROOM and with ours at each budget; print the per-day table."""
    ruin_recreate.warm()
    heads = "".join(f" {'ours ' + format(b, 'g') + ' s':>16}" for b in budgets)
    theirs_head = f"VROOM {vroom_seconds:g} s"
    print(f"{'day':16} {'visits':>6} {'eng':>4} {'weight':>6} {theirs_head:>16}"
          f"{heads}   (undone weighted work / travel h; = same visits as VROOM)")
    rows, failed = [], 0
    for label, visits, engineers, seed, options in DAYS:
        doc = station_day(visits, engineers, seed, **options)
        total = sum(v.get("priority", 1) for v in doc["visits"])
        theirs, elapsed = vroom_plan(doc, vroom_seconds)
        row = {"day": label, "name": doc["name"], "visits": visits, "engineers": engineers, "weight": total,
               "vroom": {**_figures(doc, theirs), "seconds": elapsed}, "ours": {}}
        for budget in budgets:
            started = time.perf_counter()
            plan = dump_plan(solve(load_problem(doc), budget))
            row["ours"][budget] = {**_figures(doc, plan), "seconds": time.perf_counter() - started}
        cells = [_cell(row["vroom"], None)] + [_cell(row["ours"][b], row["vroom"]) for b in budgets]
        failed += sum(not c["ok"] for c in [row["vroom"], *row["ours"].values()])
        print(f"{label:16} {visits:6d} {engineers:4d} {total:6d} " + " ".join(f"{c:>16}" for c in cells),
              flush=True)
        for who, figures in [("VROOM", row["vroom"]), *((f"ours {b:g} s", row["ours"][b]) for b in budgets)]:
            if not figures["ok"]:
                print(f"  {who} NOT VERIFIED: {'; '.join(figures['violations'])}", flush=True)
        rows.append(row)
    if results:
        for row in rows:
            for figures in [row["vroom"], *row["ours"].values()]:
                figures.pop("served")
        Path(results).write_text(json.dumps(rows, indent=1))
    sys.stdout.flush()
    return 1 if failed else 0


def _cell(figures: dict, vroom: dict | None) -> str:
    if not figures["ok"]:
        return "NOT VERIFIED"
    same = "=" if vroom is not None and figures["served"] == vroom["served"] else " "
    return f"{figures['undone']:d} / {figures['hours']:.1f}{same}"
