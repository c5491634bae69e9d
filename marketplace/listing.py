"""Which engineers a customer at a point can choose from, filtered, sorted and paged.

Everything shown per engineer comes from the kept aggregates (EngineerStats,
EngineerTagCount), so a page costs a handful of indexed queries whatever the review count.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from dispatch.coverage import Point
from dispatch.stations import Coverage, stations_covering
from extensions import db
from marketplace.levels import LEVELS
from marketplace.models import Engineer, EngineerStats, EngineerTagCount, Favourite, Skill, Tag

SORTS = ("recommended", "stars", "distance", "level", "tips", "favourites")
TOP_TAGS = 3


@dataclass(frozen=True)
class Filters:
    skill: str | None = None
    min_stars: float | None = None
    level: str | None = None
    day: date | None = None


@dataclass
class Listing:
    coverage: Coverage
    engineers: list[Engineer] = field(default_factory=list)
    distance_km: dict[int, float] = field(default_factory=dict)   # by station id
    top_tags: dict[int, list[tuple[Tag, int]]] = field(default_factory=dict)
    favourites: set[int] = field(default_factory=set)             # of the signed-in customer
    total: int = 0


def level_rank():
    return case({level: rank for rank, level in enumerate(LEVELS)}, value=EngineerStats.level)


def engineers_near(point: Point, filters: Filters, sort: str, page: int, per_page: int,
                   customer_id: int | None = None) -> Listing:
    """A page of the engineers of every station covering `point`."""
    coverage = stations_covering(point)
    listing = Listing(coverage, distance_km={s.id: km for s, km in coverage.stations})
    if not coverage.stations:
        return listing
    if customer_id is not None:
        listing.favourites = set(db.session.execute(
            select(Favourite.engineer_id).where(Favourite.customer_id == customer_id)).scalars())

    query = filtered(select(Engineer), listing.distance_km, filters)
    listing.total = db.session.execute(
        query.with_only_columns(func.count(Engineer.id)).order_by(None)).scalar()
    distance = case(listing.distance_km, value=Engineer.station_id)
    query = (query.options(contains_eager(Engineer.stats), selectinload(Engineer.skills),
                           selectinload(Engineer.station))
             .order_by(*ordering(sort, distance, listing.favourites), Engineer.id)
             .limit(per_page).offset((page - 1) * per_page))
    listing.engineers = list(db.session.execute(query).unique().scalars())
    listing.top_tags = top_tags([e.id for e in listing.engineers], TOP_TAGS)
    return listing


def filtered(query, distance_km: dict[int, float], filters: Filters):
    query = query.join(Engineer.stats).where(Engineer.station_id.in_(distance_km))
    if filters.skill:
        query = query.where(Engineer.skills.any(Skill.code == filters.skill))
    if filters.min_stars is not None:
        query = query.where(EngineerStats.review_count > 0,
                            EngineerStats.average_stars >= filters.min_stars)
    if filters.level:
        query = query.where(EngineerStats.level == filters.level)
    if filters.day:
        query = query.where(Engineer.work_days.contains(str(filters.day.isoweekday())))
    return query


def ordering(sort: str, distance, favourites: set[int]) -> list:
    if sort == "stars":
        return [EngineerStats.average_stars.desc(), EngineerStats.review_count.desc()]
    if sort == "distance":
        return [distance, EngineerStats.score.desc()]
    if sort == "level":
        return [level_rank().desc(), EngineerStats.score.desc()]
    if sort == "tips":
        return [EngineerStats.tip_count.desc(), EngineerStats.score.desc()]
    if sort == "favourites":
        return [EngineerStats.favourite_count.desc(), EngineerStats.score.desc()]
    mine_first = [Engineer.id.in_(favourites).desc()] if favourites else []
    return mine_first + [EngineerStats.score.desc()]


def top_tags(engineer_ids: list[int], limit: int | None) -> dict[int, list[tuple[Tag, int]]]:
    """Each engineer's most frequent tags, most frequent first."""
    tags: dict[int, list[tuple[Tag, int]]] = defaultdict(list)
    if not engineer_ids:
        return tags
    rows = db.session.execute(
        select(EngineerTagCount.engineer_id, Tag, EngineerTagCount.count)
        .join(Tag, Tag.id == EngineerTagCount.tag_id)
        .where(EngineerTagCount.engineer_id.in_(engineer_ids), EngineerTagCount.count > 0)
        .order_by(EngineerTagCount.engineer_id, EngineerTagCount.count.desc(), Tag.id))
    for engineer_id, tag, count in rows:
        if limit is None or len(tags[engineer_id]) < limit:
            tags[engineer_id].append((tag, count))
    return tags
