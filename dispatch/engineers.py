"""Finding an engineer: by id (profiles, booking) or by the account signed in (my day)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from dispatch.models import Engineer
from extensions import db


class EngineerNotFound(NotFound):
    description = _l("No such engineer.")


def get_engineer(engineer_id: int) -> Engineer:
    """The engineer with their skills and station (404 if there is none)."""
    engineer = db.session.execute(
        select(Engineer).where(Engineer.id == engineer_id)
        .options(selectinload(Engineer.skills), selectinload(Engineer.station))).scalar()
    if engineer is None:
        raise EngineerNotFound()
    return engineer


def engineer_of(user) -> Engineer:
    """The engineer profile of a signed-in engineer account (404 if it has none yet)."""
    engineer = db.session.execute(select(Engineer).where(Engineer.user_id == user.id)).scalar()
    if engineer is None:
        raise EngineerNotFound(_l("This account has no engineer profile yet."))
    return engineer
