"""Tips paid for real: the Stripe SDK against localstripe, webhooks posted as localstripe
signed and delivered them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from marketplace.models import EngineerStats, PointEvent, Tip
from payments.models import PaymentEvent

pytestmark = pytest.mark.usefixtures("stripe_app")


def tip(client, bearer, who, visit, cents=1000):
    return client.post(f"/api/visits/{visit.id}/tips", headers=bearer(who.email),
                       json={"amount_cents": cents})


def confirm(client, bearer, who, tip_id, method="pm_card_visa"):
    return client.post(f"/api/tips/{tip_id}/confirm", headers=bearer(who.email),
                       json={"payment_method": method})


def stats(engineer) -> EngineerStats:
    db.session.expire_all()
    return db.session.get(EngineerStats, engineer.id)


def tip_points(engineer) -> int:
    return db.session.execute(select(func.coalesce(func.sum(PointEvent.points), 0)).where(
        PointEvent.engineer_id == engineer.id, PointEvent.source_key.startswith("tip:"))).scalar()


def paid_tip(client, bearer, deliver, rated_visit, cents=1000) -> dict:
    customer = rated_visit["customer"]
    started = tip(client, bearer, customer, rated_visit["visit"], cents).get_json()
    confirm(client, bearer, customer, started["id"])
    deliver("payment_intent.succeeded", db.session.get(Tip, started["id"]).intent_id)
    return started


def test_a_tip_is_paid_end_to_end_and_counts_only_once_paid(client, bearer, deliver, rated_visit):
    """Tests that intent → server-side confirmation → webhook makes the tip paid, and that
    only then does it count in the engineer's figures, points and earnings."""
    customer, engineer = rated_visit["customer"], rated_visit["engineer"]
    started = tip(client, bearer, customer, rated_visit["visit"], 2000)
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["status"] == "pending" and body["client_secret"] and body["fee_cents"] == 0
    assert confirm(client, bearer, customer, body["id"]).get_json()["status"] == "processing"
    assert (stats(engineer).tip_count, tip_points(engineer)) == (0, 0)  # not paid yet

    outcome = deliver("payment_intent.succeeded", db.session.get(Tip, body["id"]).intent_id)
    assert outcome[0].status_code == 200 and outcome[0].get_json() == {"outcome": "paid"}
    s = stats(engineer)
    assert (s.tip_count, s.tip_cents, tip_points(engineer)) == (1, 2000, 5)
    earnings = client.get("/api/me/earnings", headers=bearer(engineer.user.email)).get_json()
    assert [(t["amount_cents"], t["status"]) for t in earnings["tips"]] == [(2000, "paid")]
    assert (earnings["earned_cents"], earnings["pending_cents"], earnings["paid_out_cents"]) == (2000, 2000, 0)


def test_the_same_request_replayed_three_times_makes_one_payment(client, bearer, rated_visit, stripe_app):
    """Tests that a retried or double-clicked tip finds the same row and the same intent,
    and localstripe holds one PaymentIntent for it."""
    import stripe
    sdk = stripe.StripeClient("sk_test_wenqing", base_addresses={"api": stripe_app.config["STRIPE_API_BASE"]})

    def intents() -> set[str]:
        return {pi.id for pi in sdk.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()}

    before = intents()
    customer = rated_visit["customer"]
    answers = [tip(client, bearer, customer, rated_visit["visit"]).get_json() for _ in range(3)]
    assert len({a["id"] for a in answers}) == 1
    assert len({a["client_secret"] for a in answers}) == 1
    assert intents() - before == {db.session.get(Tip, answers[0]["id"]).intent_id}
    assert db.session.execute(select(func.count()).select_from(Tip)).scalar() == 1


def test_a_webhook_delivered_five_times_counts_once(client, bearer, deliver, rated_visit):
    customer, engineer = rated_visit["customer"], rated_visit["engineer"]
    started = tip(client, bearer, customer, rated_visit["visit"]).get_json()
    confirm(client, bearer, customer, started["id"])
    answers = deliver("payment_intent.succeeded", db.session.get(Tip, started["id"]).intent_id, times=5)
    assert [a.get_json()["outcome"] for a in answers] == ["paid"] + ["duplicate"] * 4
    s = stats(engineer)
    assert (s.tip_count, s.tip_cents, tip_points(engineer)) == (1, 1000, 5)
    assert db.session.execute(select(func.count()).select_from(PaymentEvent)).scalar() == 1


def test_a_badly_signed_or_unsigned_webhook_is_refused(client, bearer, inbox, rated_visit):
    customer = rated_visit["customer"]
    started = tip(client, bearer, customer, rated_visit["visit"]).get_json()
    confirm(client, bearer, customer, started["id"])
    body, signature = inbox.delivery("payment_intent.succeeded", db.session.get(Tip, started["id"]).intent_id)
    forged = signature[:-4] + ("0000" if not signature.endswith("0000") else "1111")
    for headers in ({"Stripe-Signature": forged}, {}):
        answer = client.post("/payments/stripe/webhook", data=body, headers=headers)
        assert answer.status_code == 400
    tampered = body.replace(b'"amount": 1000', b'"amount": 9000')
    assert client.post("/payments/stripe/webhook", data=tampered,
                       headers={"Stripe-Signature": signature}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Tip, started["id"]).status == "processing"
    assert db.session.execute(select(func.count()).select_from(PaymentEvent)).scalar() == 0


def test_a_declined_card_leaves_the_tip_failed_and_the_customer_can_retry(
        client, bearer, deliver, rated_visit):
    """Tests localstripe's decline test card (pm_card_chargeCustomerFail): the tip is
    failed and counts nothing; the retry is a new attempt with a new payment, and pays."""
    customer, engineer = rated_visit["customer"], rated_visit["engineer"]
    first = tip(client, bearer, customer, rated_visit["visit"]).get_json()
    declined = confirm(client, bearer, customer, first["id"], "pm_card_chargeCustomerFail").get_json()
    assert declined["status"] == "failed" and declined["failure_message"]
    old_intent = db.session.get(Tip, first["id"]).intent_id
    deliver("payment_intent.payment_failed", old_intent)
    assert (stats(engineer).tip_count, tip_points(engineer)) == (0, 0)

    again = tip(client, bearer, customer, rated_visit["visit"], 500).get_json()
    assert (again["id"], again["attempt"], again["status"]) == (first["id"], 2, "pending")
    new_intent = db.session.get(Tip, first["id"]).intent_id
    assert new_intent != old_intent
    confirm(client, bearer, customer, again["id"])
    deliver("payment_intent.succeeded", new_intent)
    s = stats(engineer)
    assert (s.tip_count, s.tip_cents, tip_points(engineer)) == (1, 500, 5)


def test_a_refund_by_the_station_manager_reverses_points_and_counts(
        client, bearer, deliver, rated_visit, make_user, make_station):
    customer, engineer = rated_visit["customer"], rated_visit["engineer"]
    paid = paid_tip(client, bearer, deliver, rated_visit)
    other_manager = make_user("manager", name="别站站长")
    make_station("ST999999", manager=other_manager)
    for outsider in (customer, other_manager):
        answer = client.post(f"/api/tips/{paid['id']}/refund", headers=bearer(outsider.email),
                             json={"reason": "mistake"})
        assert answer.status_code == 403
    refunded = client.post(f"/api/tips/{paid['id']}/refund", headers=bearer(rated_visit["manager"].email),
                           json={"reason": "顾客误操作"})
    assert refunded.status_code == 200, refunded.get_json()
    assert (refunded.get_json()["status"], refunded.get_json()["refund_reason"]) == ("refunded", "顾客误操作")
    s = stats(engineer)
    assert (s.tip_count, s.tip_cents, tip_points(engineer)) == (0, 0, 0)
    lines = db.session.execute(select(PointEvent.points).where(
        PointEvent.source_key.startswith("tip:")).order_by(PointEvent.id)).scalars().all()
    assert lines == [5, -5]  # append-only: a correction line, the first line kept
    earnings = client.get("/api/me/earnings", headers=bearer(engineer.user.email)).get_json()
    assert earnings["earned_cents"] == 0 and earnings["tips"][0]["status"] == "refunded"
    again = client.post(f"/api/tips/{paid['id']}/refund", headers=bearer(rated_visit["manager"].email),
                        json={"reason": "again"})
    assert again.status_code == 409


def test_a_customer_cannot_tip_a_visit_not_theirs_not_completed_or_not_yet_rated(
        client, bearer, rated_visit, make_user):
    from marketplace.models import Review
    visit = rated_visit["visit"]
    stranger = make_user("customer", name="路人")
    assert tip(client, bearer, stranger, visit).status_code == 404
    db.session.execute(db.delete(Review))
    rated_visit["customer"].locale = "en"  # the message is read in English below
    db.session.commit()
    not_rated = tip(client, bearer, rated_visit["customer"], visit)
    assert not_rated.status_code == 409 and "rate" in not_rated.get_json()["message"]
    visit.status, visit.confirmed_at = "on_site", None
    db.session.commit()
    assert tip(client, bearer, rated_visit["customer"], visit).status_code == 409
    assert db.session.execute(select(func.count()).select_from(Tip)).scalar() == 0


def test_an_unverified_phone_cannot_tip(client, bearer, rated_visit):
    customer = rated_visit["customer"]
    customer.phone_verified_at = None
    db.session.commit()
    assert tip(client, bearer, customer, rated_visit["visit"]).status_code == 403


def test_the_visit_page_tips_with_a_preset_then_shows_the_receipt(client, login, deliver, rated_visit):
    """Tests the page's button: the server-side confirmation path (Stripe.js cannot load
    offline), then the receipt once the webhook says paid."""
    login(rated_visit["customer"].email)
    page = client.get("/me/visits").get_data(as_text=True)
    assert 'name="preset" value="1000"' in page
    client.post(f"/visits/{rated_visit['visit'].id}/tip", data={"preset": "1000"})
    record = db.session.execute(select(Tip)).scalar_one()
    assert (record.amount_cents, record.status) == (1000, "processing")
    deliver("payment_intent.succeeded", record.intent_id)
    page = client.get("/me/visits?lang=en").get_data(as_text=True)
    assert 'class="tip-status tip-paid"' in page and "¥10.00" in page
    assert 'name="preset"' not in page  # tipped once: no second form


def test_a_late_failure_of_an_earlier_attempt_does_not_undo_a_paid_tip(
        client, bearer, deliver, rated_visit):
    """Tests events out of order: attempt 1 is declined, attempt 2 pays, and only then does
    attempt 1's payment_failed arrive; it is recorded and changes nothing."""
    customer, engineer = rated_visit["customer"], rated_visit["engineer"]
    first = tip(client, bearer, customer, rated_visit["visit"]).get_json()
    confirm(client, bearer, customer, first["id"], "pm_card_chargeCustomerFail")
    old_intent = db.session.get(Tip, first["id"]).intent_id
    tip(client, bearer, customer, rated_visit["visit"])
    confirm(client, bearer, customer, first["id"])
    deliver("payment_intent.succeeded", db.session.get(Tip, first["id"]).intent_id)
    late = deliver("payment_intent.payment_failed", old_intent)
    assert late[0].get_json() == {"outcome": "ignored"}
    db.session.expire_all()
    assert db.session.get(Tip, first["id"]).status == "paid"
    assert (stats(engineer).tip_count, tip_points(engineer)) == (1, 5)


def test_the_station_manager_refunds_from_the_tips_page_with_a_reason(
        client, login, bearer, deliver, rated_visit):
    paid = paid_tip(client, bearer, deliver, rated_visit)
    login(rated_visit["manager"].email)
    page = client.get("/station/tips").get_data(as_text=True)
    assert f'id="tip-{paid["id"]}"' in page and "refund-form" in page
    client.post(f"/tips/{paid['id']}/refund", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Tip, paid["id"]).status == "paid"  # a reason is required
    client.post(f"/tips/{paid['id']}/refund", data={"reason": "重复支付"})
    db.session.expire_all()
    refunded = db.session.get(Tip, paid["id"])
    assert (refunded.status, refunded.refund_reason, refunded.refunded_by_id) == (
        "refunded", "重复支付", rated_visit["manager"].id)
    assert stats(rated_visit["engineer"]).tip_count == 0
