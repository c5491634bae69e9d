"""The accounts JSON API: tokens and who am I."""
from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint, abort

from accounts import addresses, sms
from accounts.access import allow, public, signed_in
from accounts.customers import absorb_call_account
from accounts.models import ApiToken, User, utcnow
from accounts.phone import CodeRefused, masked, send_code, verify_code
from accounts.schemas import (
    AddressSchema,
    CredentialsSchema,
    PhoneCodeRequestSchema,
    PhoneCodeSchema,
    SentCodeSchema,
    TokenSchema,
    UserSchema,
)
from accounts.verification import REFUSALS, code_text
from extensions import db

blp = Blueprint("accounts_api", __name__, url_prefix="/api",
                description="Sign-in tokens and the signed-in account")


@blp.route("/auth/token", methods=["POST"])
@public
@blp.arguments(CredentialsSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
def issue_token(credentials):
    """Trade an email and password for a bearer token (shown once)."""
    user = User.authenticate(credentials["email"], credentials["password"])
    if user is None:
        abort(401, message="Wrong email or password.")
    row, plain = ApiToken.issue(user, current_app.config["API_TOKEN_TTL_DAYS"])
    db.session.add(row)
    db.session.commit()
    return {"token": plain, "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@signed_in
@blp.response(204)
def revoke_token():
    """Revoke the bearer token this call was made with."""
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    db.session.execute(db.delete(ApiToken).where(
        ApiToken.token_hash == ApiToken.digest(token.strip()),
        ApiToken.user_id == current_user.id))
    db.session.commit()


@blp.route("/me")
@signed_in
@blp.response(200, UserSchema)
def me():
    """The signed-in account."""
    return current_user


@blp.route("/me/phone/code", methods=["POST"])
@signed_in
@blp.arguments(PhoneCodeRequestSchema)
@blp.response(202, SentCodeSchema)
@blp.alt_response(409, description="This number is already verified on another account")
@blp.alt_response(429, description="A code was sent less than a minute ago, or five today (Retry-After)")
def send_phone_code(fields):
    """Text a 6-digit code to this mobile number; `POST /api/me/phone/verify` proves it.
    Booking, reviewing and tipping need a verified number."""
    try:
        sent = send_code(current_user, fields["phone"], sms.sender(), code_text, utcnow())
    except CodeRefused as refusal:
        db.session.rollback()
        _refuse(refusal)
    db.session.commit()
    return {"sent_to": masked(sent.phone), "expires_at": sent.expires_at,
            "resend_after": int((sent.resend_at - utcnow()).total_seconds())}


@blp.route("/me/phone/verify", methods=["POST"])
@signed_in
@blp.arguments(PhoneCodeSchema)
@blp.response(200, UserSchema)
@blp.alt_response(409, description="No code is waiting, or the number is verified on another account")
def verify_phone_code(fields):
    """Prove the number with the code from the text message: it becomes the account's
    verified phone, and an account the call centre opened for that number joins this one
    (its visits and saved addresses are the caller's). Five wrong tries burn a code."""
    try:
        verify_code(current_user, fields["code"], utcnow())
    except CodeRefused as refusal:
        db.session.commit()  # the wrong try counts
        _refuse(refusal)
    absorb_call_account(current_user)
    db.session.commit()
    return current_user


def _refuse(refusal: CodeRefused):
    field, status, message = REFUSALS[refusal.reason]
    extra = {"headers": {"Retry-After": str(refusal.retry_after)}} if refusal.retry_after else {}
    abort(status, message=str(message), errors={"json": {field: [str(message)]}}, **extra)


@blp.route("/me/addresses")
@allow("customer")
@blp.response(200, AddressSchema(many=True))
def my_addresses():
    """The signed-in customer's saved addresses."""
    return current_user.addresses


@blp.route("/me/addresses", methods=["POST"])
@allow("customer")
@blp.arguments(AddressSchema)
@blp.response(201, AddressSchema)
def save_address(fields):
    """Save an address with its coordinates for later bookings."""
    default = fields.pop("is_default")
    address = addresses.add_address(current_user, **fields, default=default)
    db.session.commit()
    return address


@blp.route("/me/addresses/<int:address_id>", methods=["DELETE"])
@allow("customer")
@blp.response(204)
def delete_address(address_id):
    """Forget a saved address (only one's own: others' are 404, not 403, to reveal nothing)."""
    addresses.delete_address(current_user, addresses.own_address(current_user, address_id))
    db.session.commit()
