"""A network run on a real Celery worker and Redis: two dozen stations each end with one
verified draft and the summary counts them; killing the worker's pool processes mid-run
loses no station (the redelivered jobs take over the plans left running)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from geopy.distance import geodesic

from tests.dispatch.test_planning_worker import redis_url  # noqa: F401  (the same Redis server fixture)

REPO = Path(__file__).resolve().parents[2]
STATIONS = 24
VISITS = 10  # a budget of one second each


@pytest.fixture
def worker_env(tmp_path, request):
    broker = request.getfixturevalue("redis_url")
    return {**os.environ, "WENQING_ENV": "development", "CELERY_BROKER_URL": broker,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'network.db'}", "SECRET_KEY": "network-test"}


@pytest.fixture
def network_app(worker_env, monkeypatch):
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "WENQING_ENV", "SECRET_KEY"):
        monkeypatch.setenv(key, worker_env[key])
    from app import create_app
    from config import Config, database_url
    from dispatch import models, network  # noqa: F401  (the network_runs table)
    from extensions import db

    class Here(Config):
        SQLALCHEMY_DATABASE_URI = database_url(worker_env["DATABASE_URL"])
        CELERY = {**Config.CELERY, "broker_url": worker_env["CELERY_BROKER_URL"]}
        PLAN_SECONDS = 1.0

    app = create_app(Here)
    day = datetime.now().date() + timedelta(days=1)
    with app.app_context():
        db.create_all()
        seed_network(db, models, day)
    return app, day


def seed_network(db, models, day):
    from accounts.models import User
    from marketplace.catalog import ensure_catalog
    skills, _ = ensure_catalog()
    laptop = next(s for s in skills if s.code == "laptop")
    customer = User(email="c@example.test", name="顾客", role="customer", password_hash="x")
    db.session.add(customer)
    for n in range(STATIONS):
        home = (25.0 + n * 0.5, 110.0 + n * 0.4)
        station = models.Station(code=f"ST2{n:05d}", name=f"站{n}", province="省", city="市", county="县",
                                 lat=home[0], lng=home[1])
        db.session.add(station)
        for k in range(2):
            user = User(email=f"e{n}-{k}@example.test", name="师傅", role="engineer", password_hash="x")
            db.session.add(models.Engineer(user=user, station=station, display_name=f"师傅{n}{k}",
                                           started_on=day, work_days="1234567", skills=[laptop]))
        for k in range(VISITS):
            p = geodesic(kilometers=2 + k).destination(home, 36 * k)
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + 2 * (k % 4))
            db.session.add(models.Visit(customer=customer, booked_by=customer, station=station,
                                        skill=laptop, problem="x", address_text="y", lat=p.latitude,
                                        lng=p.longitude, window_start=start,
                                        window_end=start + timedelta(hours=2), duration_minutes=40))
    db.session.commit()


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--concurrency", "2",
         "--loglevel", "warning", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def gone(pids: list[int], seconds: float = 10) -> None:
    """Wait until the killed processes are dead (gone, or zombies their parent has not reaped)."""
    deadline = time.monotonic() + seconds
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                    break
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.01)


def wait_for_run(app, run_id, seconds=240, on_progress=None):
    from dispatch.network import NetworkRun, status
    from extensions import db
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        now = status(db.session.get(NetworkRun, run_id))
        if on_progress:
            on_progress(now)
        if now["finished"]:
            return now
        time.sleep(0.3)
    pytest.fail(f"the run did not finish: {now}")


def run_network(app, day):
    from dispatch.network import start_run
    from dispatch.tasks import plan_network_station
    from extensions import enqueue
    return start_run(day, None, 1.0, lambda plan_id: enqueue(plan_network_station, plan_id)).id


def check_every_station(app, day, run, check_plan):
    """One verified draft per station, and a summary that counts them."""
    from dispatch.models import Plan
    from dispatch.network import summary
    from extensions import db
    plans = db.session.execute(db.select(Plan).where(Plan.day == day, Plan.status == "draft")).scalars().all()
    assert sorted(p.station.code for p in plans) == [f"ST2{n:05d}" for n in range(STATIONS)]
    assigned = sum(check_plan(p.problem, p.result)["assigned"] for p in plans)
    report = summary(run)
    assert report["planned"] == STATIONS and report["failed"] == []
    assert report["assigned"] == assigned and report["assigned"] + report["unassigned"] == STATIONS * VISITS
    return plans


def test_a_real_worker_plans_two_dozen_stations_with_one_verified_draft_each(network_app, worker_env,
                                                                             check_plan):
    app, day = network_app
    with app.app_context():
        run_id = run_network(app, day)
    worker = start_worker(worker_env)
    try:
        with app.app_context():
            wait_for_run(app, run_id)
            from dispatch.network import NetworkRun
            from extensions import db
            check_every_station(app, day, db.session.get(NetworkRun, run_id), check_plan)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def test_killing_the_workers_processes_mid_run_still_plans_every_station(network_app, worker_env,
                                                                         check_plan):
    app, day = network_app
    with app.app_context():
        run_id = run_network(app, day)
    worker = start_worker(worker_env)
    killed: list[int] = []
    cut_short: dict[int, datetime] = {}  # plans whose process died in the middle → their start

    def kill_once(now):
        from dispatch.models import Plan
        from extensions import db
        if not killed and now["running"] and now["done"] >= 2:
            running = dict(db.session.execute(db.select(Plan.id, Plan.started_at)
                                              .where(Plan.status == "running")).tuples().all())
            killed.extend(children(worker.pid))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)  # the pool processes, each in the middle of a station
            gone(killed)
            # A plan that was finishing as we looked was not cut short: only those still
            # running (or already handed back) from the start we saw.
            db.session.expire_all()
            for plan_id, status, started_at in db.session.execute(
                    db.select(Plan.id, Plan.status, Plan.started_at).where(Plan.id.in_(running))):
                if status not in ("draft", "failed") or started_at != running[plan_id]:
                    cut_short[plan_id] = running[plan_id]

    try:
        with app.app_context():
            from dispatch.models import Plan
            from dispatch.network import NetworkRun
            from extensions import db
            wait_for_run(app, run_id, on_progress=kill_once)
            assert killed, "the run ended before a worker process could be killed"
            plans = check_every_station(app, day, db.session.get(NetworkRun, run_id), check_plan)
            assert db.session.execute(db.select(db.func.count()).select_from(Plan).where(
                Plan.day == day, Plan.status.in_(("running", "queued")))).scalar() == 0
            assert len(plans) == STATIONS
            redone = [p for p in plans if p.id in cut_short and p.started_at > cut_short[p.id]]
            assert cut_short and len(redone) == len(cut_short), "a plan cut short was not planned again"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "WorkerLostError" in output or killed, output
