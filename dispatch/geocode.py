"""Addresses as people give them ("赣州市章贡区", "Ganzhou Zhanggong") turned into a point.

One interface, two kinds of answer: a real provider where one is configured (any of geopy's
geocoders, e.g. `GEOCODER=baidu` with `GEOCODER_KEY`), and always the offline gazetteer of
the network's own places (province, city and county of every station, in Chinese and
pinyin), then every county seat of China (`dispatch/data/counties.csv`) for places no station
covers yet, which needs no key and no network. The gazetteer knows counties, not doors: its
answer says so in `precision`, and the pages then ask for a pin on the map.
"""
from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from geopy.exc import GeopyError
from geopy.geocoders import get_geocoder_for_service

from dispatch.models import Station
from dispatch.stations import pinyin_of
from extensions import db

log = logging.getLogger(__name__)

# 2,845 county-level seats (province, city, county, lat, lng): see dispatch/data/README.md.
COUNTIES_CSV = Path(__file__).parent / "data" / "counties.csv"

# What every page and the API say when words name no place we know.
NOT_FOUND = _l("We could not find this address. Try the county or city name, or place the pin "
               "on the map.")

# The most specific part a gazetteer answer matched; a provider's answer is an "address".
PRECISIONS = ("address", "county", "city", "province")

# Administrative suffixes people often leave out: "赣州章贡" means "赣州市章贡区".
_SUFFIXES = re.compile(r"(服务站|特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|"
                       r"地区|新区|省|市|区|县|盟|旗|州)$")


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lng: float
    label: str
    precision: str


class Geocoder(Protocol):
    def geocode(self, text: str) -> GeoPoint | None: ...


@dataclass(frozen=True)
class _Place:
    """One station's province, city and county, each as the forms a query may hold."""
    lat: float
    lng: float
    parts: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # (name, chinese, pinyin)


@lru_cache(maxsize=20_000)
def _forms(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    forms = {name}
    short = name
    for _ in range(2):  # "海淀区服务站" → "海淀区" → "海淀"
        short = _SUFFIXES.sub("", short)
        if len(short) >= 2:
            forms.add(short)
    chinese = tuple(forms)
    latin = tuple({pinyin_of(form) for form in chinese if len(pinyin_of(form)) >= 4})
    return chinese, latin


def _places(rows) -> list[_Place]:
    return [_Place(r.lat, r.lng, tuple((name, *_forms(name))
                                       for name in (r.province, r.city, r.county, r.name)))
            for r in rows]


class Gazetteer:
    """The offline answer: the county (else city, else province) the text names, at its
    station's coordinates, the county seat where the station stands; a station's own name
    ("海淀区服务站") when nothing else matches."""

    def geocode(self, text: str) -> GeoPoint | None:
        rows = db.session.execute(db.select(Station.province, Station.city, Station.county,
                                            Station.name, Station.lat, Station.lng)
                                  .order_by(Station.code)).all()
        return best_match(text, _places(rows)) or best_match(text, county_places())


@dataclass(frozen=True)
class _County:
    province: str
    city: str
    county: str
    name: str  # what a station's name is to a station's place: here the county again
    lat: float
    lng: float


@lru_cache(maxsize=1)
def county_places() -> list[_Place]:
    """Every county seat, for words naming a place without a station (read once)."""
    with COUNTIES_CSV.open(encoding="utf-8") as f:
        return _places([_County(r["province"], r["city"], r["county"], r["county"], float(r["lat"]),
                                float(r["lng"])) for r in csv.DictReader(f)])


def best_match(text: str, places: list[_Place]) -> GeoPoint | None:
    text = (text or "").strip()
    latin = re.sub(r"[^a-z0-9]+", "", text.lower())
    if not text:
        return None

    def named(chinese, pinyin) -> bool:
        return any(form in text for form in chinese) or bool(latin and any(p in latin for p in pinyin))

    best, best_score = None, 0
    for place in places:
        hits = [named(chinese, pinyin) for _name, chinese, pinyin in place.parts]
        score = 4 * hits[2] + 2 * hits[1] + hits[0] + 0.5 * hits[3]  # a station's name: last resort
        if score > best_score:
            best, best_score = (place, hits), score
    if best is None:
        return None
    place, hits = best
    province, city, county, station = (name for name, *_ in place.parts)
    if not any(hits[:3]):  # only a station's name: the place it stands
        return GeoPoint(place.lat, place.lng, station, "county")
    if hits[2]:
        return GeoPoint(place.lat, place.lng, " ".join(dict.fromkeys((province, city, county))), "county")
    level = 1 if hits[1] else 0
    same = [p for p in places if p.parts[level][0] == place.parts[level][0]
            and (level == 0 or p.parts[0][0] == place.parts[0][0])]
    lat, lng = (sum(p.lat for p in same) / len(same), sum(p.lng for p in same) / len(same))
    label = " ".join(dict.fromkeys((province, city))) if level else province
    return GeoPoint(round(lat, 5), round(lng, 5), label, "city" if level else "province")


class Provider:
    """A geopy geocoder (Baidu, Nominatim, ...), falling back to the gazetteer when it finds
    nothing or cannot be reached: a customer is never stopped by a provider's outage."""

    def __init__(self, service: str, options: dict, fallback: Geocoder) -> None:
        self._geocoder = get_geocoder_for_service(service)(**options)
        self._fallback = fallback

    def geocode(self, text: str) -> GeoPoint | None:
        try:
            found = self._geocoder.geocode(text, exactly_one=True, timeout=3)
        except GeopyError as err:
            log.warning("geocoder failed for a query (%s); answering from the gazetteer", err)
            found = None
        if found is None:
            return self._fallback.geocode(text)
        return GeoPoint(round(found.latitude, 6), round(found.longitude, 6), found.address, "address")


def geocoder() -> Geocoder:
    """The app's geocoder, built once from `GEOCODER` / `GEOCODER_OPTIONS`."""
    made = current_app.extensions.get("geocoder")
    if made is None:
        service = current_app.config.get("GEOCODER") or ""
        made = (Provider(service, current_app.config.get("GEOCODER_OPTIONS") or {}, Gazetteer())
                if service else Gazetteer())
        current_app.extensions["geocoder"] = made
    return made


def geocode(text: str) -> GeoPoint | None:
    return geocoder().geocode(text)
