"""Free-window latency: GET /api/engineers/<id>/slots for 7 days with 6 booked visits a day.

Each request computes, for every 2-hour window of 7 days, whether one more visit fits beside
the day's 6 booked ones (travel, lunch break, shift), exactly. Prints median and p95 over
engineers with different days, through Flask and the database (SQLite, or PostgreSQL under
scripts/with-postgres.sh).

    .venv/bin/python bench/slots.py [--engineers 40] [--rounds 5]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("WENQING_TEST_DATABASE_URL"))
    parser.add_argument("--engineers", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/slots.db"

    from flask_migrate import upgrade
    from geopy.distance import geodesic

    from accounts.models import User
    from app import create_app
    from config import TestConfig, database_url
    from dispatch.booking import rules_for
    from dispatch.feasibility import Day, route_for
    from dispatch.models import Engineer, Station, Visit
    from dispatch.slots import Booked, Place, day_stop, local_now, travel_seconds
    from extensions import db
    from marketplace.catalog import ensure_catalog

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)
        REFERENCE_DATA_SECONDS = 60

    app = create_app(Config)
    rng = random.Random(4)
    home = (31.2304, 121.4737)
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        skills, _tags = ensure_catalog()
        laptop = next(s for s in skills if s.code == "laptop")
        customer = User(email="c@bench.test", name="客户", role="customer", password_hash="x")
        station = Station(code="ST1", name="测试站", province="上海市", city="上海市", county="黄浦区",
                          lat=home[0], lng=home[1])
        db.session.add_all([customer, station])
        first = local_now(app.config["TIMEZONE"]).date() + timedelta(days=1)
        engineers = []
        for n in range(args.engineers):
            user = User(email=f"e{n}@bench.test", name="师傅", role="engineer", password_hash="x")
            engineer = Engineer(user=user, station=station, display_name=f"师傅{n}", skills=[laptop],
                                started_on=first, work_days="1234567")
            db.session.add(engineer)
            db.session.flush()
            engineers.append(engineer)
            rules = rules_for(engineer)
            for k in range(7):
                day = first + timedelta(days=k)
                while True:  # six visits that fit together in the day
                    visits = []
                    for hour in (9, 9, 11, 13, 15, 15):
                        p = geodesic(kilometers=rng.uniform(1, 8)).destination(home, rng.uniform(0, 360))
                        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
                        visits.append(Booked(None, Place(p.latitude, p.longitude), rng.choice((30, 45, 60)),
                                             (start, start + timedelta(hours=2))))
                    seconds = travel_seconds(rules.travel, [rules.home] + [v.place for v in visits])
                    plan = Day((9 * 3600, 18 * 3600), 0,
                               tuple(day_stop(v, i + 1) for i, v in enumerate(visits)),
                               rules.lunch_window, rules.lunch_minutes)
                    if route_for(plan, lambda a, b, seconds=seconds: seconds[a][b]):
                        break
                for v in visits:
                    db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station=station,
                                         engineer_id=engineer.id, skill_id=laptop.id, problem="x",
                                         address_text="y", lat=v.place.lat, lng=v.place.lng,
                                         window_start=v.window[0], window_end=v.window[1],
                                         duration_minutes=v.minutes, status="scheduled"))
        db.session.commit()
        ids = [e.id for e in engineers]

    client = app.test_client()
    point = geodesic(kilometers=4).destination(home, 30)
    query = {"lat": point.latitude, "lng": point.longitude, "skill": "laptop",
             "from": first.isoformat(), "days": 7}
    for engineer_id in ids[:5]:
        client.get(f"/api/engineers/{engineer_id}/slots", query_string=query)
    times, windows = [], []
    for _ in range(args.rounds):
        for engineer_id in ids:
            started = time.perf_counter()
            response = client.get(f"/api/engineers/{engineer_id}/slots", query_string=query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_json()
            windows.append(len(response.get_json()["windows"]))
    times.sort()
    print(f"slots, 7 days x 6 booked visits, {len(times)} requests, {url.split(':')[0]}: "
          f"median {statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, "
          f"{statistics.mean(windows):.1f} free windows of 28 on average")


if __name__ == "__main__":
    main()
