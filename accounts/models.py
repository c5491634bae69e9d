"""People who use Wenqing, their API tokens and saved addresses."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db

ROLES = ("customer", "engineer", "manager", "agent", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """Anyone who signs in; `role` decides what they may see and do."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('customer','engineer','manager','agent','admin')",
                        name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="customer")
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When `phone` was proven by a one-time code; booking, reviewing and tipping need it.
    phone_verified_at: Mapped[datetime | None]
    # Bumped at sign-out and password change: every session and remember-me cookie made
    # before carries the old number and stops working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Opened by the call centre for a caller (accounts.customers): nobody knows its password.
    # Whoever later proves its number on an account of their own gets its visits.
    opened_on_call: Mapped[bool] = mapped_column(default=False, server_default=false())

    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan",
        order_by=lambda: (Address.is_default.desc(), Address.id))

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return self.active

    def set_password(self, password: str) -> None:
        """A new password ends every session and remember-me cookie made with the old one."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        """What a session or remember-me cookie holds: the id and the session version, so
        that a cookie made before sign-out or a password change no longer signs anyone in."""
        return f"{self.id}:{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @classmethod
    def authenticate(cls, email: str, password: str) -> User | None:
        """The active user with this e-mail and password, else None. An unknown e-mail costs
        the same hash check as a known one, so the answer's time does not tell them apart."""
        user = db.session.execute(db.select(cls).where(cls.email == email)).scalar_one_or_none()
        if user is None:
            check_password_hash(_dummy_hash(), password)
            return None
        if not user.check_password(password) or not user.active:
            return None
        return user

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored, so a leaked
    database does not leak usable tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, ttl_days: int) -> tuple[ApiToken, str]:
        """A new token row and the plain token, which is shown once and never stored."""
        plain = secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=cls.digest(plain),
                  expires_at=utcnow() + timedelta(days=ttl_days))
        return row, plain

    @classmethod
    def user_for(cls, plain: str) -> User | None:
        """The active user a token belongs to, or None when unknown or expired."""
        row = db.session.execute(
            db.select(cls).where(cls.token_hash == cls.digest(plain))).scalar_one_or_none()
        if row is None or row.expires_at <= utcnow() or not row.user.active:
            return None
        return row.user


class PhoneCode(db.Model):
    """A one-time code sent to prove a phone number. Only its SHA-256 is kept; it expires,
    and a few wrong tries burn it."""

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Address(db.Model):
    """A customer's saved address with its coordinates, so booking needs no retyping."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lng: Mapped[float]
    # The address booking starts from; the first saved one until the customer picks another.
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="addresses")
