"""The points ledger: every confirmed visit, review, favourite and tip adds lines with
their reason and source; `source_key` is unique, so a replayed event adds nothing; a
change (an edited or hidden review, a withdrawn favourite) adds a compensating line rather
than touching an old one. Levels follow the points (marketplace.levels).

`rebuild_points()` recomputes every engineer's points from the source rows; it must agree
with the ledger's sums, which a test checks on a large seeded history.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select, update

from dispatch.models import Visit
from extensions import analyze, db
from marketplace.aggregates import (
    confirmed_completion,
    dialect_insert,
    served_favourite_counts,
    served_pairs_query,
)
from marketplace.levels import level_for, settle
from marketplace.models import (
    EngineerStats,
    Favourite,
    LevelChange,
    PointEvent,
    Review,
    Tag,
    Tip,
    review_tags,
)
from marketplace.rules import PointsRules, marketplace_rules


def points_rules() -> PointsRules:
    return marketplace_rules().points


def review_points(stars: int, positive_tags: int) -> int:
    r = points_rules()
    return r.stars[stars] + r.positive_tag * min(positive_tags, r.positive_tags_max)


def record(engineer_id: int, points: int, reason: str, source_type: str, source_id: int,
           key: str, now: datetime) -> bool:
    """Add one ledger line unless `key` is there already; keep the total and the level."""
    table = PointEvent.__table__
    added = db.session.execute(
        dialect_insert(table).values(engineer_id=engineer_id, points=points, reason=reason,
                                     source_type=source_type, source_id=source_id,
                                     source_key=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["source_key"]).returning(table.c.id)).first()
    if added is None:
        return False
    if points:
        db.session.execute(update(EngineerStats).where(EngineerStats.engineer_id == engineer_id)
                           .values(points=EngineerStats.points + points)
                           .execution_options(synchronize_session=False))
    refresh_level(engineer_id, now)
    return True


def ledger_sum(prefix: str) -> tuple[int, int]:
    """(points, lines) of the ledger lines whose key starts with `prefix`."""
    row = db.session.execute(select(func.coalesce(func.sum(PointEvent.points), 0), func.count())
                             .where(PointEvent.source_key.startswith(prefix, autoescape=True))).one()
    return int(row[0]), int(row[1])


def settle_to(prefix: str, engineer_id: int, target: int, reason: str, source_type: str,
              source_id: int, now: datetime) -> None:
    """Bring the ledger lines of one source to `target` with one compensating line."""
    current, lines = ledger_sum(prefix)
    if current != target:
        record(engineer_id, target - current, reason, source_type, source_id,
               f"{prefix}{lines + 1}", now)


# --- The events -------------------------------------------------------------------------------

def award_visit_points(visit, now: datetime) -> None:
    """A visit's points, once its customer has confirmed it (never on the engineer's word)."""
    if visit.status != "completed" or visit.confirmed_at is None:
        return
    r = points_rules()
    record(visit.engineer_id, r.visit_completed, "visit completed", "visit", visit.id,
           f"visit:{visit.id}:completed", now)
    if visit.fixed_first_time:
        record(visit.engineer_id, r.first_time_fix, "fixed first time", "visit", visit.id,
               f"visit:{visit.id}:first_time_fix", now)
    favourite_changed(visit.engineer_id, visit.customer_id, now)  # a favourite may count now


def review_counted_points(review: Review, now: datetime) -> None:
    """The review's points as it stands (new, edited, hidden or restored)."""
    positive = sum(1 for t in review.tags if t.positive)
    target = 0 if review.hidden else review_points(review.stars, positive)
    settle_to(f"review:{review.id}:", review.engineer_id, target,
              "review hidden" if review.hidden else f"{review.stars}-star review",
              "review", review.id, now)


def favourite_changed(engineer_id: int, customer_id: int, now: datetime) -> None:
    """+5 while a customer served favourites the engineer; withdrawn with the favourite, so
    toggling never adds up to more than once per customer."""
    favourite = db.session.execute(select(Favourite.engineer_id).where(
        Favourite.engineer_id == engineer_id, Favourite.customer_id == customer_id)).first()
    target = points_rules().favourite if favourite and served(engineer_id, customer_id) else 0
    settle_to(f"favourite:{engineer_id}:{customer_id}:", engineer_id, target,
              "favourited by a customer" if target else "favourite withdrawn",
              "customer", customer_id, now)


def tip_points(tip: Tip, now: datetime) -> None:
    """The tip's points as it stands: earned once paid, reversed by a correction line when
    it is refunded (payments calls this on both)."""
    if tip.visit_id is None:
        return
    paid = tip.status == "paid"
    settle_to(f"tip:visit:{tip.visit_id}:", tip.engineer_id, points_rules().tip if paid else 0,
              "tipped" if paid else "tip refunded", "visit", tip.visit_id, now)


def served(engineer_id: int, customer_id: int) -> bool:
    """The engineer served the customer: a visit between them completed and confirmed."""
    return db.session.execute(select(Visit.id).where(
        Visit.engineer_id == engineer_id, Visit.customer_id == customer_id,
        confirmed_completion())).first() is not None


# --- Levels -----------------------------------------------------------------------------------

def praise(stats: EngineerStats) -> float | None:
    return (stats.stars_4 + stats.stars_5) / stats.review_count if stats.review_count else None


def refresh_level(engineer_id: int, now: datetime) -> None:
    """Re-read the level rules for one engineer; record any change with its reason."""
    levels = marketplace_rules().levels
    stats = db.session.get(EngineerStats, engineer_id, populate_existing=True)
    eligible = level_for(stats.points, praise(stats), stats.review_count, levels)
    level, move, since = settle(stats.level, eligible, stats.below_level_since, now,
                                levels.step_down_days)
    if move:
        reason = (f"reached {stats.points} points" if move == "up" else
                  f"below the {stats.level} rules for {levels.step_down_days} days "
                  f"({stats.points} points, praise {praise(stats) or 0:.0%})")
        db.session.add(LevelChange(engineer_id=engineer_id, from_level=stats.level,
                                   to_level=level, reason=reason, created_at=now))
    stats.level, stats.below_level_since = level, since


# --- Rebuilding from the source rows ----------------------------------------------------------

def positive_tag_counts():
    """Subquery: each review's number of positive tags (review_id, n)."""
    return (select(review_tags.c.review_id, func.count().label("n"))
            .join(Tag, Tag.id == review_tags.c.tag_id).where(Tag.positive.is_(True))
            .group_by(review_tags.c.review_id).subquery())


def points_from_sources() -> dict[int, int]:
    """Every engineer's points as the rules give them from visits, reviews, favourites
    and tips as they are now."""
    r = points_rules()
    totals: dict[int, int] = {}

    def add(engineer_id, points):
        totals[engineer_id] = totals.get(engineer_id, 0) + int(points)

    for engineer_id, completed, fixed in db.session.execute(
            select(Visit.engineer_id, func.count(),
                   func.sum(case((Visit.fixed_first_time.is_(True), 1), else_=0)))
            .where(confirmed_completion()).group_by(Visit.engineer_id)):
        add(engineer_id, completed * r.visit_completed + (fixed or 0) * r.first_time_fix)
    positive = positive_tag_counts()
    for engineer_id, stars, n in db.session.execute(
            select(Review.engineer_id, Review.stars, func.coalesce(positive.c.n, 0))
            .outerjoin(positive, positive.c.review_id == Review.id)
            .where(Review.hidden.is_(False))):
        add(engineer_id, review_points(stars, n))
    for engineer_id, count in served_favourite_counts().items():
        add(engineer_id, count * r.favourite)
    for engineer_id, visits in db.session.execute(
            select(Tip.engineer_id, func.count(func.distinct(Tip.visit_id)))
            .where(Tip.visit_id.is_not(None), Tip.status == "paid").group_by(Tip.engineer_id)):
        add(engineer_id, visits * r.tip)
    return totals


# What the points are computed from (and the ledger): analysed before a rebuild or replay.
SOURCE_TABLES = ("visits", "reviews", "review_tags", "tags", "favourites", "tips", "point_events",
                 "engineer_stats")


def ledger_totals() -> dict[int, int]:
    return {e: int(p) for e, p in db.session.execute(
        select(PointEvent.engineer_id, func.sum(PointEvent.points)).group_by(PointEvent.engineer_id))}


def rebuild_points(now: datetime) -> dict[int, tuple[int, int]]:
    """Set every engineer's points from the source rows and re-read their level. Returns
    the engineers whose ledger disagrees: {engineer: (from sources, ledger)}."""
    analyze(*SOURCE_TABLES)
    computed, ledger = points_from_sources(), ledger_totals()
    engineer_ids = db.session.execute(select(EngineerStats.engineer_id)).scalars().all()
    db.session.execute(update(EngineerStats), [
        {"engineer_id": e, "points": computed.get(e, 0)} for e in engineer_ids])
    for engineer_id in engineer_ids:
        refresh_level(engineer_id, now)
    return {e: (computed.get(e, 0), ledger.get(e, 0)) for e in set(computed) | set(ledger)
            if computed.get(e, 0) != ledger.get(e, 0)}


def replay_points(now: datetime) -> int:
    """Write the ledger lines of every source event that has none yet (a backfill, and the
    demo seed's way of giving its bulk-loaded history its points), then set every total
    from the ledger. Idempotent: the keys are those the live events use. Returns lines added."""
    analyze(*SOURCE_TABLES)
    r = points_rules()
    lines: list[dict] = []

    def line(engineer_id, points, reason, source_type, source_id, key):
        lines.append({"engineer_id": engineer_id, "points": int(points), "reason": reason,
                      "source_type": source_type, "source_id": source_id, "source_key": key,
                      "created_at": now})

    for visit_id, engineer_id, _customer_id, fixed in db.session.execute(
            select(Visit.id, Visit.engineer_id, Visit.customer_id, Visit.fixed_first_time)
            .where(confirmed_completion())):
        line(engineer_id, r.visit_completed, "visit completed", "visit", visit_id,
             f"visit:{visit_id}:completed")
        if fixed:
            line(engineer_id, r.first_time_fix, "fixed first time", "visit", visit_id,
                 f"visit:{visit_id}:first_time_fix")
    positive = positive_tag_counts()
    for review_id, engineer_id, stars, n in db.session.execute(
            select(Review.id, Review.engineer_id, Review.stars, func.coalesce(positive.c.n, 0))
            .outerjoin(positive, positive.c.review_id == Review.id).where(Review.hidden.is_(False))):
        line(engineer_id, review_points(stars, n), f"{stars}-star review", "review", review_id,
             f"review:{review_id}:1")
    served_pairs = served_pairs_query()
    for engineer_id, customer_id in db.session.execute(
            select(Favourite.engineer_id, Favourite.customer_id).join(served_pairs, and_(
                served_pairs.c.engineer_id == Favourite.engineer_id,
                served_pairs.c.customer_id == Favourite.customer_id))):
        line(engineer_id, r.favourite, "favourited by a customer", "customer", customer_id,
             f"favourite:{engineer_id}:{customer_id}:1")
    for engineer_id, visit_id in db.session.execute(
            select(Tip.engineer_id, Tip.visit_id).where(Tip.visit_id.is_not(None),
                                                        Tip.status == "paid").distinct()):
        line(engineer_id, r.tip, "tipped", "visit", visit_id, f"tip:visit:{visit_id}:1")
    table = PointEvent.__table__
    before = db.session.execute(select(func.count()).select_from(table)).scalar()
    if lines:  # one executemany: the driver batches the rows
        db.session.execute(dialect_insert(table).on_conflict_do_nothing(index_elements=["source_key"]), lines)
    added = db.session.execute(select(func.count()).select_from(table)).scalar() - before
    totals = ledger_totals()
    engineer_ids = db.session.execute(select(EngineerStats.engineer_id)).scalars().all()
    db.session.execute(update(EngineerStats), [
        {"engineer_id": e, "points": totals.get(e, 0)} for e in engineer_ids])
    for engineer_id in engineer_ids:
        refresh_level(engineer_id, now)
    return added
