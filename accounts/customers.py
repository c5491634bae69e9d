"""The call centre's customers: finding the caller by phone, name or e-mail, and opening an
account for someone who calls for the first time.

A phone is matched however it is written: the whole number in E.164 (accounts.phone), or a
run of its digits ("5678", "1381234") against the digits of the stored numbers, so a caller
who reads out the end of their number is found too. A customer opened on the phone has no
password and no proven number (the agent heard a number, not a code): they can be booked
for by an agent; booking for themselves needs a password and a verified phone later. When
they open an account of their own and prove the number, the one opened on the call joins it
(`absorb_call_account`): what was booked on the phone is in the app.
"""
from __future__ import annotations

import re
import secrets

import phonenumbers
from sqlalchemy import case, delete, func, or_, select, update
from werkzeug.security import generate_password_hash

from accounts.models import Address, User
from accounts.phone import to_e164
from accounts.signals import customer_merged
from extensions import db

MIN_DIGITS = 4  # fewer digits than this match too many numbers to be a search
RESULTS = 20
# A customer who gave no e-mail on the phone still needs a unique one (users.email is the
# sign-in name, unique and required): an address of the reserved .invalid domain, which
# reaches nobody and which the pages do not show.
NO_EMAIL_DOMAIN = "phone.invalid"


class PhoneTaken(Exception):
    """Another account already has this number."""

    def __init__(self, holder: User) -> None:
        super().__init__(holder.id)
        self.holder = holder


class EmailTaken(Exception):
    """Another account already signs in with this e-mail."""


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _stored_digits():
    """The stored number as digits only, in SQL (numbers typed before E.164 was enforced
    may still hold spaces, dashes or brackets)."""
    column = func.coalesce(User.phone, "")
    for mark in ("+", " ", "-", "(", ")", "."):
        column = func.replace(column, mark, "")
    return column


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_customers(query: str, limit: int = RESULTS) -> list[User]:
    """Customers whose phone, name or e-mail matches what the caller said: exact matches
    first (the whole number, the whole e-mail, the whole name), then by name."""
    text = (query or "").strip()[:100]
    if not text:
        return []
    number, digits = to_e164(text), _digits(text)
    matches = [User.name.ilike(_like(text), escape="\\"), User.email.ilike(_like(text), escape="\\")]
    if number:
        matches.append(User.phone == number)
        digits = national_digits(number)
    if len(digits) >= MIN_DIGITS:
        matches.append(_stored_digits().like(_like(digits), escape="\\"))
    exact = case((or_(User.phone == (number or ""), func.lower(User.email) == text.lower(),
                      User.name == text), 0), else_=1)
    return list(db.session.execute(
        select(User).where(User.role == "customer", or_(*matches))
        .order_by(exact, User.name, User.id).limit(limit)).scalars())


def phone_holder(number: str) -> User | None:
    """The account that has this number (E.164), however the stored number is written."""
    candidates = db.session.execute(select(User).where(
        or_(User.phone == number, _stored_digits().like(_like(national_digits(number)), escape="\\")))
        .order_by(User.id)).scalars()
    return next((user for user in candidates if to_e164(user.phone) == number), None)


def national_digits(number: str) -> str:
    """The number without its country code, as people dial it at home: what numbers
    stored before E.164 (138-1234-5678, 021 5888 0000) hold among their digits."""
    return str(phonenumbers.parse(number).national_number)


def placeholder_email(number: str) -> str:
    return f"{_digits(number)}@{NO_EMAIL_DOMAIN}"


def has_real_email(user: User) -> bool:
    """Whether the account's e-mail is one the customer gave (not the placeholder)."""
    return not user.email.endswith("@" + NO_EMAIL_DOMAIN)


def create_customer(name: str, phone: str, email: str | None = None,
                    locale: str | None = None) -> User:
    """Open an account for a caller: `phone` in E.164, refused (PhoneTaken) when any
    account has it, verified or not, so one number is one customer. No password anyone
    knows (a random one's hash, so signing in with it fails like any wrong password) and
    the number unproven; the caller commits."""
    holder = phone_holder(phone)
    if holder is not None:
        raise PhoneTaken(holder)
    email = (email or "").strip().lower() or placeholder_email(phone)
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise EmailTaken(email)
    user = User(email=email, name=name.strip(), phone=phone, role="customer", locale=locale,
                password_hash=generate_password_hash(secrets.token_urlsafe(32)), opened_on_call=True)
    db.session.add(user)
    db.session.flush()
    return user


def absorb_call_account(user: User) -> list[User]:
    """Once `user` has proven their number, the accounts the call centre opened for it (never
    proven, nobody's password) join theirs: visits, addresses and the rest move over
    (customer_merged tells the packages that keep them) and the opened accounts are deleted,
    so someone who called and then signed up has one account, with what was booked on the
    phone. The caller commits. Returns the accounts absorbed (their ids are gone after)."""
    if user.role != "customer" or not user.phone or user.phone_verified_at is None:
        return []
    opened = list(db.session.execute(select(User).where(
        User.opened_on_call.is_(True), User.phone_verified_at.is_(None), User.role == "customer",
        User.id != user.id, User.phone == user.phone).order_by(User.id)).scalars())
    for source in opened:
        has_default = any(address.is_default for address in user.addresses)
        db.session.execute(update(Address).where(Address.user_id == source.id).values(
            user_id=user.id, **({"is_default": False} if has_default else {})))
        customer_merged.send(source, into=user)
        db.session.expunge(source)  # its loaded collections must not cascade over what moved
        db.session.execute(delete(User).where(User.id == source.id))
    if opened:
        db.session.expire(user, ["addresses"])
    return opened
