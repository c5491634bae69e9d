"""The station network held in memory by each worker, for hot paths.

The engineer listing needs coverage on every request. Three thousand stations are a few
hundred kilobytes, so each process keeps them (reloaded every REFERENCE_DATA_SECONDS) and
answers the same bounding-box question with numpy instead of a database round trip; the
exact geodesic rules are the same `coverage_of` the coverage API uses.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from flask import current_app

from dispatch.coverage import Coverage, Point, bounding_box, coverage_of
from dispatch.models import Station
from extensions import db


@dataclass(frozen=True)
class StationRef:
    id: int
    code: str
    name: str
    lat: float
    lng: float
    coverage_km: float


class StationIndex:
    def __init__(self, stations: list[StationRef]) -> None:
        self.stations = stations
        self.lat = np.array([s.lat for s in stations], dtype=float)
        self.lng = np.array([s.lng for s in stations], dtype=float)
        self.widest = max((s.coverage_km for s in stations), default=0.0)

    def in_box(self, point: Point, radius_km: float) -> list[StationRef]:
        box = bounding_box(point, radius_km)
        mask = (self.lat >= box.south) & (self.lat <= box.north)
        if box.west is not None:
            mask &= (self.lng >= box.west) & (self.lng <= box.east)
        return [self.stations[i] for i in np.flatnonzero(mask)]

    def coverage(self, point: Point) -> Coverage[StationRef]:
        return coverage_of(point, self.in_box, self.widest, lambda: self.stations)


def station_index() -> StationIndex:
    """This process's index, reloaded when older than REFERENCE_DATA_SECONDS."""
    holder = current_app.extensions.setdefault("station_index", {})
    max_age = current_app.config["REFERENCE_DATA_SECONDS"]
    if "index" not in holder or time.monotonic() - holder["loaded"] > max_age:
        rows = db.session.execute(db.select(
            Station.id, Station.code, Station.name, Station.lat, Station.lng, Station.coverage_km)
            .order_by(Station.id)).all()
        holder["index"] = StationIndex([StationRef(*row) for row in rows])
        holder["loaded"] = time.monotonic()
    return holder["index"]
