"""Planning the whole network's day: one background job per station, a network run that
holds them together, its progress and its summary.

Each station's plan is an ordinary stored plan (`dispatch.planning`): queued, solved by a
worker, kept as a draft for the station's manager. A network run only remembers which
plans it started, so its progress and summary are read from those plans. Running the same
day again replaces the stations' drafts (`request_plan` discards them), never duplicates
them. Each station's search time follows its size (`budget_seconds`): a 5-visit day gets
0.2 s, a 60-visit day 0.48 s, none more than the configured most.

A station whose manager chose automatic publishing (`Station.auto_publish`) gets its plan
published as soon as it is solved (`publish_if_automatic`, called by the worker's job);
every other station's result is a draft for its manager to publish.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import utcnow
from dispatch.models import Plan, Station
from dispatch.notices import mail_committed_notices
from dispatch.planning import PlanInProgress, PlanNotDraft, publish, request_plan
from extensions import db

DONE = ("draft", "published", "failed", "discarded", "superseded")
PLANNED = ("draft", "published", "superseded")
IN_PROGRESS = "already being planned"
# A plan still queued or running this long after it was asked for lost its job (the broker
# was wiped, say): it no longer holds its station's day, and a new run replaces it.
STALE_AFTER = timedelta(hours=12)
ABANDONED = "abandoned: its job never finished"


class NetworkRun(db.Model):
    """One run of the network's day: the plans it queued (one per station) and the
    stations it could not queue, with why."""

    __tablename__ = "network_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    most_seconds: Mapped[float] = mapped_column(default=10.0)
    plan_ids: Mapped[list] = mapped_column(JSON, default=list)
    skipped: Mapped[list] = mapped_column(JSON, default=list)  # [{"station": code, "reason": …}]
    note: Mapped[str | None] = mapped_column(String(200))


class UnknownStations(ValueError):
    pass


@dataclass(frozen=True)
class Requester:
    """Who asked, as `request_plan` needs it (the command line has no signed-in user)."""

    id: int | None


def stations_of(codes: list[str] | None) -> list[Station]:
    """The stations to plan: the ones named, or the whole network, in code order."""
    query = select(Station).order_by(Station.code)
    if codes:
        query = query.where(Station.code.in_(codes))
    stations = list(db.session.execute(query).scalars())
    if codes:
        missing = sorted(set(codes) - {s.code for s in stations})
        if missing:
            raise UnknownStations(", ".join(missing))
    return stations


def start_run(day: date, codes: list[str] | None, most_seconds: float, send,
              requested_by_id: int | None = None) -> NetworkRun:
    """Queue a plan for every station's day and hand each to `send(plan_id)` (which
    enqueues the job and returns it) once all are committed. A station whose day is being
    planned already is skipped and reported; a plan queued so long ago that its job must
    have been lost (`STALE_AFTER`) is marked failed and replaced."""
    who = Requester(requested_by_id)
    plans, skipped = [], []
    stations = stations_of(codes)
    db.session.execute(update(Plan).where(
        Plan.day == day, Plan.station_id.in_([s.id for s in stations]),
        Plan.status.in_(("queued", "running")), Plan.created_at < utcnow() - STALE_AFTER)
        .values(status="failed", error=ABANDONED, finished_at=utcnow())
        .execution_options(synchronize_session=False))
    for station in stations:
        try:
            plans.append(request_plan(station, day, who, most_seconds))  # refuses before any change
        except PlanInProgress:
            skipped.append({"station": station.code, "reason": IN_PROGRESS})
    run = NetworkRun(day=day, requested_by_id=requested_by_id, most_seconds=most_seconds,
                     plan_ids=[p.id for p in plans], skipped=skipped)
    db.session.add(run)
    db.session.commit()
    for plan in plans:  # only committed plans go to workers, which read them from the database
        job = send(plan.id)
        plan.job_id = getattr(job, "id", None)
    db.session.commit()
    return run


def publish_if_automatic(plan_id: int) -> bool:
    """Publish a network run's fresh draft when its station chose automatic publishing:
    engineers' days and customers' ETAs follow it at once, as if the manager had published
    it (no one is recorded as publisher). A plan no longer a draft is left alone."""
    plan = db.session.get(Plan, plan_id, populate_existing=True)
    if plan is None or plan.status != "draft" or not plan.station.auto_publish:
        return False
    try:
        publish(plan, Requester(None))
    except PlanNotDraft:
        db.session.rollback()
        return False
    db.session.commit()
    mail_committed_notices()
    return True


def _of_run(run: NetworkRun, *columns):
    """The run's plans as rows of the given columns: a run of the national network holds
    thousands of plans, and their problems and results are megabytes that progress and
    summary do not need (a page polling them would keep a core busy)."""
    return select(*columns).where(Plan.id.in_(run.plan_ids))


def status(run: NetworkRun) -> dict:
    """How far the run is: plans done (planned or failed) of all, and those at work."""
    counts = Counter(dict(db.session.execute(
        _of_run(run, Plan.status, func.count()).group_by(Plan.status)).all()))
    total = len(run.plan_ids)
    done = sum(counts[s] for s in DONE)
    if done == total and run.finished_at is None:
        run.finished_at = utcnow()
        db.session.commit()
    return {"id": run.id, "day": run.day.isoformat(), "total": total, "done": done,
            "queued": counts["queued"], "running": counts["running"], "failed": counts["failed"],
            "finished": done == total, "skipped": len(run.skipped)}


def summary(run: NetworkRun) -> dict:
    """The run's result: stations planned, visits assigned and unassigned by reason, travel
    hours, stations that failed with their error, stations skipped. Only the plans with
    visits left unassigned are read whole, for their reasons."""
    reasons: Counter[str] = Counter()
    assigned = travel = planned = published = 0
    failed, budgets = [], []
    rows = db.session.execute(_of_run(run, Plan.status, Station.code, Plan.assigned, Plan.travel_seconds,
                                      Plan.seconds, Plan.error)
                              .join(Station, Station.id == Plan.station_id).order_by(Station.code))
    for row in rows:
        if row.status in PLANNED:
            planned += 1
            published += row.status == "published"
            assigned += row.assigned or 0
            travel += row.travel_seconds or 0
            budgets.append(row.seconds)
        elif row.status == "failed":
            failed.append({"station": row.code, "error": row.error})
    for result in db.session.execute(_of_run(run, Plan.result).where(
            Plan.status.in_(PLANNED), Plan.unassigned > 0)).scalars():
        reasons.update(u["reason"] for u in (result or {}).get("unassigned", []))
    return {"day": run.day.isoformat(), "stations": len(run.plan_ids), "planned": planned,
            "published": published,
            "assigned": assigned, "unassigned": sum(reasons.values()),
            "unassigned_by_reason": dict(reasons.most_common()),
            "travel_hours": round(travel / 3600, 1), "failed": failed, "skipped": run.skipped,
            "budget_seconds": {"least": min(budgets, default=0), "most": max(budgets, default=0),
                               "total": round(sum(budgets), 1)}}
