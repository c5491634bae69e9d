"""The demo's tips, paid end to end through the configured payment provider (localstripe
under `make run`, no Stripe account): customer1 rated and tipped engineer1 for a visit last
week, and has another finished visit to rate and tip from the visit page."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from accounts.models import User, utcnow
from dispatch.models import Engineer, Visit
from extensions import db
from marketplace.models import Review, Tip
from marketplace.points import review_counted_points

DEMO_TEST_CARD = "pm_card_visa"  # Stripe's (and localstripe's) test card that pays


def ensure_demo_tips(provider_configured: bool) -> str:
    """Two finished, confirmed visits of engineer1 for customer1; the first rated and its tip
    paid through the provider (the events read back from its API, as the webhook would bring
    them). Returns what it did, for the seed's report."""
    customer = db.session.execute(db.select(User).where(User.email == "customer1@demo.test")).scalar()
    engineer = db.session.execute(db.select(Engineer).join(User, Engineer.user_id == User.id)
                                  .where(User.email == "engineer1@demo.test")).scalar()
    if customer is None or engineer is None:
        return "no demo customer or engineer"
    if db.session.execute(db.select(Tip.id).where(Tip.customer_id == customer.id)).first():
        return "demo tips exist"
    if customer.phone and customer.phone_verified_at is None:
        customer.phone_verified_at = utcnow()  # tipping needs a verified phone
    first, _second = (finished_visit(customer, engineer, days) for days in (7, 2))
    review = Review(engineer_id=engineer.id, customer_id=customer.id, visit_id=first.id, stars=5,
                    text="准时、耐心，修好了。", created_at=first.confirmed_at)
    db.session.add(review)
    db.session.flush()
    review_counted_points(review, utcnow())
    db.session.commit()
    if not provider_configured:
        return "no payment provider (STRIPE_SECRET_KEY unset): the demo tip is not paid"
    from payments.tips import catch_up, confirm_tip, start_tip
    since = int(time.time()) - 5
    tip = start_tip(first, customer, 2000)
    confirm_tip(tip, DEMO_TEST_CARD)
    return f"demo tip {tip.id}: {catch_up(since)}"


def finished_visit(customer: User, engineer: Engineer, days_ago: int) -> Visit:
    day = utcnow().date() - timedelta(days=days_ago)
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
    skill, home = engineer.skills[0], engineer.station
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=engineer.station_id,
                  engineer_id=engineer.id, skill_id=skill.id, problem="笔记本开不了机",
                  address_text="南京东路1号", lat=home.lat + 0.01, lng=home.lng + 0.01,
                  window_start=start, window_end=start + timedelta(hours=2), duration_minutes=60,
                  status="completed", on_site_at=start, finished_at=start + timedelta(hours=1),
                  confirmed_at=start + timedelta(hours=1), confirmed_via="app",
                  created_at=start - timedelta(days=1))
    db.session.add(visit)
    db.session.flush()
    return visit
