"""Coverage gaps: where people searched or tried to book and no station covers them, and
where new stations would cover most of that demand.

Recording keeps no personal data: only the place's cell on a grid of hundredths of a
degree (about 1 km), the source ("search" or "booking") and the day. The map reads the
records grouped in SQL into cells of a tenth of a degree (about 11 km) with their count and
mean position, so a page over 100,000 records handles a few thousand cells, not the rows.

Suggested sites come from greedy maximum coverage. Candidates are the demand cells
themselves (each at the mean position of its records): we have no offline gazetteer of
county seats beyond the stations' own, which are covered already, and a site where the
refused customers actually are is what a person would choose. Each step takes the
candidate whose disc (the default station radius) covers the most demand not yet covered
by a station or an earlier pick. Distances here are on the mean sphere (within 0.5 % of
the geodesic): the cells are 11 km wide, so that error does not change a suggestion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from flask import after_this_request, current_app, g, has_request_context
from sqlalchemy import Float, cast, func, select
from sqlalchemy.exc import SQLAlchemyError

from dispatch.coverage import MEAN_EARTH_RADIUS_KM, Point
from dispatch.models import Station, UncoveredRequest
from extensions import db

SOURCES = ("search", "booking")
RECORD_CELLS_PER_DEGREE = 100      # a recorded place: 0.01° (about 1 km)
MAP_CELLS_PER_DEGREE = 10          # the map and the suggestions: 0.1° (about 11 km)
GROUP = RECORD_CELLS_PER_DEGREE // MAP_CELLS_PER_DEGREE
# Offsets that make every cell index positive, so that integer division is a floor in SQL
# (PostgreSQL and SQLite both truncate towards zero).
LAT_OFFSET, LNG_OFFSET = 90 * RECORD_CELLS_PER_DEGREE, 180 * RECORD_CELLS_PER_DEGREE
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LNG = 111.320
HEAVY_OVERLAP = 0.5                # a pair shares at least half of the smaller disc
MOST_SUGGESTIONS = 10


# --- Recording ---------------------------------------------------------------------------

def cell_of(point: Point) -> tuple[int, int]:
    """The recording cell of a point: its coordinates in hundredths of a degree."""
    return round(point.lat * RECORD_CELLS_PER_DEGREE), round(point.lng * RECORD_CELLS_PER_DEGREE)


def record_uncovered(point: Point, source: str, day: date) -> None:
    """Remember that someone was told this place is not covered. In a request the record is
    written once the response is ready, in a transaction of its own, so that a refused
    booking rolling back its own work still leaves the record; the same cell and source are
    kept once a request. Outside a request it joins the caller's transaction. `day` is the
    station's day (the caller's clock), not the UTC date."""
    lat_cell, lng_cell = cell_of(point)
    row = {"day": day, "source": source, "lat_cell": lat_cell, "lng_cell": lng_cell}
    if not has_request_context():
        db.session.add(UncoveredRequest(**row))
        return
    if "uncovered_requests" not in g:
        g.uncovered_requests = {}
        after_this_request(_write_recorded)
    g.uncovered_requests.setdefault((source, lat_cell, lng_cell), row)


def _write_recorded(response):
    """Write the request's records after the view: whatever the view left uncommitted was
    to be rolled back at the end of the request anyway. A failure costs the record, never
    the page."""
    rows = list(g.pop("uncovered_requests", {}).values())
    try:
        db.session.rollback()
        db.session.add_all(UncoveredRequest(**row) for row in rows)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("uncovered requests not recorded")
    return response


# --- Reading: demand cells and stations ---------------------------------------------------

@dataclass
class Cells:
    """Map cells with demand: their integer indexes, mean position and count."""

    lat_index: np.ndarray
    lng_index: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    count: np.ndarray

    def __len__(self) -> int:
        return len(self.count)


@dataclass
class Sites:
    """Stations as plain arrays (and their codes and names for the page)."""

    code: list[str]
    name: list[str]
    lat: np.ndarray
    lng: np.ndarray
    km: np.ndarray


def demand_cells(since: date, until: date) -> Cells:
    """Uncovered requests of the days `since`…`until`, grouped in SQL by map cell."""
    la = (UncoveredRequest.lat_cell + LAT_OFFSET) // GROUP
    lo = (UncoveredRequest.lng_cell + LNG_OFFSET) // GROUP
    rows = db.session.execute(
        select(la, lo, func.count(), cast(func.avg(UncoveredRequest.lat_cell), Float),
               cast(func.avg(UncoveredRequest.lng_cell), Float))
        .where(UncoveredRequest.day >= since, UncoveredRequest.day <= until)
        .group_by(la, lo).order_by(la, lo)).all()
    return cells_from(rows)


def cells_from(rows) -> Cells:
    """Cells from (lat index, lng index, count, mean lat cell, mean lng cell) rows."""
    table = np.array([tuple(r) for r in rows], dtype=float).reshape(-1, 5)
    return Cells(table[:, 0].astype(np.int64), table[:, 1].astype(np.int64),
                 table[:, 3] / RECORD_CELLS_PER_DEGREE, table[:, 4] / RECORD_CELLS_PER_DEGREE,
                 table[:, 2].astype(np.int64))


def cells_of_points(points: list[tuple[float, float]]) -> Cells:
    """Map cells of plain (lat, lng) records, grouped as `demand_cells` groups rows: for
    tests and benchmarks that need no database."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for lat, lng in points:
        lat_cell, lng_cell = cell_of(Point(lat, lng))
        key = ((lat_cell + LAT_OFFSET) // GROUP, (lng_cell + LNG_OFFSET) // GROUP)
        groups.setdefault(key, []).append((lat_cell, lng_cell))
    rows = [(k[0], k[1], len(v), sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v))
            for k, v in sorted(groups.items())]
    return cells_from(rows)


def all_sites() -> Sites:
    """Every station's position and radius (plain columns: no ORM objects for 3,000 rows)."""
    rows = db.session.execute(select(Station.code, Station.name, Station.lat, Station.lng,
                                     Station.coverage_km).order_by(Station.code)).all()
    return sites_from(rows)


def sites_from(rows) -> Sites:
    """Sites from (code, name, lat, lng, km) rows."""
    return Sites([r[0] for r in rows], [r[1] for r in rows],
                 np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float),
                 np.array([r[4] for r in rows], dtype=float))


# --- Geometry ---------------------------------------------------------------------------

def sphere_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Haversine distances on the mean sphere, element by element."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.asarray(lng2) - lng1) / 2) ** 2)
    return 2 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def map_index(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The map cell indexes of positions (as `demand_cells` computes them in SQL)."""
    lat_cell = np.rint(np.asarray(lat) * RECORD_CELLS_PER_DEGREE).astype(np.int64)
    lng_cell = np.rint(np.asarray(lng) * RECORD_CELLS_PER_DEGREE).astype(np.int64)
    return (lat_cell + LAT_OFFSET) // GROUP, (lng_cell + LNG_OFFSET) // GROUP


def within(query_lat, query_lng, query_km, cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Every (query, cell) pair whose cell's mean position lies within the query's radius.

    Looks only at the cells a radius can reach: the cells' positions in a dense grid over
    their box (a few hundred thousand entries for the whole country), and for each offset
    in a window of cell indexes around the query's own cell one lookup finds the
    neighbour, if any, and one vectorised distance decides. No all-pairs matrix."""
    query_lat, query_lng = np.asarray(query_lat, dtype=float), np.asarray(query_lng, dtype=float)
    if not len(cells) or not len(query_lat):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    radius = np.broadcast_to(np.asarray(query_km, dtype=float), query_lat.shape)
    widest_lat = min(89.0, float(max(np.abs(query_lat).max(), np.abs(cells.lat).max())) + 1.0)
    cell_km_lat = KM_PER_DEGREE_LAT / MAP_CELLS_PER_DEGREE
    cell_km_lng = KM_PER_DEGREE_LNG * math.cos(math.radians(widest_lat)) / MAP_CELLS_PER_DEGREE
    reach_lat = math.ceil(radius.max() / cell_km_lat) + 1  # +1: a mean position anywhere in its cell
    reach_lng = math.ceil(radius.max() / cell_km_lng) + 1
    q_la, q_lo = map_index(query_lat, query_lng)
    # Queries beyond the cells' box (by more than the reach) find nothing: clip them to a
    # frame of empty entries around the box, which every offset then stays inside.
    la0, lo0 = int(cells.lat_index.min()) - 2 * reach_lat, int(cells.lng_index.min()) - 2 * reach_lng
    rows = int(cells.lat_index.max()) - la0 + 2 * reach_lat + 1
    cols = int(cells.lng_index.max()) - lo0 + 2 * reach_lng + 1
    grid = np.full((rows, cols), -1, dtype=np.int64)
    grid[cells.lat_index - la0, cells.lng_index - lo0] = np.arange(len(cells))
    at_la = np.clip(q_la - la0, reach_lat, rows - 1 - reach_lat)
    at_lo = np.clip(q_lo - lo0, reach_lng, cols - 1 - reach_lng)
    found_q, found_c = [], []
    for d_la in range(-reach_lat, reach_lat + 1):
        for d_lo in range(-reach_lng, reach_lng + 1):
            cell = grid[at_la + d_la, at_lo + d_lo]
            hit = np.flatnonzero(cell >= 0)
            if not len(hit):
                continue
            cell = cell[hit]
            near = sphere_km(query_lat[hit], query_lng[hit], cells.lat[cell], cells.lng[cell]) <= radius[hit]
            found_q.append(hit[near])
            found_c.append(cell[near])
    if not found_q:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(found_q), np.concatenate(found_c)


def overlap_share(r1: float, r2: float, d: float) -> float:
    """The share of the smaller disc that the other one covers (flat geometry: exact
    enough at station scale)."""
    small = min(r1, r2)
    if d >= r1 + r2:
        return 0.0
    if d <= abs(r1 - r2):
        return 1.0
    lens = (r1 * r1 * math.acos((d * d + r1 * r1 - r2 * r2) / (2 * d * r1))
            + r2 * r2 * math.acos((d * d + r2 * r2 - r1 * r1) / (2 * d * r2))
            - 0.5 * math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2)))
    return lens / (math.pi * small * small)


# --- What the map tells ------------------------------------------------------------------

def still_uncovered(cells: Cells, sites: Sites) -> np.ndarray:
    """Per cell, whether no station covers its mean position now (a station opened since
    the requests were refused covers them)."""
    free = np.ones(len(cells), dtype=bool)
    _, covered = within(sites.lat, sites.lng, sites.km, cells)
    free[covered] = False
    return free


def suggest_sites(cells: Cells, free: np.ndarray, radius_km: float,
                  most: int = MOST_SUGGESTIONS) -> list[dict]:
    """Greedy maximum coverage: up to `most` new sites (at demand cells), each the one
    that covers the most demand still uncovered, with what it adds."""
    left = np.where(free, cells.count, 0).astype(float)
    total = float(left.sum())
    candidate, covered = within(cells.lat, cells.lng, radius_km, cells)
    picks: list[dict] = []
    while len(picks) < most and total > 0:
        gains = np.bincount(candidate, weights=left[covered], minlength=len(cells))
        # Of the sites that add as much, the one with the most demand of its own: the heart
        # of a town's cluster rather than a point at its edge that reaches it all the same.
        tied = np.flatnonzero(gains == gains.max())
        best = int(tied[np.argmax(left[tied])])
        if gains[best] <= 0:
            break
        left[covered[candidate == best]] = 0.0
        picks.append({"lat": round(float(cells.lat[best]), 3), "lng": round(float(cells.lng[best]), 3),
                      "adds": int(gains[best]), "share": round(float(gains[best]) / total, 3),
                      "radius_km": radius_km})
    return picks


def heavy_overlaps(sites: Sites, share: float = HEAVY_OVERLAP) -> list[dict]:
    """Pairs of stations whose discs share at least `share` of the smaller one, most
    overlapping first."""
    found = []
    for i, j in close_pairs(sites):
        d = float(sphere_km(sites.lat[i], sites.lng[i], sites.lat[j], sites.lng[j]))
        s = overlap_share(float(sites.km[i]), float(sites.km[j]), d)
        if s >= share:
            found.append({"a": sites.code[i], "b": sites.code[j], "a_name": sites.name[i],
                          "b_name": sites.name[j], "km": round(d, 1), "share": round(s, 2)})
    found.sort(key=lambda p: (-p["share"], p["a"], p["b"]))
    return found


def close_pairs(sites: Sites) -> set[tuple[int, int]]:
    """Pairs of stations closer than the larger radius, through sorted latitudes: each
    station is compared only with those in its latitude band."""
    if not len(sites.code):
        return set()
    by_lat = np.argsort(sites.lat)
    lats = sites.lat[by_lat]
    reach = float(sites.km.max()) / KM_PER_DEGREE_LAT
    pairs = set()
    for rank, i in enumerate(by_lat):
        end = np.searchsorted(lats, sites.lat[i] + reach, side="right")
        others = by_lat[rank + 1:end]
        if not len(others):
            continue
        d = sphere_km(sites.lat[i], sites.lng[i], sites.lat[others], sites.lng[others])
        close = others[d < np.maximum(sites.km[i], sites.km[others])]
        pairs.update((min(int(i), int(j)), max(int(i), int(j))) for j in close)
    return pairs


def coverage_gaps(days: int, until: date, radius_km: float | None = None) -> dict:
    """The coverage-gap map's data: stations, uncovered demand by cell, heavy overlaps and
    suggested new sites, over the `days` up to the station day `until`."""
    since = until - timedelta(days=days - 1)
    radius_km = radius_km or current_app.config["COVERAGE_KM"]
    cells, sites = demand_cells(since, until), all_sites()
    free = still_uncovered(cells, sites)
    return gaps_of(cells, sites, free, radius_km) | {"since": since, "until": until}


def gaps_of(cells: Cells, sites: Sites, free: np.ndarray, radius_km: float) -> dict:
    recorded = int(cells.count.sum()) if len(cells) else 0
    return {
        "recorded": recorded,
        "uncovered": int(cells.count[free].sum()) if len(cells) else 0,
        "stations": [{"code": c, "name": n, "lat": float(a), "lng": float(b), "km": float(k)}
                     for c, n, a, b, k in zip(sites.code, sites.name, sites.lat, sites.lng, sites.km,
                                              strict=True)],
        "demand": np.column_stack((cells.lat[free].round(3), cells.lng[free].round(3),
                                   cells.count[free])).tolist() if len(cells) else [],
        "overlaps": heavy_overlaps(sites),
        "suggestions": [pick | nearest_station(pick, sites)
                        for pick in suggest_sites(cells, free, radius_km)],
    }


def nearest_station(pick: dict, sites: Sites) -> dict:
    """Where a suggested site is, in words a person knows: the nearest station and how far."""
    if not len(sites.code):
        return {}
    km = sphere_km(pick["lat"], pick["lng"], sites.lat, sites.lng)
    i = int(np.argmin(km))
    return {"near": sites.name[i], "near_km": round(float(km[i]))}
