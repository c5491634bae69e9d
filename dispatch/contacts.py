"""Who may see a visit's customer contacts — the phone, the address and its exact place —
and the log of everyone but the customer who was shown them (issue 14, finding 11).

The one rule (every page and API answer asks `contacts_for`):
- the customer, always;
- the visit's engineer while the visit is open; once it is closed (confirmed, cancelled,
  no-show, needs a second visit) the engineer keeps the rest of the visit, but the phone
  is masked and the address reduced to the station's city and district (coordinates to
  about a kilometre). A completed visit the customer has not confirmed yet is still open:
  the engineer may have to call about it;
- the serving station's manager;
- a call-centre agent only for the customer the agent is handling: the customer the request
  names (the agent's look-up by email, a booking for a customer); a visit by its number
  alone, or any list across customers, shows the contacts masked;
- admins.
Everyone but the customer who is shown contacts in full is logged (ContactRead).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from accounts.models import utcnow
from accounts.phone import masked, to_e164
from dispatch.models import ContactRead, Visit
from extensions import db

OPEN = ("requested", "scheduled", "en_route", "on_site")
COARSE_DECIMALS = 2  # 0.01° ≈ 1 km: the district, not the door


@dataclass(frozen=True)
class Contacts:
    """A visit's customer contacts as one reader may see them."""

    phone: str | None
    address_text: str
    lat: float
    lng: float
    full: bool  # shown as they are (else masked / reduced)


def is_open_for_engineer(visit: Visit) -> bool:
    """Whether the visit still needs its engineer to reach the customer: not yet done, or
    completed and waiting for the customer's confirmation."""
    return visit.status in OPEN or (visit.status == "completed" and visit.confirmed_at is None)


def may_see_contacts(visit: Visit, user, handling: int | None = None) -> bool:
    """Whether `user` may see the customer's phone and address of `visit`; `handling` is
    the customer an agent's request names."""
    if user.role == "admin":
        return True
    if user.role == "customer":
        return visit.customer_id == user.id
    if user.role == "engineer":
        return (visit.engineer is not None and visit.engineer.user_id == user.id
                and is_open_for_engineer(visit))
    if user.role == "manager":
        return visit.station.manager_id == user.id
    if user.role == "agent":
        return handling is not None and handling == visit.customer_id
    return False


def contacts_for(visit: Visit, user, handling: int | None = None) -> Contacts:
    """The visit's contacts in full for those who may see them, masked for the others."""
    if may_see_contacts(visit, user, handling):
        return Contacts(visit.customer.phone, visit.address_text, visit.lat, visit.lng, True)
    return Contacts(masked_phone(visit.customer.phone), district_of(visit),
                    round(visit.lat, COARSE_DECIMALS), round(visit.lng, COARSE_DECIMALS), False)


def masked_phone(phone: str | None) -> str | None:
    """`+86 138****5678` (`138****5678` as written): enough to recognise a number, not
    to call it."""
    if not phone:
        return None
    phone = phone.strip()
    if phone.startswith("+") and to_e164(phone):
        return masked(phone)
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def district_of(visit: Visit) -> str:
    """The address reduced to the serving station's city and district: where, roughly,
    without the street or the door."""
    station = visit.station
    return station.city if station.county in station.city else f"{station.city}{station.county}"


def shown_fields(visit: Visit) -> str:
    """What of the contacts a reader shown them in full saw, as the access log records it."""
    return "phone,address" if visit.customer.phone else "address"


def record_reads(reader, visits: Iterable[Visit], channel: str, path: str,
                 handling: int | None = None, fields: str | None = None) -> int:
    """Log that `reader` was shown the contacts of `visits` in full (those whose customer is
    not the reader), `fields` of them (else shown_fields): one row per visit, inserted in
    one statement and committed at once, so a read is on record even if the answer fails
    later. Returns the number of rows."""
    now = utcnow()
    rows = [{"reader_id": reader.id, "customer_id": v.customer_id, "visit_id": v.id,
             "fields": fields or shown_fields(v), "channel": channel, "path": path[:200], "at": now}
            for v in visits
            if v.customer_id != reader.id and may_see_contacts(v, reader, handling)]
    if rows:
        db.session.execute(insert(ContactRead), rows)
        commit_keeping_loaded()
    return len(rows)


def commit_keeping_loaded() -> None:
    """Commit the log without expiring the visits the answer is about to show: only the
    insert above was written, and reloading every visit and its relations row by row to
    show them would cost a query each."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def contact_reads(*, customer_id: int | None = None, reader_id: int | None = None,
                  since: datetime | None = None, until: datetime | None = None,
                  page: int = 1, per_page: int = 50) -> tuple[int, list[ContactRead]]:
    """The access log, newest first, filtered (`until` excluded) and paged: (total, the
    rows of the page)."""
    query = select(ContactRead)
    if customer_id is not None:
        query = query.where(ContactRead.customer_id == customer_id)
    if reader_id is not None:
        query = query.where(ContactRead.reader_id == reader_id)
    if since is not None:
        query = query.where(ContactRead.at >= since)
    if until is not None:
        query = query.where(ContactRead.at < until)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.options(selectinload(ContactRead.reader), selectinload(ContactRead.customer))
        .order_by(ContactRead.at.desc(), ContactRead.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return total, list(rows)
