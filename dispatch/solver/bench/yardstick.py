"""PyVRP, the open-source state of the art, as the yardstick for the Solomon benchmark.

Same objective as ours (total distance, fleet free up to the instance's vehicles), same grid
(distances rounded, travel times rounded up, on 1/1000 of a unit), same time limit, one core.
Results are cached by instance and time limit, since they do not depend on our solver.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

SCALE = 1000
CACHE = Path(os.environ.get("WENQING_BENCH_CACHE", "/tmp/wenqing-bench-cache"))


def pyvrp_distance(problem: dict, seconds: float, seed: int = 1) -> dict:
    """PyVRP's best routes for a euclidean problem: real distance, vehicles, seconds."""
    key = CACHE / f"pyvrp-{problem['name']}-{seconds:g}s-seed{seed}.json"
    if key.exists():
        return json.loads(key.read_text())
    result = _solve(problem, seconds, seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(result))
    return result


def _solve(problem: dict, seconds: float, seed: int) -> dict:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    locs = {loc["id"]: loc for loc in problem["locations"]}
    eng = problem["engineers"][0]
    depot_loc = locs[eng["start"]]
    m = Model()
    points = [m.add_location(depot_loc["x"], depot_loc["y"])]
    m.add_depot(points[0], tw_early=_up(eng["shift"][0]), tw_late=_down(eng["shift"][1]))
    for v in problem["visits"]:
        loc = locs[v["location"]]
        points.append(m.add_location(loc["x"], loc["y"]))
        m.add_client(points[-1], delivery=int(round(v.get("demand", 0))), service_duration=_up(v["duration"]),
                     tw_early=_up(v["window"][0]), tw_late=_down(v["window"][1]))
    m.add_vehicle_type(num_available=len(problem["engineers"]), capacity=int(eng["capacity"]),
                       tw_early=_up(eng["shift"][0]), tw_late=_down(eng["shift"][1]))
    coords = [(depot_loc["x"], depot_loc["y"])] + [(locs[v["location"]]["x"], locs[v["location"]]["y"])
                                                   for v in problem["visits"]]
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            d = math.hypot(coords[i][0] - coords[j][0], coords[i][1] - coords[j][1])
            m.add_edge(a, b, distance=round(d * SCALE), duration=math.ceil(d * SCALE - 1e-9))
    started = time.perf_counter()
    res = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    elapsed = time.perf_counter() - started
    routes = [[a.idx for a in route if a.is_client()] for route in res.best.routes()]
    distance = 0.0
    for route in routes:
        path = [0] + [c + 1 for c in route] + [0]
        distance += sum(math.hypot(coords[a][0] - coords[b][0], coords[a][1] - coords[b][1])
                        for a, b in zip(path, path[1:]))
    return {"distance": distance, "vehicles": len(routes), "feasible": bool(res.best.is_feasible()),
            "seconds": elapsed, "iterations": res.num_iterations}


def _up(t: float) -> int:
    return math.ceil(t * SCALE - 1e-9)


def _down(t: float) -> int:
    return math.floor(t * SCALE + 1e-9)
