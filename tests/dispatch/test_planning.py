"""Planning a station's day from the database: the problem, the draft, publishing, and
re-planning that keeps what has happened and what customers chose."""
from datetime import date, datetime, time, timedelta

import pytest
from geopy.distance import geodesic

from dispatch.models import EngineerDay, Plan, Visit
from dispatch.planning import (
    CHOSEN_ABSENT,
    PlanNotDraft,
    changes,
    problem_for,
    publish,
    request_plan,
    run_plan,
)
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)
DAY = date(2026, 12, 7)  # a Monday


def at(hour: float) -> datetime:
    return datetime.combine(DAY, time()) + timedelta(hours=hour)


@pytest.fixture
def day(ctx, make_station, make_engineer, make_user):
    """A station with three engineers and a customer; `book` adds visits to DAY."""
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    station = make_station("ST310101", *HOME, manager=manager, name="黄浦区服务站")
    crew = [make_engineer(station, skills=("laptop", "printer"), name=n) for n in ("王师傅", "李师傅", "张师傅")]
    customer = make_user("customer")
    laptop = crew[0].skills[0] if crew[0].skills[0].code == "laptop" else crew[0].skills[1]
    db.session.commit()

    def book(hour, km=5.0, bearing=0.0, engineer=None, chosen=False, status="scheduled", **extra):
        p = geodesic(kilometers=km).destination(HOME, bearing)
        visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                      engineer_id=(engineer or crew[0]).id, chosen_by_customer=chosen, status=status,
                      skill_id=laptop.id, problem="开不了机", address_text="人民路 1 号",
                      lat=p.latitude, lng=p.longitude, window_start=at(hour),
                      window_end=at(hour + 2), duration_minutes=60, **extra)
        db.session.add(visit)
        db.session.commit()
        return visit

    return {"station": station, "crew": crew, "manager": manager, "customer": customer, "book": book}


def planned(day, now=None, seconds=1.0):
    plan = request_plan(day["station"], DAY, day["manager"], seconds)
    db.session.commit()
    return run_plan(plan.id, now)


def test_a_plan_built_from_the_database_verifies(day, check_plan):
    """Tests that the day read from the database solves into a plan the checker accepts,
    serving every visit the crew can make."""
    for k in range(9):
        day["book"](9 + (k % 4) * 2, km=2 + k, bearing=40 * k)
    plan = planned(day)
    assert plan.status == "draft" and plan.progress == 1.0
    totals = check_plan(plan.problem, plan.result)
    assert totals["assigned"] == 9 and plan.assigned == 9 and plan.unassigned == 0
    assert len(plan.problem["engineers"]) == 3


def test_an_absent_chosen_engineer_leaves_the_visit_unassigned_never_reassigned(day, check_plan):
    wang, li = day["crew"][0], day["crew"][1]
    chosen = day["book"](9, engineer=wang, chosen=True)
    other = day["book"](11, engineer=wang)
    db.session.add(EngineerDay(engineer_id=wang.id, day=DAY, absent=True))
    db.session.commit()
    plan = planned(day)
    check_plan(plan.problem, {**plan.result, "unassigned": [
        u for u in plan.result["unassigned"] if u["visit"] != f"v-{chosen.id}"]})
    assert {"visit": f"v-{chosen.id}", "reason": CHOSEN_ABSENT} in plan.result["unassigned"]
    assert [r["engineer"] for r in plan.result["routes"] if r["stops"]] != [f"e-{wang.id}"]
    publish(plan, day["manager"])
    db.session.commit()
    db.session.refresh(chosen)
    db.session.refresh(other)
    assert chosen.engineer_id == wang.id and chosen.unplanned_reason == CHOSEN_ABSENT
    assert chosen.planned_start is None
    assert other.engineer_id in {e.id for e in day["crew"][1:]}  # not chosen: someone else goes
    assert li.id in {e["to"] for e in changes(plan)["moved"]} or other.engineer_id != wang.id


def test_publishing_sets_each_visit_s_engineer_time_and_order_once(day):
    visits = [day["book"](9 + 2 * k, km=3 + k) for k in range(4)]
    plan = planned(day)
    diff = changes(plan)
    assert diff["dropped"] == [] and diff["travel_saved_seconds"] is None
    publish(plan, day["manager"])
    db.session.commit()
    for visit in visits:
        db.session.refresh(visit)
        assert visit.planned_start is not None and visit.route_order >= 1
        assert visit.window_start <= visit.planned_start <= visit.window_end
    with pytest.raises(PlanNotDraft):
        publish(plan, day["manager"])  # a double click publishes once
    again = planned(day)
    publish(again, day["manager"])
    db.session.commit()
    statuses = dict(db.session.execute(db.select(Plan.id, Plan.status)).all())
    assert statuses == {plan.id: "superseded", again.id: "published"}


def test_re_planning_during_the_day_keeps_visits_under_way_and_pinned(day, check_plan):
    wang, li = day["crew"][0], day["crew"][1]
    on_site = day["book"](9, engineer=wang, status="on_site", on_site_at=at(9.25))
    pinned = day["book"](13, engineer=li, pinned=True, pinned_start=at(13.5))
    for k in range(5):
        day["book"](11 + (k % 3) * 2, km=4 + k, bearing=70 * k)
    plan = planned(day, now=at(10))
    assert plan.status == "draft", plan.error
    check_plan(plan.problem, plan.result)
    stops = {s["visit"]: (r["engineer"], s["start"]) for r in plan.result["routes"] for s in r["stops"]}
    assert stops[f"v-{on_site.id}"] == (f"e-{wang.id}", 9.25 * 3600)
    assert stops[f"v-{pinned.id}"] == (f"e-{li.id}", 13.5 * 3600)
    shifts = {e["id"]: e["shift"][0] for e in plan.problem["engineers"]}
    assert shifts.pop(f"e-{wang.id}") == 9.25 * 3600  # on site since 9:15
    assert set(shifts.values()) == {10 * 3600}  # the others set out from now


def test_a_failed_run_keeps_the_published_plan(day):
    wang = day["crew"][0]
    first = day["book"](9, engineer=wang)
    published = planned(day)
    publish(published, day["manager"])
    db.session.commit()
    db.session.refresh(first)
    eta = first.planned_start
    # Two visits on site with one engineer at once: the day cannot be planned as it stands.
    day["book"](9, engineer=wang, status="on_site", on_site_at=at(9))
    day["book"](9, engineer=wang, status="on_site", on_site_at=at(9.1))
    failed = planned(day, now=at(9.5))
    assert failed.status == "failed" and "overlaps" in failed.error
    db.session.refresh(published)
    db.session.refresh(first)
    assert published.status == "published" and first.planned_start == eta


def test_a_plan_runs_once_however_often_its_job_is_delivered(day):
    day["book"](9)
    plan = planned(day)
    finished = plan.finished_at
    assert run_plan(plan.id).finished_at == finished and plan.status == "draft"


def test_the_problem_follows_shift_and_break_changes_of_the_day(day):
    wang = day["crew"][0]
    db.session.add(EngineerDay(engineer_id=wang.id, day=DAY, shift_start=13 * 60, shift_end=20 * 60,
                               break_start=16 * 60, break_minutes=30))
    db.session.commit()
    document, _ = problem_for(day["station"], DAY)
    mine = next(e for e in document["engineers"] if e["id"] == f"e-{wang.id}")
    assert mine["shift"] == [13 * 3600, 20 * 3600]
    assert mine["break"] == {"window": [16 * 3600, 16.5 * 3600], "duration": 1800}


def test_a_re_plan_starts_from_the_published_routes(day, check_plan):
    """Tests that after publishing, the next plan is a warm start from the published routes
    and still verifies with a visit added since."""
    for k in range(6):
        day["book"](9 + (k % 4) * 2, km=3 + k, bearing=50 * k)
    first = planned(day)
    assert first.result["solver"]["warm_start"] is False
    publish(first, day["manager"])
    db.session.commit()
    day["book"](15, km=4, bearing=200)
    again = planned(day)
    assert again.result["solver"]["warm_start"] is True
    assert check_plan(again.problem, again.result)["assigned"] == 7
