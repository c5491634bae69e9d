"""Favourites (收藏): one per customer and engineer, counted exactly once even when the same
request arrives twice at the same moment. Anyone may favourite anyone (their "my
engineers" list), but the engineer's count (sorting, cards, profile) and points take only
favourites of customers the engineer served: a confirmed visit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from accounts.models import User, utcnow
from accounts.signals import reassign
from dispatch.models import Engineer, Visit
from extensions import db
from marketplace.aggregates import (
    confirmed_completion,
    dialect_insert,
    favourite_counted,
    forget_station_of,
    served_favourite_counts,
)
from marketplace.models import EngineerStats, Favourite
from marketplace.points import favourite_changed, points_rules, served, settle_to
from marketplace.reviews import flag_if_self_dealing


def add_favourite(customer_id: int, engineer_id: int) -> bool:
    """Favourite an engineer; True if this call added it (False: it was there already).
    RETURNING tells whether the row was new: rowcount of an INSERT … ON CONFLICT is not
    reliable across drivers."""
    table = Favourite.__table__
    added = db.session.execute(
        dialect_insert(table).values(customer_id=customer_id, engineer_id=engineer_id)
        .on_conflict_do_nothing(index_elements=["customer_id", "engineer_id"])
        .returning(table.c.engineer_id)).first() is not None
    if added:
        if served(engineer_id, customer_id):
            favourite_counted(engineer_id, +1)
        favourite_changed(engineer_id, customer_id, utcnow())
        flag_if_self_dealing(engineer_id, db.session.get(User, customer_id), "favourite")
    return added


def remove_favourite(customer_id: int, engineer_id: int) -> bool:
    """Un-favourite; True if this call removed it."""
    table = Favourite.__table__
    removed = db.session.execute(
        delete(table).where(table.c.customer_id == customer_id, table.c.engineer_id == engineer_id)
        .returning(table.c.engineer_id)).first() is not None
    if removed:
        if served(engineer_id, customer_id):
            favourite_counted(engineer_id, -1)
        favourite_changed(engineer_id, customer_id, utcnow())
    return removed


def first_visit_confirmed(visit: Visit) -> None:
    """The customer's first confirmed visit with this engineer: a favourite they gave
    before starts counting now."""
    confirmed = db.session.execute(select(func.count()).select_from(Visit).where(
        Visit.engineer_id == visit.engineer_id, Visit.customer_id == visit.customer_id,
        confirmed_completion())).scalar()
    if confirmed == 1 and is_favourite(visit.customer_id, visit.engineer_id):
        favourite_counted(visit.engineer_id, +1)


def favourite_engineers(customer_id: int) -> list[Engineer]:
    """A customer's engineers ("my engineers"), most recently favourited first."""
    return list(db.session.execute(
        select(Engineer).join(Favourite, Favourite.engineer_id == Engineer.id)
        .where(Favourite.customer_id == customer_id)
        .order_by(Favourite.created_at.desc(), Engineer.id)).scalars())


def is_favourite(customer_id: int, engineer_id: int) -> bool:
    return db.session.execute(select(Favourite.engineer_id).where(
        Favourite.customer_id == customer_id, Favourite.engineer_id == engineer_id)).first() is not None


def merge_favourites(source_id: int, into_id: int, now: datetime) -> None:
    """Two accounts of one customer become `into_id` (accounts.customers.absorb_call_account):
    one favourite per engineer, counted, and worth its points, if the engineer served either
    account. The counts are recomputed, not adjusted, and read the visits of both ids, because
    dispatch may or may not have moved the visits yet (signal receivers run in no order)."""
    both = (source_id, into_id)
    engineer_ids = set(db.session.execute(select(Favourite.engineer_id).where(
        Favourite.customer_id.in_(both))).scalars())
    reassign(Favourite.customer_id, source_id, into_id, unique_with=Favourite.engineer_id)
    others = served_favourite_counts(Favourite.engineer_id.in_(engineer_ids),
                                     Favourite.customer_id.not_in(both))
    for engineer_id in sorted(engineer_ids):
        counted = is_favourite(into_id, engineer_id) and db.session.execute(select(Visit.id).where(
            Visit.engineer_id == engineer_id, Visit.customer_id.in_(both), confirmed_completion())
            .limit(1)).first() is not None
        db.session.execute(update(EngineerStats).where(EngineerStats.engineer_id == engineer_id)
                           .values(favourite_count=others.get(engineer_id, 0) + counted))
        forget_station_of(engineer_id)
        settle_to(f"favourite:{engineer_id}:{source_id}:", engineer_id, 0, "favourite withdrawn",
                  "customer", source_id, now)
        settle_to(f"favourite:{engineer_id}:{into_id}:", engineer_id,
                  points_rules().favourite if counted else 0,
                  "favourited by a customer" if counted else "favourite withdrawn", "customer", into_id, now)
