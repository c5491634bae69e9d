"""Background jobs of dispatch (Celery): planning a station's day, mailing a notice. A
planning job is safe to run twice (only a queued plan starts) and is acknowledged once
done, so a worker that dies mid-job leaves it to another."""
from datetime import timedelta

from celery import shared_task
from sqlalchemy import update

from dispatch.booking import station_now
from dispatch.mail import send_notice
from dispatch.models import Notice, Plan
from dispatch.network import publish_if_automatic
from dispatch.planning import run_plan
from extensions import db


@shared_task(name="dispatch.plan_station", acks_late=True, ignore_result=True)
def plan_station(plan_id: int) -> None:
    """Solve a queued plan and keep it as a draft (or failed, with its error)."""
    run_plan(plan_id, now=station_now())


@shared_task(name="dispatch.mail_notice", ignore_result=True)
def mail_notice(notice_id: int) -> None:
    """Mail a customer's notice (nothing when it is gone or no mail server is configured)."""
    notice = db.session.get(Notice, notice_id)
    if notice is not None:
        send_notice(notice)


NETWORK_TRIES = 3  # a station's job runs this often before its failure is reported


@shared_task(bind=True, name="dispatch.plan_network_station", acks_late=True, ignore_result=True,
             max_retries=NETWORK_TRIES - 1)
def plan_network_station(self, plan_id: int) -> None:
    """A station's plan of a network run. Acknowledged once done: a worker killed mid-job
    hands the message back, and the redelivered job takes over the plan it left running.
    A job that crashes is retried; after the last try the plan stays failed with its
    error (and the number of tries) for the run's summary. A station whose data the solver
    refuses fails at once: trying again would give the same answer. A station that chose
    automatic publishing has its new plan published at once."""
    if (self.request.delivery_info or {}).get("redelivered"):
        reclaim(plan_id)
    try:
        run_plan(plan_id, now=station_now())
    except Exception as err:
        if self.request.retries < self.max_retries:
            requeue(plan_id)
            raise self.retry(exc=err, countdown=1) from err
        tried(plan_id, self.request.retries + 1)
        return
    publish_if_automatic(plan_id)


def reclaim(plan_id: int) -> None:
    """A plan left running by a worker that died goes back to the queue."""
    db.session.execute(update(Plan).where(Plan.id == plan_id, Plan.status == "running")
                       .values(status="queued", progress=0.0)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def requeue(plan_id: int) -> None:
    """A plan whose job crashed goes back to the queue for the next try."""
    db.session.execute(update(Plan).where(Plan.id == plan_id, Plan.status == "failed")
                       .values(status="queued", error=None, finished_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def tried(plan_id: int, times: int) -> None:
    plan = db.session.get(Plan, plan_id, populate_existing=True)
    if plan is not None and plan.status == "failed":
        plan.error = f"{plan.error or ''} (tried {times} times)"[-500:]
        db.session.commit()


@shared_task(name="dispatch.plan_network_tomorrow", ignore_result=True)
def plan_network_tomorrow() -> int:
    """The nightly run (a Celery beat entry): tomorrow for every station, one job each.
    Returns the network run's id."""
    from flask import current_app

    from dispatch.network import start_run
    from extensions import enqueue
    tomorrow = station_now().date() + timedelta(days=1)
    return start_run(tomorrow, None, current_app.config["PLAN_SECONDS"],
                     lambda plan_id: enqueue(plan_network_station, plan_id)).id
