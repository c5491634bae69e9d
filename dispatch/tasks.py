"""Background jobs of dispatch (Celery): planning a station's day, mailing a notice. A
planning job is safe to run twice (only a queued plan starts) and is acknowledged once
done, so a worker that dies mid-job leaves it to another."""
from celery import shared_task

from dispatch.booking import station_now
from dispatch.mail import send_notice
from dispatch.models import Notice
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
