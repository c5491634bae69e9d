"""The engineer listing at national scale, under gunicorn and wrk.

Loads 2,845 stations, 30,000 engineers and 1,000,000 reviews (with tags, favourites and
tips) into PostgreSQL, rebuilds the aggregates, serves the app with gunicorn and measures
GET /api/engineers (random customer addresses, every sort) beside GET /healthz, a bare
Flask endpoint on the same server, with the production cache (Redis) warmed by one pass
over the addresses. Prints requests/s and p50/p95/p99 for both, and the first-touch cost.

    bash scripts/with-postgres.sh .venv/bin/python bench/listing.py
"""
from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRK_SCRIPT = """
math.randomseed(7)
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format("PCT %%.3f %%.3f %%.3f\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


LEVEL_MIX = ["rookie"] * 5 + ["backbone", "elite", "expert", "master"]

def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    """COPY rows into a table (tab-separated; values never contain tabs or newlines)."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
        count += 1
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buffer.read())
    return count


def load(url: str, engineers: int, reviews: int, seed: int) -> None:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app import create_app
    from config import TestConfig, database_url
    from demo.names import chinese_name
    from demo.seed import county_seats
    from extensions import db
    from marketplace.aggregates import rebuild_stats
    from marketplace.catalog import ensure_catalog

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)

    app = create_app(Config)
    rng = random.Random(seed)
    with app.app_context():
        started = time.perf_counter()
        db.session.execute(db.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        skills, tags = ensure_catalog()
        db.session.commit()
        places = county_seats()
        pw = generate_password_hash("bench-password")
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        copy_rows(cur, "stations",
                  ["id", "code", "name", "province", "city", "county", "lat", "lng", "coverage_km"],
                  ((i + 1, f"ST{p.adcode}", f"{p.county}服务站", p.province, p.city, p.county,
                    p.lat, p.lng, 30.0) for i, p in enumerate(places)))
        customers = engineers * 2
        now = datetime(2026, 11, 23).isoformat(sep=" ")
        copy_rows(cur, "users", ["id", "email", "password_hash", "name", "role", "active", "created_at"],
                  ((i, f"u{i}@bench.test", pw, chinese_name(rng),
                    "engineer" if i <= engineers else "customer", "t", now)
                   for i in range(1, engineers + customers + 1)))
        copy_rows(cur, "engineers", ["id", "user_id", "station_id", "display_name", "started_on",
                                     "shift_start", "shift_end", "work_days", "booking_version"],
                  ((i, i, rng.randint(1, len(places)), chinese_name(rng),
                    date(2026, 1, 1) - timedelta(days=rng.randint(0, 4000)), 540, 1080, "123456", 0)
                   for i in range(1, engineers + 1)))
        copy_rows(cur, "engineer_skills", ["engineer_id", "skill_id"],
                  ((i, s.id) for i in range(1, engineers + 1) for s in rng.sample(skills, rng.randint(1, 4))))
        copy_rows(cur, "engineer_stats", ["engineer_id", "review_count", "star_sum", "stars_1", "stars_2",
                                          "stars_3", "stars_4", "stars_5", "average_stars", "favourite_count",
                                          "tip_count", "tip_cents", "score", "level", "points"],
                  ((i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4.65, rng.choice(LEVEL_MIX), 0)
                   for i in range(1, engineers + 1)))
        quality = [rng.uniform(3.5, 4.95) for _ in range(engineers + 1)]
        base = datetime(2026, 11, 1)
        print(f"loading {reviews:,} reviews ...", file=sys.stderr)
        review_rows, tag_rows = [], []
        good = [t.id for t in tags if t.positive]
        bad = [t.id for t in tags if not t.positive]
        for rid in range(1, reviews + 1):
            e = rng.randint(1, engineers)
            stars = max(1, min(5, round(rng.gauss(quality[e], 0.7))))
            review_rows.append((rid, e, rng.randint(engineers + 1, engineers + customers), stars,
                                "很专业，准时上门" if stars >= 4 else None, "f",
                                (base - timedelta(minutes=rid)).isoformat(sep=" ")))
            pool = good if stars >= 4 else bad if stars <= 2 else []
            for t in rng.sample(pool, min(len(pool), rng.randint(0, 2))):
                tag_rows.append((rid, t))
        copy_rows(cur, "reviews",
                  ["id", "engineer_id", "customer_id", "stars", "text", "hidden", "created_at", "edits"],
                  (row + (0,) for row in review_rows))
        copy_rows(cur, "review_tags", ["review_id", "tag_id"], tag_rows)
        favs = {(rng.randint(engineers + 1, engineers + customers), rng.randint(1, engineers))
                for _ in range(100_000)}
        copy_rows(cur, "favourites", ["customer_id", "engineer_id", "created_at"],
                  ((c, e, now) for c, e in favs))
        copy_rows(cur, "tips",
                  ["engineer_id", "customer_id", "amount_cents", "currency", "status", "created_at"],
                  ((rng.randint(1, engineers), rng.randint(engineers + 1, engineers + customers),
                    rng.choice((500, 1000, 2000)), "cny", "paid", now) for _ in range(60_000)))
        for table in ("users", "stations", "engineers", "reviews", "tips"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        raw.close()
        print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        rebuild_stats()
        db.session.commit()
        print(f"rebuild-stats over {reviews:,} reviews: {time.perf_counter() - started:.1f} s")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return places


def listing_paths(places, count: int, rng: random.Random) -> list[str]:
    from geopy.distance import geodesic
    sorts = ["recommended"] * 4 + ["stars", "distance", "level", "tips", "favourites"]
    paths = []
    for _ in range(count):
        p = rng.choice(places)
        d = geodesic(kilometers=rng.uniform(0, 25)).destination((p.lat, p.lng), rng.uniform(0, 360))
        extra = rng.choice(["", "", "&skill=laptop", "&min_stars=4"])
        paths.append(f"/api/engineers?lat={d.latitude:.5f}&lng={d.longitude:.5f}&sort={rng.choice(sorts)}{extra}")
    return paths


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> dict:
    folder = Path(tempfile.mkdtemp())
    (folder / "paths.txt").write_text("\n".join(paths) + "\n")
    (folder / "script.lua").write_text(WRK_SCRIPT % {"paths": folder / "paths.txt"})
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(folder / "script.lua"), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p95, p99 = map(float, re.search(r"PCT ([\d.]+) ([\d.]+) ([\d.]+)", out).group(1, 2, 3))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p95": p95, "p99": p99, "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("WENQING_TEST_DATABASE_URL"))
    parser.add_argument("--engineers", type=int, default=30_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("needs PostgreSQL: run under scripts/with-postgres.sh or pass --database-url")
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)

    from demo.seed import county_seats
    if not args.skip_load:
        load(args.database_url, args.engineers, args.reviews, seed=1)
    paths = listing_paths(county_seats(), 2000, random.Random(3))

    port = 18000 + os.getpid() % 1000
    if shutil.which("redis-server") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True, capture_output=True)
    redis = subprocess.Popen(["redis-server", "--port", str(port + 1), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = {**os.environ, "WENQING_ENV": "production", "SECRET_KEY": "bench",
           "DATABASE_URL": args.database_url, "CACHE_TYPE": "RedisCache",
           "CACHE_REDIS_URL": f"redis://127.0.0.1:{port + 1}/0"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                subprocess.run(["curl", "-sf", base + "/healthz"], check=True, capture_output=True)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        started = time.perf_counter()
        for path in paths:  # first touch: every station of these addresses from PostgreSQL
            urllib.request.urlopen(base + path).read()
        cold_ms = (time.perf_counter() - started) / len(paths) * 1000
        bare = wrk(base, ["/healthz"], args.seconds, args.connections)
        listing = wrk(base, paths, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait()
        redis.terminate()
    print(f"gunicorn {args.workers} workers, wrk 1 thread {args.connections} connections, "
          f"{args.seconds} s each; {args.engineers:,} engineers, {args.reviews:,} reviews")
    print(f"{'endpoint':22s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s}")
    for name, r in (("GET /healthz (bare)", bare), ("GET /api/engineers", listing)):
        print(f"{name:22s} {r['rps']:8.0f} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['errors']:8d}")
    print(f"listing / bare = {listing['rps'] / bare['rps']:.1%}")
    print(f"first touch (stations loaded from PostgreSQL, one request at a time): {cold_ms:.1f} ms mean")


if __name__ == "__main__":
    main()
