"""`python -m dispatch bench stations --seconds S`: seeded field-service days.

One station, customers within 30 km, 2-hour windows, 30-90 min visits, skills, lunch
breaks, 10 % customer-chosen engineers, priorities 1-3, travel at 30 km/h x 1.3. The same
seed always gives the same day, so numbers are comparable between versions.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

from dispatch.solver import ruin_recreate
from dispatch.solver.bench.shared import verify
from dispatch.solver.model import RoutingParams
from dispatch.solver.problem import dump_plan, load_problem
from dispatch.solver.ruin_recreate import SearchParams
from dispatch.solver.solve import solve

SIZES = ((60, 12), (120, 24), (300, 60))
STATION = (31.2304, 121.4737)  # Shanghai, People's Square
SKILLS = ("laptop", "printer", "network", "phone", "server")
DAY_START, DAY_END = 8 * 3600, 18 * 3600


def station_day(visits: int, engineers: int, seed: int, *, chosen: float = 0.10, radius_km: float = 30.0,
                centre: tuple[float, float] = STATION, speed_kmh: float = 30.0) -> dict:
    """A reproducible problem document for one station's day.

    `chosen` is the share of visits whose customer chose an engineer, `radius_km` the
    station's area around `centre`; the defaults are the three days `bench stations` runs.
    """
    rng = random.Random(seed)
    locations = [{"id": "station", "lat": centre[0], "lng": centre[1]}]
    crew = []
    for k in range(engineers):
        skills = sorted(rng.sample(SKILLS, rng.choice((2, 3))))
        crew.append({
            "id": f"eng-{k + 1}", "start": "station", "end": "station", "shift": [DAY_START, DAY_END],
            "skills": skills, "break": {"window": [11 * 3600 + 1800, 13 * 3600 + 1800], "duration": 2700},
        })
    jobs = []
    for n in range(visits):
        lat, lng = _point_within(rng, radius_km, centre)
        locations.append({"id": f"cust-{n + 1}", "lat": lat, "lng": lng})
        slot = rng.randrange(DAY_START, DAY_END - 2 * 3600, 3600)
        job = {"id": f"v-{n + 1}", "location": f"cust-{n + 1}",
               "duration": rng.choice(range(1800, 5401, 900)), "window": [slot, slot + 2 * 3600],
               "priority": rng.choices((1, 2, 3), (70, 20, 10))[0]}
        if rng.random() < 0.85:
            job["skill"] = rng.choice(SKILLS)
        if rng.random() < chosen:
            able = [e["id"] for e in crew if job.get("skill") in (None, *e["skills"])]
            if able:
                job["engineer"] = rng.choice(able)
        jobs.append(job)
    return {"format": "dispatch-problem/1", "name": f"station-{visits}x{engineers}-seed{seed}",
            "travel": {"model": "geodesic", "speed_kmh": speed_kmh, "detour_factor": 1.3},
            "locations": locations, "engineers": crew, "visits": jobs}


def _point_within(rng: random.Random, radius_km: float,
                  centre: tuple[float, float] = STATION) -> tuple[float, float]:
    r = radius_km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(angle) / 111.32
    dlng = r * math.sin(angle) / (111.32 * math.cos(math.radians(centre[0])))
    return centre[0] + dlat, centre[1] + dlng


def run_stations(seconds: float, results: str | None = None, routing: RoutingParams | None = None,
                 search: SearchParams | None = None) -> int:
    """Solve the three station days, verify each plan, print the figures."""
    print(f"{'day':26} {'assigned':>9} {'weighted':>12} {'travel h':>8} {'secs':>6} {'outside':>7}  verified")
    rows, clean = [], True
    ruin_recreate.warm()
    for visits, engineers in SIZES:
        doc = station_day(visits, engineers, seed=visits)
        problem = load_problem(doc)
        started = time.perf_counter()
        plan = solve(problem, seconds, routing=routing, search=search)
        elapsed = time.perf_counter() - started
        verdict = verify(doc, dump_plan(plan))
        weight = {v.id: v.priority for v in problem.visits}
        got = sum(weight[s.visit] for r in plan.routes for s in r.stops)
        outside = elapsed - plan.solver.get("search_seconds", 0)
        row = {"day": doc["name"], "assigned": verdict.get("assigned"), "visits": visits,
               "weighted": got, "weighted_total": sum(weight.values()),
               "travel_hours": verdict.get("travel_time", 0) / 3600, "seconds": elapsed,
               "outside_search": outside, "ok": verdict.get("ok"),
               "reasons": sorted({u.reason for u in plan.unassigned}),
               "status": plan.solver.get("status"), "improver": plan.solver.get("improver")}
        rows.append(row)
        clean &= bool(row["ok"])
        state = "OK" if row["ok"] else "FAIL " + "; ".join(verdict.get("violations", [])[:3])
        print(f"{row['day']:26} {row['assigned']:>4}/{visits:<4} {got:>5}/{row['weighted_total']:<6} "
              f"{row['travel_hours']:8.1f} {elapsed:6.1f} {outside:7.2f}  {state}", flush=True)
    if results:
        Path(results).write_text(json.dumps(rows, indent=1))
    return 0 if clean else 1
