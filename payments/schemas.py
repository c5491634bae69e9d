"""What goes in and out of the payments API and forms."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from accounts.schemas import REQUIRED, FormSchema, UtcDateTime

TIP_RANGE = _l("A tip is 1 to 1,000 yuan.")


class TipInSchema(Schema):
    amount_cents = fields.Integer(required=True, validate=validate.Range(min=100, max=100_000),
                                  metadata={"description": "1 to 1,000 yuan, in fen"})


class ConfirmInSchema(Schema):
    payment_method = fields.String(required=True, validate=validate.Regexp(
        r"^pm_[A-Za-z0-9_]{1,60}$", error=_l("A payment method id (pm_…).")),
        metadata={"description": "a test payment method, e.g. pm_card_visa"})


class RefundInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class TipOutSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    engineer_id = fields.Integer()
    amount_cents = fields.Integer()
    currency = fields.String()
    status = fields.String(metadata={"description": "pending, processing, paid, failed, refunded"})
    attempt = fields.Integer()
    failure_message = fields.String(allow_none=True)
    paid_at = UtcDateTime(allow_none=True)
    refunded_at = UtcDateTime(allow_none=True)
    refund_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()


class PaymentStartSchema(TipOutSchema):
    client_secret = fields.String(allow_none=True,
                                  metadata={"description": "for Stripe.js's Payment Element"})
    publishable_key = fields.String(allow_none=True)
    fee_cents = fields.Integer()


class MonthSchema(Schema):
    month = fields.String()
    paid_cents = fields.Integer()
    refunded_cents = fields.Integer()
    tips = fields.Integer()


class EarningsSchema(Schema):
    tips = fields.List(fields.Nested(TipOutSchema))
    months = fields.List(fields.Nested(MonthSchema))
    earned_cents = fields.Integer(metadata={"description": "paid tips − refunds"})
    paid_out_cents = fields.Integer()
    pending_cents = fields.Integer(metadata={"description": "earned, not yet paid out"})


class TipFormSchema(FormSchema):
    """A tip as the page asks for it, in yuan with at most two decimals; becomes fen."""

    yuan = fields.Decimal(required=True, allow_nan=False, error_messages={
        **REQUIRED, "invalid": TIP_RANGE, "special": TIP_RANGE},
        validate=validate.Range(min=1, max=1000, error=TIP_RANGE))

    @validates("yuan")
    def whole_fen(self, value, **kwargs):
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(TIP_RANGE)

    @post_load
    def in_fen(self, data, **kwargs):
        return {"amount_cents": int(data["yuan"] * 100)}


class RefundFormSchema(FormSchema):
    """The station tips page's refund form: why, in a few words."""

    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=300, error=_l("Say why, in at most 300 characters.")), error_messages=REQUIRED)
