"""The travel model of the exchange format, in one place.

The solver, the booking-slot code and the benchmarks all ask this module for distances and
travel times, so that a plan the solver makes is the plan `verify_plan.py` recomputes.
Matrices are built with numpy; geodesics come from pyproj's `Geod.inv`, Karney's algorithm
(the one geographiclib, and so `verify_plan.py`, runs) vectorised in C: nanometres from the
checker's distances, never a pair that fails to converge (docs/solver.md, "Travel").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from dispatch.solver.problem import Location, Travel

_WGS84 = Geod(ellps="WGS84")
# Relative margin added before rounding a geodesic travel time up, so that a distance a hair
# shorter than geographiclib's (C and Python round differently) never gives a second less
# than the checker.
_GEODESIC_MARGIN = 1e-7


@dataclass(frozen=True)
class Matrices:
    """Distances (metres or instance units) and travel times between locations, in order."""

    distance: np.ndarray
    time: np.ndarray


def matrices(travel: Travel, locations: list[Location]) -> Matrices:
    """Distance and travel-time matrices over `locations`, as the spec defines them."""
    if travel.model == "matrix":
        return Matrices(np.asarray(travel.distances, dtype=float), np.asarray(travel.durations, dtype=float))
    if travel.model == "euclidean":
        xy = np.array([[loc.x, loc.y] for loc in locations], dtype=float).reshape(-1, 2)
        diff = xy[:, None, :] - xy[None, :, :]
        distance = np.hypot(diff[..., 0], diff[..., 1]) * travel.scale
        return Matrices(distance, distance / travel.speed)
    latlng = np.array([[loc.lat, loc.lng] for loc in locations], dtype=float).reshape(-1, 2)
    distance = _geodesic_matrix(latlng) * travel.detour_factor
    return Matrices(distance, _geodesic_seconds(distance, travel.speed_kmh))


def leg(travel: Travel, a: Location, b: Location) -> tuple[float, float]:
    """(distance, travel time) of one trip, for callers that need a single pair (slots).

    For the matrix model the locations must carry their index (`Location.index`).
    """
    if a.id == b.id:
        return 0.0, 0.0
    if travel.model == "matrix":
        return float(travel.distances[a.index][b.index]), float(travel.durations[a.index][b.index])
    if travel.model == "euclidean":
        distance = math.hypot(a.x - b.x, a.y - b.y) * travel.scale
        return distance, distance / travel.speed
    metres = float(_WGS84.inv(a.lng, a.lat, b.lng, b.lat)[2])
    distance = metres * travel.detour_factor
    return distance, float(math.ceil(distance * (1 + _GEODESIC_MARGIN) / (travel.speed_kmh / 3.6)))


def _geodesic_seconds(distance: np.ndarray, speed_kmh: float) -> np.ndarray:
    return np.ceil(distance * (1 + _GEODESIC_MARGIN) / (speed_kmh / 3.6))


def _geodesic_matrix(latlng: np.ndarray) -> np.ndarray:
    """Geodesic metres between all pairs: pyproj's Geod.inv (Karney's algorithm in C)."""
    n = len(latlng)
    if n == 0:
        return np.zeros((0, 0))
    i, j = np.triu_indices(n, k=1)
    _, _, metres = _WGS84.inv(latlng[i, 1], latlng[i, 0], latlng[j, 1], latlng[j, 0])
    out = np.zeros((n, n))
    out[i, j] = metres
    out[j, i] = metres
    return out
