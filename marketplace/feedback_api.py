"""The feedback JSON API: reviews of visits, replies, reports, moderation, standing (tips are
payments.api's)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint, abort

from accounts.access import allow, public, signed_in
from accounts.locale import select_locale
from accounts.models import utcnow
from dispatch.engineers import engineer_of
from dispatch.models import Engineer
from dispatch.visits import visible_visit
from extensions import db
from marketplace.models import Review
from marketplace.presentation import public_review
from marketplace.reviews import (
    UnknownTags,
    edit_review,
    get_review,
    reply,
    report,
    review_visit,
    set_hidden,
)
from marketplace.schemas import (
    MyLevelSchema,
    RatesSchema,
    ReplySchema,
    ReportSchema,
    ReviewInSchema,
    ReviewOutSchema,
)
from marketplace.standing import rates, standing

blp = Blueprint("feedback_api", __name__, url_prefix="/api",
                description="Reviews, replies, reports, points and levels")


def review_json(review: Review) -> dict:
    days = current_app.config["REVIEW_EDIT_DAYS"]
    return {**public_review(review, select_locale()), "engineer_id": review.engineer_id,
            "visit_id": review.visit_id, "hidden": review.hidden,
            "editable_until": review.created_at + timedelta(days=days)}


def with_tags(action):
    """Unknown tags are the client's mistake: 422 naming them."""
    try:
        return action()
    except UnknownTags as error:
        db.session.rollback()
        abort(422, errors={"json": {"tags": [error.description]}})


@blp.route("/visits/<int:visit_id>/review", methods=["POST"])
@allow("customer")
@blp.arguments(ReviewInSchema)
@blp.response(201, ReviewOutSchema)
def create_review(fields, visit_id):
    """Review a completed visit of one's own (once)."""
    visit = visible_visit(visit_id, current_user)
    review = with_tags(lambda: review_visit(visit, current_user, fields["stars"], fields["tags"],
                                            fields["text"]))
    db.session.commit()
    return review_json(review)


@blp.route("/reviews/<int:review_id>", methods=["PATCH"])
@allow("customer")
@blp.arguments(ReviewInSchema)
@blp.response(200, ReviewOutSchema)
def change_review(fields, review_id):
    """Edit one's review within the edit period."""
    review = get_review(review_id)
    with_tags(lambda: edit_review(review, current_user, fields["stars"], fields["tags"], fields["text"]))
    db.session.commit()
    return review_json(review)


@blp.route("/reviews/<int:review_id>/reply", methods=["POST"])
@allow("engineer")
@blp.arguments(ReplySchema)
@blp.response(200, ReviewOutSchema)
def reply_to_review(fields, review_id):
    """The engineer reviewed replies, once."""
    review = reply(get_review(review_id), current_user, fields["text"])
    db.session.commit()
    return review_json(review)


@blp.route("/reviews/<int:review_id>/report", methods=["POST"])
@signed_in
@blp.arguments(ReportSchema)
@blp.response(202)
def report_review(fields, review_id):
    """Report a review as abusive (admins decide)."""
    report(get_review(review_id), current_user, fields["reason"])
    db.session.commit()


@blp.route("/reviews/<int:review_id>/hide", methods=["POST"])
@allow("admin")
@blp.response(200, ReviewOutSchema)
def hide_review(review_id):
    """Hide a review: it stops counting and its points are reversed."""
    review = set_hidden(get_review(review_id), True)
    db.session.commit()
    return review_json(review)


@blp.route("/reviews/<int:review_id>/restore", methods=["POST"])
@allow("admin")
@blp.response(200, ReviewOutSchema)
def restore_review(review_id):
    """Show a hidden review again; it counts again."""
    review = set_hidden(get_review(review_id), False)
    db.session.commit()
    return review_json(review)


@blp.route("/engineers/<int:engineer_id>/rates")
@public
@blp.response(200, RatesSchema(many=False))
def engineer_rates(engineer_id):
    """Praise, favourite and tip rates, all time."""
    if db.session.get(Engineer, engineer_id) is None:
        abort(404, message="No such engineer.")
    return rates(engineer_id)


@blp.route("/me/level")
@allow("engineer")
@blp.response(200, MyLevelSchema)
def my_level():
    """My level, points, what the next level needs, my rates, my ledger."""
    engineer = engineer_of(current_user)
    return standing(engineer.id, select_locale(), utcnow())
