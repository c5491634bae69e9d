"""Headquarters' view of network runs: the list of runs, a run's progress page (it reloads
itself every few seconds until the run is over, so it needs no script) and the run's status
as JSON for anything that polls. Admins only.

Registering this blueprint also adds `flask dispatch plan-network` (its command group)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from accounts.access import allow
from dispatch.network import NetworkRun, status, summary
from dispatch.network_cli import plan_network_command
from extensions import db

bp = Blueprint("network", __name__, cli_group="dispatch")
bp.cli.add_command(plan_network_command)
REFRESH_SECONDS = 3


class RunNotFound(NotFound):
    description = _l("No such network run.")


def get_run(run_id: int) -> NetworkRun:
    run = db.session.get(NetworkRun, run_id)
    if run is None:
        raise RunNotFound()
    return run


@bp.route("/admin/network-runs")
@allow("admin")
def network_runs():
    """The latest network runs, newest first, each with how far it got."""
    runs = db.session.execute(select(NetworkRun).order_by(NetworkRun.id.desc()).limit(50)).scalars().all()
    return render_template("dispatch/network_runs.html", runs=[(r, status(r)) for r in runs])


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
