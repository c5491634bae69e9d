"""The planning JSON API: plan a station's day in a background job, read the plan and the
board, publish, pin a visit, set an engineer's day. A station's manager (or an admin)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound, UnprocessableEntity

from accounts.access import allow
from dispatch.board import board, board_visits, plan_json
from dispatch.booking import station_now
from dispatch.contacts import record_reads
from dispatch.engineers import get_engineer
from dispatch.models import Plan
from dispatch.notices import mail_committed_notices
from dispatch.planning import pin_visit, publish, request_plan, set_availability, unpin_visit
from dispatch.planning_schemas import (
    AvailabilitySchema,
    BoardSchema,
    DayQuerySchema,
    PinSchema,
    PlanRequestSchema,
    PlanSchema,
)
from dispatch.stations import managed_station
from dispatch.tasks import plan_station
from dispatch.visits import visible_visit
from extensions import db, enqueue

blp = Blueprint("planning_api", __name__, url_prefix="/api",
                description="Plan a station's day: jobs, drafts, publishing, adjustments")
PLANNABLE_DAYS = 60  # how far ahead a day may be planned


class DayOutOfRange(UnprocessableEntity):
    description = _l("Plan today or a day within the next two months.")


class PlanNotFound(NotFound):
    description = _l("No such plan.")


def plannable(day: date | None) -> date:
    today = station_now().date()
    day = day or today
    if not today <= day <= today + timedelta(days=PLANNABLE_DAYS):
        raise DayOutOfRange()
    return day


def managed_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise PlanNotFound()
    managed_station(plan.station.code, current_user)
    return plan


def start_job(plan: Plan) -> Plan:
    """Hand the plan to a worker; the web request never solves."""
    job = enqueue(plan_station, plan.id)
    plan.job_id = job.id
    db.session.commit()
    db.session.refresh(plan)
    return plan


@blp.route("/stations/<code>/plans", methods=["POST"])
@allow("manager")
@blp.arguments(PlanRequestSchema)
@blp.response(202, PlanSchema)
def plan_day(fields, code):
    """Plan (or re-plan) the station's day in a background job; poll the plan for progress."""
    station = managed_station(code, current_user)
    plan = request_plan(station, plannable(fields["date"]), current_user,
                        current_app.config["PLAN_SECONDS"])
    db.session.commit()
    return plan_json(start_job(plan))


@blp.route("/plans/<int:plan_id>")
@allow("manager")
@blp.response(200, PlanSchema)
def get_plan(plan_id):
    """The plan's job state and, once solved, its routes, unassigned visits and changes."""
    return plan_json(managed_plan(plan_id))


@blp.route("/plans/<int:plan_id>/publish", methods=["POST"])
@allow("manager")
@blp.response(200, PlanSchema)
def publish_plan(plan_id):
    """Make the draft the day's plan: engineers' days and customers' ETAs follow it."""
    plan = publish(managed_plan(plan_id), current_user)
    db.session.commit()
    mail_committed_notices()
    return plan_json(plan)


@blp.route("/stations/<code>/board")
@allow("manager")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, BoardSchema)
def station_board(args, code):
    """Everything the planning board draws: engineers, visits, the published plan, the draft."""
    station = managed_station(code, current_user)
    day = plannable(args["date"])
    visits = board_visits(station, day)
    record_reads(current_user, visits, "api", request.path, fields="address")
    return board(station, day, visits)


@blp.route("/visits/<int:visit_id>/pin", methods=["PUT"])
@allow("manager")
@blp.arguments(PinSchema)
@blp.response(204)
def pin(fields, visit_id):
    """Put a visit with an engineer (and at a time): every later plan keeps it there."""
    visit = visible_visit(visit_id, current_user)
    pin_visit(visit, get_engineer(fields["engineer_id"]), fields["start"], current_user)
    db.session.commit()


@blp.route("/visits/<int:visit_id>/pin", methods=["DELETE"])
@allow("manager")
@blp.response(204)
def unpin(visit_id):
    """Give the visit back to the planner."""
    unpin_visit(visible_visit(visit_id, current_user))
    db.session.commit()


@blp.route("/stations/<code>/engineers/<int:engineer_id>/day", methods=["PUT"])
@allow("manager")
@blp.arguments(AvailabilitySchema)
@blp.arguments(PlanRequestSchema, location="query")
@blp.response(204)
def engineer_day(fields, query, code, engineer_id):
    """Mark an engineer absent, or change their shift or break, for one day."""
    engineer = get_engineer(engineer_id)
    station = managed_station(code, current_user)
    if engineer.station_id != station.id:
        raise PlanNotFound()
    shift = (fields["shift_start"], fields["shift_end"]) if fields["shift_start"] is not None else None
    lunch = None
    if fields["break_start"] is not None:
        lunch = (fields["break_start"], fields["break_minutes"])
    elif fields["break_minutes"] == 0:
        lunch = (None, 0)  # no break that day
    set_availability(engineer, plannable(query["date"]), current_user, absent=fields["absent"],
                     shift=shift, lunch=lunch)
    db.session.commit()
