"""The VROOM yardstick (`dispatch/solver/bench/vroom.py`): its plans, converted to the
exchange format, are what verify_plan.py checks, so the comparison is only fair if the
conversion keeps every rule of the day."""
from __future__ import annotations

import pytest

from dispatch.solver.bench.stations import station_day

pytest.importorskip("vroom")


def test_vroom_plans_of_a_day_with_chosen_engineers_verify(check_plan):
    """Tests that VROOM's plan of a 40-visit day with 30 % customer-chosen engineers, lunch
    breaks and skills passes the checker, serves most visits and gives each chosen visit to
    the engineer the customer chose."""
    from dispatch.solver.bench.vroom import vroom_plan

    doc = station_day(40, 8, seed=5, chosen=0.3)
    plan, _seconds = vroom_plan(doc, 2.0)
    totals = check_plan(doc, plan)
    assert totals["assigned"] >= 25
    chosen = {v["id"]: v["engineer"] for v in doc["visits"] if "engineer" in v}
    served_by = {s["visit"]: r["engineer"] for r in plan["routes"] for s in r["stops"]}
    assert any(v in served_by for v in chosen)
    assert all(served_by[v] == e for v, e in chosen.items() if v in served_by)
