"""Build the demo network: a station in every county-level seat, 5–15 engineers each,
and one account per role. Deterministic for a given seed and idempotent: rows are keyed
by natural keys (station code, email), so running it twice adds nothing."""
from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from werkzeug.exceptions import HTTPException
from werkzeug.security import generate_password_hash

from accounts.models import Address, User, utcnow
from demo.names import chinese_name, mobile_number
from dispatch.geocode import COUNTIES_CSV
from dispatch.models import Engineer, Skill, Station, Visit
from extensions import db
from marketplace.aggregates import rebuild_stats
from marketplace.catalog import ensure_catalog
from marketplace.models import Favourite, Review, Tag, Tip, review_tags
from marketplace.points import replay_points

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
    reviews_added: int = 0


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
    skills, tags = ensure_catalog()
    places = choose_places(seed, stations)
    reviewers = ensure_reviewers(password_hash)
    existing = set(db.session.execute(db.select(Station.code)).scalars())
    taken = set(db.session.execute(db.select(User.email)).scalars())
    for index, place in enumerate(progress(places)):
        if place.station_code not in existing:
            engineers = add_station(place, index == 0, seed, skills, password_hash, taken, report)
            db.session.flush()
            add_feedback(engineers, tags, reviewers, random.Random(f"{seed}:{place.adcode}:feedback"),
                         report)
        if index % 50 == 49:
            db.session.commit()
    db.session.commit()
    ensure_demo_accounts(password_hash, places[0] if places else None, report)
    db.session.commit()
    ensure_demo_visits()
    ensure_demo_board()
    if report.reviews_added:
        rebuild_stats()  # aggregates from the rows just written
        replay_points(utcnow())  # and the points and levels they earn
    db.session.commit()
    return report


def demo_email(first: bool, login: str, fallback: str, taken: set[str]) -> str:
    """The first station's staff get the short demo sign-ins, unless an earlier, smaller
    seed already gave them out."""
    email = login if first and login not in taken else fallback
    taken.add(email)
    return email


def add_station(place: Place, first: bool, seed: int, skills: list[Skill],
                password_hash: str, taken: set[str], report: SeedReport) -> list[Engineer]:
    """One station with its manager and engineers, from a generator of its own so that
    what a station gets does not depend on which stations exist already."""
    rng = random.Random(f"{seed}:{place.adcode}")
    manager_email = demo_email(first, "manager1@demo.test",
                               f"manager-{place.adcode}@demo.test", taken)
    manager = User(email=manager_email, role="manager", name=chinese_name(rng),
                   phone=mobile_number(rng), phone_verified_at=utcnow(),
                   password_hash=password_hash)
    station = Station(code=place.station_code, name=f"{place.county}服务站",
                      province=place.province, city=place.city, county=place.county,
                      lat=place.lat, lng=place.lng, coverage_km=30.0, manager=manager)
    db.session.add(station)
    engineers: list[Engineer] = []
    for k in range(1, rng.randint(5, 15) + 1):
        email = demo_email(first and k == 1, "engineer1@demo.test",
                           f"engineer-{place.adcode}-{k:02d}@demo.test", taken)
        name = chinese_name(rng)
        user = User(email=email, role="engineer", name=name, phone=mobile_number(rng),
                    phone_verified_at=utcnow(), password_hash=password_hash)
        own = sorted(rng.sample(skills, rng.randint(1, 4)), key=lambda s: s.code)
        years = rng.randint(0, 12)
        rota = rng.choice(("123456", "12345", "234567", "1234567"))
        engineer = Engineer(
            user=user, station=station, display_name=name, skills=own,
            started_on=TODAY - timedelta(days=365 * years + rng.randint(0, 364)),
            bio=f"擅长{'、'.join(s.name_zh for s in own)}维修，从业{years or 1}年。",
            # The demo's own station (manager1's board, engineer1's day) works every day, so
            # whatever the weekday tomorrow is, there is a crew and a day worth planning.
            work_days="1234567" if first else rota)
        db.session.add(engineer)
        engineers.append(engineer)
        report.engineers_added += 1
        report.users_added += 1
    report.stations_added += 1
    report.users_added += 1
    return engineers


def ensure_demo_accounts(password_hash: str, home: Place | None, report: SeedReport) -> None:
    """One account per remaining role; the demo customer lives near the first station."""
    have = set(db.session.execute(db.select(User.email)).scalars())
    for email, role, name in DEMO_ACCOUNTS:
        if email in have:
            continue
        user = User(email=email, role=role, name=name, password_hash=password_hash,
                    phone="+8613800138000" if role == "customer" else None,
                    phone_verified_at=utcnow() if role == "customer" else None)
        if role == "customer" and home is not None:
            user.addresses.append(Address(label="家", text=f"{home.city}{home.county}人民路 88 号",
                                          lat=home.lat + 0.03, lng=home.lng + 0.02))
        db.session.add(user)
        report.users_added += 1


def ensure_demo_visits() -> None:
    """Give engineer1 a day to show: customer1's visits tomorrow, booked the way customers
    book (so they fit), unless customer1 has visits already."""
    from dispatch.booking import Request, book, station_now
    from dispatch.models import Visit
    from dispatch.slots import Place as Point
    customer = db.session.execute(db.select(User).where(User.email == "customer1@demo.test")).scalar()
    engineer = db.session.execute(db.select(Engineer).join(Engineer.user)
                                  .where(User.email == "engineer1@demo.test")).scalar()
    if customer is None or engineer is None or not customer.addresses or db.session.execute(
            db.select(Visit.id).where(Visit.customer_id == customer.id)).first():
        return
    home = customer.addresses[0]
    today = station_now().date()
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time())
    skill = engineer.skills[0]
    for hour, problem in ((9, f"{skill.name_zh}开机黑屏"), (13, f"{skill.name_zh}经常死机，需要检修")):
        try:
            book(customer.id, customer.id, "web", Request(skill, Point(home.lat, home.lng),
                                                         tomorrow + timedelta(hours=hour)),
                 {"problem": problem, "address_text": home.text, "product_model": None,
                  "serial_number": None}, engineer)
            db.session.commit()
        except HTTPException:  # a day off or a full day: the demo simply has fewer visits
            db.session.rollback()


BOARD_VISITS = 32  # manager1's station tomorrow: a day worth planning
STREETS = ("人民路", "解放路", "中山路", "建设路", "新华街", "文化路", "胜利路", "和平街", "光明路", "东风路")
PROBLEMS = ("开机没反应", "屏幕有竖线", "经常自动重启", "噪音很大", "不制冷", "漏水", "无法联网",
            "指示灯一直闪", "按键失灵", "进纸卡住")


def ensure_demo_board() -> None:
    """Give manager1's planning board a realistic tomorrow: about thirty visits across the
    station's engineers, booked the way customers book (so each fits its engineer's day), a
    few with the engineer the customer chose, and one engineer marked absent, whose visits
    the plan must hand to others. Skipped when the station already has a busy tomorrow."""
    from dispatch.booking import Request, book, station_now
    from dispatch.models import Visit
    from dispatch.planning import set_availability
    from dispatch.rules import day_plan_rules
    from dispatch.slots import Place as Point
    manager = db.session.execute(db.select(User).where(User.email == "manager1@demo.test")).scalar()
    station = manager and db.session.execute(db.select(Station).where(Station.manager_id == manager.id)
                                             .order_by(Station.code)).scalars().first()
    if station is None:
        return
    day = station_now().date() + timedelta(days=1)
    midnight = datetime.combine(day, datetime.min.time())
    booked = db.session.execute(db.select(db.func.count(Visit.id)).where(
        Visit.station_id == station.id, Visit.window_start >= midnight,
        Visit.window_start < midnight + timedelta(days=1))).scalar()
    crew = [e for e in sorted(station.engineers, key=lambda e: e.id) if str(day.isoweekday()) in e.work_days]
    if booked >= BOARD_VISITS // 2 or not crew:
        return
    rng = random.Random(f"board:{station.code}")
    customers = db.session.execute(db.select(User.id).where(User.email.like("customer-%@demo.test"))
                                   .order_by(User.id).limit(BOARD_VISITS * 2)).scalars().all()
    absent = crew[-1] if len(crew) >= 3 else None
    window = day_plan_rules().window_minutes
    for attempt in range(BOARD_VISITS * 5):
        if booked >= BOARD_VISITS or not customers:
            break
        engineer = crew[attempt % len(crew)]
        skill = rng.choice(engineer.skills)
        point = geodesic_point(station.lat, station.lng, rng.uniform(1, 8), rng.uniform(0, 360))
        start = midnight + timedelta(minutes=rng.choice(range(
            engineer.shift_start, engineer.shift_end - window + 1, window)))
        chosen = rng.random() < 0.15 or (engineer is absent and attempt < len(crew))
        try:
            visit = book(customers[attempt % len(customers)], customers[attempt % len(customers)], "web",
                         Request(skill, Point(*point), start),
                         {"problem": f"{skill.name_zh}{rng.choice(PROBLEMS)}",
                          "address_text": f"{station.city}{station.county}{rng.choice(STREETS)} "
                                          f"{rng.randint(1, 300)} 号",
                          "product_model": None, "serial_number": None}, engineer)
            visit.chosen_by_customer = chosen  # the rest were given to this engineer by the station
            db.session.commit()
            booked += 1
        except HTTPException:  # that window is full for this engineer: try another
            db.session.rollback()
    if absent is not None:
        set_availability(absent, day, manager, absent=True)
        db.session.commit()


def geodesic_point(lat: float, lng: float, km: float, bearing: float) -> tuple[float, float]:
    from geopy.distance import geodesic
    p = geodesic(kilometers=km).destination((lat, lng), bearing)
    return p.latitude, p.longitude


REVIEWER_COUNT = 400
PRAISE = ("师傅很专业，问题很快就解决了。", "准时上门，讲解很耐心。", "修好了，干净利落，点赞！",
          "态度很好，还教了我日常保养。", "比约定时间早到了十分钟，效率高。", "非常满意，下次还找他。")
COMPLAINTS = ("迟到了半个多小时，也没提前说。", "问题没有彻底解决，还要再来一次。",
              "态度一般，沟通不太顺畅。")


def ensure_reviewers(password_hash: str) -> list[int]:
    """A pool of demo customers who wrote the demo reviews (ids)."""
    emails = [f"customer-{k:04d}@demo.test" for k in range(1, REVIEWER_COUNT + 1)]
    have = dict(db.session.execute(
        db.select(User.email, User.id).where(User.email.in_(emails))).all())
    rng = random.Random("reviewers")
    for email in emails:
        if email not in have:
            db.session.add(User(email=email, role="customer", name=chinese_name(rng),
                                phone=mobile_number(rng), phone_verified_at=utcnow(),
                                password_hash=password_hash))
    db.session.flush()
    return list(db.session.execute(db.select(User.id).where(User.email.in_(emails))
                                   .order_by(User.id)).scalars())


def served_visit(engineer: Engineer, customer_id: int, reviewed: datetime) -> dict:
    """A completed visit the customer confirmed with the code, the day before their review."""
    start = reviewed.replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    start = start.replace(hour=10)
    done = start + timedelta(hours=1, minutes=10)
    return {"customer_id": customer_id, "booked_by_id": customer_id, "engineer_id": engineer.id,
            "station_id": engineer.station.id, "skill_id": engineer.skills[0].id,
            "problem": f"{engineer.skills[0].name_zh}维修", "address_text": engineer.station.county,
            "lat": engineer.station.lat + 0.01, "lng": engineer.station.lng + 0.01,
            "window_start": start, "window_end": start + timedelta(hours=2), "duration_minutes": 60,
            "status": "completed", "channel": "web", "chosen_by_customer": True,
            "created_at": start - timedelta(days=2), "en_route_at": start - timedelta(minutes=30),
            "on_site_at": start + timedelta(minutes=10), "finished_at": done,
            "fixed_first_time": True, "completion_code": None, "confirmed_at": done,
            "confirmed_via": "code"}


def add_feedback(engineers: list[Engineer], tags: list[Tag], reviewers: list[int],
                 rng: random.Random, report: SeedReport) -> None:
    """Reviews, tags, favourites and tips for new engineers, each engineer with a quality of
    their own so that listings have something to sort. Aggregates are rebuilt afterwards."""
    good = [t for t in tags if t.positive]
    bad = [t for t in tags if not t.positive]
    reviews, chosen_tags, favourites, tips = [], [], set(), []
    served: dict[int, dict] = {}  # review index -> the confirmed visit it reviews
    for engineer in engineers:
        quality = rng.uniform(3.6, 4.95)
        for _ in range(min(int(rng.expovariate(1 / 14)), 120)):
            stars = max(1, min(5, round(rng.gauss(quality, 0.7))))
            customer = rng.choice(reviewers)
            when = datetime.combine(TODAY, datetime.min.time()) - timedelta(minutes=rng.randint(60, 700_000))
            reviews.append({"engineer_id": engineer.id, "customer_id": customer, "stars": stars,
                            "created_at": when,
                            "text": (rng.choice(PRAISE if stars >= 4 else COMPLAINTS)
                                     if rng.random() < 0.6 else None)})
            pool = good if stars >= 4 else bad if stars <= 2 else []
            chosen_tags.append(rng.sample(pool, min(len(pool), rng.randint(0, 3))))
            if stars == 5 and rng.random() < 0.25 and (customer, engineer.id) not in favourites:
                favourites.add((customer, engineer.id))
                served[len(reviews) - 1] = served_visit(engineer, customer, when)
            if stars >= 4 and rng.random() < 0.12:
                tips.append({"engineer_id": engineer.id, "customer_id": customer, "status": "paid",
                             "amount_cents": rng.choice((500, 1000, 2000, 5000)), "created_at": when})
    if served:  # favourites count only from customers served: their visits, confirmed
        visit_ids = db.session.execute(db.insert(Visit).returning(Visit.id, sort_by_parameter_order=True),
                                       list(served.values())).scalars().all()
        for index, visit_id in zip(served, visit_ids):
            reviews[index]["visit_id"] = visit_id
        for row in reviews:
            row.setdefault("visit_id", None)
    if reviews:
        ids = db.session.execute(db.insert(Review).returning(Review.id, sort_by_parameter_order=True),
                                 reviews).scalars().all()
        links = [{"review_id": rid, "tag_id": tag.id} for rid, picked in zip(ids, chosen_tags)
                 for tag in picked]
        if links:
            db.session.execute(review_tags.insert(), links)
    if favourites:
        db.session.execute(db.insert(Favourite), [{"customer_id": c, "engineer_id": e}
                                                  for c, e in sorted(favourites)])
    if tips:
        db.session.execute(db.insert(Tip), tips)
    report.reviews_added += len(reviews)
