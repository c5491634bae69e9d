"""Why a booking or a kept window was refused, and what to offer instead.

The rule is derived from what the check finds, not guessed: the product the engineer does
not repair, the address outside their area, a window too soon, a day off, a window the
shift cannot hold (the visit and the trip out and back), the lunch break (without it the
visit would fit) or the day's booked visits (an empty day would hold it). The alternatives
are ranked: first the same engineer's free windows nearest the asked time, then engineers
of similar standing (level and stars closest to the chosen one's) free at the asked time.

The rule and the rankings are plain functions over the booking module's data
(dispatch.slots); `offer` gathers that data for one refusal. Standing (level and stars)
belongs to the marketplace, above this package: it registers its source with
`standing_source` and this module never imports it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from dispatch.feasibility import Day, DayStop, feasible
from dispatch.slots import (
    Booked,
    DayRules,
    Place,
    Window,
    clock_seconds,
    day_stop,
    travel_seconds,
    windows_on,
)

WHY_MESSAGES = {
    "skill": _l("The engineer does not repair this product."),
    "area": _l("This address is outside the engineer's service area."),
    "too_soon": _l("This window starts too soon to be booked."),
    "day_off": _l("The engineer does not work on this day."),
    "outside_shift": _l("The visit and the trip from and back to the station do not fit in the "
                        "engineer's shift at this time."),
    "lunch_break": _l("This time falls on the engineer's lunch break."),
    "day_full": _l("The visits already booked that day leave the engineer no room at this time."),
    "absent": _l("The engineer is not working that day."),
}


@dataclass(frozen=True)
class Why:
    """The rule that blocked a window, as a code the API gives and a sentence people read."""

    code: str

    @property
    def message(self) -> str:
        return str(WHY_MESSAGES[self.code])

    def as_json(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Standing:
    """What "similar" compares: the level's rank (0 = the first level) and average stars."""

    level_rank: int
    stars: float


@dataclass(frozen=True)
class Alternative:
    """Something to book instead: this engineer in this window."""

    kind: str  # "same_engineer" or "similar_engineer"
    engineer_id: int
    engineer_name: str
    window: Window

    def as_json(self) -> dict:
        return {"kind": self.kind, "engineer_id": self.engineer_id, "engineer_name": self.engineer_name,
                "start": self.window.start.isoformat(), "end": self.window.end.isoformat()}


# --- The rule: what the check found ---------------------------------------------------------

def _fits(rules: DayRules, booked: list[Booked], place: Place, minutes: int, window: Window,
          lunch: bool) -> bool:
    """The exact check of dispatch.slots for one window, with or without the lunch break."""
    seconds = travel_seconds(rules.travel, [rules.home] + [b.place for b in booked] + [place])
    stops = tuple(day_stop(b, i + 1) for i, b in enumerate(booked)) + (
        DayStop("new", len(booked) + 1, minutes * 60,
                (clock_seconds(window.start), clock_seconds(window.end))),)
    shift = (rules.pattern.shift_start * 60, rules.pattern.shift_end * 60)
    plan = Day(shift, 0, stops, rules.lunch_window if lunch else None,
               rules.lunch_minutes if lunch else 0)
    return feasible(plan, lambda a, b: seconds[a][b])


def why_window_refused(rules: DayRules, booked: list[Booked], place: Place, minutes: int,
                       window: Window, earliest: datetime) -> Why | None:
    """Which rule keeps this window from this engineer's day (None: it fits)."""
    day = window.start.date()
    if window.start < earliest:
        return Why("too_soon")
    if not rules.pattern.works_on(day):
        return Why("day_off")
    if window not in windows_on(day, rules.pattern, rules.window_minutes):
        return Why("outside_shift")
    if _fits(rules, booked, place, minutes, window, lunch=True):
        return None
    if not _fits(rules, [], place, minutes, window, lunch=True):
        # Even an empty day cannot hold it: the break, or else the shift itself.
        return Why("lunch_break" if _fits(rules, [], place, minutes, window, lunch=False)
                   else "outside_shift")
    if booked and _fits(rules, booked, place, minutes, window, lunch=False):
        return Why("lunch_break")
    return Why("day_full")


# --- The rankings -----------------------------------------------------------------------------

def nearest_windows(free: list[Window], asked: datetime, count: int = 3) -> list[Window]:
    """The free windows closest to the asked time (earlier first on a tie)."""
    return sorted(free, key=lambda w: (abs(w.start - asked), w.start))[:count]


def most_similar(chosen: Standing | None, others: dict[int, Standing | None], count: int = 3) -> list[int]:
    """Engineer ids ranked by how close their level, then their stars, are to the chosen one's."""
    def distance(engineer_id: int) -> tuple:
        theirs = others[engineer_id]
        if chosen is None or theirs is None:
            return (1, 0, 0.0, engineer_id)
        return (0, abs(theirs.level_rank - chosen.level_rank), abs(theirs.stars - chosen.stars), engineer_id)
    return sorted(others, key=distance)[:count]


# --- Standing, from the marketplace ---------------------------------------------------------

_standing_sources: list[Callable[[list[int]], dict[int, Standing]]] = []


def standing_source(source: Callable[[list[int]], dict[int, Standing]]):
    """Register where standing comes from (the marketplace does, being above dispatch)."""
    if source not in _standing_sources:
        _standing_sources.append(source)
    return source


def standing_of(engineer_ids: list[int]) -> dict[int, Standing]:
    found: dict[int, Standing] = {}
    for source in _standing_sources:
        found.update(source(engineer_ids))
    return found


# --- Gathering one refusal's alternatives -----------------------------------------------------

def offer(engineer, request, now: datetime, excluding: int | None = None, days: int = 7,
          count: int = 3) -> list[Alternative]:
    """The ranked alternatives to `request` with `engineer` (its window_start the asked
    time): their own windows nearest it, then similar engineers free at that time."""
    from dispatch.booking import earliest_start
    asked = request.window_start or earliest_start(now)
    found = [Alternative("same_engineer", engineer.id, engineer.display_name, w)
             for w in nearest_windows(own_windows(engineer, request, now, excluding, days), asked, count)]
    if request.window_start is not None:
        found += similar_free_at(engineer, request, now, count)
    return found


def absent_days(engineer_id: int, first: date, days: int) -> set[date]:
    """Days the station marked this engineer absent (the booking windows know only the
    usual pattern, so the alternatives leave these out)."""
    from sqlalchemy import select

    from dispatch.models import EngineerDay
    from extensions import db
    return set(db.session.execute(select(EngineerDay.day).where(
        EngineerDay.engineer_id == engineer_id, EngineerDay.absent.is_(True),
        EngineerDay.day >= first, EngineerDay.day < first + timedelta(days=days))).scalars())


def own_windows(engineer, request, now: datetime, excluding: int | None, days: int) -> list[Window]:
    """The engineer's free windows from today, none on a day they are marked absent."""
    from dispatch.booking import OutOfArea, Request, SkillMissing, engineer_slots
    first = now.date()
    try:
        free = engineer_slots(engineer, Request(request.skill, request.place), first, days, now, excluding)
    except (OutOfArea, SkillMissing):
        return []
    away = absent_days(engineer.id, first, days)
    return [w for w in free if w.start.date() not in away]


def similar_free_at(engineer, request, now: datetime, count: int) -> list[Alternative]:
    """Other engineers with the product, covering the address, free in the asked window,
    most similar in standing first."""
    from dispatch.booking import (
        OutOfArea,
        booked_days,
        covering_engineers,
        earliest_start,
        fits,
        rules_for,
        visit_minutes,
        window_of,
    )
    window = window_of(request.window_start)
    day = window.start.date()
    if window.start < earliest_start(now):
        return []
    try:
        others = [e for e in covering_engineers(request) if e.id != engineer.id]
    except OutOfArea:
        return []
    booked = booked_days([e.id for e in others], day, 1)
    minutes = visit_minutes(request.skill.code)
    able = {e.id: e for e in others
            if day not in absent_days(e.id, day, 1)
            and fits(rules_for(e), day, booked.get((e.id, day), []), request.place, minutes, window)}
    standing = standing_of([engineer.id, *able])
    ranked = most_similar(standing.get(engineer.id), {i: standing.get(i) for i in able}, count)
    return [Alternative("similar_engineer", i, able[i].display_name, window) for i in ranked]


def refusal_json(why: Why | None, alternatives: list[Alternative]) -> dict:
    """The API's `errors` additions of a refused booking."""
    return {"why": why.as_json() if why else None, "alternatives": [a.as_json() for a in alternatives]}
