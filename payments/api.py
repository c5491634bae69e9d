"""The payments JSON API: tip a visit, confirm a payment on the server (test payment
methods), refund a tip, an engineer's earnings."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from accounts.access import allow
from dispatch.engineers import engineer_of
from dispatch.visits import visible_visit
from payments.earnings import earnings_of
from payments.schemas import (
    ConfirmInSchema,
    EarningsSchema,
    PaymentStartSchema,
    RefundInSchema,
    TipInSchema,
    TipOutSchema,
)
from payments.tips import (
    TipNotFound,
    client_secret,
    confirm_tip,
    get_tip,
    refund_tip,
    start_tip,
)

blp = Blueprint("payments_api", __name__, url_prefix="/api",
                description="Tips paid through the payment provider, refunds, earnings")


def payment_json(tip) -> dict:
    fields = {name: getattr(tip, name) for name in TipOutSchema().fields}
    return {**fields, "client_secret": client_secret(tip),
            "publishable_key": current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
            "fee_cents": current_app.config["TIP_FEE_CENTS"]}


@blp.route("/visits/<int:visit_id>/tips", methods=["POST"])
@allow("customer")
@blp.arguments(TipInSchema)
@blp.response(201, PaymentStartSchema)
def tip_visit(fields, visit_id):
    """Tip the engineer of a completed, rated visit: the tip and its payment to confirm
    (with Stripe.js and `client_secret`). Replaying the call returns the same payment;
    after a declined one it starts the next attempt."""
    tip = start_tip(visible_visit(visit_id, current_user), current_user, fields["amount_cents"])
    return payment_json(tip)


def own_tip(tip_id: int):
    tip = get_tip(tip_id)
    if tip.customer_id != current_user.id and current_user.role != "admin":
        raise TipNotFound()
    return tip


@blp.route("/tips/<int:tip_id>/confirm", methods=["POST"])
@allow("customer")
@blp.arguments(ConfirmInSchema)
@blp.response(200, TipOutSchema)
def confirm(fields, tip_id):
    """Confirm the payment on the server with a test payment method (tests, the demo):
    `processing` until the provider's webhook says paid; `failed` when declined."""
    return confirm_tip(own_tip(tip_id), fields["payment_method"])


@blp.route("/tips/<int:tip_id>/refund", methods=["POST"])
@allow("admin", "manager")
@blp.arguments(RefundInSchema)
@blp.response(200, TipOutSchema)
def refund(fields, tip_id):
    """Refund a paid tip (an admin, or the manager of the engineer's station); its points
    and counts are reversed."""
    return refund_tip(get_tip(tip_id), current_user, fields["reason"])


@blp.route("/me/earnings")
@allow("engineer")
@blp.response(200, EarningsSchema)
def my_earnings():
    """My tips (being paid, paid, refunded), totals by month, paid out and pending."""
    return earnings_of(engineer_of(current_user).id)
