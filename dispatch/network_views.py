"""Headquarters' view of the network: the list of network runs, a run's progress page (it
reloads itself every few seconds until the run is over, so it needs no script), the run's
status as JSON for anything that polls, and the coverage-gap map with its JSON (admins
only); and a station manager's choice of automatic publishing.

Registering `bp` also adds `flask dispatch plan-network` (its command group); `gaps_api`
is the map's data in the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from accounts.access import allow
from dispatch.booking import station_now
from dispatch.gaps import coverage_gaps
from dispatch.network import NetworkRun, start_run, status, summary
from dispatch.network_cli import plan_network_command
from dispatch.stations import managed_station
from dispatch.tasks import plan_network_station
from extensions import db, enqueue

bp = Blueprint("network", __name__, cli_group="dispatch")
bp.cli.add_command(plan_network_command)
gaps_api = ApiBlueprint("gaps_api", __name__, url_prefix="/api",
                        description="Headquarters: where the network leaves customers uncovered")
REFRESH_SECONDS = 3


class RunNotFound(NotFound):
    description = _l("No such network run.")


def get_run(run_id: int) -> NetworkRun:
    run = db.session.get(NetworkRun, run_id)
    if run is None:
        raise RunNotFound()
    return run


class StartRunFormSchema(Schema):
    """Headquarters starts a run from the page: a day from today to two months ahead."""

    day = fields.Date(required=True)

    @validates("day")
    def ahead(self, value, **kwargs):
        today = station_now().date()
        if not today <= value <= today + timedelta(days=RUN_DAYS_AHEAD):
            raise ValidationError(str(_l("Pick a day from today to %(days)s days ahead.",
                                         days=RUN_DAYS_AHEAD)))

    class Meta:
        unknown = EXCLUDE


RUN_DAYS_AHEAD = 60


@bp.route("/admin/network-runs", methods=["GET", "POST"])
@allow("admin")
def network_runs():
    """The latest network runs, newest first, each with how far it got; a form starts one
    for a day (tomorrow unless chosen), every station's plan a job on the workers."""
    errors, values = {}, {"day": (station_now().date() + timedelta(days=1)).isoformat()}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            day = StartRunFormSchema().load(values)["day"]
        except ValidationError as err:
            errors = err.messages
        else:
            run = start_run(day, None, current_app.config["PLAN_SECONDS"],
                            lambda plan_id: enqueue(plan_network_station, plan_id),
                            requested_by_id=current_user.id)
            flash(_("Planning %(day)s for %(count)s stations on the workers.", day=day.isoformat(),
                    count=len(run.plan_ids)), "success")
            return redirect(url_for("network.network_run", run_id=run.id))
    runs = db.session.execute(select(NetworkRun).order_by(NetworkRun.id.desc()).limit(50)).scalars().all()
    return render_template("dispatch/network_runs.html", runs=[(r, status(r)) for r in runs],
                           errors=errors, values=values), 422 if errors else 200


@bp.route("/admin/network-runs/<int:run_id>")
@allow("admin")
def network_run(run_id: int):
    """A run's progress and, once over, its summary."""
    run = get_run(run_id)
    now = status(run)
    return render_template("dispatch/network_run.html", run=run, status=now, summary=summary(run),
                           refresh=None if now["finished"] else REFRESH_SECONDS)


@bp.route("/api/network-runs/<int:run_id>")
@allow("admin")
def network_run_status(run_id: int):
    """The run's progress as JSON, with its summary so far."""
    run = get_run(run_id)
    return {"status": status(run), "summary": summary(run)}


# --- Coverage gaps -----------------------------------------------------------------------

class GapsQuerySchema(Schema):
    days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=366),
                          metadata={"description": "how many days back, today included"})


class StationDiscSchema(Schema):
    code = fields.String()
    name = fields.String()
    lat = fields.Float()
    lng = fields.Float()
    km = fields.Float(metadata={"description": "the radius it covers"})


class OverlapSchema(Schema):
    a = fields.String()
    b = fields.String()
    a_name = fields.String()
    b_name = fields.String()
    km = fields.Float(metadata={"description": "distance between the two stations"})
    share = fields.Float(metadata={"description": "share of the smaller disc the other covers"})


class SuggestionSchema(Schema):
    lat = fields.Float()
    lng = fields.Float()
    adds = fields.Integer(metadata={"description": "uncovered requests a station here would cover"})
    near = fields.String(metadata={"description": "the nearest station, to say where the site is"})
    near_km = fields.Float(metadata={"description": "how far the nearest station is"})
    share = fields.Float(metadata={"description": "their share of all still uncovered requests"})
    radius_km = fields.Float()


class GapsSchema(Schema):
    since = fields.Date()
    until = fields.Date()
    recorded = fields.Integer(metadata={"description": "requests told 'not covered' in the period"})
    uncovered = fields.Integer(metadata={"description": "of them, still outside every station now"})
    stations = fields.List(fields.Nested(StationDiscSchema))
    # Raw: tens of thousands of plain number triples, dumped as they are (a nested field
    # per number costs marshmallow a second at the worst case's 76,000 cells).
    demand = fields.Raw(metadata={"description": "[lat, lng, requests] per 0.1° cell still uncovered",
                                  "type": "array", "items": {"type": "array", "items": {"type": "number"}}})
    overlaps = fields.List(fields.Nested(OverlapSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))


@gaps_api.route("/coverage-gaps")
@allow("admin")
@gaps_api.arguments(GapsQuerySchema, location="query")
@gaps_api.response(200, GapsSchema)
def coverage_gaps_data(args):
    """Stations with their radius, uncovered demand by cell, heavily overlapping stations
    and suggested new sites (greedy maximum coverage), over the last `days` days."""
    return coverage_gaps(args["days"], station_now().date())


@bp.route("/admin/coverage-gaps")
@allow("admin")
def coverage_gaps_page():
    """The coverage-gap map; its script reads the data from the JSON endpoint."""
    days = min(366, max(1, request.args.get("days", 90, type=int)))
    return render_template("dispatch/gaps.html", days=days)


# --- Automatic publishing ----------------------------------------------------------------

@bp.route("/stations/<code>/auto-publish", methods=["POST"])
@allow("manager")
def set_auto_publish(code: str):
    """The station's manager chooses whether network runs publish its plans directly."""
    station = managed_station(code, current_user)
    station.auto_publish = request.form.get("auto_publish") == "on"
    db.session.commit()
    flash(_("Network runs now publish this station's plans directly.") if station.auto_publish
          else _("Network runs now leave this station's plans as drafts for you to publish."), "success")
    return redirect(url_for("dispatch.station", code=station.code))
