"""Fixtures for payments: localstripe (tests/payments/stripe_server.py), the app pointed at
it, a webhook inbox, and a completed, confirmed and rated visit to tip."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.payments.stripe_server import WEBHOOK_SECRET, Inbox, register_webhook, start_localstripe


@pytest.fixture(scope="session")
def localstripe():
    base, process = start_localstripe()
    yield base
    if process is not None:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def inbox(localstripe):
    box = Inbox()
    register_webhook(localstripe, "tests-inbox", box.url)
    yield box
    box.server.shutdown()


@pytest.fixture
def stripe_app(app, localstripe, inbox):
    """The app's payment provider is Stripe's SDK against localstripe."""
    saved = {k: app.config.get(k) for k in ("STRIPE_API_BASE", "STRIPE_SECRET_KEY",
                                             "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET",
                                             "TIP_TEST_PAYMENT_METHOD")}
    app.config.update(STRIPE_API_BASE=localstripe, STRIPE_SECRET_KEY="sk_test_wenqing",
                      STRIPE_PUBLISHABLE_KEY="pk_test_wenqing", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      TIP_TEST_PAYMENT_METHOD="pm_card_visa")
    app.extensions.pop("payment_provider", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("payment_provider", None)


@pytest.fixture
def deliver(client, inbox):
    """Post localstripe's delivery of `event_type` about `intent_id` to the app, `times` times."""
    def post(event_type: str, intent_id: str, times: int = 1):
        body, signature = inbox.delivery(event_type, intent_id)
        return [client.post("/payments/stripe/webhook", data=body,
                            headers={"Stripe-Signature": signature, "Content-Type": "application/json"})
                for _ in range(times)]
    return post


@pytest.fixture
def rated_visit(ctx, make_station, make_engineer, make_user):
    """A visit of 王师傅 for 陈女士, completed and confirmed, and rated five stars."""
    from dispatch.models import Visit
    from extensions import db
    from marketplace.catalog import ensure_catalog
    from marketplace.models import Review

    ensure_catalog()
    manager = make_user("manager", name="站长")
    station = make_station("ST310101", manager=manager)
    engineer = make_engineer(station, name="王师傅", phone="13900000000")
    customer = make_user("customer", name="陈女士")
    start = datetime(2026, 11, 20, 9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                  engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="x", address_text="y",
                  lat=31.25, lng=121.49, window_start=start, window_end=start + timedelta(hours=2),
                  duration_minutes=60, status="completed", finished_at=start + timedelta(hours=1),
                  confirmed_at=start + timedelta(hours=1), confirmed_via="app",
                  created_at=start - timedelta(days=1))
    db.session.add(visit)
    db.session.flush()
    db.session.add(Review(engineer_id=engineer.id, customer_id=customer.id, visit_id=visit.id, stars=5))
    db.session.commit()
    return {"visit": visit, "engineer": engineer, "customer": customer, "manager": manager,
            "station": station}
