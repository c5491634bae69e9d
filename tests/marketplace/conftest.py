"""Factories for the marketplace: tags, reviews, favourites and tips that go through the
same aggregate bookkeeping as the product."""
from datetime import datetime, timedelta

import pytest

from extensions import db
from marketplace.aggregates import review_counted, tip_counted
from marketplace.catalog import ensure_catalog
from marketplace.favourites import add_favourite
from marketplace.models import Review, Tip

CENTRE = (31.2304, 121.4737)


@pytest.fixture
def catalog(ctx):
    skills, tags = ensure_catalog()
    db.session.commit()
    return {t.code: t for t in tags}


@pytest.fixture
def make_review(ctx, make_user, catalog):
    clock = {"t": datetime(2026, 1, 1)}

    def make(engineer, stars, tags=(), customer=None, text=None, hidden=False):
        clock["t"] += timedelta(minutes=1)
        review = Review(engineer_id=engineer.id, customer=customer or make_user("customer"),
                        stars=stars, text=text, hidden=hidden, created_at=clock["t"],
                        tags=[catalog[code] for code in tags])
        db.session.add(review)
        db.session.flush()
        if not hidden:
            review_counted(review)
        db.session.commit()
        return review
    return make


@pytest.fixture
def make_tip(ctx, make_user):
    def make(engineer, cents=1000, customer=None):
        tip = Tip(engineer_id=engineer.id, customer_id=(customer or make_user("customer")).id,
                  amount_cents=cents, status="paid")
        db.session.add(tip)
        db.session.flush()
        tip_counted(tip)
        db.session.commit()
        return tip
    return make


@pytest.fixture
def serve(ctx):
    """A visit of `engineer` for `customer`, completed and then confirmed by the customer in
    the app (dispatch.lifecycle.confirm): the engineer has served them, and it counts."""
    from dispatch.lifecycle import confirm
    from dispatch.models import Visit
    clock = {"t": datetime(2026, 11, 2, 9)}

    def make(customer, engineer, fixed_first_time=False):
        clock["t"] += timedelta(hours=1)
        start = clock["t"]
        visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=engineer.station_id,
                      engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="x",
                      address_text="y", lat=31.25, lng=121.49, window_start=start,
                      window_end=start + timedelta(hours=2), duration_minutes=60, status="completed",
                      created_at=start - timedelta(days=1), on_site_at=start, finished_at=start,
                      fixed_first_time=fixed_first_time)
        db.session.add(visit)
        db.session.flush()
        confirm(visit, customer)
        db.session.commit()
        return visit
    return make


@pytest.fixture
def favourite(ctx, serve):
    """`customer` favourites `engineer`; by default a customer the engineer served (whose
    favourite counts), `served=False` for anyone else."""
    def make(customer, engineer, served=True):
        if served:
            serve(customer, engineer)
        add_favourite(customer.id, engineer.id)
        db.session.commit()
    return make


@pytest.fixture
def station(make_station):
    return make_station("ST310101", *CENTRE, name="黄浦区服务站")


@pytest.fixture
def listing(client):
    """GET /api/engineers at the station's centre with extra query arguments."""
    def get(**query):
        response = client.get("/api/engineers",
                              query_string={"lat": CENTRE[0], "lng": CENTRE[1], **query})
        assert response.status_code == 200, response.get_json()
        return response.get_json()
    return get
