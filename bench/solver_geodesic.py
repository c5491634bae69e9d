"""Geodesic matrices: the vectorised Vincenty dispatch/solver/travel.py had until 2026-12-03
against what it uses now, pyproj's Geod.inv (Karney, in C), and geographiclib (pure
Python, verify_plan.py's), on seeded station points.

`python bench/solver_geodesic.py`: seconds per matrix (best of 5) and the largest
difference in metres to geographiclib, which verify_plan.py uses.
"""
from __future__ import annotations

import math
import random
import time

import numpy as np
from geographiclib.geodesic import Geodesic

from dispatch.solver.travel import _geodesic_matrix as pyproj_in_travel

# WGS84, as geographiclib's Geodesic.WGS84.
_A = 6378137.0
_F = 1 / 298.257223563
_B = _A * (1 - _F)


def vincenty_matrix(latlng: np.ndarray) -> np.ndarray:
    """What dispatch/solver/travel.py computed until 2026-12-03: Vincenty in numpy,
    geographiclib where it stalls."""
    n = len(latlng)
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


def points(n: int, seed: int, radius_km: float = 30.0, centre=(31.2304, 121.4737)) -> np.ndarray:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r, a = radius_km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        out.append((centre[0] + r * math.cos(a) / 111.32,
                    centre[1] + r * math.sin(a) / (111.32 * math.cos(math.radians(centre[0])))))
    return np.array(out)


def best(fn, repeat: int = 5) -> tuple[float, np.ndarray]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value


def main() -> None:
    print(f"{'points':>6} {'pairs':>7} {'vincenty s':>11} {'pyproj s':>9} {'ratio':>6} "
          f"{'max |vincenty-gl| m':>20} {'max |pyproj-gl| m':>18}")
    for n in (31, 61, 121, 301, 1001):
        latlng = points(n, seed=n)
        t_v, ours = best(lambda latlng=latlng: vincenty_matrix(latlng))
        t_p, theirs = best(lambda latlng=latlng: pyproj_in_travel(latlng))
        i, j = np.triu_indices(n, k=1)
        sample = range(0, len(i), max(1, len(i) // 2000))
        exact = np.array([Geodesic.WGS84.Inverse(*latlng[i[k]], *latlng[j[k]], Geodesic.DISTANCE)["s12"]
                          for k in sample])
        idx = (i[list(sample)], j[list(sample)])
        print(f"{n:6d} {len(i):7d} {t_v:11.5f} {t_p:9.5f} {t_v / t_p:6.2f} "
              f"{np.abs(ours[idx] - exact).max():20.2e} {np.abs(theirs[idx] - exact).max():18.2e}")


if __name__ == "__main__":
    main()
