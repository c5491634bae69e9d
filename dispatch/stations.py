"""Station look-ups against the database: coverage of a point, the nearest station, search."""
from __future__ import annotations

import functools
import re

from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden, NotFound

from dispatch.coverage import Coverage, Point, bounding_box, coverage_of
from dispatch.models import Engineer, Station
from extensions import db


def stations_in_box(point: Point, radius_km: float) -> list[Station]:
    """Candidates from the indexed lat/lng range; a superset of those within the radius."""
    box = bounding_box(point, radius_km)
    query = db.select(Station).where(Station.lat.between(box.south, box.north))
    if box.west is not None:
        query = query.where(Station.lng.between(box.west, box.east))
    return list(db.session.execute(query).scalars())


def widest_coverage_km() -> float:
    return db.session.execute(db.select(func.max(Station.coverage_km))).scalar() or 0.0


def stations_covering(point: Point) -> Coverage[Station]:
    """Every station whose own radius covers `point`, and the nearest station anyway, so
    a page can say how far the nearest one is when none covers the address."""
    return coverage_of(point, stations_in_box, widest_coverage_km(),
                       lambda: db.session.execute(db.select(Station)).scalars())


@functools.lru_cache(maxsize=20_000)
def pinyin_of(text: str) -> str:
    """"赣州市章贡区" → "ganzhoushizhanggongqu": a place name as a reader without Chinese
    input types it (pinyin is also how the network's places are written in English)."""
    return "".join(lazy_pinyin(text)).lower()


def matching(text: str | None):
    """The stations whose name, county, city, province or code holds `text`, in Chinese or
    in pinyin ("Beijing", "zhang gong", "Ganzhou"), as a query in code order."""
    query = db.select(Station).order_by(Station.code)
    text = (text or "").strip()
    if not text:
        return query
    latin = re.sub(r"[\s'’-]+", "", text.lower())
    if latin.isascii() and latin.isalnum():
        rows = db.session.execute(db.select(Station.id, Station.code, Station.name, Station.county,
                                            Station.city, Station.province)).all()
        ids = [r.id for r in rows if latin in r.code.lower()
               or any(latin in pinyin_of(place) for place in (r.name, r.county, r.city, r.province))]
        return query.where(Station.id.in_(ids))
    return query.where(or_(*(column.contains(text, autoescape=True) for column in
                             (Station.name, Station.county, Station.city, Station.province,
                              Station.code))))


def search_stations(text: str | None, limit: int, offset: int = 0) -> list[Station]:
    """Stations matching `text` (all when empty), in code order."""
    return list(db.session.execute(matching(text).limit(limit).offset(offset)).scalars())


def count_stations(text: str | None) -> int:
    return db.session.execute(db.select(func.count()).select_from(
        matching(text).order_by(None).subquery())).scalar_one()


class StationNotFound(NotFound):
    description = _l("No such station.")


class NotStationManager(Forbidden):
    description = _l("Only this station's manager may see this.")


def managed_station(code: str, user) -> Station:
    """The station `code`, if `user` manages it (admins manage every station)."""
    station = db.session.execute(
        db.select(Station).where(Station.code == code)).scalar_one_or_none()
    if station is None:
        raise StationNotFound()
    if user.role != "admin" and station.manager_id != user.id:
        raise NotStationManager()
    return station


def station_engineers(station: Station) -> list[Engineer]:
    """A station's engineers with their skills and accounts loaded in two queries."""
    return list(db.session.execute(
        db.select(Engineer).where(Engineer.station_id == station.id)
        .options(selectinload(Engineer.skills), selectinload(Engineer.user))
        .order_by(Engineer.display_name, Engineer.id)).scalars())
