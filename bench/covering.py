"""Coverage query latency over the national network (2,845 stations).

Measures GET /api/stations/covering end to end through Flask (schema, query, geodesic
distances, JSON), for addresses inside coverage and for points outside every radius (which
also search for the nearest station). Prints median and p95 per kind of point.

    .venv/bin/python bench/covering.py [--database-url URL] [--requests 2000]
    bash scripts/with-postgres.sh .venv/bin/python bench/covering.py   # on PostgreSQL
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geopy.distance import geodesic  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def build_app(url: str):
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig, database_url
    from demo.seed import county_seats
    from dispatch.models import Station
    from extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        places = county_seats()
        db.session.add_all(Station(code=f"ST{p.adcode}", name=f"{p.county}服务站",
                                   province=p.province, city=p.city, county=p.county,
                                   lat=p.lat, lng=p.lng) for p in places)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE stations"))
            db.session.commit()
    return app, places


def sample_points(places, count: int, rng: random.Random):
    """Customers near a station (within 25 km) and points anywhere in China's box."""
    inside, anywhere = [], []
    while len(inside) < count:
        p = rng.choice(places)
        d = geodesic(kilometers=rng.uniform(0, 25)).destination((p.lat, p.lng), rng.uniform(0, 360))
        inside.append((d.latitude, d.longitude))
    while len(anywhere) < count:
        anywhere.append((rng.uniform(18, 53), rng.uniform(74, 134)))
    return {"inside coverage": inside, "anywhere in China": anywhere}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("WENQING_TEST_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"

    app, places = build_app(url)
    client = app.test_client()
    rng = random.Random(42)
    kinds = sample_points(places, args.requests, rng)
    dialect = url.split(":")[0]
    print(f"coverage query, {len(places)} stations, {dialect}, {args.requests} requests per kind")
    for _ in range(50):  # warm-up
        client.get("/api/stations/covering", query_string={"lat": 31.2, "lng": 121.5})
    for kind, points in kinds.items():
        times, covered = [], 0
        for lat, lng in points:
            start = time.perf_counter()
            response = client.get("/api/stations/covering", query_string={"lat": lat, "lng": lng})
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            covered += bool(response.get_json()["stations"])
        print(f"  {kind:18s} median {statistics.median(times):6.2f} ms   "
              f"p95 {percentile(times, 0.95):6.2f} ms   covered {covered / len(points):5.1%}")


if __name__ == "__main__":
    main()
