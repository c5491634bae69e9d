"""Favourites (收藏): one per customer and engineer, counted exactly once even when the same
request arrives twice at the same moment. Anyone may favourite anyone (their "my
engineers" list), but the engineer's count (sorting, cards, profile) and points take only
favourites of customers the engineer served: a confirmed visit."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from accounts.models import User, utcnow
from dispatch.models import Engineer, Visit
from extensions import db
from marketplace.aggregates import confirmed_completion, dialect_insert, favourite_counted
from marketplace.models import Favourite
from marketplace.points import favourite_changed, served
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
