"""The demo network's day: every station gets 10 to 60 visits on one day, four for each of
its engineers on duty, so that `flask dispatch plan-network` has a realistic day to plan.

Written in bulk (one insert per batch of stations) rather than booked one by one, so the
whole network's day takes seconds: each visit is given to an engineer who works that day
and repairs the product, in an appointment window inside that engineer's shift, within a
few kilometres of the station. A station that has visits on the day already is left as it
is, so the command can run again.

The day also brings the requests the network had to refuse (`record_demo_gaps`): searches
and booking attempts from towns beyond every station's disc over the past 90 days, so
that the coverage-gap map has demand to show."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from accounts.models import User
from dispatch.coverage import Point
from dispatch.gaps import cell_of, sphere_km
from dispatch.models import Engineer, Station, UncoveredRequest, Visit
from dispatch.rules import day_plan_rules
from extensions import db

LEAST, MOST, PER_ENGINEER = 10, 60, 4
DURATIONS = (30, 45, 60, 60, 90)
STREETS = ("人民路", "解放路", "中山路", "建设路", "新华街", "文化路", "胜利路", "和平街", "光明路", "东风路")
PROBLEMS = ("开机没反应", "屏幕有竖线", "经常自动重启", "噪音很大", "不制冷", "漏水", "无法联网",
            "指示灯一直闪", "按键失灵", "进纸卡住")


@dataclass
class DayReport:
    stations: int = 0
    visits: int = 0
    skipped: int = 0  # stations with visits that day already, or nobody on duty
    refused: int = 0  # uncovered requests recorded for the coverage-gap map


def visits_for(engineers_on_duty: int) -> int:
    """How many visits a station books: four per engineer on duty, 10 to 60."""
    return min(MOST, max(LEAST, PER_ENGINEER * engineers_on_duty))


def offset(lat: float, lng: float, km: float, bearing: float) -> tuple[float, float]:
    """A point `km` from (lat, lng) on `bearing` (flat-earth: a few km, metres off)."""
    rad = math.radians(bearing)
    return (lat + km * math.cos(rad) / 111.32,
            lng + km * math.sin(rad) / (111.32 * math.cos(math.radians(lat))))


def book_demo_day(day: date, seed: int = 7, batch: int = 100) -> DayReport:
    """Book the day across the whole network (see the module's description)."""
    report = DayReport(refused=record_demo_gaps(day, seed))
    db.session.commit()
    window = day_plan_rules().window_minutes
    midnight = datetime.combine(day, datetime.min.time())
    busy = set(db.session.execute(select(Visit.station_id).where(
        Visit.window_start >= midnight, Visit.window_start < midnight + timedelta(days=1))
        .group_by(Visit.station_id)).scalars())
    customers = db.session.execute(select(User.id).where(User.role == "customer")
                                   .order_by(User.id).limit(2000)).scalars().all()
    if not customers:
        return report
    weekday = str(day.isoweekday())
    stations = db.session.execute(select(Station).order_by(Station.code).options(
        selectinload(Station.engineers).selectinload(Engineer.skills))).scalars().all()
    rows: list[dict] = []
    for n, station in enumerate(stations):
        crew = [e for e in sorted(station.engineers, key=lambda e: e.id)
                if weekday in e.work_days and e.skills and e.shift_end - e.shift_start >= window]
        if station.id in busy or not crew:
            report.skipped += 1
            continue
        rng = random.Random(f"{seed}:{station.code}:{day.isoformat()}")
        for k in range(visits_for(len(crew))):
            engineer = crew[k % len(crew)]
            skill = rng.choice(engineer.skills)
            lat, lng = offset(station.lat, station.lng, rng.uniform(1, min(12, station.coverage_km / 2)),
                              rng.uniform(0, 360))
            start = midnight + timedelta(minutes=rng.choice(range(
                engineer.shift_start, engineer.shift_end - window + 1, window)))
            customer = customers[(n * 61 + k) % len(customers)]
            rows.append({"customer_id": customer, "booked_by_id": customer, "station_id": station.id,
                         "engineer_id": engineer.id, "skill_id": skill.id, "status": "scheduled",
                         "problem": f"{skill.name_zh}{rng.choice(PROBLEMS)}",
                         "address_text": f"{station.city}{station.county}{rng.choice(STREETS)} "
                                         f"{rng.randint(1, 300)} 号",
                         "lat": lat, "lng": lng, "window_start": start,
                         "window_end": start + timedelta(minutes=window),
                         "duration_minutes": rng.choice(DURATIONS), "channel": "web",
                         "chosen_by_customer": rng.random() < 0.1, "pinned": False})
        report.stations += 1
        if report.stations % batch == 0:
            report.visits += _write(rows)
    report.visits += _write(rows)
    db.session.commit()
    return report


GAP_TOWNS, GAP_REQUESTS, GAP_DAYS = 60, 3000, 90


def record_demo_gaps(day: date, seed: int = 7) -> int:
    """Refused requests of the 90 days before `day`, from towns 35 to 90 km from the
    nearest station (beyond its disc, yet where people live near the network), the towns'
    sizes falling off as a Zipf law. Nothing when some are recorded already."""
    if db.session.execute(select(func.count()).select_from(UncoveredRequest)).scalar():
        return 0
    rows_ = db.session.execute(select(Station.lat, Station.lng, Station.coverage_km)).all()
    if not rows_:
        return 0
    sites = [tuple(r) for r in rows_]
    arrays = tuple(np.array(column, dtype=float) for column in zip(*sites, strict=True))
    rng = random.Random(f"{seed}:gaps")
    towns = []
    for _ in range(GAP_TOWNS * 200):
        if len(towns) == GAP_TOWNS:
            break
        lat, lng, km = rng.choice(sites)
        town = offset(lat, lng, km + rng.uniform(5, 60), rng.uniform(0, 360))
        if _outside(town, arrays):
            towns.append(town)
    if not towns:
        return 0
    weights = [1 / (k + 1) for k in range(len(towns))]
    rows = []
    for town in rng.choices(towns, weights, k=GAP_REQUESTS):
        place = offset(*town, rng.uniform(0, 4), rng.uniform(0, 360))
        if not _outside(place, arrays):
            continue
        lat_cell, lng_cell = cell_of(Point(*place))
        rows.append({"day": day - timedelta(days=rng.randrange(GAP_DAYS)),
                     "source": rng.choice(("search", "search", "booking")),
                     "lat_cell": lat_cell, "lng_cell": lng_cell})
    if rows:
        db.session.execute(insert(UncoveredRequest), rows)
    return len(rows)


def _outside(point: tuple[float, float], arrays) -> bool:
    lat, lng, km = arrays
    return bool((sphere_km(point[0], point[1], lat, lng) > km + 0.5).all())


def _write(rows: list[dict]) -> int:
    count = len(rows)
    if rows:
        db.session.execute(insert(Visit), rows)
        rows.clear()
    return count


def day_counts(day: date) -> dict[int, int]:
    """Visits per station id on the day (for tests and the command's report)."""
    midnight = datetime.combine(day, datetime.min.time())
    return dict(db.session.execute(select(Visit.station_id, func.count()).where(
        Visit.window_start >= midnight, Visit.window_start < midnight + timedelta(days=1))
        .group_by(Visit.station_id)).all())
