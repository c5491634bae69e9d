"""Proven phone numbers: booking, reviewing and tipping need one, so that a throwaway
account cannot empty an engineer's calendar or praise him. The one-time-code flow that
sets `User.phone_verified_at` lives beside this (accounts.phone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Forbidden


class PhoneNotVerified(Forbidden):
    description = _l("Please verify your phone number first.")


def has_verified_phone(user) -> bool:
    return bool(getattr(user, "phone", None)) and getattr(user, "phone_verified_at", None) is not None


def require_verified_phone(user) -> None:
    """Refuse (403, in the reader's language) unless `user` has proven their phone number."""
    if not has_verified_phone(user):
        raise PhoneNotVerified()


# Why a code was not sent or not accepted (accounts.phone.CodeRefused.reason): the field
# the message belongs to, the HTTP status, and the message.
REFUSALS = {
    "not_mobile": ("phone", 422, _l("Codes are sent by text message: give a mobile number.")),
    "wait": ("phone", 429, _l("A code was sent a moment ago: you can ask for another in a minute.")),
    "daily": ("phone", 429, _l("That is enough codes for today: please try again tomorrow.")),
    "no_code": ("code", 409, _l("No code is waiting for you: ask for a new one.")),
    "wrong": ("code", 422, _l("That is not the code we sent.")),
    "taken": ("phone", 409, _l("This number is already verified on another account.")),
}


def code_text(code: str) -> str:
    """The text message, in the reader's language."""
    return str(_l("Wenqing: your code is %(code)s. It is valid for 10 minutes; never tell it "
                  "to anyone, engineers included.", code=code))
