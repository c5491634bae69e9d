"""How the marketplace reacts to what happens to visits (dispatch.signals): an engineer's
free windows change, so listings forget their station's cached entries; a visit its
customer confirmed earns points, makes the customer's favourite count, and is flagged when
the same pair keeps repeating. When a customer's account opened on a call joins the one
they opened themselves (accounts.signals), their favourites, reviews, tips and reports go
with it. It also tells dispatch where an engineer's standing (level, stars) comes from, for
the "similar engineers" it offers. Connected once, when the app factory imports this
module."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from accounts.models import User, utcnow
from accounts.signals import customer_merged, reassign
from dispatch import alternatives
from dispatch.models import Visit
from dispatch.signals import visit_booked, visit_cancelled, visit_completed, visit_moved, visit_progressed
from extensions import db
from marketplace.aggregates import forget_station_of
from marketplace.favourites import first_visit_confirmed, merge_favourites
from marketplace.levels import RANK
from marketplace.models import AbuseFlag, EngineerStats, Review, ReviewReport, Tip
from marketplace.points import award_visit_points
from marketplace.reviews import flag_if_repeated_pair


@visit_booked.connect
@visit_cancelled.connect
@visit_progressed.connect
def forget_listing_of(visit: Visit, **_) -> None:
    """Listings show the engineer's next free windows: they changed."""
    if visit.engineer_id is not None:
        forget_station_of(visit.engineer_id)


@visit_moved.connect
def forget_listings_of_both(visit: Visit, from_engineer_id: int | None = None, **_) -> None:
    """The engineer the visit left has room again; the one it went to has less."""
    for engineer_id in {from_engineer_id, visit.engineer_id} - {None}:
        forget_station_of(engineer_id)


@visit_completed.connect
def points_for_completed(visit: Visit, at: datetime, **_) -> None:
    """Sent when the customer confirmed the visit (dispatch.lifecycle), not before."""
    forget_listing_of(visit)
    first_visit_confirmed(visit)
    award_visit_points(visit, at)
    flag_if_repeated_pair(visit)


@customer_merged.connect
def move_feedback(source: User, into: User, **_) -> None:
    """One report per review and reporter, one favourite per engineer; the rest moves."""
    for column in (Review.customer_id, Tip.customer_id, AbuseFlag.customer_id):
        reassign(column, source.id, into.id)
    reassign(ReviewReport.reporter_id, source.id, into.id, unique_with=ReviewReport.review_id)
    merge_favourites(source.id, into.id, utcnow())


@alternatives.standing_source
def listing_standing(engineer_ids: list[int]) -> dict[int, alternatives.Standing]:
    """Level and stars, for dispatch's "similar engineers" (dispatch cannot read them)."""
    return {row.engineer_id: alternatives.Standing(RANK.get(row.level, 0), row.average_stars)
            for row in db.session.execute(select(EngineerStats.engineer_id, EngineerStats.level,
                                                 EngineerStats.average_stars)
                                          .where(EngineerStats.engineer_id.in_(engineer_ids)))}
