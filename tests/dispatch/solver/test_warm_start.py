"""A warm start: the solver begins from given routes (a published plan) and still returns
a plan that verifies, whatever the given routes hold."""
from dispatch.solver import dump_plan, load_problem, solve


def test_a_warm_start_from_a_plan_replans_a_changed_day_that_verifies(station, check_plan):
    """Tests that routes of yesterday's problem, with a visit gone and one unknown, seed a
    plan of today's problem that the checker accepts and that serves every visit."""
    doc = station()
    first = dump_plan(solve(load_problem(doc), 0.3))
    initial = {r["engineer"]: [s["visit"] for s in r["stops"]] for r in first["routes"]}
    initial.setdefault("e1", []).append("v-gone")
    changed = station(visits=[v for v in doc["visits"] if v["id"] != "v2"] + [
        {"id": "v4", "location": "b", "duration": 1800, "window": [43200, 50400], "skill": "laptop"}])
    plan = dump_plan(solve(load_problem(changed), 0.3, initial=initial))
    assert plan["solver"]["warm_start"] is True
    assert check_plan(changed, plan)["assigned"] == 3


def test_routes_that_no_longer_fit_are_planned_afresh(station, check_plan):
    """Tests that a warm start putting every visit on one engineer who cannot do them all
    (v2 needs a printer skill e1 lacks) still ends in a plan that verifies."""
    initial = {"e1": ["v3", "v2", "v1"]}
    plan = dump_plan(solve(load_problem(station()), 0.3, initial=initial))
    assert check_plan(station(), plan)["assigned"] == 3
