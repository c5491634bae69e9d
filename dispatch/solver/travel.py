"""The travel model of the exchange format, in one place.

The solver, the booking-slot code and the benchmarks all ask this module for distances and
travel times, so that a plan the solver makes is the plan `verify_plan.py` recomputes.
Matrices are built with numpy; the geodesic model uses a vectorised Vincenty inverse
(sub-millimetre against geographiclib, which `verify_plan.py` uses) and falls back to
geographiclib for the rare pairs where Vincenty does not converge.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic

from dispatch.solver.problem import Location, Travel

# WGS84, as geographiclib's Geodesic.WGS84.
_A = 6378137.0
_F = 1 / 298.257223563
_B = _A * (1 - _F)
# Relative margin added before rounding a geodesic travel time up, so that a Vincenty
# distance a hair shorter than geographiclib's never gives a second less than the checker.
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
    metres = Geodesic.WGS84.Inverse(a.lat, a.lng, b.lat, b.lng, Geodesic.DISTANCE)["s12"]
    distance = metres * travel.detour_factor
    return distance, float(math.ceil(distance * (1 + _GEODESIC_MARGIN) / (travel.speed_kmh / 3.6)))


def _geodesic_seconds(distance: np.ndarray, speed_kmh: float) -> np.ndarray:
    return np.ceil(distance * (1 + _GEODESIC_MARGIN) / (speed_kmh / 3.6))


def _geodesic_matrix(latlng: np.ndarray) -> np.ndarray:
    """Geodesic metres between all pairs: Vincenty in numpy, geographiclib where it stalls."""
    n = len(latlng)
    if n == 0:
        return np.zeros((0, 0))
    i, j = np.triu_indices(n, k=1)
    metres, converged = _vincenty(latlng[i], latlng[j])
    for k in np.flatnonzero(~converged):
        p, q = latlng[i[k]], latlng[j[k]]
        metres[k] = Geodesic.WGS84.Inverse(p[0], p[1], q[0], q[1], Geodesic.DISTANCE)["s12"]
    out = np.zeros((n, n))
    out[i, j] = metres
    out[j, i] = metres
    return out


def _vincenty(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vincenty's inverse formula on arrays of (lat, lng) degrees; returns metres, converged."""
    u1 = np.arctan((1 - _F) * np.tan(np.radians(p[:, 0])))
    u2 = np.arctan((1 - _F) * np.tan(np.radians(q[:, 0])))
    big_l = np.radians(q[:, 1] - p[:, 1])
    su1, cu1, su2, cu2 = np.sin(u1), np.cos(u1), np.sin(u2), np.cos(u2)
    lam = big_l.copy()
    converged = np.zeros(len(lam), dtype=bool)
    for _ in range(200):
        sl, cl = np.sin(lam), np.cos(lam)
        sin_sigma = np.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        cos_sigma = su1 * su2 + cu1 * cu2 * cl
        sigma = np.arctan2(sin_sigma, cos_sigma)
        safe = np.where(sin_sigma == 0, 1.0, sin_sigma)
        sin_alpha = np.where(sin_sigma == 0, 0.0, cu1 * cu2 * sl / safe)
        cos2_alpha = 1 - sin_alpha**2
        safe_c2a = np.where(cos2_alpha == 0, 1.0, cos2_alpha)
        cos_2sm = np.where(cos2_alpha == 0, 0.0, cos_sigma - 2 * su1 * su2 / safe_c2a)
        c = _F / 16 * cos2_alpha * (4 + _F * (4 - 3 * cos2_alpha))
        new = big_l + (1 - c) * _F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2)))
        converged = np.abs(new - lam) < 1e-13
        lam = new
        if converged.all():
            break
    u_sq = cos2_alpha * (_A**2 - _B**2) / _B**2
    a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = b * sin_sigma * (cos_2sm + b / 4 * (
        cos_sigma * (-1 + 2 * cos_2sm**2)
        - b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)))
    return _B * a * (sigma - delta), converged & np.isfinite(sigma)
