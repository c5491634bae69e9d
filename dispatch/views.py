"""Station managers' pages."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from accounts.access import allow
from dispatch.models import Station
from dispatch.stations import managed_station, station_engineers
from extensions import db

bp = Blueprint("dispatch", __name__)


@bp.route("/station")
@allow("manager")
def my_station():
    """A manager's own station."""
    code = db.session.execute(
        db.select(Station.code).where(Station.manager_id == current_user.id)
        .order_by(Station.code)).scalars().first()
    if code is None:
        abort(404, "You do not manage a station yet.")
    return redirect(url_for("dispatch.station", code=code))


@bp.route("/stations/<code>")
@allow("manager")
def station(code: str):
    """The station's engineers and the area it covers."""
    station = managed_station(code, current_user)
    return render_template("dispatch/station.html", station=station,
                           engineers=station_engineers(station))
