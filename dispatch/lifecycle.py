"""A visit's life: requested → scheduled → en route → on site → completed, or cancelled,
no-show, needs a second visit. Each step says who may take it; each taken step is recorded
with who and when; anything else is refused (409). Visit times are station-local, like the
windows they are compared with.

A visit cannot be lived ahead of time: its engineer sets off (or reports a no-show) only on
its day, from VISIT_START_LEAD_MINUTES before its window. Completion counts once the
customer confirms it: the engineer enters the code only the customer sees (confirmed at
once), or completes without it and the customer confirms in the app. Only a confirmed
completion sends `visit_completed` (points, the review), never the engineer's word alone.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.exceptions import Conflict, Forbidden, UnprocessableEntity

from accounts.models import utcnow
from dispatch.models import Visit, VisitEvent
from dispatch.rules import day_plan_rules
from dispatch.signals import visit_cancelled, visit_completed, visit_progressed
from extensions import db

CODE_DIGITS = 6
WRONG_CODE = "wrong completion code"  # the note of a refused code's event (they are counted)
CONFIRMED_IN_APP = "confirmed by the customer"

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


class TooEarlyToStart(Conflict):
    """The engineer tried to set off on a visit of another day, or long before its window."""

    def __init__(self, minutes: int) -> None:
        super().__init__(_("A visit can start only on its day, from %(minutes)s minutes "
                           "before its window.", minutes=minutes))


class WrongCode(UnprocessableEntity):
    """The code entered is not the customer's; the refusal is recorded (and counted), so
    the caller commits before answering."""

    field = "code"

    def __init__(self, left: int) -> None:
        super().__init__(_("This is not the customer's code (%(left)s tries left).", left=left)
                         if left else _("This is not the customer's code. Complete the visit "
                                        "without it: the customer confirms in the app."))


class CodeLocked(Conflict):
    description = _l("Too many wrong codes: complete the visit without one and the customer "
                     "confirms in the app.")


class NotAwaitingConfirmation(Conflict):
    description = _l("Only a completed visit waiting for your confirmation can be confirmed.")


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


def start_lead_minutes() -> int:
    return day_plan_rules().start_lead_minutes


def code_attempts() -> int:
    return day_plan_rules().completion_code_attempts


def may_start(visit: Visit, now: datetime) -> bool:
    """Setting off (or reporting a no-show) is for the visit's own day, from the lead time
    before its window until that day ends (station time)."""
    opens = visit.window_start - timedelta(minutes=start_lead_minutes())
    closes = datetime.combine(visit.window_start.date() + timedelta(days=1), time())
    return opens <= now < closes


def new_code() -> str:
    """A completion code: six random digits."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def wrong_codes(visit: Visit) -> int:
    return db.session.execute(select(func.count()).select_from(VisitEvent).where(
        VisitEvent.visit_id == visit.id, VisitEvent.note == WRONG_CODE)).scalar()


def check_code(visit: Visit, code: str, user, channel: str) -> None:
    """Refuse a wrong code, recording the refusal (flushed: the caller commits it); after
    COMPLETION_CODE_ATTEMPTS wrong ones, refuse every code."""
    used = wrong_codes(visit)
    if used >= code_attempts():
        raise CodeLocked()
    if visit.completion_code and hmac.compare_digest(visit.completion_code, code.strip()):
        return
    db.session.add(VisitEvent(visit_id=visit.id, from_status=visit.status, to_status=visit.status,
                              actor_id=user.id, channel=channel, note=WRONG_CODE))
    db.session.flush()
    raise WrongCode(code_attempts() - used - 1)


def awaiting_confirmation(visit: Visit) -> bool:
    return visit.status == "completed" and visit.confirmed_at is None


def before_cutoff(visit: Visit, now: datetime) -> bool:
    cutoff = timedelta(minutes=day_plan_rules().change_cutoff_minutes)
    return now <= visit.window_start - cutoff


def move(visit: Visit, to: str, user, now: datetime, channel: str = "web",
         note: str | None = None, report: dict | None = None, code: str | None = None) -> Visit:
    """Take one step of the visit's life, recorded; the caller commits. The status changes
    only if nobody changed it meanwhile (compare-and-set), so a double tap counts once.
    Completing with the customer's `code` confirms the visit at once; without one it waits
    for the customer (`confirm`)."""
    if to not in NEXT.get(visit.status, set()):
        raise IllegalStep(visit, to)
    if not may_take(visit, to, user):
        raise NotYourVisit()
    if to == "cancelled" and user.role == "customer" and not before_cutoff(visit, now):
        raise TooLateToChange()
    if visit.status == "scheduled" and to in ENGINEER_STEPS and not may_start(visit, now):
        raise TooEarlyToStart(start_lead_minutes())
    confirmed = to == "completed" and bool(code and code.strip())
    if confirmed:
        check_code(visit, code, user, channel)
    values = {"status": to, **({STAMPS[to]: now} if to in STAMPS else {}), **(report or {})}
    if to == "on_site" and not visit.completion_code:
        values["completion_code"] = new_code()  # visits booked before codes existed
    if confirmed:
        values.update(confirmed_at=utcnow(), confirmed_via="code")
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
    if confirmed:
        visit_completed.send(visit, at=visit.confirmed_at)
    elif to == "cancelled":
        visit_cancelled.send(visit)
    else:
        visit_progressed.send(visit, from_status=from_status)
    return visit


def confirm(visit: Visit, user, channel: str = "web") -> Visit:
    """The customer confirms in the app that the work is done: the visit counts (points,
    the review) from now. Once only, even when the button is pressed twice at once; the
    caller commits."""
    if user.role != "customer" or visit.customer_id != user.id:
        raise NotYourVisit()
    at = utcnow()
    changed = db.session.execute(
        update(Visit).where(Visit.id == visit.id, Visit.status == "completed",
                            Visit.confirmed_at.is_(None))
        .values(confirmed_at=at, confirmed_via="app")
        .returning(Visit.id).execution_options(synchronize_session=False)).first()
    if changed is None:
        db.session.refresh(visit)
        raise NotAwaitingConfirmation()
    db.session.add(VisitEvent(visit_id=visit.id, from_status="completed", to_status="completed",
                              actor_id=user.id, channel=channel, note=CONFIRMED_IN_APP))
    db.session.flush()
    db.session.refresh(visit)
    visit_completed.send(visit, at=at)
    return visit
