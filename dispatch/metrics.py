"""Service-time figures from the visits' timestamps: what the quality dashboard shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select

from dispatch.models import Visit
from extensions import db


@dataclass(frozen=True)
class ServiceMetrics:
    visits: int                      # visits that reached the customer (on site)
    completed: int
    request_to_visit_hours: float | None   # median, booking to arrival on site
    on_time_rate: float | None       # arrived inside the window
    first_time_fix_rate: float | None    # completed and fixed at the first visit


def service_metrics(visits: list[Visit]) -> ServiceMetrics:
    """Figures over visits (pure: any list of visits, e.g. one engineer's or a station's)."""
    arrived = [v for v in visits if v.on_site_at is not None]
    finished = [v for v in visits if v.status in ("completed", "needs_second_visit")]
    waits = [(v.on_site_at - v.created_at).total_seconds() / 3600 for v in arrived]
    on_time = [v.window_start <= v.on_site_at <= v.window_end for v in arrived]
    fixed = [v.status == "completed" and bool(v.fixed_first_time) for v in finished]
    return ServiceMetrics(
        visits=len(arrived), completed=sum(v.status == "completed" for v in finished),
        request_to_visit_hours=round(median(waits), 2) if waits else None,
        on_time_rate=round(sum(on_time) / len(on_time), 4) if on_time else None,
        first_time_fix_rate=round(sum(fixed) / len(fixed), 4) if fixed else None)


def metrics_for(*, station_id: int | None = None, engineer_id: int | None = None,
                since: datetime | None = None, until: datetime | None = None) -> ServiceMetrics:
    query = select(Visit)
    if station_id is not None:
        query = query.where(Visit.station_id == station_id)
    if engineer_id is not None:
        query = query.where(Visit.engineer_id == engineer_id)
    if since is not None:
        query = query.where(Visit.window_start >= since)
    if until is not None:
        query = query.where(Visit.window_start < until)
    return service_metrics(list(db.session.execute(query).scalars()))
