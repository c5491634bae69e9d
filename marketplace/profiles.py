"""One engineer as customers see them: the card, the full profile, the reviews."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dispatch.rules import day_plan_rules
from dispatch.slots import Window
from extensions import db
from marketplace.levels import level_name
from marketplace.listing import Entry, TagCount
from marketplace.models import Review


def masked_name(name: str) -> str:
    """A reviewer's name as other customers see it: the surname and stars (陈**)."""
    return (name[:1] + "**") if name else "**"


def card(entry: Entry, *, station: tuple[str, str], locale: str, now: datetime,
         distance_km: float | None = None, favourite: bool | None = None) -> dict:
    """What a listing shows of an engineer (station = code, name). Contact details are
    never part of it."""
    window = next_free_window(entry, now)
    return {
        "id": entry.id,
        "display_name": entry.display_name,
        "photo_url": entry.photo_url,
        "station": {"code": station[0], "name": station[1]},
        "distance_km": None if distance_km is None else round(distance_km, 1),
        "level": entry.level,
        "level_name": level_name(entry.level, locale),
        "average_stars": round(entry.average_stars, 2),
        "review_count": entry.review_count,
        "top_tags": [tag_json(t, locale) for t in entry.top_tags],
        "favourite_count": entry.favourite_count,
        "tip_count": entry.tip_count,
        "skills": list(entry.skills),
        "next_window": {"start": window.start, "end": window.end} if window else None,
        "favourite": favourite,
    }


def next_free_window(entry: Entry, now: datetime) -> Window | None:
    """The first of the entry's free windows that can still be booked from `now`."""
    rules = day_plan_rules()
    earliest = now + timedelta(minutes=rules.lead_minutes)
    start = next((s for s in entry.free_from if s >= earliest), None)
    return Window(start, start + timedelta(minutes=rules.window_minutes)) if start else None


def tag_json(tag: TagCount, locale: str) -> dict:
    return {"code": tag.code, "name": tag.name_for(locale), "positive": tag.positive,
            "count": tag.count}


def reviews_of(engineer_id: int, page: int, per_page: int) -> tuple[list[Review], int]:
    """Visible reviews, newest first, with their tags and the reviewer loaded."""
    visible = select(Review).where(Review.engineer_id == engineer_id, Review.hidden.is_(False))
    total = db.session.execute(visible.with_only_columns(func.count(Review.id))).scalar()
    reviews = db.session.execute(
        visible.options(selectinload(Review.tags), selectinload(Review.customer))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return list(reviews), total
