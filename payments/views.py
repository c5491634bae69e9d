"""Payments pages: the tip form's answer on the visit page, the engineer's earnings, the
station's tips that a manager (or an admin) may refund."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from accounts.access import allow
from dispatch.engineers import engineer_of
from dispatch.visits import visible_visit
from payments.earnings import earnings_of
from payments.schemas import RefundFormSchema, TipFormSchema
from payments.tips import (
    PaymentsNotConfigured,
    RefundNotAllowed,
    TipNotAllowed,
    confirm_tip,
    get_tip,
    may_refund,
    refund_tip,
    start_tip,
    tips_to_review,
)

bp = Blueprint("payments", __name__)


def amount_from_form() -> dict:
    """A preset button sends `preset` (fen), the custom field sends `yuan`."""
    preset = request.form.get("preset", "")
    if preset.isdigit() and int(preset) in current_app.config["TIP_PRESETS_CENTS"]:
        return {"amount_cents": int(preset)}
    return TipFormSchema().load({"yuan": request.form.get("yuan", "")})


@bp.route("/visits/<int:visit_id>/tip", methods=["POST"])
@allow("customer")
def tip_visit(visit_id: int):
    """Tip from the visit page. Where Stripe.js cannot load (offline demo, tests) the
    server confirms the payment with the configured test payment method behind the same
    button; the tip is paid when the provider's webhook says so. No provider configured:
    the 503 page, and nothing written."""
    visit = visible_visit(visit_id, current_user)
    if visit.customer_id != current_user.id:
        raise TipNotAllowed()  # an admin sees the visit; only its customer tips
    back = redirect(url_for("feedback.my_visit", visit_id=visit_id))
    try:
        tip = start_tip(visit, current_user, amount_from_form()["amount_cents"])
    except ValidationError:
        flash(_("A tip is 1 to 1,000 yuan."), "error")
        return back
    except PaymentsNotConfigured:
        raise  # not the customer's doing: the 503 page says so
    except HTTPException as err:
        flash(str(err.description), "error")
        return back
    method = current_app.config.get("TIP_TEST_PAYMENT_METHOD")
    if method:
        tip = confirm_tip(tip, method)
    if tip.status == "failed":
        flash(_("The payment was declined: %(why)s You can try again.", why=tip.failure_message), "error")
    else:
        flash(_("Thank you! Your tip of ¥%(amount)s is being paid.", amount=f"{tip.amount_cents / 100:.2f}"),
              "success")
    return back


@bp.route("/my/earnings")
@allow("engineer")
def my_earnings():
    """My tips, month by month, what has been paid out and what is still to come."""
    return render_template("payments/earnings.html", earnings=earnings_of(engineer_of(current_user).id))


@bp.route("/station/tips")
@allow("manager")
def station_tips():
    """The tips of my station's engineers (an admin: every station's), newest first."""
    return render_template("payments/station_tips.html", tips=tips_to_review(current_user))


@bp.route("/tips/<int:tip_id>/refund", methods=["POST"])
@allow("manager")
def refund(tip_id: int):
    """Refund a paid tip with a reason; its points and counts are reversed. Another
    station's manager gets the 403 page."""
    if not may_refund(current_user, get_tip(tip_id)):
        raise RefundNotAllowed()
    try:
        reason = RefundFormSchema().load(request.form)["reason"]
        refund_tip(get_tip(tip_id), current_user, reason)
        flash(_("The tip was refunded."), "success")
    except ValidationError as err:
        flash(" ".join(map(str, err.messages.get("reason", []))), "error")
    except PaymentsNotConfigured:
        raise  # nothing was refunded: the 503 page says why
    except HTTPException as err:
        flash(str(err.description), "error")
    return redirect(url_for("payments.station_tips"))
