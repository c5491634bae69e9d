"""`flask dispatch plan-network --date D [--stations CODE,...]`: queue every station's day
on the workers, show a progress bar while they plan, and print the summary."""
from __future__ import annotations

import time
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from dispatch.network import NetworkRun, UnknownStations, start_run, status, summary
from dispatch.tasks import plan_network_station
from extensions import db, enqueue

dispatch_cli = AppGroup("dispatch", help="Planning stations' days.")


def _day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter("expected YYYY-MM-DD") from err


@dispatch_cli.command("plan-network")
@click.option("--date", "day", required=True, callback=_day, help="The day to plan (YYYY-MM-DD).")
@click.option("--stations", default=None, help="Only these station codes, comma-separated.")
@click.option("--seconds", type=click.FloatRange(min=0.1), default=None,
              help="The most a station may search (default: PLAN_SECONDS); small days take less.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between progress reads.")
@click.option("--no-wait", is_flag=True, help="Queue the jobs and return at once.")
def plan_network_command(day: date, stations: str | None, seconds: float | None, poll: float,
                         no_wait: bool) -> None:
    """Plan the day of every station (or of those named) on the Celery workers; the
    results are drafts for each station's manager."""
    codes = [c.strip() for c in stations.split(",") if c.strip()] if stations else None
    try:
        run = start_run(day, codes, seconds or current_app.config["PLAN_SECONDS"],
                        lambda plan_id: enqueue(plan_network_station, plan_id))
    except UnknownStations as err:
        raise click.BadParameter(f"unknown stations: {err}", param_hint="--stations") from err
    click.echo(f"Network run {run.id}: {len(run.plan_ids)} stations queued for {day.isoformat()}.")
    for skip in run.skipped:
        click.echo(f"  skipped {skip['station']}: {skip['reason']}")
    if no_wait:
        return
    with click.progressbar(length=len(run.plan_ids), label="Stations", show_pos=True) as bar:
        shown = 0
        while True:
            db.session.expire_all()
            now = status(db.session.get(NetworkRun, run.id))
            bar.update(now["done"] - shown)
            shown = now["done"]
            if now["finished"]:
                break
            time.sleep(poll)
    echo_summary(summary(db.session.get(NetworkRun, run.id)))


def echo_summary(s: dict) -> None:
    click.echo(f"Planned {s['planned']} of {s['stations']} stations; visits assigned {s['assigned']}, "
               f"unassigned {s['unassigned']}; travel {s['travel_hours']} h.")
    b = s["budget_seconds"]
    click.echo(f"Search time per station {b['least']}–{b['most']} s, {b['total']} s in all.")
    for reason, count in s["unassigned_by_reason"].items():
        click.echo(f"  unassigned {count}: {reason}")
    for fail in s["failed"]:
        click.echo(f"  FAILED {fail['station']}: {fail['error']}")
