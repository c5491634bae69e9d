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
