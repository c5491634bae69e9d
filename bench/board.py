"""The planning board of a large station: how fast its data comes back.

Builds a station with 60 engineers and 300 visits tomorrow, plans it (the plan checked by
../shared/tools/verify_plan.py), publishes it, makes a second draft beside it, then times
`GET /api/stations/<code>/board` through Flask as the manager (schema, queries, the draft's
comparison with the published plan, JSON). Prints median and p95.

    .venv/bin/python bench/board.py [--database-url URL] [--seconds 10]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def verify(problem: dict, plan: dict) -> str:
    """verify_plan.py's verdict on a stored plan (its first line)."""
    import json
    folder = Path(tempfile.mkdtemp())
    (folder / "problem.json").write_text(json.dumps(problem))
    (folder / "plan.json").write_text(json.dumps(plan))
    tool = ROOT.parent / "shared" / "tools" / "verify_plan.py"
    out = subprocess.run([sys.executable, str(tool), str(folder / "problem.json"), str(folder / "plan.json")],
                         capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("WENQING_TEST_DATABASE_URL"))
    parser.add_argument("--engineers", type=int, default=60)
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/board.db"

    from flask_migrate import upgrade
    from geopy.distance import geodesic

    from accounts.models import User
    from app import create_app
    from config import TestConfig, database_url
    from dispatch.models import Engineer, Station, Visit
    from dispatch.planning import publish, request_plan, run_plan
    from dispatch.slots import local_now
    from dispatch.solver import ruin_recreate
    from extensions import db
    from marketplace.catalog import ensure_catalog

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)

    ruin_recreate.warm()
    app = create_app(Config)
    rng = random.Random(12)
    home = (31.2304, 121.4737)
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        skills, _ = ensure_catalog()
        manager = User(email="m@bench.test", name="站长", role="manager", password_hash="x", locale="zh_CN")
        customer = User(email="c@bench.test", name="客户", role="customer", password_hash="x")
        station = Station(code="ST1", name="测试站", province="上海市", city="上海市", county="黄浦区",
                          lat=home[0], lng=home[1], manager=manager)
        db.session.add_all([manager, customer, station])
        day = local_now(app.config["TIMEZONE"]).date() + timedelta(days=1)
        crew = []
        for n in range(args.engineers):
            user = User(email=f"e{n}@bench.test", name="师傅", role="engineer", password_hash="x")
            crew.append(Engineer(user=user, station=station, display_name=f"师傅{n}", started_on=day,
                                 work_days="1234567", skills=rng.sample(skills, rng.randint(2, len(skills)))))
        db.session.add_all(crew)
        for _ in range(args.visits):
            engineer = rng.choice(crew)
            p = geodesic(kilometers=rng.uniform(1, 25)).destination(home, rng.uniform(0, 360))
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.choice((9, 11, 13, 15)))
            db.session.add(Visit(customer=customer, booked_by=customer, station=station, engineer=engineer,
                                 chosen_by_customer=rng.random() < 0.2, skill=rng.choice(engineer.skills),
                                 problem="开不了机", address_text="人民路 1 号", lat=p.latitude,
                                 lng=p.longitude, window_start=start, window_end=start + timedelta(hours=2),
                                 duration_minutes=rng.choice((30, 45, 60, 90))))
        db.session.commit()

        started = time.perf_counter()
        plan = request_plan(station, day, manager, args.seconds)
        db.session.commit()
        plan = run_plan(plan.id)
        print(f"plan of {args.visits} visits / {args.engineers} engineers: {plan.status}, "
              f"{plan.assigned} assigned, {plan.unassigned} unassigned, "
              f"{time.perf_counter() - started:.1f} s; verify_plan: {verify(plan.problem, plan.result)}")
        publish(plan, manager)
        db.session.commit()
        draft = run_plan(request_plan(station, day, manager, 2.0).id)
        db.session.commit()
        print(f"second draft: {draft.status}; verify_plan: {verify(draft.problem, draft.result)}")
        manager_id = manager.id

    client = app.test_client()
    with app.app_context():
        from accounts.models import ApiToken
        row, token = ApiToken.issue(db.session.get(User, manager_id), 1)
        db.session.add(row)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/stations/ST1/board?date={day.isoformat()}"
    assert client.get(path, headers=headers).status_code == 200
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"board of {args.visits} visits, {url.split(':')[0]}: median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms over {args.requests} requests ({len(response.data) / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
