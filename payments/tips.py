"""Tipping a visit's engineer: rating first, then the tip; one tip per visit with one
payment per attempt, its intent id stored before anything confirms it; webhook events
applied exactly once and in any order; refunds by an admin or the station's manager. A tip
counts (listing figures, rates, points, earnings) only while it is paid."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict, Forbidden, NotFound, ServiceUnavailable, UnprocessableEntity

from accounts.models import utcnow
from accounts.verification import require_verified_phone
from dispatch.models import Engineer, Station, Visit
from extensions import db
from marketplace.aggregates import tip_counted
from marketplace.models import Review, Tip
from marketplace.points import tip_points
from marketplace.reviews import flag_if_self_dealing
from payments.models import EarningEntry, PaymentEvent
from payments.provider import Declined, Event, NotConfigured, PaymentProvider, ProviderError, provider


class TipNotAllowed(Forbidden):
    description = _l("Only the customer of a visit may tip for it.")


class NotTippable(Conflict):
    description = _l("A visit can be tipped once it is completed.")


class ReviewFirst(Conflict):
    description = _l("Please rate the visit first; then you can tip.")


class AlreadyTipped(Conflict):
    description = _l("This visit has been tipped already.")


class TipWaiting(Conflict):
    description = _l("A tip of another amount is waiting for payment; pay or wait for it.")


class TipOutOfRange(UnprocessableEntity):
    description = _l("A tip is 1 to 1,000 yuan.")


class PaymentUnavailable(Conflict):
    description = _l("Payment is not available right now; please try again later.")


class PaymentsNotConfigured(ServiceUnavailable):
    description = _l("Payments are not set up on this server yet; nothing was charged. "
                     "Please try again later.")


class TipNotFound(NotFound):
    description = _l("No such tip.")


class RefundNotAllowed(Forbidden):
    description = _l("Only an admin or the station's manager may refund a tip.")


class NotRefundable(Conflict):
    description = _l("Only a paid tip can be refunded.")


def configured_provider() -> PaymentProvider:
    """The payment provider, or 503 while none is configured (its keys are missing): a
    deployment not yet set up, not a fault of the request, and not a 500."""
    try:
        return provider()
    except NotConfigured as error:
        current_app.logger.error("payments unavailable: %s", error.message)
        raise PaymentsNotConfigured() from error


def tip_limits() -> tuple[int, int]:
    config = current_app.config
    return config["TIP_MIN_CENTS"], config["TIP_MAX_CENTS"]


def check_tippable(visit: Visit, customer) -> None:
    """Who may tip this visit now: its customer, with a verified phone, once it is
    completed and confirmed, and once the customer has rated it."""
    if visit.customer_id != customer.id:
        raise TipNotAllowed()
    if visit.status != "completed" or visit.confirmed_at is None or visit.engineer_id is None:
        raise NotTippable()
    require_verified_phone(customer)
    if not db.session.execute(select(Review.id).where(Review.visit_id == visit.id)).first():
        raise ReviewFirst()


def tip_of_visit(visit_id: int) -> Tip | None:
    return db.session.execute(select(Tip).where(Tip.visit_id == visit_id)).scalar()


def start_tip(visit: Visit, customer, amount_cents: int) -> Tip:
    """The visit's tip with a payment to confirm. Replaying the request finds the same row
    and the same intent; after a declined attempt it starts the next one. Commits."""
    check_tippable(visit, customer)
    low, high = tip_limits()
    if not low <= amount_cents <= high:
        raise TipOutOfRange()
    tip = tip_of_visit(visit.id)
    if tip is None or tip.status not in ("paid", "refunded"):
        configured_provider()  # 503 before anything is written: a retry later finds nothing half-done
    tip = tip or insert_tip(visit, customer, amount_cents)
    if tip.status in ("paid", "refunded"):
        raise AlreadyTipped()
    if tip.status == "failed":
        tip.status, tip.attempt, tip.intent_id = "pending", tip.attempt + 1, None
        tip.amount_cents, tip.failure_message = amount_cents, None
    elif tip.amount_cents != amount_cents:
        raise TipWaiting()
    if tip.intent_id is None:
        attach_intent(tip)
    db.session.commit()
    return tip


def insert_tip(visit: Visit, customer, amount_cents: int) -> Tip:
    """The row first and committed, so a second request for the visit finds it (the unique
    visit id makes a concurrent one lose and read the winner's)."""
    tip = Tip(engineer_id=visit.engineer_id, customer_id=customer.id, visit_id=visit.id,
              amount_cents=amount_cents, currency=current_app.config["TIP_CURRENCY"],
              status="pending")
    db.session.add(tip)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return tip_of_visit(visit.id)
    flag_if_self_dealing(visit.engineer_id, customer, "tip")
    return tip


def attach_intent(tip: Tip) -> None:
    """Create the attempt's payment (its idempotency key names the tip and the attempt) and
    store its id before anything can confirm it."""
    try:
        intent = configured_provider().create_intent(
            tip.amount_cents, tip.currency, {"tip_id": str(tip.id), "visit_id": str(tip.visit_id)},
            idempotency_key=f"tip-{tip.id}-attempt-{tip.attempt}")
    except ProviderError as error:
        db.session.rollback()
        current_app.logger.warning("tip %s: no payment created: %s", tip.id, error)
        raise PaymentUnavailable() from error
    tip.intent_id = intent.id


def client_secret(tip: Tip) -> str | None:
    """What the page's payment form needs to confirm the payment in the browser."""
    if tip.intent_id is None or tip.status not in ("pending", "failed"):
        return None
    return configured_provider().retrieve_intent(tip.intent_id).client_secret


def confirm_tip(tip: Tip, payment_method: str) -> Tip:
    """Confirm on the server (tests, the demo, the page where the provider's script cannot
    load). A decline marks the tip failed at once; success leaves it processing until the
    webhook says it is paid. Commits."""
    if tip.status not in ("pending",) or tip.intent_id is None:
        return tip
    try:
        configured_provider().confirm(tip.intent_id, payment_method)
    except Declined as error:
        mark_failed(tip, error.message)
    except ProviderError as error:
        db.session.rollback()
        raise PaymentUnavailable() from error
    else:
        tip.status = "processing"
    db.session.commit()
    return tip


# --- What the provider tells us ----------------------------------------------------------------

def apply_event(event: Event, now: datetime | None = None) -> str:
    """Apply a verified provider event once: a redelivered event id changes nothing; events
    arriving out of order never move a tip backwards. Returns what it did. Commits."""
    now = now or utcnow()
    if db.session.execute(select(PaymentEvent.id).where(
            PaymentEvent.provider_event_id == event.id)).first():
        return "duplicate"
    tip = db.session.execute(select(Tip).where(Tip.intent_id == event.intent_id)).scalar() \
        if event.intent_id else None
    outcome = "ignored"
    if tip is not None:
        outcome = {"payment_intent.succeeded": lambda: mark_paid(tip, now),
                   "payment_intent.payment_failed": lambda: mark_failed(tip, event.failure_message),
                   "charge.refunded": lambda: mark_refunded(tip, now),
                   }.get(event.type, lambda: "ignored")()
    db.session.add(PaymentEvent(provider_event_id=event.id, type=event.type[:60],
                                intent_id=event.intent_id, outcome=outcome, received_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same event, applied by a concurrent delivery
        db.session.rollback()
        return "duplicate"
    return outcome


def mark_paid(tip: Tip, now: datetime) -> str:
    if tip.status not in ("pending", "processing", "failed"):
        return "ignored"
    tip.status, tip.paid_at, tip.failure_message = "paid", now, None
    db.session.flush()
    tip_counted(tip, +1)
    tip_points(tip, now)
    db.session.add(EarningEntry(engineer_id=tip.engineer_id, tip_id=tip.id, kind="tip",
                                amount_cents=tip.amount_cents, at=now))
    return "paid"


def mark_failed(tip: Tip, message: str | None) -> str:
    if tip.status not in ("pending", "processing"):
        return "ignored"
    tip.status, tip.failure_message = "failed", (message or "declined")[:300]
    return "failed"


def mark_refunded(tip: Tip, now: datetime, by=None, reason: str | None = None) -> str:
    """Refunded: if it counted, its counts, points (a correction line) and earnings (a
    minus line) are reversed."""
    if tip.status == "refunded":
        return "ignored"
    was_paid = tip.status == "paid"
    tip.status, tip.refunded_at = "refunded", now
    tip.refund_reason = tip.refund_reason or reason
    tip.refunded_by_id = tip.refunded_by_id or (by.id if by else None)
    db.session.flush()
    if was_paid:
        tip_counted(tip, -1)
        tip_points(tip, now)
        db.session.add(EarningEntry(engineer_id=tip.engineer_id, tip_id=tip.id, kind="refund",
                                    amount_cents=-tip.amount_cents, at=now))
    return "refunded"


# --- Refunds -----------------------------------------------------------------------------------

def may_refund(user, tip: Tip) -> bool:
    if user.role == "admin":
        return True
    engineer = db.session.get(Engineer, tip.engineer_id)
    return user.role == "manager" and engineer.station.manager_id == user.id


def refund_tip(tip: Tip, user, reason: str) -> Tip:
    """Give the customer their money back (whole tip), reason recorded. Commits."""
    if not may_refund(user, tip):
        raise RefundNotAllowed()
    if tip.status != "paid":
        raise NotRefundable()
    try:
        tip.refund_id = configured_provider().refund(tip.intent_id, f"tip-{tip.id}-refund",
                                          {"tip_id": str(tip.id), "reason": reason[:200]})
    except ProviderError as error:
        raise PaymentUnavailable() from error
    mark_refunded(tip, utcnow(), by=user, reason=reason)
    db.session.commit()
    return tip


def tips_to_review(user, limit: int = 200) -> list[Tip]:
    """The tips a manager may refund (their stations' engineers'), or an admin (all)."""
    query = select(Tip).where(Tip.status.in_(("processing", "paid", "refunded")))
    if user.role != "admin":
        query = query.join(Engineer, Engineer.id == Tip.engineer_id).join(
            Station, Station.id == Engineer.station_id).where(Station.manager_id == user.id)
    return db.session.execute(query.order_by(Tip.id.desc()).limit(limit)).scalars().all()


def get_tip(tip_id: int) -> Tip:
    tip = db.session.get(Tip, tip_id)
    if tip is None:
        raise TipNotFound()
    return tip


def catch_up(since: int) -> dict[str, int]:
    """Apply the provider's events since `since` that no webhook brought (a missed delivery,
    or the demo seed before the server listens). Each is still applied once."""
    outcomes: dict[str, int] = {}
    for event in configured_provider().recent_events(since):
        outcome = apply_event(event)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
