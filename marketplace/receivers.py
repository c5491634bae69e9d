"""How the marketplace reacts to what happens to visits (dispatch.signals): an engineer's
free windows change, so listings forget their station's cached entries; a completed visit
earns points. Connected once, when the app factory imports this module."""
from __future__ import annotations

from datetime import datetime

from dispatch.models import Visit
from dispatch.signals import visit_booked, visit_cancelled, visit_completed, visit_moved, visit_progressed
from marketplace.aggregates import forget_station_of
from marketplace.points import award_visit_points


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
    forget_listing_of(visit)
    award_visit_points(visit, at)
