"""`flask seed`: deterministic, idempotent demo data with working demo sign-ins."""
import pytest
from sqlalchemy import func

from accounts.models import User
from demo.seed import county_seats
from dispatch.models import Engineer, Station
from extensions import db


def counts():
    return {model.__name__: db.session.execute(db.select(func.count()).select_from(model)).scalar()
            for model in (Station, Engineer, User)}


def run_seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_county_seats_are_about_three_thousand_real_places():
    places = county_seats()
    assert 2800 <= len(places) <= 3200
    assert len({p.adcode for p in places}) == len(places)
    haidian = next(p for p in places if p.county == "海淀区")
    assert haidian.province == "北京市" and abs(haidian.lat - 39.96) < 0.1
    assert all(3 <= p.lat <= 54 and 73 <= p.lng <= 135 for p in places)  # China, islands too


def test_seeding_twice_adds_nothing_the_second_time(app, ctx):
    first = run_seed(app, "--stations", "12", "--seed", "3")
    before = counts()
    second = run_seed(app, "--stations", "12", "--seed", "3")
    assert counts() == before
    assert before["Station"] == 12
    assert "Added 12 stations" in first and "Added 0 stations, 0 engineers, 0 accounts" in second


def test_a_seed_gives_the_same_network_every_time(app, ctx):
    def snapshot():
        return sorted(db.session.execute(db.select(Station.code, Engineer.display_name)
                                         .join(Engineer.station)).all())
    run_seed(app, "--stations", "6", "--seed", "11")
    first = snapshot()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    run_seed(app, "--stations", "6", "--seed", "11")
    assert snapshot() == first
    run_seed(app, "--stations", "6", "--seed", "12")  # another seed, other stations too
    assert counts()["Station"] > 6


def test_every_station_gets_5_to_15_engineers_with_skills(app, ctx):
    run_seed(app, "--stations", "20")
    per_station = db.session.execute(
        db.select(func.count(Engineer.id)).group_by(Engineer.station_id)).scalars().all()
    assert len(per_station) == 20 and all(5 <= n <= 16 for n in per_station)
    assert all(e.skills for e in db.session.execute(db.select(Engineer)).scalars())


@pytest.mark.parametrize("email, role", [
    ("customer1@demo.test", "customer"), ("engineer1@demo.test", "engineer"),
    ("manager1@demo.test", "manager"), ("agent1@demo.test", "agent"),
    ("admin@demo.test", "admin")])
def test_demo_accounts_sign_in_with_the_demo_password(app, client, email, role):
    run_seed(app, "--stations", "3")
    response = client.post("/api/auth/token", json={"email": email, "password": "demo-password"})
    assert response.status_code == 201
    me = client.get("/api/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert me.get_json()["role"] == role


def test_manager1_manages_the_station_engineer1_works_at(app, ctx):
    run_seed(app, "--stations", "3")
    engineer = db.session.execute(db.select(Engineer).join(Engineer.user)
                                  .where(User.email == "engineer1@demo.test")).scalar_one()
    assert engineer.station.manager.email == "manager1@demo.test"


def test_production_refuses_to_seed_demo_accounts(app, ctx):
    app.config["DEMO_PASSWORD"] = None
    try:
        result = app.test_cli_runner().invoke(args=["seed", "--stations", "1"])
    finally:
        app.config["DEMO_PASSWORD"] = "demo-password"
    assert result.exit_code != 0 and counts()["User"] == 0


def test_manager1_has_a_busy_tomorrow_to_plan_with_one_engineer_absent(app, ctx):
    from datetime import datetime, timedelta

    from dispatch.booking import station_now
    from dispatch.models import EngineerDay, Visit
    run_seed(app, "--stations", "3")
    station = db.session.execute(db.select(Station).join(Station.manager)
                                 .where(User.email == "manager1@demo.test")).scalar_one()
    tomorrow = station_now().date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, datetime.min.time())

    def visits():
        return db.session.execute(db.select(Visit).where(
            Visit.station_id == station.id, Visit.window_start >= midnight,
            Visit.window_start < midnight + timedelta(days=1))).scalars().all()
    day = visits()
    assert 25 <= len(day) <= 40
    assert len({v.engineer_id for v in day}) >= 3  # spread over the crew
    assert 1 <= sum(v.chosen_by_customer for v in day) < len(day) // 2
    absent = db.session.execute(db.select(EngineerDay).where(EngineerDay.day == tomorrow)).scalars().all()
    assert [a.absent for a in absent] == [True]
    assert absent[0].engineer.station_id == station.id
    run_seed(app, "--stations", "3")
    assert len(visits()) == len(day)  # seeding again books nothing more
