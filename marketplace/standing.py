"""An engineer's standing: level, points, what the next level still needs, the three
rates (好评率 praise, 收藏率 favourite, 打赏率 tip) over a rolling window and all time."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from dispatch.models import Visit
from extensions import db
from marketplace.aggregates import confirmed_completion
from marketplace.levels import level_name, missing_for, next_level
from marketplace.models import EngineerStats, Favourite, LevelChange, PointEvent, Review, Tip
from marketplace.points import praise
from marketplace.rules import marketplace_rules


def rates(engineer_id: int, since: datetime | None = None) -> dict:
    """Praise rate (4–5 stars / reviews), favourite rate (customers served who favourited /
    customers served) and tip rate (tipped visits / visits served); None without data. A
    visit is served once its customer confirmed the completion (never on the engineer's
    word alone), and counts in the window from that moment, as its points do."""
    reviews = select(func.count(), func.sum(case((Review.stars >= 4, 1), else_=0))).where(
        Review.engineer_id == engineer_id, Review.hidden.is_(False))
    completed = select(Visit.id, Visit.customer_id).where(
        Visit.engineer_id == engineer_id, confirmed_completion())
    if since is not None:
        reviews = reviews.where(Review.created_at >= since)
        completed = completed.where(Visit.confirmed_at >= since)
    n_reviews, good = db.session.execute(reviews).one()
    done = completed.subquery()
    n_visits, n_customers = db.session.execute(
        select(func.count(), func.count(func.distinct(done.c.customer_id)))).one()
    fans = db.session.execute(select(func.count(func.distinct(Favourite.customer_id))).join(
        done, and_(done.c.customer_id == Favourite.customer_id)).where(
        Favourite.engineer_id == engineer_id)).scalar()
    tipped = db.session.execute(select(func.count(func.distinct(Tip.visit_id))).where(
        Tip.visit_id.in_(select(done.c.id)), Tip.status == "paid")).scalar()
    return {"praise_rate": round(good / n_reviews, 4) if n_reviews else None,
            "favourite_rate": round(fans / n_customers, 4) if n_customers else None,
            "tip_rate": round(tipped / n_visits, 4) if n_visits else None}


def standing(engineer_id: int, locale: str, now: datetime, ledger_lines: int = 50) -> dict:
    config = current_app.config
    stats = db.session.get(EngineerStats, engineer_id, populate_existing=True)
    upcoming = next_level(stats.level)
    levels = marketplace_rules().levels
    thresholds = levels.thresholds()
    missing, progress = {}, 1.0
    if upcoming:
        missing = missing_for(upcoming, stats.points, praise(stats), stats.review_count, levels)
        low, high = thresholds[stats.level], thresholds[upcoming]
        progress = max(0.0, min(1.0, (stats.points - low) / (high - low)))
    window = now - timedelta(days=config["RATE_WINDOW_DAYS"])
    return {
        "level": stats.level, "level_name": level_name(stats.level, locale),
        "points": stats.points, "next_level": upcoming, "missing": missing,
        "progress": round(progress, 4),
        "rates": {"window": rates(engineer_id, window), "all_time": rates(engineer_id)},
        "ledger": db.session.execute(select(PointEvent).where(PointEvent.engineer_id == engineer_id)
                                     .order_by(PointEvent.id.desc()).limit(ledger_lines)).scalars().all(),
        "level_changes": db.session.execute(select(LevelChange).where(
            LevelChange.engineer_id == engineer_id).order_by(LevelChange.id.desc())).scalars().all(),
        "tips_cents": stats.tip_cents,
    }


REASONS = {
    "visit completed": _l("visit completed"), "fixed first time": _l("fixed first time"),
    "review hidden": _l("review hidden"), "favourited by a customer": _l("favourited by a customer"),
    "favourite withdrawn": _l("favourite withdrawn"), "tipped": _l("tipped"),
    "tip refunded": _l("tip refunded"),
}


def reason_text(reason: str) -> str:
    """A ledger line's reason in the reader's language (the ledger stores it in English)."""
    stars = re.fullmatch(r"(\d)-star review", reason)
    if stars:
        return gettext("%(n)s-star review", n=stars.group(1))
    return str(REASONS.get(reason, reason))
