"""Per-engineer aggregates (stars, histogram, tag counts, favourites, tips), kept up to date
in the same transaction as the review, favourite or tip that changes them.

Every change is an atomic `UPDATE … SET n = n + delta`, so concurrent events never lose a
count; the score is then recomputed from the row's new values while the row is locked.
`rebuild_stats()` recomputes everything from the source rows: the two must always agree.
Favourites count only from customers the engineer served (a confirmed visit), so that
fresh accounts cannot move an engineer up the "most favourited" sort.
"""
from __future__ import annotations

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dispatch.models import Engineer, Visit
from extensions import analyze, db
from marketplace.listing import STALE_STATIONS
from marketplace.models import EngineerStats, EngineerTagCount, Favourite, Review, Tip, review_tags
from marketplace.ranking import average_stars, recommended_score
from marketplace.rules import RankingRules, marketplace_rules


def dialect_insert(table):
    """INSERT with ON CONFLICT support for the database in use (SQLite or PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def confirmed_completion():
    """SQL: a visit completed and confirmed by its customer, the only kind that counts
    (an engineer's word alone earns nothing; dispatch.lifecycle)."""
    return and_(Visit.status == "completed", Visit.confirmed_at.is_not(None))


def served_pairs_query():
    """Subquery: the (engineer, customer) pairs with a confirmed visit: only their
    favourites count, for points, sorting and display."""
    return select(Visit.engineer_id, Visit.customer_id).where(
        confirmed_completion()).distinct().subquery()


def served_favourite_counts(*where) -> dict[int, int]:
    """Engineer id -> favourites from customers the engineer served (the count that is shown
    and earns points), over the favourites that match `where`."""
    served = served_pairs_query()
    return dict(db.session.execute(
        select(Favourite.engineer_id, func.count()).join(served, and_(
            served.c.engineer_id == Favourite.engineer_id,
            served.c.customer_id == Favourite.customer_id))
        .where(*where).group_by(Favourite.engineer_id)).all())


def bump(engineer_id: int, **deltas: int) -> None:
    """Add `deltas` to the engineer's counters and refresh the derived average and score."""
    columns = {name: getattr(EngineerStats, name) + delta for name, delta in deltas.items()}
    row = db.session.execute(
        update(EngineerStats).where(EngineerStats.engineer_id == engineer_id).values(**columns)
        .returning(EngineerStats.star_sum, EngineerStats.review_count)
        .execution_options(synchronize_session=False)).one()
    forget_station_of(engineer_id)
    if {"star_sum", "review_count"} & deltas.keys():
        db.session.execute(
            update(EngineerStats).where(EngineerStats.engineer_id == engineer_id)
            .values(average_stars=average_stars(row.star_sum, row.review_count),
                    score=recommended_score(row.star_sum, row.review_count, ranking_rules()))
            .execution_options(synchronize_session=False))


def ranking_rules() -> RankingRules:
    return marketplace_rules().ranking


def review_counted(review: Review, sign: int = 1) -> None:
    """A visible review lands (sign=+1) or is hidden (sign=-1)."""
    bump(review.engineer_id, review_count=sign, star_sum=sign * review.stars,
         **{f"stars_{review.stars}": sign})
    for tag in review.tags:
        add_tag_count(review.engineer_id, tag.id, sign)


def forget_station_of(engineer_id: int) -> None:
    """The engineer's station's cached listing entries go stale when this commits."""
    station_id = db.session.execute(
        select(Engineer.station_id).where(Engineer.id == engineer_id)).scalar_one()
    db.session.info.setdefault(STALE_STATIONS, set()).add(station_id)


def add_tag_count(engineer_id: int, tag_id: int, delta: int) -> None:
    insert = dialect_insert(EngineerTagCount.__table__).values(
        engineer_id=engineer_id, tag_id=tag_id, count=delta)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["engineer_id", "tag_id"],
        set_={"count": EngineerTagCount.__table__.c.count + delta}))


def favourite_counted(engineer_id: int, sign: int) -> None:
    """A favourite by a customer the engineer served lands (+1) or goes (-1); favourites
    of anyone else are kept for the customer's list but never counted."""
    bump(engineer_id, favourite_count=sign)


def tip_counted(tip: Tip, sign: int = 1) -> None:
    """A tip is paid (sign=+1) or a paid tip is refunded (sign=-1); unpaid tips never count."""
    bump(tip.engineer_id, tip_count=sign, tip_cents=sign * tip.amount_cents)


def rebuild_stats() -> int:
    """Recompute every engineer's aggregates from reviews, favourites (of customers served)
    and tips. Returns the
    number of engineers."""
    analyze("reviews", "review_tags", "favourites", "tips", "visits", "engineer_stats")
    visible = select(Review).where(Review.hidden.is_(False)).subquery()
    per_star = {f"stars_{k}": func.coalesce(func.sum(case((visible.c.stars == k, 1), else_=0)), 0)
                for k in range(1, 6)}
    reviews = {row.engineer_id: row for row in db.session.execute(
        select(visible.c.engineer_id, func.count().label("n"),
               func.sum(visible.c.stars).label("total"), *(v.label(k) for k, v in per_star.items()))
        .group_by(visible.c.engineer_id))}
    favourites = served_favourite_counts()
    tips = {row.engineer_id: row for row in db.session.execute(
        select(Tip.engineer_id, func.count().label("n"), func.sum(Tip.amount_cents).label("cents"))
        .where(Tip.status == "paid").group_by(Tip.engineer_id))}

    engineer_ids = db.session.execute(select(EngineerStats.engineer_id)).scalars().all()
    rows = []
    for engineer_id in engineer_ids:
        r, t = reviews.get(engineer_id), tips.get(engineer_id)
        n, total = (r.n, int(r.total)) if r else (0, 0)
        rows.append({
            "engineer_id": engineer_id, "review_count": n, "star_sum": total,
            **{k: (getattr(r, k) if r else 0) for k in per_star},
            "average_stars": average_stars(total, n),
            "score": recommended_score(total, n, ranking_rules()),
            "favourite_count": favourites.get(engineer_id, 0),
            "tip_count": t.n if t else 0, "tip_cents": int(t.cents) if t else 0})
    if rows:
        db.session.execute(update(EngineerStats), rows)  # bulk UPDATE by primary key
    db.session.info.setdefault(STALE_STATIONS, set()).update(
        db.session.execute(select(Engineer.station_id).distinct()).scalars())

    db.session.execute(EngineerTagCount.__table__.delete())
    db.session.execute(EngineerTagCount.__table__.insert().from_select(
        ["engineer_id", "tag_id", "count"],
        select(Review.engineer_id, review_tags.c.tag_id, func.count())
        .join(review_tags, review_tags.c.review_id == Review.id)
        .where(Review.hidden.is_(False))
        .group_by(Review.engineer_id, review_tags.c.tag_id)))
    return len(engineer_ids)
