"""Background jobs of dispatch (Celery): planning a station's day. A job is safe to run
twice (only a queued plan starts) and is acknowledged once done, so a worker that dies
mid-job leaves it to another."""
from celery import shared_task

from dispatch.booking import station_now
from dispatch.planning import run_plan


@shared_task(name="dispatch.plan_station", acks_late=True, ignore_result=True)
def plan_station(plan_id: int) -> None:
    """Solve a queued plan and keep it as a draft (or failed, with its error)."""
    run_plan(plan_id, now=station_now())
