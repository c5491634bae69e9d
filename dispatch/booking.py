"""Booking a visit: the windows an engineer can still make, and taking one of them safely.

A booking re-checks its window inside the transaction after taking the engineer's booking
lock (an UPDATE of the engineer's row: a row lock on PostgreSQL, the database write lock on
SQLite), so that of any number of simultaneous bookings of a last window exactly one wins.
The customer's own cap (BOOKING_CAP_PER_DAY active visits a day, whoever books) is checked
the same way, under a lock of the customer's row taken first.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.exceptions import Conflict, UnprocessableEntity

from accounts.models import User
from accounts.verification import require_verified_phone
from dispatch.alternatives import why_window_refused
from dispatch.coverage import Point
from dispatch.gaps import record_uncovered
from dispatch.lifecycle import new_code
from dispatch.models import Engineer, EngineerDay, Skill, Visit, VisitEvent
from dispatch.rules import day_plan_rules
from dispatch.signals import visit_booked, visit_moved
from dispatch.slots import (
    Booked,
    DayRules,
    Place,
    Window,
    WorkPattern,
    fits,
    free_windows,
    local_now,
)
from dispatch.station_index import station_index
from extensions import db

ACTIVE = ("scheduled", "en_route", "on_site")  # visits that hold a place in a day


class OutOfArea(UnprocessableEntity):
    description = _l("This address is outside the engineer's service area.")
    why_code = "area"

    def __init__(self, description=None, engineer=None, request=None, now=None) -> None:
        UnprocessableEntity.__init__(self, description)  # shared with SkillMissing
        self.context = (engineer, request, now, None)

    @property
    def why(self):
        from dispatch.alternatives import Why
        return Why(self.why_code)

    def alternatives(self) -> list:
        """Ranked alternatives (dispatch.alternatives), gathered only when someone reads them."""
        from dispatch.alternatives import offer
        engineer, request, now, excluding = self.context
        return offer(engineer, request, now, excluding) if engineer is not None else []

    @property
    def data(self) -> dict:
        """What the API's error handler adds to the answer: `errors.why`, `errors.alternatives`."""
        from dispatch.alternatives import refusal_json
        return {"errors": refusal_json(self.why, self.alternatives())}


class SkillMissing(UnprocessableEntity):
    description = _l("The engineer does not repair this product.")
    why_code = "skill"
    __init__ = OutOfArea.__init__
    why, alternatives, data = OutOfArea.why, OutOfArea.alternatives, OutOfArea.data


class WindowTaken(Conflict):
    """The window filled up meanwhile; carries the windows still free, the rule that keeps
    the window (when one engineer was asked for) and, on reading, ranked alternatives."""

    description = _l("This window is no longer free.")

    def __init__(self, free: list[Window], why=None, engineer=None, request=None, now=None,
                 excluding: int | None = None) -> None:
        super().__init__()
        self.free = free
        self.why = why
        self.context = (engineer, request, now, excluding)

    def alternatives(self) -> list:
        from dispatch.alternatives import offer
        engineer, request, now, excluding = self.context
        return offer(engineer, request, now, excluding) if engineer is not None else []


class BookingCapReached(Conflict):
    """The customer holds as many active visits on that day as one customer may."""

    def __init__(self, cap: int) -> None:
        super().__init__(_("One customer can have at most %(cap)s visits a day, and this day "
                           "is full: choose another day, or change or cancel a visit.", cap=cap))


@dataclass(frozen=True)
class Request:
    """What a customer asks for (validated by the schema at the edge)."""

    skill: Skill
    place: Place
    window_start: datetime | None = None


def station_now() -> datetime:
    """Now in station time (naive), the clock windows and visits are written in."""
    return local_now(day_plan_rules().timezone)


def visit_minutes(skill_code: str) -> int:
    return day_plan_rules().minutes_on_site(skill_code)


def rules_for(engineer: Engineer) -> DayRules:
    """This engineer's day: their shift and station under the network's day-plan rules."""
    rules = day_plan_rules()
    return DayRules(
        pattern=WorkPattern(engineer.shift_start, engineer.shift_end, engineer.work_days),
        home=Place(engineer.station.lat, engineer.station.lng),
        window_minutes=rules.window_minutes,
        lunch_window=rules.lunch_window,
        lunch_minutes=rules.lunch_minutes,
        travel=rules.travel)


def earliest_start(now: datetime) -> datetime:
    return now + timedelta(minutes=day_plan_rules().lead_minutes)


def booked_days(engineer_ids: list[int], first: date, days: int,
                excluding: int | None = None) -> dict[tuple[int, date], list[Booked]]:
    """The visits holding a place in these engineers' days, by (engineer, day)."""
    start = datetime.combine(first, time())
    query = select(Visit).where(
        Visit.engineer_id.in_(engineer_ids), Visit.status.in_(ACTIVE),
        Visit.window_start >= start, Visit.window_start < start + timedelta(days=days))
    if excluding is not None:
        query = query.where(Visit.id != excluding)
    found: dict[tuple[int, date], list[Booked]] = defaultdict(list)
    for v in db.session.execute(query).scalars():
        found[(v.engineer_id, v.window_start.date())].append(Booked(
            v.id, Place(v.lat, v.lng), v.duration_minutes, (v.window_start, v.window_end),
            v.on_site_at if v.status == "on_site" else None))
    return found


def days_off(engineer_ids: list[int], first: date, days: int) -> set[tuple[int, date]]:
    """(engineer, day) pairs the station marked absent: nobody books them then."""
    return {(e, d) for e, d in db.session.execute(select(EngineerDay.engineer_id, EngineerDay.day).where(
        EngineerDay.engineer_id.in_(engineer_ids), EngineerDay.absent.is_(True),
        EngineerDay.day >= first, EngineerDay.day < first + timedelta(days=days)))}


def check_engineer(engineer: Engineer, request: Request) -> None:
    if request.skill.code not in {s.code for s in engineer.skills}:
        raise SkillMissing(engineer=engineer, request=request, now=station_now())
    coverage = station_index().coverage(Point(request.place.lat, request.place.lng))
    if engineer.station_id not in {s.id for s, _ in coverage.stations}:
        raise OutOfArea(engineer=engineer, request=request, now=station_now())


def engineer_slots(engineer: Engineer, request: Request, first: date, days: int,
                   now: datetime, excluding: int | None = None) -> list[Window]:
    """Every window in `days` days from `first` in which this engineer can fit the visit."""
    check_engineer(engineer, request)
    rules, minutes = rules_for(engineer), visit_minutes(request.skill.code)
    booked = booked_days([engineer.id], first, days, excluding)
    earliest, off = earliest_start(now), days_off([engineer.id], first, days)
    return [w for k in range(days) if (engineer.id, first + timedelta(days=k)) not in off
            for w in free_windows(rules, first + timedelta(days=k),
                                  booked.get((engineer.id, first + timedelta(days=k)), []),
                                  request.place, minutes, earliest)]


def covering_engineers(request: Request) -> list[Engineer]:
    coverage = station_index().coverage(Point(request.place.lat, request.place.lng))
    station_ids = [s.id for s, _ in coverage.stations]
    if not station_ids:
        record_uncovered(Point(request.place.lat, request.place.lng), "booking", station_now().date())
        raise OutOfArea(_l("No station serves this address yet."))
    return list(db.session.execute(
        select(Engineer).where(Engineer.station_id.in_(station_ids),
                               Engineer.skills.any(Skill.id == request.skill.id))
        .order_by(Engineer.id)).scalars())


def any_engineer_slots(request: Request, first: date, days: int,
                       now: datetime) -> list[tuple[Window, list[int]]]:
    """Windows in which some engineer of the covering stations can come, with who can."""
    engineers = covering_engineers(request)
    booked = booked_days([e.id for e in engineers], first, days)
    minutes, earliest = visit_minutes(request.skill.code), earliest_start(now)
    off = days_off([e.id for e in engineers], first, days)
    who: dict[Window, list[int]] = defaultdict(list)
    for engineer in engineers:
        rules = rules_for(engineer)
        for k in range(days):
            day = first + timedelta(days=k)
            if (engineer.id, day) in off:
                continue
            for w in free_windows(rules, day, booked.get((engineer.id, day), []), request.place,
                                  minutes, earliest):
                who[w].append(engineer.id)
    return sorted(who.items(), key=lambda item: item[0].start)


def lock_engineers(engineer_ids: list[int]) -> None:
    """Take the booking lock of these engineers, in id order (no deadlocks)."""
    for engineer_id in sorted(engineer_ids):
        db.session.execute(update(Engineer).where(Engineer.id == engineer_id)
                           .values(booking_version=Engineer.booking_version + 1)
                           .execution_options(synchronize_session=False))


def booking_cap() -> int:
    return day_plan_rules().booking_cap_per_day


def lock_customer(customer_id: int) -> None:
    """Take the customer's booking lock: an UPDATE of their row that changes nothing (a row
    lock on PostgreSQL, the write lock on SQLite), taken before any engineer's."""
    db.session.execute(update(User).where(User.id == customer_id)
                       .values(session_version=User.session_version)
                       .execution_options(synchronize_session=False))


def _active_windows(customer_id: int, first: date, last: date, excluding: int | None):
    """SQL: the window starts of the customer's active visits from `first` to `last`."""
    query = select(Visit.window_start).where(
        Visit.customer_id == customer_id, Visit.status.in_(ACTIVE),
        Visit.window_start >= datetime.combine(first, time()),
        Visit.window_start < datetime.combine(last, time()) + timedelta(days=1))
    return query if excluding is None else query.where(Visit.id != excluding)


def active_visits_of(customer_id: int, day: date, excluding: int | None = None) -> int:
    return db.session.execute(select(func.count()).select_from(
        _active_windows(customer_id, day, day, excluding).subquery())).scalar()


def within_cap(windows: list[Window], customer_id: int, excluding: int | None = None) -> list[Window]:
    """The windows on days where the customer is still below the cap of active visits: a
    window they could not book is not offered (the agent used to pick one and be refused)."""
    if not windows:
        return windows
    query = _active_windows(customer_id, min(w.start for w in windows).date(),
                            max(w.start for w in windows).date(), excluding)
    booked, cap = Counter(when.date() for when in db.session.execute(query).scalars()), booking_cap()
    return [w for w in windows if booked[w.start.date()] < cap]


def check_cap(customer_id: int, day: date, excluding: int | None = None) -> None:
    """Refuse a visit that would give the customer more than the cap of active visits on
    `day`; call with the customer's lock held, so simultaneous bookings cannot all pass."""
    cap = booking_cap()
    if active_visits_of(customer_id, day, excluding) >= cap:
        raise BookingCapReached(cap)


def window_of(start: datetime) -> Window:
    return Window(start, start + timedelta(minutes=day_plan_rules().window_minutes))


def place_visit(visit: Visit, request: Request, engineer: Engineer | None, now: datetime,
                excluding: int | None = None) -> Engineer:
    """Put `visit` into the requested window with the chosen engineer (or whichever engineer
    of the covering stations can come), inside the current transaction. Raises WindowTaken
    with the windows still free when the window cannot be had."""
    window = window_of(request.window_start)
    day = window.start.date()
    candidates = [engineer] if engineer else covering_engineers(request)
    if engineer:
        check_engineer(engineer, request)
    lock_engineers([e.id for e in candidates])
    booked = booked_days([e.id for e in candidates], day, 1, excluding)
    minutes = visit_minutes(request.skill.code)
    off = days_off([e.id for e in candidates], day, 1)
    able = [e for e in candidates if (e.id, day) not in off and window.start >= earliest_start(now) and fits(
        rules_for(e), day, booked.get((e.id, day), []), request.place, minutes, window)]
    if not able:
        free = (engineer_slots(engineer, request, day, 3, now, excluding) if engineer else
                [w for w, _ in any_engineer_slots(request, day, 3, now)])
        why = why_window_refused(rules_for(engineer), booked.get((engineer.id, day), []), request.place,
                                 minutes, window, earliest_start(now)) if engineer else None
        raise WindowTaken(free, why, engineer, request, now, excluding)
    chosen = min(able, key=lambda e: (len(booked.get((e.id, day), [])), e.id))
    visit.engineer_id, visit.station_id = chosen.id, chosen.station_id
    visit.window_start, visit.window_end = window.start, window.end
    visit.planned_start = visit.route_order = visit.unplanned_reason = None  # a plan must place it anew
    visit.duration_minutes = minutes
    return chosen


def book(customer_id: int, actor_id: int, channel: str, request: Request, details: dict,
         engineer: Engineer | None) -> Visit:
    """Book a visit; the caller commits. Customers booking for themselves need a verified
    phone; whoever books, the customer's daily cap holds. Ends any read transaction first,
    so that the booking lock is the transaction's first statement (SQLite then waits
    instead of failing)."""
    if actor_id == customer_id:
        require_verified_phone(db.session.get(User, customer_id))
    db.session.commit()
    lock_customer(customer_id)
    check_cap(customer_id, request.window_start.date())
    now = station_now()
    visit = Visit(customer_id=customer_id, booked_by_id=actor_id, channel=channel,
                  skill_id=request.skill.id, lat=request.place.lat, lng=request.place.lng,
                  chosen_by_customer=engineer is not None, status="scheduled",
                  created_at=now, completion_code=new_code(), **details)
    place_visit(visit, request, engineer, now)
    db.session.add(visit)
    db.session.flush()
    db.session.add(VisitEvent(visit=visit, from_status=None, to_status="scheduled",
                              actor_id=actor_id, channel=channel))
    visit_booked.send(visit)
    return visit


def reschedule(visit: Visit, new_start: datetime, user, channel: str) -> Visit:
    """Move a scheduled visit to another window (customers up to the cut-off; agents, the
    station's manager and admins any time); the caller commits."""
    from dispatch.lifecycle import (
        IllegalStep,
        NotYourVisit,
        TooLateToChange,
        before_cutoff,
    )
    now = station_now()
    own = user.role == "customer" and visit.customer_id == user.id
    staff = user.role in ("agent", "admin") or (
        user.role == "manager" and visit.station.manager_id == user.id)
    if not (own or staff):
        raise NotYourVisit()
    if visit.status != "scheduled":
        raise IllegalStep(visit, "rescheduled")
    if own and not before_cutoff(visit, now):
        raise TooLateToChange()
    old, old_engineer_id = visit.window_start, visit.engineer_id
    db.session.commit()
    lock_customer(visit.customer_id)
    if new_start.date() != old.date():
        check_cap(visit.customer_id, new_start.date(), excluding=visit.id)
    request = Request(visit.skill, Place(visit.lat, visit.lng), new_start)
    place_visit(visit, request, visit.engineer if visit.chosen_by_customer else None, now,
                excluding=visit.id)
    db.session.add(VisitEvent(visit_id=visit.id, from_status="scheduled", to_status="scheduled",
                              actor_id=user.id, channel=channel,
                              note=f"rescheduled from {old:%Y-%m-%d %H:%M}"))
    db.session.flush()
    visit_moved.send(visit, from_engineer_id=old_engineer_id)
    return visit


def day_route(engineer: Engineer, day: date) -> dict[int, datetime]:
    """Planned start of each of the engineer's visits that day: the latest plan's, else the
    earliest feasible order (dispatch.feasibility) — the ETA customers and engineers see."""
    from dispatch.feasibility import Day, route_for
    from dispatch.slots import day_stop, travel_seconds
    booked = booked_days([engineer.id], day, 1).get((engineer.id, day), [])
    rules = rules_for(engineer)
    seconds = travel_seconds(rules.travel, [rules.home] + [b.place for b in booked])
    plan = Day((rules.pattern.shift_start * 60, rules.pattern.shift_end * 60), 0,
               tuple(day_stop(b, i + 1) for i, b in enumerate(booked)), rules.lunch_window,
               rules.lunch_minutes)
    route = route_for(plan, lambda a, b: seconds[a][b])
    midnight = datetime.combine(day, time())
    return {t.key: midnight + timedelta(seconds=t.start) for t in (route.stops if route else [])}


def engineer_day(engineer: Engineer, day: date) -> list[Visit]:
    """The engineer's visits of a day in route order: the published plan's times where it
    set them, else the earliest feasible route (visits booked since)."""
    start = datetime.combine(day, time())
    visits = db.session.execute(select(Visit).where(
        Visit.engineer_id == engineer.id, Visit.window_start >= start,
        Visit.window_start < start + timedelta(days=1))).scalars().all()
    planned = day_route(engineer, day)
    return sorted(visits, key=lambda v: (v.on_site_at or v.planned_start or planned.get(v.id)
                                         or v.window_start, v.id))


def upcoming_free(engineers: list[Engineer], now: datetime, count: int = 3,
                  days: int = 7, start: date | None = None) -> dict[int, tuple[datetime, ...]]:
    """The next few windows in which each engineer still has room for a visit near their
    station, from today (or from `start`): what listings show as "next free" (the booking
    page then checks the customer's own address)."""
    first, earliest = max(start or now.date(), now.date()), earliest_start(now)
    booked = booked_days([e.id for e in engineers], first, days)
    minutes = day_plan_rules().visit_minutes["default"]
    off = days_off([e.id for e in engineers], first, days)
    found: dict[int, tuple[datetime, ...]] = {}
    for engineer in engineers:
        rules, starts = rules_for(engineer), []
        for k in range(days):
            day = first + timedelta(days=k)
            if len(starts) >= count or not rules.pattern.works_on(day) or (engineer.id, day) in off:
                continue
            starts += [w.start for w in free_windows(rules, day, booked.get((engineer.id, day), []),
                                                     rules.home, minutes, earliest)]
        found[engineer.id] = tuple(starts[:count])
    return found


def station_day(station_id: int, day: date, statuses: tuple[str, ...] | None = None) -> list[Visit]:
    """A station's visits whose window starts on `day` (of these statuses, if given), in
    window order."""
    start = datetime.combine(day, time())
    query = select(Visit).where(Visit.station_id == station_id, Visit.window_start >= start,
                                Visit.window_start < start + timedelta(days=1))
    if statuses is not None:
        query = query.where(Visit.status.in_(statuses))
    return list(db.session.execute(query.order_by(Visit.window_start, Visit.id)).scalars())
