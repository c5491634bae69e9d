"""Planning a station's day: the problem built from the database in the exchange format
(`dispatch.solver`), solved in a background job (`dispatch.tasks`), kept as a draft beside
the published plan with what it would change, and published when the manager says so.

Re-planning during the day keeps what has happened: visits under way stay where they are
(the format's `fixed`), engineers set out from where they are, pinned visits keep their
engineer and time, and a visit the customer chose an engineer for goes to nobody else.
"""
from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.exceptions import Conflict

from accounts.models import utcnow
from dispatch.booking import ACTIVE, station_day
from dispatch.models import Engineer, EngineerDay, Plan, Station, Visit, VisitEvent
from dispatch.notices import notice_plan_change
from dispatch.rules import day_plan_rules
from dispatch.signals import visit_moved
from dispatch.solver import ProblemError, dump_plan, load_problem, solve
from dispatch.visits import eta_of
from extensions import db

UNDER_WAY = ("en_route", "on_site")
STATION = "station"
# Visits the solver never sees, with the reason the plan gives for them.
CHOSEN_ABSENT = "the customer's chosen engineer is not working that day"


class PlanNotDraft(Conflict):
    description = _l("Only a finished draft can be published.")


class PlanInProgress(Conflict):
    description = _l("This day is being planned already; wait for that plan to finish.")


def visit_key(visit_id: int) -> str:
    return f"v-{visit_id}"


def engineer_key(engineer_id: int) -> str:
    return f"e-{engineer_id}"


def id_of(key: str) -> int:
    return int(key.split("-", 1)[1])


def seconds_into(day: date, moment: datetime) -> int:
    """Whole seconds from the day's midnight (station time) to `moment`."""
    return int((moment - datetime.combine(day, time())).total_seconds())


# --- Who works, and what is to be done ---------------------------------------------------------

@dataclass(frozen=True)
class Availability:
    """An engineer's day as planning sees it (seconds after midnight)."""

    engineer: Engineer
    shift: tuple[int, int]
    lunch: tuple[int, int, int] | None  # window start, window end, minutes


def availability(station: Station, day: date) -> tuple[list[Availability], set[int]]:
    """The station's engineers on duty that day, and the ids of those who are not."""
    rules = day_plan_rules()
    overrides = {d.engineer_id: d for d in db.session.execute(select(EngineerDay).where(
        EngineerDay.engineer_id.in_([e.id for e in station.engineers]),
        EngineerDay.day == day)).scalars()}
    on_duty, off = [], set()
    for engineer in station.engineers:
        change = overrides.get(engineer.id)
        works = str(day.isoweekday()) in engineer.work_days or (
            change is not None and change.shift_start is not None)
        if not works or (change is not None and change.absent):
            off.add(engineer.id)
            continue
        start = change.shift_start if change and change.shift_start is not None else engineer.shift_start
        end = change.shift_end if change and change.shift_end is not None else engineer.shift_end
        lunch = (*rules.lunch_window, rules.lunch_minutes)
        if change is not None and change.break_start is not None:
            minutes = change.break_minutes or rules.lunch_minutes
            lunch = (change.break_start * 60, change.break_start * 60 + minutes * 60, minutes)
        if change is not None and change.break_minutes == 0:
            lunch = None
        on_duty.append(Availability(engineer, (start * 60, end * 60), lunch))
    return on_duty, off


def day_visits(station: Station, day: date) -> list[Visit]:
    """The station's visits of the day that still hold a place in it."""
    return station_day(station.id, day, ACTIVE)


def _break(lunch: tuple[int, int, int] | None, shift: tuple[int, int]) -> dict | None:
    if lunch is None:
        return None
    low, high, minutes = lunch
    low, high = max(low, shift[0]), min(high, shift[1])
    if high - low < minutes * 60:
        return None  # the break's window lies outside what is left of the shift
    return {"window": [low, high], "duration": minutes * 60}


def problem_for(station: Station, day: date, now: datetime | None = None) -> tuple[dict, list[dict]]:
    """The day as a problem document, and the visits left out of it with their reason.

    `now` (station time) on the planning day means re-planning during the day: visits
    under way are fixed, engineers set out from their last visit no earlier than now, and
    windows already over cannot be made any more."""
    rules = day_plan_rules()
    on_duty, off = availability(station, day)
    during = now is not None and now.date() == day
    now_s = seconds_into(day, now) if during else None
    locations = [{"id": STATION, "lat": station.lat, "lng": station.lng}]
    engineers, visits, left_out = [], [], []
    todays = day_visits(station, day)
    where = _positions(station, day, todays) if during else {}
    for a in on_duty:
        shift = [a.shift[0], a.shift[1]]
        start_at = STATION
        if during:
            shift[0] = min(max(shift[0], now_s), shift[1])
            if a.engineer.id in where:
                (lat, lng), since = where[a.engineer.id]
                start_at = f"now-{a.engineer.id}"
                locations.append({"id": start_at, "lat": lat, "lng": lng})
                if since is not None:  # on site since before now: the day starts there
                    shift[0] = min(shift[0], seconds_into(day, since))
        doc = {"id": engineer_key(a.engineer.id), "start": start_at, "end": STATION, "shift": shift,
               "skills": sorted(s.code for s in a.engineer.skills)}
        if (brk := _break(a.lunch, (shift[0], shift[1]))) is not None:
            doc["break"] = brk
        engineers.append(doc)
    working = {a.engineer.id for a in on_duty}
    for v in todays:
        keeps = v.chosen_by_customer or v.pinned or v.status in UNDER_WAY
        if keeps and v.engineer_id not in working:
            left_out.append({"visit": visit_key(v.id), "reason": CHOSEN_ABSENT if v.chosen_by_customer
                             else "its engineer is not working that day"})
            continue
        locations.append({"id": visit_key(v.id), "lat": v.lat, "lng": v.lng})
        visits.append(_visit_doc(v, day, now_s))
    return {
        "format": "dispatch-problem/1",
        "name": f"{station.code} {day.isoformat()}",
        "travel": {"model": "geodesic", "speed_kmh": rules.travel.speed_kmh,
                   "detour_factor": rules.travel.detour_factor},
        "locations": locations, "engineers": engineers, "visits": visits,
    }, left_out


def _visit_doc(v: Visit, day: date, now_s: int | None) -> dict:
    window = [seconds_into(day, v.window_start), seconds_into(day, v.window_end)]
    doc = {"id": visit_key(v.id), "location": visit_key(v.id), "duration": v.duration_minutes * 60,
           "window": window, "skill": v.skill.code}
    if v.chosen_by_customer or v.pinned or v.status in UNDER_WAY:
        doc["engineer"] = engineer_key(v.engineer_id)
    if v.status == "on_site" and v.on_site_at is not None:
        doc["fixed"] = {"engineer": engineer_key(v.engineer_id), "start": seconds_into(day, v.on_site_at)}
        del doc["window"]
    elif v.status == "en_route":
        del doc["window"]  # on the way: it happens whatever the window said
    elif v.pinned and v.pinned_start is not None:
        doc["fixed"] = {"engineer": engineer_key(v.engineer_id),
                        "start": seconds_into(day, v.pinned_start)}
        del doc["window"]
    elif now_s is not None and window[1] < now_s:
        doc["window"] = [window[0], window[0]]  # over: the solver says it cannot be made
    return doc


def _positions(station: Station, day: date, todays: list[Visit]
               ) -> dict[int, tuple[tuple[float, float], datetime | None]]:
    """Where each engineer is now, and since when if on site: the visit on site, else the
    latest finished visit of the day (the station for those who have done none)."""
    places: dict[int, tuple[tuple[float, float], datetime | None]] = {}
    finished = [v for v in station_day(station.id, day) if v.finished_at is not None]
    for v in sorted(finished, key=lambda v: v.finished_at):
        places[v.engineer_id] = ((v.lat, v.lng), None)
    for v in sorted((v for v in todays if v.status == "on_site"), key=lambda v: v.on_site_at,
                    reverse=True):
        places[v.engineer_id] = ((v.lat, v.lng), v.on_site_at)  # the earliest wins
    return places


# --- Running a plan ------------------------------------------------------------------------------

def budget_seconds(visits: int, most: float) -> float:
    """The search's time for a day of this size: 8 ms a visit, at least 0.2 s, at most the
    configured most. Measured (docs/solver.md, "Budget by size"; docs/network.md): on station
    days of 20, 40 and 60 visits, 0.15 s leaves the same work undone as 2, 4 and 6 s on every
    day, and 0.3 s and more keep travel within 2.4 %; a 40-visit day gets 0.32 s, a 60-visit
    day 0.48 s, and the national network's night fits ten minutes on two cores. A 300-visit
    day gets 2.4 s, where 2 s already beats VROOM at 10 s."""
    return round(min(most, max(0.2, visits * 0.008)), 2)


def request_plan(station: Station, day: date, user, most_seconds: float) -> Plan:
    """A queued plan of the station's day; the caller commits and starts the job. Drafts
    not published (and failed runs) are discarded: the new plan replaces them."""
    others = db.session.execute(select(Plan).where(
        Plan.station_id == station.id, Plan.day == day,
        Plan.status.in_(("queued", "running", "draft", "failed")))).scalars().all()
    if any(p.status in ("queued", "running") for p in others):
        raise PlanInProgress()
    for other in others:
        other.status = "discarded"
    plan = Plan(station_id=station.id, day=day, status="queued", requested_by_id=user.id,
                seconds=most_seconds)
    db.session.add(plan)
    db.session.flush()
    return plan


def run_plan(plan_id: int, now: datetime | None = None) -> Plan:
    """Solve a queued plan and keep it as a draft; a run that fails keeps its error and
    touches nothing else. Safe to run twice: only a queued plan starts."""
    started = db.session.execute(update(Plan).where(Plan.id == plan_id, Plan.status == "queued")
                                 .values(status="running", started_at=utcnow())
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    plan = db.session.get(Plan, plan_id, populate_existing=True)
    if not started:
        return plan
    try:
        document, left_out = problem_for(plan.station, plan.day, now)
        plan.problem = document
        plan.seconds = budget_seconds(len(document["visits"]), plan.seconds)
        db.session.commit()
        result = dump_plan(solve(load_problem(document), plan.seconds, progress=_progress_of(plan),
                                 initial=published_routes(plan.station_id, plan.day)))
    except ProblemError as err:
        return _failed(plan, str(err))
    except Exception as err:  # noqa: BLE001 — the job reports every failure on the page
        db.session.rollback()
        _failed(plan, f"{type(err).__name__}: {err}")
        raise
    result["unassigned"] += left_out
    result["totals"]["unassigned"] += len(left_out)
    plan.result = result
    plan.assigned = result["totals"]["assigned"]
    plan.unassigned = result["totals"]["unassigned"]
    plan.travel_seconds = round(result["totals"]["travel_time"])
    plan.status, plan.progress, plan.finished_at = "draft", 1.0, utcnow()
    db.session.commit()
    return plan


def _progress_of(plan: Plan):
    """The solver's progress calls, written to the plan at most twice a second."""
    last = [0.0]

    def report(elapsed: float, _objective: int) -> None:
        if clock.monotonic() - last[0] < 0.5:
            return
        last[0] = clock.monotonic()
        db.session.execute(update(Plan).where(Plan.id == plan.id)
                           .values(progress=min(0.99, elapsed / max(plan.seconds, 0.1)))
                           .execution_options(synchronize_session=False))
        db.session.commit()

    return report


def _failed(plan: Plan, error: str) -> Plan:
    plan = db.session.get(Plan, plan.id, populate_existing=True)
    plan.status, plan.error, plan.finished_at = "failed", error[:500], utcnow()
    db.session.commit()
    return plan


# --- Comparing and publishing ----------------------------------------------------------------------

def routes_of(plan: Plan) -> dict[int, tuple[int, int, int]]:
    """visit id → (engineer id, planned start in seconds, order in the route)."""
    placed = {}
    for route in (plan.result or {}).get("routes", []):
        for order, stop in enumerate(route["stops"], start=1):
            placed[id_of(stop["visit"])] = (id_of(route["engineer"]), round(stop["start"]), order)
    return placed


def changes(plan: Plan) -> dict:
    """What publishing the plan would change against the day as it stands (the published
    plan, or the bookings where nothing is published): visits moved to another engineer,
    ETAs that move, visits newly served or dropped, travel saved."""
    placed = routes_of(plan)
    unplaced = {id_of(u["visit"]): u["reason"] for u in (plan.result or {}).get("unassigned", [])}
    moved, eta, served, dropped = [], [], [], []
    for visit in db.session.execute(select(Visit).where(Visit.id.in_(set(placed) | set(unplaced)))).scalars():
        if visit.id in placed:
            engineer_id, start, _ = placed[visit.id]
            if visit.engineer_id != engineer_id:
                moved.append({"visit": visit.id, "from": visit.engineer_id, "to": engineer_id})
            new = datetime.combine(plan.day, time()) + timedelta(seconds=start)
            if visit.planned_start is not None and abs((new - visit.planned_start).total_seconds()) >= 60:
                eta.append({"visit": visit.id, "from": visit.planned_start, "to": new})
            if visit.unplanned_reason is not None:
                served.append(visit.id)
        elif visit.unplanned_reason is None:
            dropped.append({"visit": visit.id, "reason": unplaced[visit.id]})
    published = current_plan(plan.station_id, plan.day)
    saved = None
    if published is not None and published.id != plan.id and published.travel_seconds is not None:
        saved = published.travel_seconds - (plan.travel_seconds or 0)
    return {"moved": moved, "eta_changed": eta, "newly_served": served, "dropped": dropped,
            "travel_saved_seconds": saved}


def published_routes(station_id: int, day: date) -> dict[str, list[str]] | None:
    """The published plan's routes (visit keys per engineer key): the warm start of a
    re-plan, so that one change costs a fraction of planning from nothing."""
    published = current_plan(station_id, day)
    if published is None or not published.result:
        return None
    return {r["engineer"]: [s["visit"] for s in r["stops"]] for r in published.result["routes"]}


def current_plan(station_id: int, day: date) -> Plan | None:
    """The published plan of the station's day, if any."""
    return db.session.execute(select(Plan).where(
        Plan.station_id == station_id, Plan.day == day, Plan.status == "published")).scalar()


def publish(plan: Plan, user) -> Plan:
    """Make a draft the day's plan: every visit takes its engineer, planned start and
    order from it; visits it could not place keep their reason; customers whose ETA or
    engineer changes get a notice. The caller commits."""
    won = db.session.execute(update(Plan).where(Plan.id == plan.id, Plan.status == "draft")
                             .values(status="published", published_at=utcnow(),
                                     published_by_id=user.id)
                             .execution_options(synchronize_session=False)).rowcount
    if not won:
        raise PlanNotDraft()
    db.session.execute(update(Plan).where(
        Plan.station_id == plan.station_id, Plan.day == plan.day, Plan.id != plan.id,
        Plan.status == "published").values(status="superseded")
        .execution_options(synchronize_session=False))
    midnight = datetime.combine(plan.day, time())
    placed = routes_of(plan)
    reasons = {id_of(u["visit"]): u["reason"] for u in plan.result.get("unassigned", [])}
    for visit in db.session.execute(select(Visit).where(
            Visit.id.in_(set(placed) | set(reasons)))).scalars():
        before = (visit.engineer_id, eta_of(visit))
        if visit.id in placed:
            engineer_id, start, order = placed[visit.id]
            visit.engineer_id, visit.route_order = engineer_id, order
            visit.planned_start = midnight + timedelta(seconds=start)
            visit.unplanned_reason = None
        else:
            visit.planned_start, visit.route_order = None, None
            visit.unplanned_reason = reasons[visit.id][:300]
        db.session.flush()
        if before[0] != visit.engineer_id:
            visit_moved.send(visit, from_engineer_id=before[0])
        notice_plan_change(visit, *before)
    db.session.refresh(plan)
    return plan


# --- Adjusting by hand ---------------------------------------------------------------------------

class ChosenByCustomer(Conflict):
    description = _l("The customer chose this engineer; the visit cannot go to someone else.")


class CannotMove(Conflict):
    description = _l("Only a scheduled visit can be moved or pinned.")


class NotThisStation(Conflict):
    description = _l("That engineer does not work at this visit's station or does not repair this product.")


def pin_visit(visit: Visit, engineer: Engineer, start: datetime | None, user) -> Visit:
    """The manager puts a visit with an engineer (and, if given, at a time): pinned, so
    every later plan keeps it there. The caller commits."""
    if visit.status != "scheduled":
        raise CannotMove()
    if visit.chosen_by_customer and engineer.id != visit.engineer_id:
        raise ChosenByCustomer()
    if engineer.station_id != visit.station_id or visit.skill_id not in {s.id for s in engineer.skills}:
        raise NotThisStation()
    before = visit.engineer_id
    visit.engineer_id, visit.pinned, visit.pinned_start = engineer.id, True, start
    db.session.add(VisitEvent(visit_id=visit.id, from_status=visit.status, to_status=visit.status,
                              actor_id=user.id, note=f"pinned to engineer {engineer.id}"
                              + (f" at {start:%H:%M}" if start else "")))
    db.session.flush()
    if before != engineer.id:
        visit_moved.send(visit, from_engineer_id=before)
    return visit


def unpin_visit(visit: Visit) -> Visit:
    """Give the visit back to the planner (the customer's choice, if any, still holds)."""
    visit.pinned, visit.pinned_start = False, None
    db.session.flush()
    return visit


def set_availability(engineer: Engineer, day: date, user, *, absent: bool = False,
                     shift: tuple[int, int] | None = None,
                     lunch: tuple[int | None, int | None] | None = None) -> EngineerDay:
    """An engineer's day as the manager sets it (minutes after midnight; a break of 0
    minutes is no break); the caller commits."""
    change = db.session.get(EngineerDay, (engineer.id, day)) or EngineerDay(engineer_id=engineer.id, day=day)
    change.absent = absent
    change.shift_start, change.shift_end = shift if shift else (None, None)
    change.break_start, change.break_minutes = lunch if lunch else (None, None)
    change.updated_by_id, change.updated_at = user.id, utcnow()
    db.session.add(change)
    db.session.flush()
    return change
