"""The points rebuilt from the source rows agree with the ledger: after a random history of
live events, and after a bulk-loaded history of 100,000 reviews replayed into the ledger."""
import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from accounts.models import User, utcnow
from dispatch.models import Visit
from extensions import db
from marketplace.models import EngineerStats, Favourite, Review, Tip, review_tags
from marketplace.points import ledger_totals, rebuild_points, replay_points


def totals():
    db.session.expire_all()
    return {s.engineer_id: s.points for s in db.session.query(EngineerStats)}


def completed_visit(engineer, customer, when, fixed):
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=engineer.station_id,
                  engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="x", address_text="y",
                  lat=31.2, lng=121.4, window_start=when, window_end=when + timedelta(hours=2),
                  duration_minutes=60, status="scheduled", created_at=when)
    db.session.add(visit)
    db.session.flush()
    return visit


def test_a_random_live_history_agrees_with_the_rebuild(station, make_engineer, make_user, catalog):
    from dispatch.lifecycle import confirm, move
    from marketplace.favourites import add_favourite, remove_favourite
    from marketplace.reviews import edit_review, review_visit, set_hidden
    from payments.tips import mark_paid, mark_refunded
    rng = random.Random(11)
    engineers = [make_engineer(station, name=f"师傅{i}") for i in range(4)]
    customers = [make_user("customer") for _ in range(6)]
    reviews = []
    for n in range(60):
        engineer, customer = rng.choice(engineers), rng.choice(customers)
        visit = completed_visit(engineer, customer, datetime(2026, 11, 1) + timedelta(hours=n), rng.random() < 0.5)
        for step in ("en_route", "on_site"):
            move(visit, step, engineer.user, visit.window_start)
        move(visit, "completed", engineer.user, visit.window_start,
             report={"fixed_first_time": rng.random() < 0.6},
             code=visit.completion_code if rng.random() < 0.7 else None)
        if visit.confirmed_at is None:
            if rng.random() < 0.3:  # completed, never confirmed by the customer: counts nothing
                db.session.commit()
                continue
            confirm(visit, customer)
        if rng.random() < 0.8:
            reviews.append(review_visit(visit, customer, rng.randint(1, 5),
                                        rng.sample(sorted(catalog), rng.randint(0, 4)), None))
        if rng.random() < 0.3:  # a tip as the webhooks leave it: paid, sometimes refunded
            paid = Tip(engineer_id=engineer.id, customer_id=customer.id, visit_id=visit.id,
                       amount_cents=rng.choice((500, 2000)), status="processing")
            db.session.add(paid)
            db.session.flush()
            mark_paid(paid, utcnow())
            if rng.random() < 0.3:
                mark_refunded(paid, utcnow(), reason="test")
        if rng.random() < 0.3:
            (add_favourite if rng.random() < 0.7 else remove_favourite)(customer.id, engineer.id)
        if reviews and rng.random() < 0.2:
            r = rng.choice(reviews)
            set_hidden(r, not r.hidden) if rng.random() < 0.5 else \
                edit_review(r, db.session.get(User, r.customer_id), rng.randint(1, 5), [], "改")
        db.session.commit()
    live = totals()
    assert live == {e: p for e, p in ledger_totals().items()} | {e: 0 for e in live if e not in ledger_totals()}
    assert rebuild_points(utcnow()) == {}
    db.session.commit()
    assert totals() == live


def test_a_hundred_thousand_reviews_replayed_agree_with_the_rebuild(station, make_engineer, make_user, catalog):
    rng = random.Random(5)
    engineers = [make_engineer(station, name=f"师傅{i}") for i in range(40)]
    customers = [make_user("customer") for _ in range(200)]
    skill_id = engineers[0].skills[0].id
    when = datetime(2026, 1, 1)
    visits = [{"customer_id": rng.choice(customers).id, "booked_by_id": customers[0].id,
               "station_id": station.id, "engineer_id": rng.choice(engineers).id, "skill_id": skill_id,
               "problem": "x", "address_text": "y", "lat": 31.2, "lng": 121.4, "window_start": when,
               "window_end": when + timedelta(hours=2), "duration_minutes": 60,
               "status": "completed", "fixed_first_time": rng.random() < 0.7, "created_at": when,
               "channel": "web", "chosen_by_customer": True,
               # nine in ten confirmed by their customer; the rest count nothing
               **({"confirmed_at": when, "confirmed_via": "code"} if rng.random() < 0.9 else
                  {"confirmed_at": None, "confirmed_via": None})} for _ in range(100_000)]
    for start in range(0, len(visits), 2000):
        db.session.execute(insert(Visit), visits[start:start + 2000])
    rows = db.session.execute(select(Visit.id, Visit.engineer_id, Visit.customer_id)).all()
    db.session.execute(insert(Review), [
        {"visit_id": vid, "engineer_id": e, "customer_id": c, "stars": rng.choice((1, 2, 3, 4, 5, 5, 5)),
         "hidden": rng.random() < 0.02, "created_at": when, "edits": 0} for vid, e, c in rows])
    tags = list(catalog.values())
    review_ids = db.session.execute(select(Review.id)).scalars().all()
    db.session.execute(review_tags.insert(), [
        {"review_id": rid, "tag_id": t.id} for rid in review_ids[::3] for t in rng.sample(tags, 2)])
    db.session.execute(insert(Favourite), [
        {"customer_id": c.id, "engineer_id": e.id, "created_at": when}
        for c in customers for e in rng.sample(engineers, 3)])
    db.session.execute(insert(Tip), [
        {"engineer_id": e, "customer_id": c, "visit_id": vid, "amount_cents": 1000, "status": "paid",
         "currency": "cny", "created_at": when} for vid, e, c in rows[::7]])
    db.session.commit()
    assert db.session.query(Review).count() == 100_000
    added = replay_points(utcnow())
    db.session.commit()
    assert added > 100_000
    assert replay_points(utcnow()) == 0  # replaying again adds nothing
    db.session.commit()
    ledger = ledger_totals()
    assert rebuild_points(utcnow()) == {}
    db.session.commit()
    assert totals() == {e.id: ledger.get(e.id, 0) for e in engineers}
