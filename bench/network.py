"""The demo network's day planned on 1 and on 2 local Celery workers (one process per core:
the solver is single-threaded), with Redis as the broker: wall time from queueing to the
last station done, the scaling ratio, per-station solve times, and every plan verified by
verify_plan.py (quality counts only once it says OK).

Needs a database with the demo network and its day (`flask seed --day`):

    DATABASE_URL=sqlite:////tmp/demo.db flask db upgrade && DATABASE_URL=… flask seed --day
    .venv/bin/python bench/network.py --database-url sqlite:////tmp/demo.db [--stations 200]
        [--sample 240 --seed 16] [--most 10] [--workers 2,1]

`--stations N` plans the first N stations only; `--sample N` a fixed random sample of N
stations (the same for every run with the same `--seed`), for a reading when the whole
network would not fit the time at hand. The estimate for more cores comes from the
measured per-station times. PostgreSQL is the database to measure on: SQLite serialises
every worker's writes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: str) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server is missing: run `bash scripts/ensure-redis.sh`")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def verifier():
    for folder in (os.environ.get("WENQING_SHARED"), REPO.parent / "shared", "/work/shared"):
        path = Path(folder or "") / "tools" / "verify_plan.py"
        if folder and path.exists():
            spec = importlib.util.spec_from_file_location("verify_plan", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.verify
    sys.exit("verify_plan.py not found (set WENQING_SHARED)")


def one_run(app, day, codes, workers: int, env: dict, most: float) -> dict:
    from dispatch.models import Plan
    from dispatch.network import NetworkRun, start_run, status, summary
    from dispatch.tasks import plan_network_station
    from extensions import db, enqueue

    with app.app_context():
        began = time.monotonic()
        run_id = start_run(day, codes, most, lambda plan_id: enqueue(plan_network_station, plan_id)).id
    log = open(Path(tempfile.gettempdir()) / f"bench-network-worker-{workers}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--concurrency", str(workers),
         "--loglevel", "warning", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        with app.app_context():
            while True:
                db.session.expire_all()
                now = status(db.session.get(NetworkRun, run_id))
                print(f"\r  {workers} worker(s): {now['done']}/{now['total']}", end="", file=sys.stderr)
                if now["finished"]:
                    break
                if worker.poll() is not None:
                    sys.exit(f"the worker stopped (exit {worker.returncode}); see {log.name}")
                time.sleep(1)
            wall = time.monotonic() - began
            print(file=sys.stderr)
            run = db.session.get(NetworkRun, run_id)
            verify, bad, solve, sizes, left_out = verifier(), [], [], [], 0
            plans = db.session.execute(db.select(Plan).where(Plan.id.in_(run.plan_ids))).scalars().all()
            for plan in plans:
                if plan.status != "draft":
                    bad.append((plan.station.code, plan.status, plan.error))
                    continue
                tolerance = 1e-6 if plan.problem["travel"]["model"] == "euclidean" else 1.0
                # Visits planning left out before solving (their engineer is off that day) are
                # listed among the unassigned but are not in the problem: the solver's plan is
                # verified without them, and they are counted apart.
                known = {v["id"] for v in plan.problem["visits"]}
                solved = {**plan.result, "unassigned": [u for u in plan.result["unassigned"]
                                                        if u["visit"] in known]}
                solved["totals"] = {**plan.result["totals"], "unassigned": len(solved["unassigned"])}
                left_out += len(plan.result["unassigned"]) - len(solved["unassigned"])
                errors, _ = verify(plan.problem, solved, tolerance)
                if errors:
                    bad.append((plan.station.code, "verify", errors[:3]))
                solve.append((plan.finished_at - plan.started_at).total_seconds())
                sizes.append(len(plan.problem["visits"]))
            report = summary(run)
    finally:
        worker.terminate()
        worker.wait(60)
    return {"workers": workers, "wall_s": round(wall, 1), "stations": report["stations"],
            "planned": report["planned"], "verified": len(solve) - sum(1 for b in bad if b[1] == "verify"),
            "not_ok": bad[:10], "left_out_before_solving": left_out,
            "assigned": report["assigned"], "unassigned": report["unassigned"],
            "travel_hours": report["travel_hours"], "budget_s": report["budget_seconds"],
            "station_s": {"mean": round(statistics.mean(solve), 2) if solve else None,
                          "sum": round(sum(solve), 1),
                          "p95": round(sorted(solve)[int(0.95 * (len(solve) - 1))], 2) if solve else None},
            "station_s_by_size": by_size(sizes, solve)}


SIZE_BANDS = ((0, 19), (20, 39), (40, 60), (61, 10_000))


def by_size(sizes: list[int], seconds: list[float]) -> dict:
    """Per-station time (start to finish of its job) by the number of visits solved."""
    out = {}
    for low, high in SIZE_BANDS:
        times = sorted(t for n, t in zip(sizes, seconds, strict=True) if low <= n <= high)
        if times:
            out[f"{low}-{high} visits"] = {
                "stations": len(times), "mean": round(statistics.mean(times), 2),
                "p50": round(statistics.median(times), 2),
                "p95": round(times[int(0.95 * (len(times) - 1))], 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--stations", type=int, default=None, help="only the first N stations")
    parser.add_argument("--most", type=float, default=10.0, help="the most seconds a station may search")
    parser.add_argument("--sample", type=int, default=None, help="a fixed random sample of N stations")
    parser.add_argument("--seed", type=int, default=16, help="the sample's random seed")
    parser.add_argument("--workers", default="2,1")
    parser.add_argument("--date", default=None, help="the day (default: the day the demo booked)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    redis, broker = start_redis(folder)
    env = {**os.environ, "WENQING_ENV": "development", "CELERY_BROKER_URL": broker,
           "DATABASE_URL": args.database_url, "SECRET_KEY": "bench-network"}
    os.environ.update(env)
    from datetime import date

    from app import create_app
    from config import Config, database_url
    from dispatch.models import Station, Visit
    from extensions import db

    class Here(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url)
        CELERY = {**Config.CELERY, "broker_url": broker}

    app = create_app(Here)
    try:
        with app.app_context():
            day = date.fromisoformat(args.date) if args.date else db.session.execute(
                db.select(db.func.max(Visit.window_start))).scalar().date()
            codes = db.session.execute(db.select(Station.code).order_by(Station.code)
                                       .limit(args.stations)).scalars().all()
            if args.sample:
                codes = sorted(random.Random(args.seed).sample(codes, min(args.sample, len(codes))))
        results = [one_run(app, day, codes, int(w), env, args.most) for w in args.workers.split(",")]
    finally:
        redis.terminate()
    by = {r["workers"]: r for r in results}
    out = {"day": day.isoformat(), "stations": len(codes), "sample_seed": args.seed if args.sample else None,
           "most_s": args.most, "runs": results, "cpu_count": os.cpu_count()}
    if 1 in by and 2 in by:
        out["scaling_1_to_2"] = round(by[1]["wall_s"] / by[2]["wall_s"], 2)
    one = by.get(1) or results[0]
    # A station costs a worker core its wall share: the run's wall time × workers / stations
    # (solving plus loading, storing and the queue), not only the solve.
    per_station = one["wall_s"] * one["workers"] / max(1, one["stations"])
    out["per_station_core_s"] = round(per_station, 2)
    out["estimate_national_2845_wall_min"] = {cores: round(2845 * per_station / cores / 60, 1)
                                              for cores in (1, 2, 10, 50, 100)}
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
