"""Aggregates kept live equal aggregates rebuilt from the source rows."""
import random
import threading

from sqlalchemy import select

from extensions import db
from marketplace.aggregates import rebuild_stats, review_counted
from marketplace.favourites import remove_favourite
from marketplace.models import EngineerStats, EngineerTagCount, Review


def snapshot():
    stats = {row.engineer_id: tuple(getattr(row, c.name) for c in EngineerStats.__table__.columns)
             for row in db.session.execute(select(EngineerStats)).scalars()}
    tags = {(r.engineer_id, r.tag_id): r.count
            for r in db.session.execute(select(EngineerTagCount)).scalars() if r.count}
    return stats, tags


def test_rebuild_equals_the_live_aggregates_after_a_random_history(
        station, make_engineer, make_user, make_review, make_tip, favourite, catalog):
    rng = random.Random(5)
    engineers = [make_engineer(station, name=f"师傅{i}") for i in range(6)]
    customers = [make_user("customer") for _ in range(8)]
    reviews = []
    for _ in range(120):
        action = rng.random()
        engineer, customer = rng.choice(engineers), rng.choice(customers)
        if action < 0.6:
            tags = rng.sample(sorted(catalog), rng.randint(0, 3))
            reviews.append(make_review(engineer, rng.randint(1, 5), tags=tags, customer=customer))
        elif action < 0.7 and reviews:
            review = rng.choice(reviews)  # an admin hides a review: it stops counting
            if not review.hidden:
                review.hidden = True
                review_counted(review, -1)
                db.session.commit()
        elif action < 0.85:
            favourite(customer, engineer, served=rng.random() < 0.5)  # only the served count
        elif action < 0.92:
            remove_favourite(customer.id, engineer.id)
            db.session.commit()
        else:
            make_tip(engineer, cents=rng.choice((500, 1000)), customer=customer)
    live = snapshot()
    assert any(s[1] for s in live[0].values())  # something was counted

    for row in db.session.execute(select(EngineerStats)).scalars():  # scramble, then rebuild
        row.review_count, row.star_sum, row.favourite_count, row.score = 999, 1, 7, 0.0
    db.session.execute(EngineerTagCount.__table__.delete())
    db.session.commit()
    rebuild_stats()
    db.session.commit()
    assert snapshot() == live


def test_the_rebuild_command_reports_what_it_did(app, station, make_engineer, make_review):
    make_review(make_engineer(station), 5)
    result = app.test_cli_runner().invoke(args=["marketplace", "rebuild-stats"])
    assert result.exit_code == 0 and "Rebuilt 1 engineers" in result.output


def test_concurrent_favourites_of_the_same_engineer_count_once_each(
        app, station, make_engineer, make_user, bearer, client, serve):
    engineer = make_engineer(station)
    engineer_id = engineer.id
    me, other = make_user("customer"), make_user("customer")
    for customer in (me, other):
        serve(customer, engineer)  # favourites of customers served are the ones counted
    headers = [bearer(me.email)] * 6 + [bearer(other.email)] * 6
    results = []

    def put(header):
        with app.test_client() as c:
            results.append(c.put(f"/api/engineers/{engineer_id}/favorite", headers=header).status_code)

    threads = [threading.Thread(target=put, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 12
    db.session.expire_all()
    assert db.session.get(EngineerStats, engineer_id).favourite_count == 2


def test_hidden_reviews_are_not_counted_by_the_rebuild(station, make_engineer, make_review):
    engineer = make_engineer(station)
    make_review(engineer, 5)
    make_review(engineer, 1, hidden=True)
    rebuild_stats()
    db.session.commit()
    stats = db.session.get(EngineerStats, engineer.id)
    assert (stats.review_count, stats.star_sum, stats.stars_1) == (1, 5, 0)
    assert db.session.execute(select(Review)).scalars().all()  # nothing deleted
