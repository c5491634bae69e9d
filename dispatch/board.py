"""The planning board's data as plain JSON-ready dicts, for the page and the API alike:
the station, its engineers' availability, the day's visits, and a plan (the draft being
looked at, or the published one) with routes, unassigned visits and what it changes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from dispatch.booking import station_day
from dispatch.models import EngineerDay, Plan, Station
from dispatch.planning import availability, changes, current_plan, id_of
from dispatch.rules import day_plan_rules
from dispatch.stations import station_engineers
from extensions import db

TIMES = "%H:%M"


def clock_of(day: date, seconds: float) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=round(seconds))


def latest_draft(station_id: int, day: date) -> Plan | None:
    """The newest plan of the day that is not yet published (queued, running, draft or
    failed): what the board shows beside the published plan."""
    return db.session.execute(select(Plan).where(
        Plan.station_id == station_id, Plan.day == day,
        Plan.status.in_(("queued", "running", "draft", "failed")))
        .order_by(Plan.id.desc())).scalars().first()


def plan_json(plan: Plan | None) -> dict | None:
    """A plan's job state and, once solved, its routes in station time."""
    if plan is None:
        return None
    doc = {"id": plan.id, "status": plan.status, "day": plan.day, "progress": round(plan.progress, 2),
           "error": plan.error, "seconds": plan.seconds, "created_at": plan.created_at,
           "finished_at": plan.finished_at, "published_at": plan.published_at,
           "assigned": plan.assigned, "unassigned_count": plan.unassigned,
           "travel_minutes": None if plan.travel_seconds is None else round(plan.travel_seconds / 60),
           "routes": [], "unassigned": [], "changes": None}
    if plan.result is None:
        return doc
    for route in plan.result["routes"]:
        brk = route.get("break")
        doc["routes"].append({
            "engineer_id": id_of(route["engineer"]),
            "depart": clock_of(plan.day, route["depart"]), "return": clock_of(plan.day, route["return"]),
            "travel_minutes": round(route["travel_time"] / 60),
            "distance_km": round(route["distance"] / 1000, 1),
            "break": {"start": clock_of(plan.day, brk["start"]), "end": clock_of(plan.day, brk["end"])}
            if brk else None,
            "stops": [{"visit_id": id_of(s["visit"]), "arrival": clock_of(plan.day, s["arrival"]),
                       "start": clock_of(plan.day, s["start"]), "end": clock_of(plan.day, s["end"])}
                      for s in route["stops"]]})
    doc["unassigned"] = [{"visit_id": id_of(u["visit"]), "reason": u["reason"]}
                         for u in plan.result["unassigned"]]
    if plan.status == "draft":
        doc["changes"] = changes(plan)
    return doc


def board_visits(station: Station, day: date) -> list:
    """The day's visits the board shows (all but cancelled ones), with their addresses:
    the caller logs that its reader saw them (dispatch.contacts.record_reads)."""
    return [v for v in station_day(station.id, day) if v.status != "cancelled"]


def board(station: Station, day: date, visits: list | None = None) -> dict:
    """Everything the board draws for a station's day (`visits`: board_visits, if the
    caller already has them)."""
    on_duty, off = availability(station, day)
    duty = {a.engineer.id: a for a in on_duty}
    overrides = {d.engineer_id: d for d in db.session.execute(select(EngineerDay).where(
        EngineerDay.day == day, EngineerDay.engineer_id.in_([e.id for e in station.engineers])))
        .scalars()}
    engineers = []
    for engineer in station_engineers(station):
        a, change = duty.get(engineer.id), overrides.get(engineer.id)
        engineers.append({
            "id": engineer.id, "name": engineer.display_name,
            "skills": [s.code for s in engineer.skills],
            "on_duty": engineer.id not in off,
            "absent": bool(change and change.absent),
            "shift": [clock_of(day, a.shift[0]), clock_of(day, a.shift[1])] if a else None,
            "break": [clock_of(day, a.lunch[0]), clock_of(day, a.lunch[1]), a.lunch[2]]
            if a and a.lunch else None})
    visits = board_visits(station, day) if visits is None else visits
    return {
        "station": {"code": station.code, "name": station.name, "lat": station.lat, "lng": station.lng},
        "day": day, "window_minutes": day_plan_rules().window_minutes,
        "engineers": engineers,
        "visits": [{
            "id": v.id, "status": v.status, "lat": v.lat, "lng": v.lng,
            "address": v.address_text, "customer": v.customer.name, "problem": v.problem,
            "skill": v.skill.code, "window": [v.window_start, v.window_end],
            "duration_minutes": v.duration_minutes, "engineer_id": v.engineer_id,
            "chosen": v.chosen_by_customer, "pinned": v.pinned, "pinned_start": v.pinned_start,
            "planned_start": v.planned_start, "route_order": v.route_order,
            "unplanned_reason": v.unplanned_reason} for v in visits],
        "published": plan_json(current_plan(station.id, day)),
        "draft": plan_json(latest_draft(station.id, day)),
    }
