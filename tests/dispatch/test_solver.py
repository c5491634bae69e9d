"""The solver: every plan passes verify_plan.py, and the hard rules hold."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dispatch.__main__ import main
from dispatch.solver import solve, travel
from dispatch.solver.problem import ProblemError, dump_plan, load_problem

SKILLS = ("laptop", "printer", "server")


def plan_for(doc: dict, check_plan, seconds: float = 0.3) -> dict:
    plan = dump_plan(solve(load_problem(doc), seconds))
    check_plan(doc, plan)
    return plan


def placed(plan: dict) -> dict[str, tuple[str, dict]]:
    return {s["visit"]: (r["engineer"], s) for r in plan["routes"] for s in r["stops"]}


def test_no_engineers_gives_an_empty_valid_plan(station, check_plan):
    plan = plan_for(station(engineers=[]), check_plan)
    assert plan["routes"] == [] and len(plan["unassigned"]) == 3
    assert all(u["reason"] for u in plan["unassigned"])


def test_no_visits_gives_an_empty_valid_plan(station, check_plan):
    plan = plan_for(station(visits=[]), check_plan)
    assert plan["routes"] == [] and plan["unassigned"] == []


def test_a_visit_no_one_has_the_skill_for_is_unassigned_with_that_reason(station, check_plan):
    doc = station()
    doc["visits"][2]["skill"] = "server"
    plan = plan_for(doc, check_plan)
    assert {"visit": "v3", "reason": "no engineer with skill 'server'"} in plan["unassigned"]
    assert {"v1", "v2"} <= set(placed(plan))


def test_a_chosen_engineer_is_never_replaced(station, check_plan):
    doc = station()  # five 2-hour visits chosen for e1 cannot all fit e1's 10-hour day with lunch
    doc["visits"] += [{"id": f"w{i}", "location": "a", "duration": 7200, "engineer": "e1"} for i in range(5)]
    plan = plan_for(doc, check_plan)
    got = placed(plan)
    mine = [f"w{i}" for i in range(5)]
    assert all(got[v][0] == "e1" for v in mine if v in got)  # e2 is free, yet takes none
    left = {u["visit"]: u["reason"] for u in plan["unassigned"]}
    assert any(v in left for v in mine)
    assert all(left[v] == "the day of chosen engineer 'e1' is full" for v in mine if v in left)


def test_a_chosen_engineer_gets_the_visit_even_when_another_is_closer(station, check_plan):
    doc = station()
    doc["engineers"][0].update(start="a", end="a")
    doc["engineers"][1].update(start="c", end="c")
    doc["visits"][2]["engineer"] = "e1"  # v3 is at c, where e2 lives
    doc["visits"][0]["engineer"] = "e2"  # v1 is at a, where e1 lives
    got = placed(plan_for(doc, check_plan))
    assert got["v3"][0] == "e1" and got["v1"][0] == "e2"


def test_fixed_visits_their_engineer_cannot_keep_are_refused_by_field(station):
    doc = station()
    doc["visits"][0]["fixed"] = {"engineer": "e2", "start": 36000}  # ends 38700 at a
    doc["visits"][2].update(window=None, fixed={"engineer": "e2", "start": 38800})  # c is far from a
    with pytest.raises(ProblemError, match=r"visits\[2\].fixed.start: 'e2' cannot be there at 38800"):
        solve(load_problem(doc), 0.3)


def test_fixed_visits_that_leave_no_room_for_the_break_are_refused(station):
    doc = station()
    doc["engineers"][0]["break"] = {"window": [36000, 41000], "duration": 3600}
    doc["visits"][0].update(window=None, fixed={"engineer": "e1", "start": 37000})
    with pytest.raises(ProblemError, match=r"engineers\[0\].break: no room for the break"):
        solve(load_problem(doc), 0.3)


def test_a_fixed_visit_never_moves(station, check_plan):
    doc = station()
    doc["visits"][2]["fixed"] = {"engineer": "e2", "start": 52000}
    got = placed(plan_for(doc, check_plan))
    assert got["v3"][0] == "e2" and got["v3"][1]["start"] == 52000


def test_the_break_is_planned_inside_its_window_and_no_visit_cuts_it(station, check_plan):
    doc = station()
    doc["visits"][0]["engineer"] = "e1"  # e1 works, so e1 takes lunch
    doc["visits"][2]["engineer"] = "e1"
    route = next(r for r in plan_for(doc, check_plan)["routes"] if r["engineer"] == "e1")
    brk = route["break"]
    assert 41400 <= brk["start"] and brk["end"] <= 48600 and brk["end"] - brk["start"] == 3600
    assert all(s["end"] <= brk["start"] or s["start"] >= brk["end"] for s in route["stops"])


def test_an_afternoon_shift_takes_lunch_before_it_and_still_works(station, check_plan):
    doc = station()
    doc["engineers"][0]["shift"] = [46800, 64800]  # 13:00-18:00; lunch must fall 11:30-13:00
    doc["engineers"][0]["break"] = {"window": [41400, 46800], "duration": 3600}
    doc["visits"][2]["fixed"] = {"engineer": "e1", "start": 50400}  # v3 at 14:00, under way
    doc["visits"][0].update(engineer="e1", window=None)
    plan = plan_for(doc, check_plan)
    assert placed(plan)["v3"][0] == "e1" and placed(plan)["v1"][0] == "e1"
    route = next(r for r in plan["routes"] if r["engineer"] == "e1")
    assert route["break"]["end"] <= 46800 <= route["depart"]
    assert plan["solver"]["improver"] == "sisr"  # OR-Tools took our search's routes


def test_higher_priority_wins_when_only_one_fits(station, check_plan):
    doc = station(engineers=[{"id": "e1", "start": "st", "end": "st", "shift": [28800, 36000]}])
    doc["visits"] = [
        {"id": "low", "location": "a", "duration": 3600, "window": [30000, 31000]},
        {"id": "high", "location": "b", "duration": 3600, "window": [30000, 31000], "priority": 3},
    ]
    plan = plan_for(doc, check_plan)
    assert set(placed(plan)) == {"high"}
    assert plan["unassigned"] == [{"visit": "low", "reason": "the only engineer who can reach it has no time left inside its window"}]


def test_unreachable_window_and_overlong_visit_are_explained(station, check_plan):
    doc = station()
    doc["visits"][0]["window"] = [0, 600]  # before anyone's shift
    doc["visits"][1]["duration"] = 40000   # longer than any shift
    reasons = {u["visit"]: u["reason"] for u in plan_for(doc, check_plan)["unassigned"]}
    assert "inside its window" in reasons["v1"]
    assert "longer than the shift" in reasons["v2"]


def solomon(shared_dir, name: str) -> tuple[dict, float]:
    """A Solomon instance as a problem document, and its distance-only best-known distance."""
    import csv
    import importlib.util

    spec = importlib.util.spec_from_file_location("s2p", shared_dir / "tools" / "solomon_to_problem.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = shared_dir / "benchmarks" / "solomon"
    with (folder / "bks-distance.csv").open() as fh:
        best = {row["instance"]: float(row["distance_real"]) for row in csv.DictReader(fh)}
    return module.parse((folder / f"{name}.txt").read_text()), best[name]


@pytest.mark.parametrize("name", ["r101", "rc107"])
def test_a_solomon_instance_is_fully_served_close_to_the_best_known_distance(shared_dir, check_plan, name):
    doc, best = solomon(shared_dir, name)
    plan = plan_for(doc, check_plan, seconds=2.0)
    assert plan["unassigned"] == []
    assert plan["totals"]["distance"] < 1.03 * best  # within 3 % of the best known after 2 s


def test_the_own_search_hands_its_routes_to_ortools(shared_dir):
    doc, _ = solomon(shared_dir, "c101")
    solver = solve(load_problem(doc), 1.0).solver
    assert solver["improver"] == "sisr" and solver["improver_iterations"] > 0


def test_a_polish_without_time_keeps_the_searched_routes(check_plan):
    from dispatch.solver import SearchParams
    from dispatch.solver.bench.stations import station_day

    doc = station_day(300, 60, seed=300)  # OR-Tools needs more than 10 ms to take these routes
    plan = dump_plan(solve(load_problem(doc), 1.0, search=SearchParams(time_share=0.9999)))
    check_plan(doc, plan)
    assert plan["totals"]["assigned"] > 250  # not a day with nothing planned
    assert plan["solver"]["status"] in ("SEARCH_ROUTES_KEPT", "ROUTING_SUCCESS")


def test_the_command_line_writes_a_verified_plan(station, check_plan, tmp_path, capsys):
    (tmp_path / "p.json").write_text(json.dumps(station()))
    assert main(["solve", str(tmp_path / "p.json"), "--seconds", "0.3", "--out", str(tmp_path / "plan.json")]) == 0
    check_plan(station(), json.loads((tmp_path / "plan.json").read_text()))
    assert main(["solve", str(tmp_path / "missing.json")]) == 2


def test_the_command_line_names_the_bad_field(station, tmp_path, capsys):
    doc = station()
    doc["visits"][0]["window"] = [5, 1]
    (tmp_path / "p.json").write_text(json.dumps(doc))
    assert main(["solve", str(tmp_path / "p.json")]) == 2
    assert "visits[0].window: end 1 is before start 5" in capsys.readouterr().err


# --- property: a lone engineer's route is the shortest order -----------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=3, max_size=8),
       round_trip=st.booleans())
def test_one_engineer_gets_the_shortest_order_of_visits(points, round_trip, check_plan):
    import itertools

    locs = [{"id": f"L{i}", "x": x, "y": y} for i, (x, y) in enumerate(points)]
    end = "L0" if round_trip else "L1"
    visits = [{"id": f"v{i}", "location": f"L{i}", "duration": 1} for i in range(2, len(points))]
    doc = {"format": "dispatch-problem/1", "name": "tsp", "travel": {"model": "euclidean", "scale": 1.0, "speed": 1.0},
           "locations": locs, "engineers": [{"id": "e", "start": "L0", "end": end, "shift": [0, 10000]}],
           "visits": visits}
    plan = dump_plan(solve(load_problem(doc), 0.2))
    totals = check_plan(doc, plan)

    def length(order: tuple[int, ...]) -> float:
        path = [0, *order, 0 if round_trip else 1]
        return sum(math.dist(points[a], points[b]) for a, b in zip(path, path[1:]))

    shortest = min(length(order) for order in itertools.permutations(range(2, len(points))))
    assert plan["unassigned"] == []
    assert totals["distance"] <= shortest + 0.01  # arc costs are integers on a 1/1000 grid here


# --- property: random small problems with every feature -------------------------------

@st.composite
def problems(draw) -> dict:
    model = draw(st.sampled_from(["geodesic", "euclidean", "matrix"]))
    n_loc = draw(st.integers(2, 7))
    if model == "geodesic":
        locs = [{"id": f"L{i}", "lat": 31.2 + draw(st.floats(0, 0.15)), "lng": 121.4 + draw(st.floats(0, 0.15))}
                for i in range(n_loc)]
        spec = {"model": "geodesic", "speed_kmh": 30, "detour_factor": 1.3}
        day, unit = (28800, 64800), 60
    elif model == "euclidean":
        locs = [{"id": f"L{i}", "x": draw(st.floats(0, 50)), "y": draw(st.floats(0, 50))} for i in range(n_loc)]
        spec = {"model": "euclidean", "scale": 1.0, "speed": draw(st.sampled_from([1.0, 0.5]))}
        day, unit = (0, 600), 1
    else:
        locs = [{"id": f"L{i}"} for i in range(n_loc)]
        dur = [[0 if i == j else draw(st.integers(60, 1800)) for j in range(n_loc)] for i in range(n_loc)]
        spec = {"model": "matrix", "durations": dur, "distances": [[d * 8 for d in row] for row in dur]}
        day, unit = (28800, 64800), 60
    doc = {"format": "dispatch-problem/1", "name": "prop", "travel": spec, "locations": locs}
    engineers = []
    for k in range(draw(st.integers(1, 3))):
        e = {"id": f"e{k}", "start": "L0", "end": draw(st.sampled_from(["L0", f"L{n_loc - 1}"])),
             "shift": list(day), "skills": draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True))}
        if draw(st.booleans()):
            w0 = day[0] + draw(st.integers(60, 240)) * unit
            e["break"] = {"window": [w0, w0 + 120 * unit], "duration": 30 * unit}
        if draw(st.booleans()):
            e["capacity"] = draw(st.integers(0, 6))
        engineers.append(e)
    doc["engineers"] = engineers
    visits = []
    for n in range(draw(st.integers(0, 8))):
        v = {"id": f"v{n}", "location": f"L{draw(st.integers(1, n_loc - 1))}",
             "duration": draw(st.integers(5, 90)) * unit + (0.25 if model == "euclidean" else 0),
             "priority": draw(st.integers(1, 3)), "demand": draw(st.integers(0, 3))}
        if draw(st.booleans()):
            w0 = day[0] + draw(st.integers(0, 480)) * unit + (0.5 if model == "euclidean" else 0)
            v["window"] = [w0, w0 + draw(st.integers(0, 180)) * unit]
        if draw(st.booleans()):
            v["skill"] = draw(st.sampled_from(SKILLS))
        if draw(st.integers(0, 4)) == 0:
            v["engineer"] = draw(st.sampled_from(engineers))["id"]
        visits.append(v)
    doc["visits"] = visits
    if visits and draw(st.booleans()):
        _fix_one(doc, draw(st.integers(0, len(visits) - 1)), draw(st.integers(0, len(engineers) - 1)))
    return doc


def _fix_one(doc: dict, vi: int, ei: int) -> None:
    """Fix a visit where it is surely feasible: early in the engineer's day, break after it."""
    problem = load_problem(doc)
    v, e = doc["visits"][vi], doc["engineers"][ei]
    loc = {p.id: p for p in problem.locations}
    go = travel.leg(problem.travel, loc[e["start"]], loc[v["location"]])[1]
    back = travel.leg(problem.travel, loc[v["location"]], loc[e["end"]])[1]
    start = e["shift"][0] + math.ceil(go)
    end = start + v["duration"]
    brk = e.get("break")
    if brk:
        brk["window"] = [end, end + 2 * brk["duration"]]
    if end + (brk["duration"] if brk else 0) + back > e["shift"][1]:
        return
    v.update(fixed={"engineer": e["id"], "start": start}, window=[start, start + 1], demand=0)
    v.pop("engineer", None)
    v["skill"] = (e["skills"] or [None])[0]
    if v["skill"] is None:
        v.pop("skill")
    for other in doc["visits"]:
        if other is not v:
            other.pop("fixed", None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=problems())
def test_every_plan_of_a_random_problem_verifies(doc, check_plan):
    plan = dump_plan(solve(load_problem(doc), 0.15))
    check_plan(doc, plan)
    assert "refused" not in plan["solver"].get("improver", "")  # OR-Tools took our search's routes
    got = placed(plan)
    for v in doc["visits"]:
        if v.get("engineer") and v["id"] in got:
            assert got[v["id"]][0] == v["engineer"]
        if v.get("fixed"):
            assert got[v["id"]][0] == v["fixed"]["engineer"]
            assert got[v["id"]][1]["start"] == v["fixed"]["start"]
    assert all(u["reason"] and u["reason"] != "dropped" for u in plan["unassigned"])
