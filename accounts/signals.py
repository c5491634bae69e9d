"""What happens to accounts, for the packages above that keep rows naming a user
(visits, favourites, reviews…): they connect, accounts never imports them."""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import delete, select, update

from extensions import db

_signals = Namespace()

customer_merged = _signals.signal("customer-merged", doc="""
Sent with `source`, an account opened on a call that is about to be deleted, and `into`, the
account of the person who proved its number: every row naming `source` must name `into`
from now on (or go, where `into` already has the same one). Receivers run in no fixed order,
so none may rely on another having run.""")


def reassign(column, source_id: int, into_id: int, unique_with=None) -> None:
    """For a receiver of customer_merged: rows whose `column` names `source_id` name `into_id`.
    Where the table allows one row per (`column`, `unique_with`), the source's rows that
    `into_id` already has go instead."""
    table = column.class_
    if unique_with is not None:
        db.session.execute(delete(table).where(column == source_id, unique_with.in_(
            select(unique_with).where(column == into_id).scalar_subquery())))
    db.session.execute(update(table).where(column == source_id).values({column.key: into_id})
                       .execution_options(synchronize_session=False))
