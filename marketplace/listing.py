"""Which engineers a customer at a point can choose from, filtered, sorted and paged.

A listing reads each covering station's engineers as plain entries: built from the kept
aggregates in three queries per station, then cached (Flask-Caching) until a review,
favourite or tip changes one of them (dropped after that commit) or LISTING_CACHE_SECONDS
pass, so that a request costs no database round trip once its stations are warm.
Filtering, sorting and paging a few hundred entries happen in memory.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from dispatch.booking import station_now, upcoming_free
from dispatch.coverage import Coverage, Point
from dispatch.models import Engineer, Skill, engineer_skills
from dispatch.station_index import StationRef, station_index
from extensions import cache, db
from marketplace.levels import LEVELS
from marketplace.models import EngineerStats, EngineerTagCount, Favourite, Tag

SORTS = ("recommended", "stars", "distance", "level", "tips", "favourites")
TOP_TAGS = 3
STALE_STATIONS = "stale_listing_stations"  # session.info key: stations whose entries changed


def cache_key(station_id: int) -> str:
    return f"listing:station:{station_id}"


@event.listens_for(Session, "after_commit")
def _forget_committed_changes(session: Session) -> None:
    """Drop the cached entries of stations whose engineers' aggregates just changed, after
    the commit, so that no reader can cache the old values again."""
    stale = session.info.pop(STALE_STATIONS, None)
    if stale and has_app_context() and current_app.config["LISTING_CACHE_SECONDS"]:
        cache.delete_many(*(cache_key(sid) for sid in stale))


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(STALE_STATIONS, None)


@dataclass(frozen=True)
class TagCount:
    code: str
    name_zh: str
    name_en: str
    positive: bool
    count: int

    def name_for(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Entry:
    """An engineer as listings know them: nothing that depends on who asks or from where."""

    id: int
    display_name: str
    photo_url: str | None
    station_id: int
    level: str
    average_stars: float
    review_count: int
    favourite_count: int
    tip_count: int
    score: float
    skills: tuple[str, ...]
    shift_start: int
    shift_end: int
    work_days: str
    top_tags: tuple[TagCount, ...]
    free_from: tuple[datetime, ...] = ()  # starts of the next free windows (station time)


@dataclass(frozen=True)
class Filters:
    skill: str | None = None
    min_stars: float | None = None
    level: str | None = None
    day: date | None = None

    def admit(self, e: Entry) -> bool:
        return ((self.skill is None or self.skill in e.skills)
                and (self.min_stars is None or (e.review_count > 0 and e.average_stars >= self.min_stars))
                and (self.level is None or e.level == self.level)
                and (self.day is None or str(self.day.isoweekday()) in e.work_days))


@dataclass
class Listing:
    coverage: Coverage[StationRef]
    entries: list[Entry] = field(default_factory=list)
    stations: dict[int, tuple[StationRef, float]] = field(default_factory=dict)  # id -> (station, km)
    favourites: set[int] = field(default_factory=set)  # of the signed-in customer
    total: int = 0


def engineers_near(point: Point, filters: Filters, sort: str, page: int, per_page: int,
                   customer_id: int | None = None) -> Listing:
    """A page of the engineers of every station covering `point`."""
    coverage = station_index().coverage(point)
    listing = Listing(coverage, stations={s.id: (s, km) for s, km in coverage.stations})
    if not coverage.stations:
        return listing
    if customer_id is not None:
        listing.favourites = set(db.session.execute(
            select(Favourite.engineer_id).where(Favourite.customer_id == customer_id)).scalars())
    chosen = [e for e in station_entries(list(listing.stations)) if filters.admit(e)]
    if filters.day is not None:  # available that day: a free window that day, shown as next
        on_day = free_windows_of([e.id for e in chosen], start=filters.day, days=1)
        chosen = [replace(e, free_from=on_day[e.id]) for e in chosen if on_day.get(e.id)]
    distance = {sid: km for sid, (_, km) in listing.stations.items()}
    chosen.sort(key=sort_key(sort, distance, listing.favourites))
    listing.total = len(chosen)
    listing.entries = chosen[(page - 1) * per_page: page * per_page]
    return listing


def sort_key(sort: str, distance: dict[int, float], favourites: set[int]):
    """Best first; ties broken by the recommended score, then by id for a stable order."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    primary = {
        "stars": lambda e: (-e.average_stars, -e.review_count),
        "distance": lambda e: (distance[e.station_id],),
        "level": lambda e: (-rank[e.level],),
        "tips": lambda e: (-e.tip_count,),
        "favourites": lambda e: (-e.favourite_count,),
        "recommended": lambda e: (e.id not in favourites,),
    }[sort]
    return lambda e: (*primary(e), -e.score, e.id)


def station_entries(station_ids: list[int]) -> list[Entry]:
    """Every engineer of these stations, from the cache where warm."""
    seconds = current_app.config["LISTING_CACHE_SECONDS"]
    found: dict[int, list[Entry]] = {}
    if seconds:
        cached = cache.get_many(*(cache_key(sid) for sid in station_ids))
        found = {sid: value for sid, value in zip(station_ids, cached) if value is not None}
    missing = [sid for sid in station_ids if sid not in found]
    if missing:
        loaded = load_entries(missing)
        found.update(loaded)
        if seconds:
            cache.set_many({cache_key(sid): loaded[sid] for sid in missing}, timeout=seconds)
    return [entry for sid in station_ids for entry in found[sid]]


def load_entries(station_ids: list[int]) -> dict[int, list[Entry]]:
    """Entries of these stations' engineers, in three queries whatever their number."""
    rows = db.session.execute(
        select(Engineer.id, Engineer.display_name, Engineer.photo_url, Engineer.station_id,
               Engineer.shift_start, Engineer.shift_end, Engineer.work_days,
               EngineerStats.level, EngineerStats.average_stars, EngineerStats.review_count,
               EngineerStats.favourite_count, EngineerStats.tip_count, EngineerStats.score)
        .join(EngineerStats, EngineerStats.engineer_id == Engineer.id)
        .where(Engineer.station_id.in_(station_ids))).all()
    ids = [r.id for r in rows]
    skills: dict[int, list[str]] = defaultdict(list)
    for engineer_id, code in db.session.execute(
            select(engineer_skills.c.engineer_id, Skill.code)
            .join(Skill, Skill.id == engineer_skills.c.skill_id)
            .where(engineer_skills.c.engineer_id.in_(ids)).order_by(Skill.code)):
        skills[engineer_id].append(code)
    tags = top_tags(ids, TOP_TAGS)
    free = free_windows_of(ids)
    entries: dict[int, list[Entry]] = {sid: [] for sid in station_ids}
    for r in rows:
        entries[r.station_id].append(Entry(
            r.id, r.display_name, r.photo_url, r.station_id, r.level, r.average_stars,
            r.review_count, r.favourite_count, r.tip_count, r.score, tuple(skills[r.id]),
            r.shift_start, r.shift_end, r.work_days, tuple(tags.get(r.id, ())), free[r.id]))
    return entries


def free_windows_of(engineer_ids: list[int], start: date | None = None,
                    days: int = 7) -> dict[int, tuple[datetime, ...]]:
    """The next free windows of these engineers (from `start`, over `days`), given their
    bookings (dispatch.booking)."""
    if not engineer_ids:
        return {}
    engineers = db.session.execute(select(Engineer).where(Engineer.id.in_(engineer_ids))
                                   .options(selectinload(Engineer.station))).scalars().all()
    return upcoming_free(list(engineers), station_now(), days=days, start=start)


def entry_of(engineer: Engineer, tags: list[TagCount]) -> Entry:
    """The entry of one engineer loaded with the ORM (profiles, my engineers)."""
    s = engineer.stats
    return Entry(engineer.id, engineer.display_name, engineer.photo_url, engineer.station_id,
                 s.level, s.average_stars, s.review_count, s.favourite_count, s.tip_count, s.score,
                 tuple(k.code for k in engineer.skills), engineer.shift_start, engineer.shift_end,
                 engineer.work_days, tuple(tags), free_windows_of([engineer.id])[engineer.id])


def top_tags(engineer_ids: list[int], limit: int | None) -> dict[int, list[TagCount]]:
    """Each engineer's most frequent tags, most frequent first."""
    tags: dict[int, list[TagCount]] = defaultdict(list)
    if not engineer_ids:
        return tags
    rows = db.session.execute(
        select(EngineerTagCount.engineer_id, Tag.code, Tag.name_zh, Tag.name_en, Tag.positive,
               EngineerTagCount.count)
        .join(Tag, Tag.id == EngineerTagCount.tag_id)
        .where(EngineerTagCount.engineer_id.in_(engineer_ids), EngineerTagCount.count > 0)
        .order_by(EngineerTagCount.engineer_id, EngineerTagCount.count.desc(), Tag.id))
    for engineer_id, *tag in rows:
        if limit is None or len(tags[engineer_id]) < limit:
            tags[engineer_id].append(TagCount(*tag))
    return tags
