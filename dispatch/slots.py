"""Appointment windows an engineer can offer: their working pattern (shift hours, working
days), the visits already booked and the travel to and from them, checked exactly with the
solver's travel model, so that every window shown can really be booked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dispatch.feasibility import Day, DayStop, feasible
from dispatch.rules import TravelRules


@dataclass(frozen=True)
class WorkPattern:
    """Minutes after midnight, station time; ISO weekdays as a string ("123456")."""

    shift_start: int
    shift_end: int
    work_days: str

    def works_on(self, day: date) -> bool:
        return str(day.isoweekday()) in self.work_days


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def windows_on(day: date, pattern: WorkPattern, length_min: int) -> list[Window]:
    """The back-to-back appointment windows of a working day (none on a day off)."""
    if not pattern.works_on(day):
        return []
    midnight = datetime.combine(day, time())
    starts = range(pattern.shift_start, pattern.shift_end - length_min + 1, length_min)
    return [Window(midnight + timedelta(minutes=m), midnight + timedelta(minutes=m + length_min))
            for m in starts]


def local_now(timezone_name: str) -> datetime:
    """Now as a naive datetime in the station's time zone (how windows are expressed)."""
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo(timezone_name)).replace(tzinfo=None)


# --- Windows an engineer can still make, given the visits already booked -------------------

def clock_seconds(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def hhmm_seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float


@dataclass(frozen=True)
class Booked:
    """A visit already in the engineer's day (station-local times)."""

    key: object
    place: Place
    minutes: int
    window: tuple[datetime, datetime]
    started: datetime | None = None  # en route / on site: it stays where it is


@dataclass(frozen=True)
class DayRules:
    """What every day of this engineer is made of."""

    pattern: WorkPattern
    home: Place                       # the station: out from and back to
    window_minutes: int
    lunch_window: tuple[int, int]     # seconds after midnight
    lunch_minutes: int
    travel: TravelRules


def free_windows(rules: DayRules, day: date, booked: list[Booked], place: Place, minutes: int,
                 earliest: datetime) -> list[Window]:
    """The appointment windows of `day` in which a visit of `minutes` at `place` fits beside
    the `booked` ones: checked exactly (dispatch.feasibility) with the solver's travel."""
    candidates = [w for w in windows_on(day, rules.pattern, rules.window_minutes)
                  if w.start >= earliest]
    if not candidates:
        return []
    seconds = travel_seconds(rules.travel, [rules.home] + [b.place for b in booked] + [place])
    fixed_stops = tuple(day_stop(b, i + 1) for i, b in enumerate(booked))
    new_node = len(booked) + 1
    shift = (rules.pattern.shift_start * 60, rules.pattern.shift_end * 60)
    free = []
    for window in candidates:
        stop = DayStop("new", new_node, minutes * 60,
                       (clock_seconds(window.start), clock_seconds(window.end)))
        plan = Day(shift, 0, fixed_stops + (stop,), rules.lunch_window, rules.lunch_minutes)
        if feasible(plan, lambda a, b: seconds[a][b]):
            free.append(window)
    return free


def fits(rules: DayRules, day: date, booked: list[Booked], place: Place, minutes: int,
         window: Window) -> bool:
    """Whether this one window is still free (the booking transaction's re-check)."""
    return window in free_windows(rules, day, booked, place, minutes, window.start)


def day_stop(booked: Booked, node: int) -> DayStop:
    if booked.started is not None:
        at = clock_seconds(booked.started)
        return DayStop(booked.key, node, booked.minutes * 60, (at, at))
    return DayStop(booked.key, node, booked.minutes * 60,
                   (clock_seconds(booked.window[0]), clock_seconds(booked.window[1])))


def travel_seconds(travel: TravelRules, places: list[Place]) -> list[list[float]]:
    """Travel times between places by the exchange format's model (dispatch.solver.travel)."""
    from dispatch.solver.problem import Location, Travel
    from dispatch.solver.travel import matrices
    model = Travel(model=travel.model, speed_kmh=travel.speed_kmh,
                   detour_factor=travel.detour_factor)
    locations = [Location(id=str(i), index=i, lat=p.lat, lng=p.lng) for i, p in enumerate(places)]
    return matrices(model, locations).time.tolist()
