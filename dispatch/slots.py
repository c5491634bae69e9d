"""Appointment windows an engineer can offer.

Today this knows the engineer's working pattern (shift hours and working days); the booking
issue adds the visits already booked and the travel between them, here, so that every
page asks one place which windows are real.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


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


def next_window(pattern: WorkPattern, now: datetime, length_min: int, lead_min: int,
                horizon_days: int = 14) -> Window | None:
    """The first window starting at least `lead_min` after `now` (naive station time)."""
    earliest = now + timedelta(minutes=lead_min)
    for offset in range(horizon_days + 1):
        for window in windows_on(now.date() + timedelta(days=offset), pattern, length_min):
            if window.start >= earliest:
                return window
    return None


def local_now(timezone_name: str) -> datetime:
    """Now as a naive datetime in the station's time zone (how windows are expressed)."""
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo(timezone_name)).replace(tzinfo=None)
