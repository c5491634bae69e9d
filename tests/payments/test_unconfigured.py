"""A server whose payment provider is not configured (no STRIPE_SECRET_KEY or no
STRIPE_WEBHOOK_SECRET) answers the payment endpoints and the webhook with 503 and a message,
not a 500, writes nothing, and loses nothing: once configured, the same tip goes through and
the provider's redelivered event is applied."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from extensions import db
from marketplace.models import Tip
from payments.models import PaymentEvent

KEYS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "TIP_TEST_PAYMENT_METHOD")
MESSAGE = "Payments are not set up on this server yet"


@pytest.fixture
def unconfigured(app):
    """`with unconfigured(*keys):` the app without those keys (all by default), as a server
    deployed before its provider is set up; the configuration is restored after."""
    @contextmanager
    def without(*keys):
        saved = {key: app.config.get(key) for key in KEYS}
        app.config.update({key: None for key in keys or KEYS})
        app.extensions.pop("payment_provider", None)
        try:
            yield app
        finally:
            app.config.update(saved)
            app.extensions.pop("payment_provider", None)
    return without


@pytest.fixture
def english_customer(rated_visit):
    customer = rated_visit["customer"]
    customer.locale = "en"
    db.session.commit()
    return customer


def tips() -> int:
    return db.session.execute(select(func.count()).select_from(Tip)).scalar()


def tip(client, bearer, customer, visit):
    return client.post(f"/api/visits/{visit.id}/tips", headers=bearer(customer.email),
                       json={"amount_cents": 1000})


def test_tipping_through_the_api_is_503_with_a_message_and_writes_nothing(
        client, bearer, rated_visit, english_customer, unconfigured):
    with unconfigured():
        answer = tip(client, bearer, english_customer, rated_visit["visit"])
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert MESSAGE in answer.get_json()["message"]
    assert tips() == 0


def test_the_tip_refused_while_unconfigured_goes_through_once_configured(
        client, bearer, rated_visit, english_customer, unconfigured, stripe_app):
    with unconfigured():
        assert tip(client, bearer, english_customer, rated_visit["visit"]).status_code == 503
    again = tip(client, bearer, english_customer, rated_visit["visit"])
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["status"] == "pending" and again.get_json()["client_secret"]
    assert tips() == 1


def test_tipping_from_the_visit_page_is_the_503_page_and_writes_nothing(
        client, login, rated_visit, english_customer, unconfigured):
    login(english_customer.email)
    with unconfigured():
        answer = client.post(f"/visits/{rated_visit['visit'].id}/tip", data={"preset": "1000"})
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert "503" in page and MESSAGE in page
    assert tips() == 0


@pytest.mark.parametrize("missing", [KEYS, ("STRIPE_WEBHOOK_SECRET",)], ids=["no-keys", "no-webhook-secret"])
def test_the_webhook_is_503_with_a_message_when_it_cannot_verify(client, app, ctx, unconfigured, missing):
    """Without the keys no signature can be checked: 503 (the provider retries), not 500,
    and not 400 (which would call a genuine delivery forged)."""
    from payments.tips import PaymentsNotConfigured

    with unconfigured(*missing):
        if "STRIPE_SECRET_KEY" not in missing:
            app.config["STRIPE_SECRET_KEY"] = "sk_test_wenqing"
        answer = client.post("/payments/stripe/webhook", data=b'{"id": "evt_1"}',
                             headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"})
    assert answer.status_code == 503
    with app.test_request_context():  # the default language, as the provider reads it
        assert answer.get_json() == {"message": str(PaymentsNotConfigured.description)}
    assert db.session.execute(select(func.count()).select_from(PaymentEvent)).scalar() == 0


def test_an_event_delivered_while_unconfigured_is_applied_when_delivered_again(
        client, bearer, deliver, rated_visit, unconfigured, stripe_app):
    """Tests that nothing is lost: the 503 leaves the tip as it was, and the provider's
    next delivery of the same event pays it."""
    customer = rated_visit["customer"]
    started = tip(client, bearer, customer, rated_visit["visit"]).get_json()
    client.post(f"/api/tips/{started['id']}/confirm", headers=bearer(customer.email),
                json={"payment_method": "pm_card_visa"})
    intent = db.session.get(Tip, started["id"]).intent_id
    with unconfigured("STRIPE_WEBHOOK_SECRET"):
        [refused] = deliver("payment_intent.succeeded", intent)
    assert refused.status_code == 503
    db.session.expire_all()
    assert db.session.get(Tip, started["id"]).status == "processing"
    [applied] = deliver("payment_intent.succeeded", intent)
    assert applied.get_json() == {"outcome": "paid"}
    db.session.expire_all()
    assert db.session.get(Tip, started["id"]).status == "paid"
