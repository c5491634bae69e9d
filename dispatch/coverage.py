"""Which stations cover a point: geodesic distance over plain numbers, no database.

The database narrows the candidates with a bounding box on indexed columns
(`bounding_box`); the exact answer is the geodesic distance on the WGS-84 ellipsoid
(geopy), compared with each station's own radius.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, TypeVar

from geopy.distance import geodesic

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
    """Geodesic distance on the WGS-84 ellipsoid."""
    return geodesic((a.lat, a.lng), (b.lat, b.lng)).km


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
    rough = [(site, sphere_km(point, Point(site.lat, site.lng))) for site in sites]
    if not rough:
        return None
    bound = min(km for _, km in rough) * (1 + 2 * SPHERE_ERROR) + 0.01
    ranked = rank_by_distance(point, (site for site, km in rough if km <= bound))
    return ranked[0]


def covers(radius_km: float, distance: float) -> bool:
    """Whether a station of `radius_km` serves a point `distance` km away (edge included)."""
    return distance <= radius_km + EDGE_TOLERANCE_KM
