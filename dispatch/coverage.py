"""Which stations cover a point: geodesic distance over plain numbers, no database.

The database narrows the candidates with a bounding box on indexed columns
(`bounding_box`); the exact answer is the geodesic distance on the WGS-84 ellipsoid
(geopy), compared with each station's own radius.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

from geographiclib.geodesic import Geodesic

WGS84 = Geodesic.WGS84

# A degree of latitude is 110.574 km at the equator and longer towards the poles; a degree
# of longitude is at most 111.320 km × cos(latitude). Using the short figures makes the
# box a little larger than the circle, never smaller.
KM_PER_DEGREE_LAT_MIN = 110.574
KM_PER_DEGREE_LNG_EQUATOR = 111.320
# Coverage is `distance <= radius`; a metre of slack absorbs float noise at the edge.
EDGE_TOLERANCE_KM = 0.001


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class BoundingBox:
    south: float
    north: float
    west: float | None  # None when the box spans every longitude (near a pole)
    east: float | None


def bounding_box(point: Point, radius_km: float) -> BoundingBox:
    """The smallest lat/lng box sure to hold every point within `radius_km`."""
    dlat = radius_km / KM_PER_DEGREE_LAT_MIN * 1.01
    south, north = max(-90.0, point.lat - dlat), min(90.0, point.lat + dlat)
    widest = max(abs(south), abs(north))
    cos_lat = math.cos(math.radians(widest))
    if widest >= 89.0 or cos_lat <= 0:
        return BoundingBox(south, north, None, None)
    dlng = radius_km / (KM_PER_DEGREE_LNG_EQUATOR * cos_lat) * 1.01
    if dlng >= 180.0 or point.lng - dlng < -180.0 or point.lng + dlng > 180.0:
        return BoundingBox(south, north, None, None)  # across the antimeridian: no lng cut
    return BoundingBox(south, north, point.lng - dlng, point.lng + dlng)


def distance_km(a: Point, b: Point) -> float:
    """Geodesic distance on the WGS-84 ellipsoid: geopy's `geodesic`, called through
    geographiclib (which geopy wraps) to save its per-call overhead on hot paths."""
    return _geodesic_km(a.lat, a.lng, b.lat, b.lng)


@lru_cache(maxsize=65_536)
def _geodesic_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Remembered per exact pair: a customer paging, filtering and re-sorting engineers for
    one address asks for the same few station distances again and again."""
    return WGS84.Inverse(lat1, lng1, lat2, lng2, Geodesic.DISTANCE)["s12"] / 1000.0


T = TypeVar("T")


def rank_by_distance(point: Point, sites: Iterable[T]) -> list[tuple[T, float]]:
    """Sites (anything with `lat` and `lng`) with their distance from `point`, nearest first."""
    ranked = [(site, distance_km(point, Point(site.lat, site.lng))) for site in sites]
    ranked.sort(key=lambda pair: pair[1])
    return ranked


MEAN_EARTH_RADIUS_KM = 6371.0088
# A sphere's distances differ from the ellipsoid's by well under 1 %.
SPHERE_ERROR = 0.01


def sphere_km(a: Point, b: Point) -> float:
    """Haversine distance on the mean sphere: cheap, and within 1 % of the geodesic."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b.lng - a.lng) / 2) ** 2)
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(point: Point, sites: Iterable[T]) -> tuple[T, float] | None:
    """The nearest site by geodesic distance, measuring exactly only the few sites the
    cheap spherical distance cannot rule out."""
    return _nearest(_rough(point, sites), _Exact(point))


def _rough(point: Point, sites: Iterable[T]) -> list[tuple[T, float]]:
    return [(site, sphere_km(point, Point(site.lat, site.lng))) for site in sites]


class _Exact:
    """Geodesic distances from one point, each computed at most once."""

    def __init__(self, point: Point) -> None:
        self.point, self.known = point, {}

    def __call__(self, site) -> float:
        key = id(site)
        if key not in self.known:
            self.known[key] = distance_km(self.point, Point(site.lat, site.lng))
        return self.known[key]


def _nearest(rough: list[tuple[T, float]], exact: _Exact) -> tuple[T, float] | None:
    if not rough:
        return None
    bound = min(km for _, km in rough) * (1 + 2 * SPHERE_ERROR) + 0.01
    return min(((site, exact(site)) for site, km in rough if km <= bound), key=lambda p: p[1])


def covers(radius_km: float, distance: float) -> bool:
    """Whether a station of `radius_km` serves a point `distance` km away (edge included)."""
    return distance <= radius_km + EDGE_TOLERANCE_KM


HALF_EARTH_KM = 20_040.0


@dataclass
class Coverage(Generic[T]):
    """Sites that serve a point (nearest first) and the nearest site overall."""

    stations: list[tuple[T, float]] = field(default_factory=list)
    nearest: tuple[T, float] | None = None


def coverage_of(point: Point, in_box: Callable[[Point, float], list[T]], widest_km: float,
                everyone: Callable[[], Iterable[T]]) -> Coverage[T]:
    """Which sites (with `lat`, `lng`, `coverage_km`) serve `point`, and the nearest one.

    `in_box(point, km)` returns a superset of the sites within `km` (a bounding-box query,
    on an index in the database or in memory); `widest_km` is the largest radius of all.
    Exact geodesics are computed only for the sites a spherical bound cannot rule out.
    """
    if widest_km <= 0:
        return Coverage()
    rough, exact = _rough(point, in_box(point, widest_km)), _Exact(point)
    serving = sorted(((site, exact(site)) for site, km in rough
                      if km <= site.coverage_km * (1 + SPHERE_ERROR) + 0.01
                      and covers(site.coverage_km, exact(site))), key=lambda pair: pair[1])
    found = _nearest(rough, exact)
    if found is None or found[1] > widest_km:
        found = nearest_by_widening(point, in_box, widest_km * 2, everyone)
    return Coverage(serving, found)


def nearest_by_widening(point: Point, in_box: Callable[[Point, float], list[T]], start_km: float,
                        everyone: Callable[[], Iterable[T]]) -> tuple[T, float] | None:
    """The nearest site, searching boxes of doubling size. A site found within the searched
    radius is the nearest of all: the box holds the whole circle."""
    radius = max(start_km, 1.0)
    while radius < HALF_EARTH_KM:
        found = nearest(point, in_box(point, radius))
        if found and found[1] <= radius:
            return found
        radius *= 2
    return nearest(point, everyone())
