"""What the marketplace adds to dispatch's engineers: tags, reviews, favourites, tips, the
kept aggregates, the points ledger and levels, abuse flags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User, utcnow
from dispatch.models import Engineer
from extensions import db


class Tag(db.Model):
    """A word customers may attach to a review ("准时", "耐心"…); admins curate the set."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    positive: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    def name_for(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


review_tags = Table(
    "review_tags",
    db.metadata,
    Column("review_id", ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
)


class Review(db.Model):
    """What a customer said about an engineer after a visit. Hidden reviews stop counting."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_reviews_engineer_created", "engineer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The visit reviewed: one review per visit (reviews imported without a visit have none).
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), unique=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(String(1000))
    reply: Mapped[str | None] = mapped_column(String(1000))
    replied_at: Mapped[datetime | None]
    hidden: Mapped[bool] = mapped_column(default=False)
    edits: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    customer: Mapped[User] = relationship()
    engineer: Mapped[Engineer] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=review_tags, order_by="Tag.id")


class Favourite(db.Model):
    """A customer's 收藏 of an engineer: at most one per customer and engineer."""

    __tablename__ = "favourites"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                             primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engineer: Mapped[Engineer] = relationship()


class Tip(db.Model):
    """A customer's 打赏 to an engineer for one visit, paid through the payment provider
    (payments/). It counts (rates, points, earnings) only while `status` is paid."""

    __tablename__ = "tips"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending','processing','paid','failed','refunded')",
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One tip per visit: a retried or double-clicked request finds this row again.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="cny")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The provider's payment of the current attempt, stored before it is confirmed; a
    # declined attempt is followed by a new one (attempt + 1) with a new intent.
    intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempt: Mapped[int] = mapped_column(default=1)
    failure_message: Mapped[str | None] = mapped_column(String(300))
    paid_at: Mapped[datetime | None]
    refund_id: Mapped[str | None] = mapped_column(String(64))
    refund_reason: Mapped[str | None] = mapped_column(String(300))
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refunded_at: Mapped[datetime | None]


class EngineerStats(db.Model):
    """What a listing shows of an engineer, kept up to date when a review, favourite or tip
    lands (marketplace.aggregates) so listings never count over millions of rows."""

    __tablename__ = "engineer_stats"
    __table_args__ = (Index("ix_engineer_stats_score", "score"),)

    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             primary_key=True)
    review_count: Mapped[int] = mapped_column(default=0)
    star_sum: Mapped[int] = mapped_column(default=0)
    stars_1: Mapped[int] = mapped_column(default=0)
    stars_2: Mapped[int] = mapped_column(default=0)
    stars_3: Mapped[int] = mapped_column(default=0)
    stars_4: Mapped[int] = mapped_column(default=0)
    stars_5: Mapped[int] = mapped_column(default=0)
    average_stars: Mapped[float] = mapped_column(default=0.0)
    favourite_count: Mapped[int] = mapped_column(default=0)
    tip_count: Mapped[int] = mapped_column(default=0)
    tip_cents: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=lambda: newcomer_score())
    level: Mapped[str] = mapped_column(String(10), default="rookie")
    points: Mapped[int] = mapped_column(default=0)
    below_level_since: Mapped[datetime | None]  # when the held level's rule stopped holding

    def histogram(self) -> list[int]:
        return [self.stars_1, self.stars_2, self.stars_3, self.stars_4, self.stars_5]


# Every engineer carries their kept figures, loaded with them (listings and profiles read them).
Engineer.stats = relationship(EngineerStats, uselist=False, lazy="joined",
                              cascade="all, delete-orphan")


@event.listens_for(Engineer, "init")
def _every_engineer_has_stats(engineer: Engineer, args, kwargs) -> None:
    """A new engineer starts with an empty stats row, so no reader ever finds none."""
    kwargs.setdefault("stats", EngineerStats())


def newcomer_score() -> float:
    """An engineer nobody has reviewed yet starts at the prior plus the newcomer bonus."""
    from marketplace.ranking import recommended_score
    from marketplace.rules import marketplace_rules
    return recommended_score(0, 0, marketplace_rules().ranking)


class EngineerTagCount(db.Model):
    """How many visible reviews of an engineer carry a tag."""

    __tablename__ = "engineer_tag_counts"

    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"),
                                        primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ReviewReport(db.Model):
    """Someone reported a review as abusive; admins decide whether to hide it."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("review_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reporter: Mapped[User] = relationship()


class PointEvent(db.Model):
    """One line of an engineer's points ledger: append-only. `source_key` names the event
    that caused it, so replaying the same event adds nothing; corrections are new lines."""

    __tablename__ = "point_events"
    __table_args__ = (Index("ix_point_events_engineer_created", "engineer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    source_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LevelChange(db.Model):
    """An engineer moved up or down a level, and why."""

    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             index=True)
    from_level: Mapped[str] = mapped_column(String(10))
    to_level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AbuseFlag(db.Model):
    """Feedback that looks like an engineer rewarding themselves (same phone or address as
    a customer account): kept for an admin to look at."""

    __tablename__ = "abuse_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # review, favourite, tip
    detail: Mapped[str] = mapped_column(String(300))
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How an admin closed it: when, who, and what they found (kept, never deleted).
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(300))

    engineer: Mapped[Engineer] = relationship()
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
