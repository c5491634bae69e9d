"""What payments keep: the provider's events (each processed once), the engineers' earnings
ledger (append-only), payout batches and their lines, and where an engineer is paid."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import utcnow
from extensions import db


class PaymentEvent(db.Model):
    """A webhook event the provider sent: its id is unique, so a redelivered event is
    recognised and changes nothing the second time."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_event_id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    intent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(40))  # what it did: paid, failed, ignored…
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EarningEntry(db.Model):
    """One line of an engineer's earnings: + a tip paid, − its refund. Lines are never
    changed except to name the payout line that paid them out."""

    __tablename__ = "earning_entries"
    __table_args__ = (UniqueConstraint("tip_id", "kind"),
                      Index("ix_earning_entries_engineer_at", "engineer_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id"))
    kind: Mapped[str] = mapped_column(String(10))  # tip, refund
    amount_cents: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    payout_line_id: Mapped[int | None] = mapped_column(ForeignKey("payout_lines.id"), index=True)


class PayoutBatch(db.Model):
    """A month's payout to every engineer with a positive balance: by the provider's
    transfers, or a finance export for the bank's bulk-transfer upload."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM, station time
    method: Mapped[str] = mapped_column(String(10))  # transfer, export
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayoutLine(db.Model):
    """What one engineer is paid in one batch (the sum of the entries it took)."""

    __tablename__ = "payout_lines"
    __table_args__ = (UniqueConstraint("batch_id", "engineer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batches.id", ondelete="CASCADE"))
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))  # sent, exported, failed
    transfer_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(300))


class PayoutAccount(db.Model):
    """Where an engineer is paid: a connected provider account, or bank details for the
    finance export."""

    __tablename__ = "payout_accounts"

    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             primary_key=True)
    provider_account_id: Mapped[str | None] = mapped_column(String(64))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_name: Mapped[str | None] = mapped_column(String(100))
    account_number: Mapped[str | None] = mapped_column(String(40))
