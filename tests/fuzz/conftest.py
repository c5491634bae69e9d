"""A small but realistic network for the fuzz tests: a station with its manager, engineers
with skills, a customer with an address, a booked and a completed visit, a review with tags
and a report, and one account of every role. Ids are kept as plain values (the fuzzers put
them into paths and forms, so that hostile input meets real rows as well as missing ones)."""
from __future__ import annotations

from datetime import timedelta

import pytest

CENTRE = (31.2304, 121.4737)
ROLES = ("anonymous", "customer", "engineer", "manager", "agent", "admin")


@pytest.fixture
def network(ctx, make_user, make_station, make_engineer) -> dict:
    """Build the network through the product's own functions; returns its ids and emails."""
    from accounts.models import Address
    from dispatch.booking import Request, book, engineer_slots, station_now
    from dispatch.lifecycle import move
    from dispatch.slots import Place
    from extensions import db
    from marketplace.catalog import ensure_catalog
    from marketplace.models import Tag
    from marketplace.reviews import report, review_visit

    skills, _tags = ensure_catalog()
    db.session.commit()
    users = {role: make_user(role, name=f"{role}用户") for role in ROLES[1:] if role != "engineer"}
    station = make_station("ST310101", *CENTRE, manager=users["manager"], name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop", "printer"), name="王师傅")
    make_engineer(station, skills=("laptop",), name="李师傅", phone="13900000001")
    users["engineer"] = engineer.user
    customer = users["customer"]
    db.session.add(Address(user=customer, label="家", text="上海市黄浦区南京东路1号",
                           lat=CENTRE[0] + 0.01, lng=CENTRE[1] + 0.01))
    db.session.commit()

    laptop = next(s for s in skills if s.code == "laptop")
    place = Place(CENTRE[0] + 0.01, CENTRE[1] + 0.01)
    now = station_now()
    [first, second, third, *_] = engineer_slots(engineer, Request(laptop, place), now.date() + timedelta(days=1),
                                         3, now)
    details = {"product_model": "ThinkPad X1", "serial_number": "SN1", "problem": "开不了机",
               "address_text": "上海市黄浦区南京东路1号"}
    booked = book(customer.id, customer.id, "web", Request(laptop, place, first.start), details, engineer)
    done = book(customer.id, customer.id, "web", Request(laptop, place, second.start), details, engineer)
    db.session.commit()
    for status in ("en_route", "on_site", "completed"):  # completed with the customer's code
        move(done, status, engineer.user, second.start, report={"fixed_first_time": True},
             code=done.completion_code)
    review = review_visit(done, customer, 5, ["on_time", "expert"], "很专业")
    db.session.flush()
    report(review, users["agent"], "测试举报")
    db.session.commit()
    tag = db.session.execute(db.select(Tag).order_by(Tag.id)).scalars().first()
    return {"emails": {role: user.email for role, user in users.items()},
            "users": {role: user.id for role, user in users.items()}, "customer": users["customer"].id,
            "station": station.code, "engineer": engineer.id, "booked": booked.id, "done": done.id,
            "review": review.id, "tag": tag.id, "address": customer.addresses[0].id,
            "day": first.start.date().isoformat(), "place": (place.lat, place.lng),
            "free": third.start.isoformat()}
