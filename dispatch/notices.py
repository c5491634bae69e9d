"""What a published plan changes for a customer, as notices on their visits: the ETA moved
by more than half an hour, another engineer comes, or the engineer they chose can no
longer come (the visit waits for the station to call them)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dispatch.models import Engineer, Notice, Visit
from extensions import db, enqueue

ETA_TOLERANCE = timedelta(minutes=30)
UNSENT = "unsent_notices"  # session.info key: notices to mail once committed


def notice_plan_change(visit: Visit, before_engineer: int | None, before_eta: datetime | None) -> None:
    """Tell the customer what the plan just changed for their visit, if it matters."""
    facts = None
    if visit.unplanned_reason is not None and visit.chosen_by_customer:
        facts = ("cannot_keep", {"engineer": _engineer_name(visit.engineer_id)})
    elif before_engineer is not None and visit.engineer_id != before_engineer:
        facts = ("engineer_changed", {"from": _engineer_name(before_engineer),
                                      "to": _engineer_name(visit.engineer_id),
                                      "at": _clock(visit.planned_start)})
    elif (before_eta is not None and visit.planned_start is not None
          and abs(visit.planned_start - before_eta) > ETA_TOLERANCE):
        facts = ("eta_moved", {"from": _clock(before_eta), "to": _clock(visit.planned_start)})
    if facts is not None:
        notice = Notice(user_id=visit.customer_id, visit_id=visit.id, kind=facts[0], facts=facts[1])
        db.session.add(notice)
        db.session.flush()
        db.session.info.setdefault(UNSENT, []).append(notice.id)


def mail_committed_notices() -> int:
    """Call after the commit that made them: the notices go out by e-mail in jobs (where a
    mail server is configured); a rolled-back plan's notices are forgotten, never sent."""
    unsent = db.session.info.pop(UNSENT, None) or []
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    from dispatch.tasks import mail_notice
    for notice_id in unsent:
        enqueue(mail_notice, notice_id)
    return len(unsent)


@event.listens_for(Session, "after_rollback")
def _nothing_to_mail(session: Session) -> None:
    session.info.pop(UNSENT, None)


def _engineer_name(engineer_id: int | None) -> str:
    engineer = db.session.get(Engineer, engineer_id) if engineer_id else None
    return engineer.display_name if engineer else ""


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def notice_text(notice: Notice) -> str:
    """The notice in the reader's language."""
    facts = notice.facts
    if notice.kind == "eta_moved":
        return _("Your engineer now expects to arrive at about %(to)s instead of %(from)s.",
                 to=facts["to"], **{"from": facts["from"]})
    if notice.kind == "engineer_changed":
        return _("%(to)s will come instead of %(from)s, at about %(at)s.",
                 to=facts["to"], at=facts["at"], **{"from": facts["from"]})
    return _("%(engineer)s can no longer come at this time. Choose another time with them, "
             "or another engineer.", engineer=facts["engineer"])


def notices_for(user_id: int, limit: int = 20) -> list[Notice]:
    """The customer's latest notices, newest first."""
    return list(db.session.execute(select(Notice).where(Notice.user_id == user_id)
                                   .order_by(Notice.id.desc()).limit(limit)).scalars())
