"""`flask dispatch plan-network` with jobs run in the test's process (the real worker and
broker are in test_network_worker.py): one verified draft per station, a summary that adds
up, budgets that follow each station's size, a crashing station retried then reported,
and a second run that replaces drafts."""
from datetime import date, datetime, time, timedelta

import pytest
from geopy.distance import geodesic

from dispatch.models import Plan, Visit
from dispatch.network import NetworkRun, summary
from dispatch.network_cli import dispatch_cli
from extensions import db
from marketplace.catalog import ensure_catalog

DAY = date.today() + timedelta(days=5)
SIZES = {"ST100001": 3, "ST100002": 6, "ST100003": 30}


@pytest.fixture
def network(ctx, make_station, make_engineer, make_user):
    """Three stations of different sizes; the last books one visit nobody can repair."""
    ensure_catalog()
    db.session.commit()
    customer = make_user("customer")
    stations = {}
    for n, (code, size) in enumerate(SIZES.items()):
        home = (31.0 + n, 121.0 + n / 2)
        station = make_station(code, *home)
        crew = [make_engineer(station, skills=("laptop",), name=f"师傅{n}{k}", phone=f"1390000{n}{k:03d}")
                for k in range(1 + size // 5)]
        for engineer in crew:
            engineer.work_days = "1234567"  # DAY may be a Sunday, which the default pattern rests
        laptop = crew[0].skills[0]
        for k in range(size):
            p = geodesic(kilometers=3 + k % 7).destination(home, 37 * k)
            start = datetime.combine(DAY, time(9)) + timedelta(hours=2 * (k % 4))
            db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                                 engineer_id=crew[0].id, skill_id=laptop.id, problem="开不了机",
                                 address_text="人民路 1 号", lat=p.latitude, lng=p.longitude,
                                 window_start=start, window_end=start + timedelta(hours=2),
                                 duration_minutes=45))
        stations[code] = station
    db.session.commit()
    return stations


def plan_network(app, *args):
    result = app.test_cli_runner().invoke(dispatch_cli, ["plan-network", "--date", DAY.isoformat(),
                                                         "--poll", "0.05", *args])
    assert result.exit_code == 0, result.output
    run = db.session.execute(db.select(NetworkRun).order_by(NetworkRun.id.desc())).scalar()
    return run, result.output


def drafts(code):
    return db.session.execute(db.select(Plan).join(Plan.station).where(
        Plan.day == DAY, Plan.status == "draft", Plan.station.has(code=code))).scalars().all()


def test_every_station_gets_one_verified_draft_and_the_summary_adds_up(app, network, check_plan):
    run, output = plan_network(app)
    report = summary(run)
    assert report["planned"] == 3 and report["failed"] == []
    total_assigned = total_travel = 0
    for code, size in SIZES.items():
        [plan] = drafts(code)
        totals = check_plan(plan.problem, plan.result)
        assert totals["assigned"] + len(plan.result["unassigned"]) == size
        total_assigned += totals["assigned"]
        total_travel += plan.travel_seconds
    assert report["assigned"] == total_assigned
    assert report["assigned"] + report["unassigned"] == sum(SIZES.values())
    assert report["travel_hours"] == round(total_travel / 3600, 1) > 0
    assert f"Planned 3 of 3 stations; visits assigned {total_assigned}" in output


def test_a_small_station_searches_for_less_time_than_a_large_one(app, network):
    plan_network(app, "--seconds", "2")
    seconds = {code: drafts(code)[0].seconds for code in SIZES}
    assert seconds["ST100001"] < seconds["ST100003"] <= 2.0


def test_only_the_named_stations_are_planned(app, network):
    run, _ = plan_network(app, "--stations", "ST100001,ST100003")
    assert summary(run)["stations"] == 2
    assert drafts("ST100002") == []


def test_an_unknown_station_code_is_refused(app, network):
    result = app.test_cli_runner().invoke(dispatch_cli, ["plan-network", "--date", DAY.isoformat(),
                                                         "--stations", "ST100001,ST999999"])
    assert result.exit_code != 0 and "ST999999" in result.output


def test_a_second_run_replaces_the_drafts_instead_of_adding_to_them(app, network):
    first, _ = plan_network(app)
    second, _ = plan_network(app)
    for code in SIZES:
        [draft] = drafts(code)
        assert draft.id in second.plan_ids
    old = db.session.execute(db.select(Plan).where(Plan.id.in_(first.plan_ids))).scalars()
    assert {p.status for p in old} == {"discarded"}


def test_a_station_whose_job_crashes_is_retried_then_reported(app, network, monkeypatch):
    import dispatch.planning

    real, calls = dispatch.planning.solve, []

    def crashing(problem, *args, **kwargs):
        if problem.name.startswith("ST100002"):
            calls.append(1)
            raise RuntimeError("the solver fell over")
        return real(problem, *args, **kwargs)

    monkeypatch.setattr(dispatch.planning, "solve", crashing)
    run, output = plan_network(app)
    report = summary(run)
    assert len(calls) == 3  # the first try and two retries
    assert report["planned"] == 2
    [failure] = report["failed"]
    assert failure["station"] == "ST100002"
    assert "the solver fell over" in failure["error"] and "tried 3 times" in failure["error"]
    assert "FAILED ST100002" in output


def test_the_nightly_task_plans_tomorrow_for_every_station(app, ctx, make_station, make_engineer, make_user):
    from dispatch.booking import station_now
    from dispatch.tasks import plan_network_tomorrow
    ensure_catalog()
    db.session.commit()
    customer = make_user("customer")
    tomorrow = station_now().date() + timedelta(days=1)
    for n in range(2):
        station = make_station(f"ST40000{n}", 30.0 + n, 120.0)
        engineer = make_engineer(station, phone=f"1380000000{n}")
        engineer.work_days = "1234567"
        start = datetime.combine(tomorrow, time(10))
        db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                             engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="x",
                             address_text="y", lat=30.01 + n, lng=120.01, window_start=start,
                             window_end=start + timedelta(hours=2), duration_minutes=30))
    db.session.commit()
    run = db.session.get(NetworkRun, plan_network_tomorrow.delay().get())
    report = summary(run)
    assert run.day == tomorrow and report["planned"] == 2 and report["assigned"] == 2


def test_a_day_being_planned_is_skipped_but_a_long_lost_job_is_replaced(app, network):
    from accounts.models import utcnow
    for code, age in (("ST100001", timedelta(hours=13)), ("ST100002", timedelta(minutes=1))):
        plan = Plan(station_id=network[code].id, day=DAY, status="queued", seconds=1.0,
                    created_at=utcnow() - age)
        db.session.add(plan)
    db.session.commit()
    run, output = plan_network(app)
    report = summary(run)
    assert report["skipped"] == [{"station": "ST100002", "reason": "already being planned"}]
    assert report["planned"] == 2 and len(drafts("ST100001")) == 1
    assert "skipped ST100002: already being planned" in output
