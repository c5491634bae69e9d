"""Who may see a visit, and what of it: the visit goes to its customer, its engineer, its
station, the call centre and admins; its customer's phone and address only as
dispatch.contacts decides."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from dispatch.booking import day_route
from dispatch.contacts import contacts_for
from dispatch.models import Visit
from extensions import db


class VisitNotFound(NotFound):
    description = _l("No such visit.")


def may_see(visit: Visit, user) -> bool:
    """Whether `user` may see `visit` at all (its contacts: dispatch.contacts). Agents see
    any visit, to change it on the phone, but its contacts only for the customer handled."""
    if user.role in ("agent", "admin"):
        return True
    if user.role == "customer":
        return visit.customer_id == user.id
    if user.role == "engineer":
        return visit.engineer is not None and visit.engineer.user_id == user.id
    if user.role == "manager":
        return visit.station.manager_id == user.id
    return False


def visible_visit(visit_id: int, user) -> Visit:
    """The visit if `user` may see it; otherwise 404, which reveals nothing."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_see(visit, user):
        raise VisitNotFound()
    return visit


def eta_of(visit: Visit) -> datetime | None:
    """When the engineer should arrive: on site already; the latest plan's time; else the
    earliest feasible route of the engineer's day (dispatch.booking.day_route)."""
    if visit.status not in ("scheduled", "en_route", "on_site"):
        return None
    if visit.on_site_at is not None:
        return visit.on_site_at
    if visit.planned_start is not None:
        return visit.planned_start
    if visit.engineer is None:
        return visit.window_start
    return day_route(visit.engineer, visit.window_start.date()).get(visit.id, visit.window_start)


def visit_json(visit: Visit, user, handling: int | None = None) -> dict:
    """A visit for the API; `user` has been checked with may_see. The customer's contacts
    as dispatch.contacts lets `user` see them (`handling`: the customer an agent names)."""
    contacts = contacts_for(visit, user, handling)
    return {
        **{c: getattr(visit, c) for c in (
            "id", "status", "window_start", "window_end", "product_model", "serial_number",
            "problem", "chosen_by_customer", "channel",
            "created_at", "en_route_at", "on_site_at", "finished_at", "fault_found",
            "parts_used", "fixed_first_time", "events", "skill", "station", "engineer")},
        "address_text": contacts.address_text, "lat": contacts.lat, "lng": contacts.lng,
        "contacts_shown": contacts.full,
        "eta": eta_of(visit),
        "customer": {"name": visit.customer.name, "phone": contacts.phone},
        "confirmed_at": visit.confirmed_at, "confirmed_via": visit.confirmed_via,
        "completion_code": completion_code_for(visit, user),
    }


def completion_code_for(visit: Visit, user) -> str | None:
    """The code the engineer completes with: the customer's proof that the work was done,
    so only its customer sees it, while the visit is still open; never its engineer, its
    station, the call centre or an admin (anyone who could hand it to the engineer)."""
    if visit.status not in ("scheduled", "en_route", "on_site"):
        return None
    if user.role == "customer" and visit.customer_id == user.id:
        return visit.completion_code
    return None
