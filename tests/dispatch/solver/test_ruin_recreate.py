"""Our compiled search (`dispatch/solver/ruin_recreate.py`) through `solve`."""
from __future__ import annotations

from dispatch.solver import SearchParams, dump_plan, load_problem, solve


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
