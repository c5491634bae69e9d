"""Our compiled search (`dispatch/solver/ruin_recreate.py`) through `solve`."""
from __future__ import annotations

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
