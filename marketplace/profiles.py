"""One engineer as customers see them: the card, the full profile, the reviews."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from dispatch.slots import WorkPattern, next_window
from extensions import db
from marketplace.levels import level_name
from marketplace.models import Engineer, Review, Tag


class EngineerNotFound(NotFound):
    description = "No such engineer."


def get_engineer(engineer_id: int) -> Engineer:
    engineer = db.session.execute(
        select(Engineer).where(Engineer.id == engineer_id)
        .options(selectinload(Engineer.skills), selectinload(Engineer.station))).scalar()
    if engineer is None:
        raise EngineerNotFound()
    return engineer


def masked_name(name: str) -> str:
    """A reviewer's name as other customers see it: the surname and stars (陈**)."""
    return (name[:1] + "**") if name else "**"


def card(engineer: Engineer, *, tags: list[tuple[Tag, int]], locale: str, now: datetime,
         distance_km: float | None = None, favourite: bool | None = None) -> dict:
    """What a listing shows of an engineer. Contact details are never part of it."""
    stats = engineer.stats
    config = current_app.config
    window = next_window(WorkPattern(engineer.shift_start, engineer.shift_end, engineer.work_days),
                         now, config["APPOINTMENT_WINDOW_MINUTES"], config["BOOKING_LEAD_MINUTES"])
    return {
        "id": engineer.id,
        "display_name": engineer.display_name,
        "photo_url": engineer.photo_url,
        "station": {"code": engineer.station.code, "name": engineer.station.name},
        "distance_km": None if distance_km is None else round(distance_km, 1),
        "level": stats.level,
        "level_name": level_name(stats.level, locale),
        "average_stars": round(stats.average_stars, 2),
        "review_count": stats.review_count,
        "top_tags": [{"code": t.code, "name": t.name_for(locale), "positive": t.positive,
                      "count": n} for t, n in tags],
        "favourite_count": stats.favourite_count,
        "tip_count": stats.tip_count,
        "skills": [s.code for s in engineer.skills],
        "next_window": {"start": window.start, "end": window.end} if window else None,
        "favourite": favourite,
    }


def reviews_of(engineer_id: int, page: int, per_page: int) -> tuple[list[Review], int]:
    """Visible reviews, newest first, with their tags and the reviewer loaded."""
    visible = select(Review).where(Review.engineer_id == engineer_id, Review.hidden.is_(False))
    total = db.session.execute(visible.with_only_columns(func.count(Review.id))).scalar()
    reviews = db.session.execute(
        visible.options(selectinload(Review.tags), selectinload(Review.customer))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return list(reviews), total
