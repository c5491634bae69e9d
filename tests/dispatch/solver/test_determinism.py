"""A seed and a budget in steps reproduce a plan exactly (`SearchParams.iterations`), so a
test or a bug report can replay the plan a user saw; wall-clock limits stay the default."""
from __future__ import annotations

import pytest

from dispatch.solver import SearchParams, dump_plan, load_problem, solve
from dispatch.solver.bench.stations import station_day


def _routes(plan: dict) -> list:
    return [(r["engineer"], [(s["visit"], s["start"]) for s in r["stops"]]) for r in plan["routes"]]


def test_a_seed_and_a_number_of_steps_give_the_same_plan_twice(check_plan):
    """Tests that a 60-visit station day solved twice with seed 3 and 4,000 steps gives the same
    engineers, visits, order and start times, whatever else the machine is doing, and that the
    search made exactly the steps asked for."""
    doc = station_day(60, 12, seed=60)
    search = SearchParams(seed=3, iterations=4000)
    first, second = (dump_plan(solve(load_problem(doc), 5.0, search=search)) for _ in range(2))
    check_plan(doc, first)
    assert _routes(first) == _routes(second)
    assert first["unassigned"] == second["unassigned"]
    assert first["solver"]["improver_iterations"] == 4000


def test_another_seed_gives_another_search(check_plan):
    """Tests that the seed matters: two seeds with the same steps do not give the same routes
    (so the test above does not pass because the search never moves)."""
    doc = station_day(60, 12, seed=60)
    plans = [dump_plan(solve(load_problem(doc), 5.0, search=SearchParams(seed=seed, iterations=4000)))
             for seed in (3, 4)]
    for plan in plans:
        check_plan(doc, plan)
    assert _routes(plans[0]) != _routes(plans[1])


def test_iterations_must_be_a_whole_number_not_below_zero():
    """Tests that a negative step budget is refused naming the field."""
    with pytest.raises(ValueError, match="iterations"):
        SearchParams(iterations=-1)
