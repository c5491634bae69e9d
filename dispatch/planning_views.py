"""The station manager's planning board: one page per station and day. The page draws the
board's data (`dispatch.board`) and changes it through the planning API with the session
cookie, so the page and the API cannot disagree."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from accounts.access import allow
from accounts.locale import select_locale
from dispatch.board import board, board_visits
from dispatch.booking import station_now
from dispatch.contacts import record_reads
from dispatch.models import Skill
from dispatch.planning_api import PLANNABLE_DAYS
from dispatch.planning_schemas import BoardSchema, DayQuerySchema
from dispatch.stations import managed_station
from extensions import db

bp = Blueprint("planning", __name__)


def board_day() -> date:
    """The day asked for (`?date=`); tomorrow, the day a manager usually plans, when none
    is given. A day that cannot be read or planned says so and shows tomorrow instead."""
    today = station_now().date()
    tomorrow = today + timedelta(days=1)
    try:
        day = DayQuerySchema().load({"date": request.args.get("date") or None})["date"]
    except ValidationError:
        flash(_("That is not a date (write it as %(example)s); here is tomorrow.",
                example=tomorrow.isoformat()), "error")
        return tomorrow
    if day is None:
        return tomorrow
    if not today <= day <= today + timedelta(days=PLANNABLE_DAYS):
        flash(_("Only today and the next %(days)s days can be planned; here is tomorrow.",
                days=PLANNABLE_DAYS), "error")
        return tomorrow
    return day


@bp.route("/stations/<code>/board")
@allow("manager")
def planning_board(code: str):
    """Map, timeline, unassigned visits, engineers' availability and the plan job."""
    station = managed_station(code, current_user)
    day = board_day()
    today = station_now().date()
    visits = board_visits(station, day)
    record_reads(current_user, visits, "page", request.path, fields="address")
    data = board(station, day, visits)
    fixed_breaks = {e["id"] for e in data["engineers"] if e["break"]
                    and (e["break"][1] - e["break"][0]).total_seconds() == e["break"][2] * 60}
    skills = {s.code: s.name_for(select_locale()) for s in db.session.execute(db.select(Skill)).scalars()}
    return render_template(
        "dispatch/board.html", station=station, day=day, today=today,
        is_today=day == today, now=station_now().strftime("%Y-%m-%dT%H:%M:%S"),
        previous_day=day - timedelta(days=1) if day > today else None,
        next_day=day + timedelta(days=1) if day < today + timedelta(days=PLANNABLE_DAYS) else None,
        timedelta_one=timedelta(days=1), data=BoardSchema().dump(data), skills=skills,
        fixed_breaks=fixed_breaks)

