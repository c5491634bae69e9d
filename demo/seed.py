"""Build the demo network: a station in every county-level seat, 5–15 engineers each,
and one account per role. Deterministic for a given seed and idempotent: rows are keyed
by natural keys (station code, email), so running it twice adds nothing."""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable

from werkzeug.security import generate_password_hash

from accounts.models import Address, User
from dispatch.models import Station
from demo.names import chinese_name, mobile_number
from extensions import db
from marketplace.models import Engineer, Skill

COUNTIES_CSV = Path(__file__).parent / "data" / "counties.csv"
SKILLS = (  # product lines of the after-sales network
    ("laptop", "笔记本电脑", "Laptop"), ("desktop", "台式电脑", "Desktop"),
    ("printer", "打印机", "Printer"), ("server", "服务器", "Server"),
    ("tv", "电视", "TV"), ("monitor", "显示器", "Monitor"),
    ("tablet", "平板电脑", "Tablet"), ("phone", "手机", "Phone"),
)
DEMO_ACCOUNTS = (  # email, role, name
    ("admin@demo.test", "admin", "管理员"),
    ("agent1@demo.test", "agent", "客服小周"),
    ("customer1@demo.test", "customer", "陈女士"),
)
TODAY = date(2026, 11, 23)  # fixed, so the same seed gives the same start dates


@dataclass(frozen=True)
class Place:
    adcode: str
    province: str
    city: str
    county: str
    lat: float
    lng: float

    @property
    def station_code(self) -> str:
        return f"ST{self.adcode}"


@dataclass
class SeedReport:
    stations_added: int = 0
    engineers_added: int = 0
    users_added: int = 0


def county_seats() -> list[Place]:
    with COUNTIES_CSV.open(encoding="utf-8") as f:
        return [Place(r["adcode"], r["province"], r["city"], r["county"],
                      float(r["lat"]), float(r["lng"])) for r in csv.DictReader(f)]


def choose_places(seed: int, count: int | None) -> list[Place]:
    """All county seats, or `count` of them drawn with the seed, in code order."""
    places = county_seats()
    if count is not None and count < len(places):
        places = sorted(random.Random(seed).sample(places, count), key=lambda p: p.adcode)
    return places


def seed_demo(password: str, seed: int = 7, stations: int | None = None,
              progress: Callable[[Iterable[Place]], Iterable[Place]] = iter) -> SeedReport:
    """Add whatever part of the demo network is missing. `progress` wraps the station loop
    (a CLI progress bar)."""
    report = SeedReport()
    password_hash = generate_password_hash(password)  # one hash shared by every demo account
    skills = ensure_skills()
    places = choose_places(seed, stations)
    existing = set(db.session.execute(db.select(Station.code)).scalars())
    taken = set(db.session.execute(db.select(User.email)).scalars())
    for index, place in enumerate(progress(places)):
        if place.station_code not in existing:
            add_station(place, index == 0, seed, skills, password_hash, taken, report)
        if index % 50 == 49:
            db.session.commit()
    db.session.commit()
    ensure_demo_accounts(password_hash, places[0] if places else None, report)
    db.session.commit()
    return report


def ensure_skills() -> list[Skill]:
    have = {s.code: s for s in db.session.execute(db.select(Skill)).scalars()}
    for code, zh, en in SKILLS:
        if code not in have:
            have[code] = Skill(code=code, name_zh=zh, name_en=en)
            db.session.add(have[code])
    db.session.flush()
    return [have[code] for code, _, _ in SKILLS]


def demo_email(first: bool, login: str, fallback: str, taken: set[str]) -> str:
    """The first station's staff get the short demo sign-ins, unless an earlier, smaller
    seed already gave them out."""
    email = login if first and login not in taken else fallback
    taken.add(email)
    return email


def add_station(place: Place, first: bool, seed: int, skills: list[Skill],
                password_hash: str, taken: set[str], report: SeedReport) -> None:
    """One station with its manager and engineers, from a generator of its own so that
    what a station gets does not depend on which stations exist already."""
    rng = random.Random(f"{seed}:{place.adcode}")
    manager_email = demo_email(first, "manager1@demo.test",
                               f"manager-{place.adcode}@demo.test", taken)
    manager = User(email=manager_email, role="manager", name=chinese_name(rng),
                   phone=mobile_number(rng), password_hash=password_hash)
    station = Station(code=place.station_code, name=f"{place.county}服务站",
                      province=place.province, city=place.city, county=place.county,
                      lat=place.lat, lng=place.lng, coverage_km=30.0, manager=manager)
    db.session.add(station)
    for k in range(1, rng.randint(5, 15) + 1):
        email = demo_email(first and k == 1, "engineer1@demo.test",
                           f"engineer-{place.adcode}-{k:02d}@demo.test", taken)
        name = chinese_name(rng)
        user = User(email=email, role="engineer", name=name, phone=mobile_number(rng),
                    password_hash=password_hash)
        own = sorted(rng.sample(skills, rng.randint(1, 4)), key=lambda s: s.code)
        years = rng.randint(0, 12)
        db.session.add(Engineer(
            user=user, station=station, display_name=name, skills=own,
            started_on=TODAY - timedelta(days=365 * years + rng.randint(0, 364)),
            bio=f"擅长{'、'.join(s.name_zh for s in own)}维修，从业{years or 1}年。"))
        report.engineers_added += 1
        report.users_added += 1
    report.stations_added += 1
    report.users_added += 1


def ensure_demo_accounts(password_hash: str, home: Place | None, report: SeedReport) -> None:
    """One account per remaining role; the demo customer lives near the first station."""
    have = set(db.session.execute(db.select(User.email)).scalars())
    for email, role, name in DEMO_ACCOUNTS:
        if email in have:
            continue
        user = User(email=email, role=role, name=name, password_hash=password_hash,
                    phone="13800138000" if role == "customer" else None)
        if role == "customer" and home is not None:
            user.addresses.append(Address(label="家", text=f"{home.city}{home.county}人民路 88 号",
                                          lat=home.lat + 0.03, lng=home.lng + 0.02))
        db.session.add(user)
        report.users_added += 1
