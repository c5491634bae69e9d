"""Phone numbers and the one-time codes that prove them.

Numbers are stored and compared in E.164 (`+8613812345678`), parsed by libphonenumber's
rules (the `phonenumbers` package) with China the region of numbers written without `+`,
so "150-4209-9100", "+86 150 4209 9100" and "15042099100" are one number.

A code is six digits sent by SMS (accounts.sms); only its SHA-256 is kept. It expires, a
few wrong tries burn it, and a new one is sent at most once a minute and a few times a day,
so a number cannot be flooded nor a code guessed. Pure of Flask: the caller passes the
sender and the clock."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import func, select, update

from accounts.models import PhoneCode, User
from extensions import db

DEFAULT_REGION = "CN"
CODE_LIFETIME = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_DAY = 5
TRIES_PER_CODE = 5
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def to_e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None when `raw` is not a valid phone number."""
    try:
        number = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether an SMS can reach the number (codes go to mobiles only)."""
    return phonenumbers.number_type(phonenumbers.parse(e164)) in _MOBILE


def same_number(a: str | None, b: str | None) -> bool:
    """Two ways of writing one number, however they are spaced or prefixed."""
    first = to_e164(a)
    return first is not None and first == to_e164(b)


def readable(e164: str | None) -> str:
    """The number as people write it: `138 1234 5678` at home, `+1 650-253-0000` from
    abroad (the `phone` template filter; links keep E.164). Other text comes back as is."""
    try:
        number = phonenumbers.parse(e164 or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164 or ""
    if not phonenumbers.is_valid_number(number):  # a masked 138****5678 stays masked
        return e164 or ""
    home = phonenumbers.region_code_for_number(number) == DEFAULT_REGION
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if home
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def masked(e164: str) -> str:
    """The number as a page may show it to its owner after sending: +86 138****5678."""
    number = phonenumbers.parse(e164)
    national = str(number.national_number)
    hidden = national[:3] + "*" * max(len(national) - 7, 0) + national[-4:]
    return f"+{number.country_code} {hidden}"


class CodeRefused(Exception):
    """Why no code was sent or accepted; `retry_after` (seconds) when waiting helps."""

    def __init__(self, reason: str, retry_after: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class SentCode:
    phone: str
    expires_at: datetime
    resend_at: datetime


def _digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def send_code(user: User, phone: str, sender, text, now: datetime) -> SentCode:
    """Send a fresh code to `phone` (E.164, a mobile) for `user`; earlier codes stop working.
    `text(code)` words the message in the reader's language. Refused ("wait", with
    seconds) within a minute of the last code or past the day's allowance."""
    if not is_mobile(phone):
        raise CodeRefused("not_mobile")
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())  # one at a time
    last = db.session.execute(select(func.max(PhoneCode.created_at)).where(
        PhoneCode.user_id == user.id)).scalar()
    if last is not None and now - last < RESEND_AFTER:
        raise CodeRefused("wait", retry_after=int((last + RESEND_AFTER - now).total_seconds()) + 1)
    today = db.session.execute(select(func.count()).where(
        PhoneCode.user_id == user.id, PhoneCode.created_at > now - timedelta(days=1))).scalar()
    if today >= CODES_PER_DAY:
        first = db.session.execute(select(func.min(PhoneCode.created_at)).where(
            PhoneCode.user_id == user.id, PhoneCode.created_at > now - timedelta(days=1))).scalar()
        raise CodeRefused("daily", retry_after=int((first + timedelta(days=1) - now).total_seconds()) + 1)
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.execute(update(PhoneCode).where(PhoneCode.user_id == user.id,
                                               PhoneCode.used_at.is_(None)).values(used_at=now))
    row = PhoneCode(user_id=user.id, phone=phone, code_hash=_digest(user.id, code),
                    created_at=now, expires_at=now + CODE_LIFETIME)
    db.session.add(row)
    db.session.flush()
    sender.send(phone, text(code))
    return SentCode(phone, row.expires_at, now + RESEND_AFTER)


def pending_code(user: User, now: datetime) -> PhoneCode | None:
    """The code the user may still type, if any."""
    return db.session.execute(select(PhoneCode).where(
        PhoneCode.user_id == user.id, PhoneCode.used_at.is_(None), PhoneCode.expires_at > now,
        PhoneCode.attempts < TRIES_PER_CODE).order_by(PhoneCode.id.desc()).limit(1)).scalar()


def verify_code(user: User, code: str, now: datetime) -> str:
    """Prove the number of the pending code with `code`: the account's phone becomes that
    number, verified now. Each try is counted in one statement, so tries sent at the same
    moment cannot go past the limit. Refused: no code pending, a wrong code, a number
    another account has already proven."""
    pending = pending_code(user, now)
    if pending is None:
        raise CodeRefused("no_code")
    counted = db.session.execute(update(PhoneCode).where(
        PhoneCode.id == pending.id, PhoneCode.attempts < TRIES_PER_CODE, PhoneCode.used_at.is_(None))
        .values(attempts=PhoneCode.attempts + 1)).rowcount
    if not counted:
        raise CodeRefused("no_code")
    if not hmac.compare_digest(pending.code_hash, _digest(user.id, code.strip())):
        raise CodeRefused("wrong")
    taken = db.session.execute(select(User.id).where(
        User.phone == pending.phone, User.phone_verified_at.is_not(None), User.id != user.id)).first()
    if taken:
        raise CodeRefused("taken")
    db.session.execute(update(PhoneCode).where(PhoneCode.id == pending.id).values(used_at=now))
    user.phone = pending.phone
    user.phone_verified_at = now
    return pending.phone
