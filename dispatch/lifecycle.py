"""A visit's life: requested → scheduled → en route → on site → completed, or cancelled,
no-show, needs a second visit. Each step says who may take it; each taken step is recorded
with who and when; anything else is refused (409). Visit times are station-local, like the
windows they are compared with."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from werkzeug.exceptions import Conflict, Forbidden

from accounts.models import utcnow
from dispatch.models import Visit, VisitEvent
from dispatch.rules import day_plan_rules
from dispatch.signals import visit_cancelled, visit_completed, visit_progressed
from extensions import db

NEXT = {
    "requested": {"scheduled", "cancelled"},
    "scheduled": {"en_route", "cancelled", "no_show"},
    "en_route": {"on_site", "no_show"},
    "on_site": {"completed", "needs_second_visit"},
}
ENGINEER_STEPS = {"en_route", "on_site", "completed", "needs_second_visit", "no_show"}
STAMPS = {"en_route": "en_route_at", "on_site": "on_site_at", "completed": "finished_at",
          "needs_second_visit": "finished_at", "no_show": "finished_at"}


class IllegalStep(Conflict):
    def __init__(self, visit: Visit, to: str) -> None:
        super().__init__(f"A {visit.status.replace('_', ' ')} visit cannot become "
                         f"{to.replace('_', ' ')}.")


class TooLateToChange(Conflict):
    description = _l("It is too close to the visit to change it online; please call us.")


class NotYourVisit(Forbidden):
    description = _l("This visit is not yours to change.")


def may_take(visit: Visit, to: str, user) -> bool:
    """Engineers move their own visits along; customers cancel their own; call-centre
    agents, the station's manager and admins cancel any."""
    if to in ENGINEER_STEPS:
        return user.role == "engineer" and visit.engineer is not None \
            and visit.engineer.user_id == user.id
    if to == "cancelled":
        return (user.role == "customer" and visit.customer_id == user.id) or \
            user.role in ("agent", "admin") or \
            (user.role == "manager" and visit.station.manager_id == user.id)
    return False


def before_cutoff(visit: Visit, now: datetime) -> bool:
    cutoff = timedelta(minutes=day_plan_rules().change_cutoff_minutes)
    return now <= visit.window_start - cutoff


def move(visit: Visit, to: str, user, now: datetime, channel: str = "web",
         note: str | None = None, report: dict | None = None) -> Visit:
    """Take one step of the visit's life, recorded; the caller commits. The status changes
    only if nobody changed it meanwhile (compare-and-set), so a double tap counts once."""
    if to not in NEXT.get(visit.status, set()):
        raise IllegalStep(visit, to)
    if not may_take(visit, to, user):
        raise NotYourVisit()
    if to == "cancelled" and user.role == "customer" and not before_cutoff(visit, now):
        raise TooLateToChange()
    values = {"status": to, **({STAMPS[to]: now} if to in STAMPS else {}), **(report or {})}
    changed = db.session.execute(
        update(Visit).where(Visit.id == visit.id, Visit.status == visit.status).values(**values)
        .returning(Visit.id).execution_options(synchronize_session=False)).first()
    if changed is None:
        db.session.refresh(visit)
        raise IllegalStep(visit, to)
    from_status = visit.status
    db.session.add(VisitEvent(visit_id=visit.id, from_status=from_status, to_status=to,
                              actor_id=user.id, channel=channel, note=note))
    db.session.flush()
    db.session.refresh(visit)
    if to == "completed":
        visit_completed.send(visit, at=utcnow())
    elif to == "cancelled":
        visit_cancelled.send(visit)
    else:
        visit_progressed.send(visit, from_status=from_status)
    return visit
