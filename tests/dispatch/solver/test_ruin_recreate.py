"""Our compiled search (`dispatch/solver/ruin_recreate.py`) through `solve`."""
from __future__ import annotations

import numpy as np
import pytest

from dispatch.solver import SearchParams, dump_plan, load_problem, solve
from dispatch.solver.bench.stations import station_day


def _fixed_visit_with_a_rival() -> dict:
    """One engineer; a fixed visit (priority 1) and a visit of priority 3 that wants its time."""
    return {
        "format": "dispatch-problem/1", "name": "fixed and rival",
        "travel": {"model": "matrix", "durations": [[0, 600], [600, 0]], "distances": [[0, 5000], [5000, 0]]},
        "locations": [{"id": "depot"}, {"id": "site"}],
        "engineers": [{"id": "e1", "start": "depot", "end": "site", "shift": [28800, 64800]}],
        "visits": [
            {"id": "fixed", "location": "site", "duration": 3900, "priority": 1,
             "fixed": {"engineer": "e1", "start": 29400}},
            {"id": "rival", "location": "site", "duration": 900, "priority": 3, "window": [29400, 29500]},
            {"id": "later", "location": "site", "duration": 4560, "priority": 3},
        ],
    }


def test_a_fixed_visit_is_never_blinked_past(check_plan):
    """Tests that the search places a fixed visit even when it skips nearly every place
    ("blinks"): left out once, a visit worth more takes its time for good, and OR-Tools
    refuses routes without a fixed visit (found by the random-problem property test)."""
    doc = _fixed_visit_with_a_rival()
    for seed in range(5):
        plan = dump_plan(solve(load_problem(doc), 0.3, search=SearchParams(blink_rate=0.99, seed=seed)))
        check_plan(doc, plan)
        assert plan["solver"]["improver"] == "sisr"  # not "sisr routes refused by the model"
        assert [s["visit"] for s in plan["routes"][0]["stops"]] == ["fixed", "later"]
        assert [u["visit"] for u in plan["unassigned"]] == ["rival"]


@pytest.mark.parametrize("chosen", [0.0, 0.3])
def test_tail_exchanges_give_plans_that_verify(check_plan, chosen):
    """Tests that with a 2-opt* descent after every step (`tail_exchange` 1) a station day with
    breaks, skills and (0.3) customer-chosen engineers gives routes the model takes as they
    are and a plan that verifies, and that the moves change the search. (Strings of at most
    3 visits, so that the day's routes of about 5 count as long ones.)"""
    doc = station_day(60, 12, seed=60, chosen=chosen)
    plans = [dump_plan(solve(load_problem(doc), 5.0, search=SearchParams(
        iterations=3000, tail_exchange=rate, max_string_size=3))) for rate in (0.0, 1.0)]
    for plan in plans:
        check_plan(doc, plan)
        assert plan["solver"]["improver"] == "sisr"  # not "sisr routes refused by the model"
    assert [r["stops"] for r in plans[0]["routes"]] != [r["stops"] for r in plans[1]["routes"]]


def test_tail_exchanges_keep_a_fixed_visit_on_its_engineer(check_plan):
    """Tests that a fixed visit stays on its engineer and start with tail exchanges on."""
    doc = _fixed_visit_with_a_rival()
    doc["engineers"].append({"id": "e2", "start": "depot", "end": "site", "shift": [28800, 64800]})
    doc["visits"][1]["window"] = [29400, 40000]
    plan = dump_plan(solve(load_problem(doc), 0.3, search=SearchParams(tail_exchange=1.0, max_string_size=1)))
    check_plan(doc, plan)
    assert plan["solver"]["improver"] == "sisr"
    stops = {s["visit"]: (r["engineer"], s["start"]) for r in plan["routes"] for s in r["stops"]}
    assert stops["fixed"] == ("e1", 29400)


def test_tail_exchanges_leave_short_routes_alone():
    """Tests that on a field-service day, whose routes hold fewer visits than the longest
    string a step removes, the 2-opt* descent does not run (it would cost most of the steps
    for nothing, docs/solver.md idea 23): the same seed and steps give the same routes."""
    doc = station_day(60, 12, seed=60)
    plans = [dump_plan(solve(load_problem(doc), 5.0, search=SearchParams(iterations=2000, tail_exchange=rate)))
             for rate in (0.0, 1.0)]
    assert [r["stops"] for r in plans[0]["routes"]] == [r["stops"] for r in plans[1]["routes"]]


def test_a_short_urgent_visit_is_worth_more_per_second_than_a_long_routine_one():
    """Tests the order a full day is refilled in (`_worth`): per second of an engineer's day,
    an urgent 30-minute visit comes before a routine 90-minute one at the same place, and a
    visit far from every other before nothing of its own priority that sits among them."""
    from dispatch.solver.ruin_recreate import _worth

    # four visits on a line (travel = distance): 0 and 1 together, 2 beside them, 3 far away
    at = np.array([0, 0, 100, 5000, 0, 0])  # visits 0-3, then the start and end depots
    travel = np.abs(at[:, None] - at[None, :]).astype(np.int64)
    inst = _instance(travel, service=[1800, 5400, 1800, 1800], penalty=[3, 1, 1, 1])
    worth = _worth(inst)
    assert worth[0] > worth[1]  # urgent and short beats routine and long at the same place
    assert worth[2] > worth[1]  # same priority, a third of the time
    assert worth[3] < worth[2]  # same priority and service, but every trip to it is long


def _instance(travel: np.ndarray, service: list[int], penalty: list[int]):
    """A one-engineer Instance over the given travel matrix (visits first, then two depots)."""
    from dispatch.solver.ruin_recreate import Instance

    n = len(service)
    one = np.ones(1, np.int64)
    return Instance(travel=travel, cost=travel, service=np.array(service, np.int64),
                    window_start=np.zeros(n, np.int64), window_end=np.full(n, 86400, np.int64),
                    demand=np.zeros(n, np.int64), penalty=np.array(penalty, np.int64),
                    fixed=np.zeros(n, bool), allowed=np.ones((n, 1), bool), start=np.array([n]),
                    end=np.array([n + 1]), shift_start=0 * one, shift_end=86400 * one, capacity=100 * one,
                    break_start=0 * one, break_end=0 * one, break_duration=0 * one)


def test_visits_left_out_come_back_when_a_step_makes_room_for_them():
    """Tests that visits already left out still get their chance (idea 31 tries them only on
    routes a step shortened): an engineer's four-hour day that holds one 3.5-hour visit is
    refilled with the two 1.5-hour visits of the same priority it left out, serving two
    visits instead of one."""
    from dispatch.solver.ruin_recreate import SearchParams, improve

    travel = np.zeros((5, 5), np.int64)  # three visits and the depots, all at one address
    inst = _instance(travel, service=[12600, 5400, 5400], penalty=[1000, 1000, 1000])
    inst = inst._replace(shift_end=np.array([14400], np.int64))
    result = improve(inst, 5.0, SearchParams(iterations=300, seed=2), initial=[[0]])
    assert sorted(result.routes[0]) == [1, 2]
