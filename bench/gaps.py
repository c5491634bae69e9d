"""The coverage-gap map's data (GET /api/coverage-gaps) with 100,000 recorded uncovered
requests over the demo network: p50 and p95 of the whole HTTP answer (SQL grouping,
greedy suggestions, overlaps, JSON), measured through the app's test client.

Needs a database with the demo network (`flask seed`); the records it adds are removed at
the end:

    .venv/bin/python bench/gaps.py --database-url postgresql+psycopg://…  [--rows 100000]
        [--spread towns|uniform] [--repeat 30]

`towns` (the default) puts the requests around 400 places outside every station's disc,
their sizes falling off as a Zipf law, a few km around each: refused customers live in
towns. `uniform` scatters them over the whole of China's box outside coverage: far more
distinct cells than real demand makes, the worst case for the page.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHINA = (18.0, 53.5, 73.5, 134.8)  # south, north, west, east


def outside_coverage(stations, rnd: random.Random, count: int) -> list[tuple[float, float]]:
    """`count` random points of China's box that no station covers."""
    import numpy as np

    from dispatch.gaps import sphere_km
    lat, lng, km = (np.array([s[i] for s in stations]) for i in range(3))
    found = []
    while len(found) < count:
        p = (rnd.uniform(CHINA[0], CHINA[1]), rnd.uniform(CHINA[2], CHINA[3]))
        if not (sphere_km(p[0], p[1], lat, lng) <= km).any():
            found.append(p)
    return found


def demand(stations, rows: int, spread: str, rnd: random.Random) -> list[tuple[float, float]]:
    if spread == "uniform":
        return outside_coverage(stations, rnd, rows)
    towns = outside_coverage(stations, rnd, 400)
    weights = [1 / (k + 1) for k in range(len(towns))]
    points = []
    for town in rnd.choices(towns, weights, k=rows):
        points.append((town[0] + rnd.gauss(0, 4 / 111), town[1] + rnd.gauss(0, 4 / 95)))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--spread", choices=("towns", "uniform"), default="towns")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    os.environ.update({"WENQING_ENV": "development", "DATABASE_URL": args.database_url,
                       "SECRET_KEY": "bench-gaps"})

    from sqlalchemy import delete, insert, select

    from accounts.models import User
    from app import create_app
    from config import Config, database_url
    from dispatch.booking import station_now
    from dispatch.coverage import Point
    from dispatch.gaps import cell_of
    from dispatch.models import Station, UncoveredRequest
    from dispatch.network_views import gaps_api
    from extensions import api, db

    class Here(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url)

    app = create_app(Here)
    if "gaps_api" not in app.blueprints:
        api.register_blueprint(gaps_api)
    rnd = random.Random(args.seed)
    with app.app_context():
        stations = db.session.execute(select(Station.lat, Station.lng, Station.coverage_km)).all()
        if not stations:
            sys.exit("no stations: run `flask seed` on this database first")
        today = station_now().date()
        began = db.session.execute(select(db.func.max(UncoveredRequest.id))).scalar() or 0
        rows = [{"day": today - timedelta(days=rnd.randrange(90)),
                 "source": rnd.choice(("search", "booking")), "lat_cell": a, "lng_cell": b}
                for a, b in (cell_of(Point(*p)) for p in demand(stations, args.rows, args.spread, rnd))]
        for k in range(0, len(rows), 10_000):
            db.session.execute(insert(UncoveredRequest), rows[k:k + 10_000])
        db.session.commit()
        admin = db.session.execute(select(User).where(User.role == "admin")).scalars().first()
        email = admin.email
    try:
        client = app.test_client()
        token = client.post("/api/auth/token", json={"email": email, "password": "demo-password"})
        if token.status_code != 201:
            sys.exit(f"no API token for {email}: {token.get_json()}")
        header = {"Authorization": f"Bearer {token.get_json()['token']}"}
        times, body = [], None
        for k in range(args.repeat + 2):
            t = time.perf_counter()
            response = client.get("/api/coverage-gaps", headers=header)
            elapsed = time.perf_counter() - t
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            body = response.get_json()
            if k >= 2:  # two warm-up answers: imports, caches, connections
                times.append(elapsed * 1000)
        times.sort()
        print(json.dumps({
            "rows": args.rows, "spread": args.spread, "stations": len(stations), "repeat": args.repeat,
            "recorded": body["recorded"], "uncovered": body["uncovered"], "demand_cells": len(body["demand"]),
            "overlaps": len(body["overlaps"]), "suggestions": [s["adds"] for s in body["suggestions"]],
            "response_kb": round(len(response.get_data()) / 1024),
            "ms": {"p50": round(statistics.median(times)), "p95": round(times[int(0.95 * (len(times) - 1))]),
                   "max": round(times[-1])},
            "database": args.database_url.split(":")[0]}, indent=2))
    finally:
        with app.app_context():
            db.session.execute(delete(UncoveredRequest).where(UncoveredRequest.id > began))
            db.session.commit()


if __name__ == "__main__":
    main()
