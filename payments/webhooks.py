"""The provider's webhook: a signed POST from the provider, applied exactly once."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from accounts.access import public
from payments.provider import BadSignature, NotConfigured, provider
from payments.tips import PaymentsNotConfigured, apply_event

bp = Blueprint("payments_webhooks", __name__)


@bp.route("/payments/stripe/webhook", methods=["POST"])
@public  # the caller is the provider: the signature, not a session, proves it
def stripe_webhook():
    """Verify the signature with the endpoint secret, then apply the event once. Unsigned
    or badly signed calls get 400 and change nothing. Without the provider's keys nothing
    can be verified: 503, so that the provider keeps the event and delivers it again (and
    `flask payments catch-up` can fetch it once the keys are set)."""
    try:
        event = provider().parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except NotConfigured as error:
        current_app.logger.error("webhook not applied, payments unavailable: %s", error.message)
        return {"message": str(PaymentsNotConfigured.description)}, 503
    except BadSignature as error:
        current_app.logger.warning("webhook refused: %s", error)
        return {"message": "bad signature"}, 400
    return {"outcome": apply_event(event)}, 200
