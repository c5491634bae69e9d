"""Feedback on a visit: the customer's review (stars, tags, text), the engineer's reply,
reports and moderation; each keeps the aggregates and the points ledger in step (tips are
paid through payments.tips). Only a customer with a verified phone reviews, and only a
visit they confirmed. Feedback that looks like an engineer rewarding themselves (the same
phone or address, a young or unverified account) and a pair of customer and engineer that
keeps repeating are flagged for an admin."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from geopy.distance import geodesic
from sqlalchemy import func, select
from werkzeug.exceptions import Conflict, Forbidden, NotFound, UnprocessableEntity

from accounts.models import Address, utcnow
from accounts.phone import same_number
from accounts.verification import has_verified_phone, require_verified_phone
from dispatch.models import Engineer, Visit
from extensions import db
from marketplace.aggregates import confirmed_completion, review_counted
from marketplace.models import AbuseFlag, Review, ReviewReport, Tag
from marketplace.points import review_counted_points
from marketplace.rules import marketplace_rules


class ReviewNotAllowed(Forbidden):
    description = _l("Only the customer of a visit may review it.")


class NotCompleted(Conflict):
    description = _l("A visit can be reviewed once it is completed and you have confirmed it.")


class AlreadyReviewed(Conflict):
    description = _l("This visit has been reviewed already; edit that review instead.")


class ReviewFrozen(Conflict):
    description = _l("Reviews can be edited for a limited time only.")


class AlreadyReplied(Conflict):
    description = _l("The engineer has replied already.")


class UnknownTags(UnprocessableEntity):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"Unknown tags: {', '.join(codes)}.")
        self.codes = codes


class ReviewNotFound(NotFound):
    description = _l("No such review.")


def tags_named(codes: list[str]) -> list[Tag]:
    tags = db.session.execute(select(Tag).where(Tag.code.in_(codes), Tag.active.is_(True))).scalars().all()
    unknown = sorted(set(codes) - {t.code for t in tags})
    if unknown:
        raise UnknownTags(unknown)
    return list(tags)


def review_visit(visit: Visit, customer, stars: int, tag_codes: list[str], text: str | None) -> Review:
    """The customer's review of their confirmed visit (once per visit, with a verified
    phone); the caller commits."""
    if visit.customer_id != customer.id:
        raise ReviewNotAllowed()
    require_verified_phone(customer)
    if visit.status != "completed" or visit.confirmed_at is None:
        raise NotCompleted()
    if db.session.execute(select(Review.id).where(Review.visit_id == visit.id)).first():
        raise AlreadyReviewed()
    review = Review(engineer_id=visit.engineer_id, customer_id=customer.id, visit_id=visit.id,
                    stars=stars, text=text, tags=tags_named(tag_codes), created_at=utcnow())
    db.session.add(review)
    db.session.flush()
    review_counted(review)
    review_counted_points(review, utcnow())
    flag_if_self_dealing(visit.engineer_id, customer, "review")
    return review


def edit_review(review: Review, customer, stars: int, tag_codes: list[str], text: str | None) -> Review:
    """Change a review within REVIEW_EDIT_DAYS; aggregates and points follow."""
    if review.customer_id != customer.id:
        raise ReviewNotAllowed()
    if utcnow() - review.created_at > timedelta(days=current_app.config["REVIEW_EDIT_DAYS"]):
        raise ReviewFrozen()
    tags = tags_named(tag_codes)
    if not review.hidden:
        review_counted(review, -1)
    review.stars, review.text, review.tags = stars, text, tags
    review.edits, review.updated_at = review.edits + 1, utcnow()
    db.session.flush()
    if not review.hidden:
        review_counted(review, +1)
    review_counted_points(review, utcnow())
    return review


def reply(review: Review, engineer_user, text: str) -> Review:
    engineer = db.session.execute(select(Engineer).where(Engineer.user_id == engineer_user.id)).scalar()
    if engineer is None or engineer.id != review.engineer_id:
        raise ReviewNotAllowed(_l("Only the engineer reviewed may reply."))
    if review.reply:
        raise AlreadyReplied()
    review.reply, review.replied_at = text, utcnow()
    return review


def report(review: Review, user, reason: str) -> None:
    """Anyone signed in may report a review once; admins see the reports."""
    exists = db.session.execute(select(ReviewReport.id).where(
        ReviewReport.review_id == review.id, ReviewReport.reporter_id == user.id)).first()
    if not exists:
        db.session.add(ReviewReport(review_id=review.id, reporter_id=user.id, reason=reason))


def set_hidden(review: Review, hidden: bool) -> Review:
    """An admin hides (or restores) a review: it stops (or starts again) counting; its
    points are reversed by a compensating ledger line, never deleted."""
    if review.hidden == hidden:
        return review
    review.hidden = hidden
    db.session.flush()
    review_counted(review, -1 if hidden else +1)
    review_counted_points(review, utcnow())
    return review


def flag_if_self_dealing(engineer_id: int, customer, kind: str) -> None:
    """Flag feedback from a customer account sharing the engineer's phone (compared in
    E.164, however it is written), or with a saved address within SAME_ADDRESS_METRES of one of the
    engineer's own addresses, or younger than FLAGS' `new_account_days`, or without a
    verified phone."""
    engineer = db.session.get(Engineer, engineer_id)
    staff = engineer.user
    reasons = []
    if any(same_number(own, customer.phone) for own in (staff.phone, getattr(engineer, "phone", None))):
        reasons.append("same phone number")
    homes = db.session.execute(select(Address).where(Address.user_id == staff.id)).scalars().all()
    saved = db.session.execute(select(Address).where(Address.user_id == customer.id)).scalars().all()
    limit = current_app.config["SAME_ADDRESS_METRES"]
    if any(geodesic((a.lat, a.lng), (b.lat, b.lng)).m <= limit for a in homes for b in saved):
        reasons.append(f"saved address within {limit} m of the engineer's")
    young = marketplace_rules().flags.new_account_days
    if customer.created_at is not None and utcnow() - customer.created_at < timedelta(days=young):
        reasons.append(f"account younger than {young} days")
    if not has_verified_phone(customer):
        reasons.append("phone not verified")
    if reasons:
        db.session.add(AbuseFlag(engineer_id=engineer_id, customer_id=customer.id, kind=kind,
                                 detail="; ".join(reasons)))


def flag_if_repeated_pair(visit: Visit) -> None:
    """Flag a confirmed visit that is the n-th (or later) of one customer with one engineer
    within FLAGS' `repeat_pair_days`: real customers rarely need the same engineer that
    often; a farm does."""
    rules = marketplace_rules().flags
    since = visit.confirmed_at - timedelta(days=rules.repeat_pair_days)
    count = db.session.execute(select(func.count()).select_from(Visit).where(
        Visit.engineer_id == visit.engineer_id, Visit.customer_id == visit.customer_id,
        confirmed_completion(), Visit.confirmed_at >= since)).scalar()
    if count >= rules.repeat_pair_visits:
        db.session.add(AbuseFlag(
            engineer_id=visit.engineer_id, customer_id=visit.customer_id, kind="visit",
            detail=f"visit {visit.id}: confirmed visit {count} of this customer with this "
                   f"engineer within {rules.repeat_pair_days} days"))


def get_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise ReviewNotFound()
    return review
