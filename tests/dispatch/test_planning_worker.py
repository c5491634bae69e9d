"""The task engine for real: a broker (Redis, as in production, and the embedded SQLite one
`make run` uses) and a Celery worker in their own processes plan two stations' days at
once, and every plan they store verifies."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from geopy.distance import geodesic

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: run `bash scripts/ensure-redis.sh` (make test does)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture(params=["redis", "embedded"])
def broker_url(request, tmp_path):
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    return f"sqla+sqlite:///{tmp_path / 'broker.db'}"


@pytest.fixture
def worker_env(tmp_path, broker_url):
    """The environment a worker process builds the app from: a database file both sides see."""
    return {**os.environ, "WENQING_ENV": "development", "CELERY_BROKER_URL": broker_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'plans.db'}", "SECRET_KEY": "worker-test"}


def seed_two_stations(db, models, day):
    """Two stations, three engineers and eight visits each."""
    from accounts.models import User
    from marketplace.catalog import ensure_catalog
    skills, _ = ensure_catalog()
    laptop = next(s for s in skills if s.code == "laptop")
    customer = User(email="c@example.test", name="顾客", role="customer", password_hash="x")
    db.session.add(customer)
    stations = []
    for n, home in enumerate(((31.2304, 121.4737), (39.9042, 116.4074))):
        station = models.Station(code=f"ST00000{n}", name=f"站{n}", province="省", city="市", county="县",
                                 lat=home[0], lng=home[1])
        db.session.add(station)
        for k in range(3):
            user = User(email=f"e{n}{k}@example.test", name="师傅", role="engineer", password_hash="x")
            db.session.add(models.Engineer(user=user, station=station, display_name=f"师傅{n}{k}",
                                           started_on=day, work_days="1234567", skills=[laptop]))
        for k in range(8):
            p = geodesic(kilometers=2 + k).destination(home, 45 * k)
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + 2 * (k % 4))
            db.session.add(models.Visit(customer=customer, booked_by=customer, station=station,
                                        skill=laptop, problem="x", address_text="y", lat=p.latitude,
                                        lng=p.longitude, window_start=start,
                                        window_end=start + timedelta(hours=2), duration_minutes=60))
        stations.append(station)
    db.session.commit()
    return stations, customer


def test_a_real_worker_plans_two_stations_at_once(worker_env, check_plan, monkeypatch):
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "WENQING_ENV", "SECRET_KEY"):
        monkeypatch.setenv(key, worker_env[key])
    from app import create_app
    from config import Config, database_url
    from dispatch import models
    from dispatch.planning import request_plan
    from dispatch.tasks import plan_station
    from extensions import db, enqueue

    class Here(Config):
        SQLALCHEMY_DATABASE_URI = database_url(worker_env["DATABASE_URL"])
        CELERY = {**Config.CELERY, "broker_url": worker_env["CELERY_BROKER_URL"]}
        PLAN_SECONDS = 2.0

    app = create_app(Here)
    day = datetime.now().date() + timedelta(days=1)
    with app.app_context():
        db.create_all()
        stations, customer = seed_two_stations(db, models, day)
        manager = customer  # who asked does not matter to the worker
        plans = [request_plan(s, day, manager, 2.0) for s in stations]
        db.session.commit()
        ids = [p.id for p in plans]
        for plan_id in ids:
            enqueue(plan_station, plan_id)  # queued on the broker before any worker runs

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--concurrency", "2",
         "--loglevel", "warning", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with app.app_context():
            deadline, found = time.monotonic() + 120, []
            while time.monotonic() < deadline:
                db.session.expire_all()
                found = db.session.execute(db.select(models.Plan).where(models.Plan.id.in_(ids))).scalars().all()
                if all(p.status in ("draft", "failed") for p in found):
                    break
                time.sleep(0.5)
            assert [p.status for p in found] == ["draft", "draft"], [p.error for p in found]
            for plan in found:
                assert check_plan(plan.problem, plan.result)["assigned"] == 8
            overlap = min(p.finished_at for p in found) > max(p.started_at for p in found)
            assert overlap, "the two stations were planned one after the other, not at once"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
