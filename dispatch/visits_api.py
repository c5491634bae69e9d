"""The visits JSON API: free windows, booking, the visit's life, days and service figures,
and the log of who was shown customers' contacts."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import request as http_request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from accounts.access import allow, public
from accounts.models import User
from dispatch.alternatives import refusal_json
from dispatch.booking import (
    Request,
    WindowTaken,
    any_engineer_slots,
    book,
    engineer_day,
    engineer_slots,
    reschedule,
    station_day,
    station_now,
)
from dispatch.contacts import contact_reads, record_reads
from dispatch.engineers import engineer_of, get_engineer
from dispatch.lifecycle import WrongCode, confirm, move
from dispatch.metrics import metrics_for
from dispatch.models import Skill, Visit
from dispatch.notices import notice_text, notices_for
from dispatch.schemas import (
    AgentLookupQuerySchema,
    BookingSchema,
    ContactReadPageSchema,
    ContactReadsQuerySchema,
    DayQuerySchema,
    MetricsQuerySchema,
    MetricsSchema,
    NoticeSchema,
    RescheduleSchema,
    SlotsQuerySchema,
    SlotsSchema,
    StepSchema,
    VisitSchema,
)
from dispatch.slots import Place
from dispatch.stations import managed_station
from dispatch.visits import visible_visit, visit_json
from extensions import db

blp = Blueprint("visits_api", __name__, url_prefix="/api",
                description="Free windows, bookings and the life of a visit")


def skill_named(code: str) -> Skill:
    skill = db.session.execute(select(Skill).where(Skill.code == code)).scalar()
    if skill is None:
        abort(422, errors={"json": {"skill": [f"Unknown skill '{code}'."]}})
    return skill


def slots_request(args) -> tuple[Request, date]:
    skill = db.session.execute(select(Skill).where(Skill.code == args["skill"])).scalar()
    if skill is None:
        abort(422, errors={"query": {"skill": [f"Unknown skill '{args['skill']}'."]}})
    return Request(skill, Place(args["lat"], args["lng"])), args["from_"] or station_now().date()


def shown(visits, handling: int | None = None) -> list[dict]:
    """The visits as the signed-in user may see them; the contacts shown to anyone but the
    customer go to the access log (one row per visit, one insert)."""
    visits = list(visits)
    record_reads(current_user, visits, "api", http_request.path, handling)
    return [visit_json(v, current_user, handling) for v in visits]


def shown_one(visit: Visit, handling: int | None = None) -> dict:
    return shown([visit], handling)[0]


def taken(error: WindowTaken):
    abort(409, message=error.description,
          errors={"free": [{"start": w.start.isoformat(), "end": w.end.isoformat()} for w in error.free],
                  **refusal_json(error.why, error.alternatives())})


@blp.route("/engineers/<int:engineer_id>/slots")
@public
@blp.arguments(SlotsQuerySchema, location="query")
@blp.response(200, SlotsSchema)
def engineer_free_windows(args, engineer_id):
    """Windows in which this engineer can still come to the address."""
    request, first = slots_request(args)
    windows = engineer_slots(get_engineer(engineer_id), request, first, args["days"], station_now())
    return {"engineer_id": engineer_id,
            "windows": [{"start": w.start, "end": w.end, "engineers": [engineer_id]} for w in windows]}


@blp.route("/slots")
@public
@blp.arguments(SlotsQuerySchema, location="query")
@blp.response(200, SlotsSchema)
def station_free_windows(args):
    """Windows in which any engineer of the covering stations can come, with who can."""
    request, first = slots_request(args)
    found = any_engineer_slots(request, first, args["days"], station_now())
    return {"engineer_id": None,
            "windows": [{"start": w.start, "end": w.end, "engineers": ids} for w, ids in found]}


@blp.route("/visits", methods=["POST"])
@allow("customer", "agent")
@blp.arguments(BookingSchema)
@blp.response(201, VisitSchema)
@blp.alt_response(409, description="The window is no longer free; `errors.free` lists free ones")
def create_visit(fields):
    """Book a visit, for oneself or (call-centre agents) for a customer by phone."""
    customer, channel = current_user, "web"
    if current_user.role in ("agent", "admin"):
        customer = db.session.get(User, fields["customer_id"] or 0)
        if customer is None or customer.role != "customer":
            abort(422, errors={"json": {"customer_id": ["An agent books for an existing customer."]}})
        channel = "phone"
    engineer = get_engineer(fields["engineer_id"]) if fields["engineer_id"] else None
    request = Request(skill_named(fields["skill"]), Place(fields["lat"], fields["lng"]),
                      fields["window_start"])
    details = {k: fields[k] for k in ("product_model", "serial_number", "problem", "address_text")}
    try:
        visit = book(customer.id, current_user.id, channel, request, details, engineer)
    except WindowTaken as error:
        db.session.rollback()
        taken(error)
    db.session.commit()
    return shown_one(visit, handling=customer.id)


@blp.route("/visits/<int:visit_id>")
@allow("customer", "engineer", "manager", "agent")
@blp.response(200, VisitSchema)
def get_visit(visit_id):
    """A visit, as its customer, its engineer, its station or the call centre sees it (the
    customer's contacts masked for an agent, who names the customer at /api/agent/visits to
    see them, and for the engineer once the visit is closed)."""
    return shown_one(visible_visit(visit_id, current_user))


@blp.route("/visits/<int:visit_id>/status", methods=["POST"])
@allow("customer", "engineer", "manager", "agent")
@blp.arguments(StepSchema)
@blp.response(200, VisitSchema)
def step(fields, visit_id):
    """Move the visit along its life (illegal steps: 409)."""
    visit = visible_visit(visit_id, current_user)
    report = {k: fields[k] for k in ("fault_found", "parts_used", "fixed_first_time")
              if fields[k] is not None} if fields["status"] in ("completed", "needs_second_visit") else None
    channel = "phone" if current_user.role == "agent" else "web"
    try:
        move(visit, fields["status"], current_user, station_now(), channel, fields["note"], report,
             code=fields["code"])
    except WrongCode as error:
        db.session.commit()  # the wrong try counts
        abort(422, message=error.description, errors={"json": {error.field: [error.description]}})
    db.session.commit()
    return shown_one(visit)


@blp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@allow("customer")
@blp.response(200, VisitSchema)
@blp.alt_response(409, description="The visit is not completed, or is confirmed already")
def confirm_done(visit_id):
    """The customer confirms that the work is done: the visit counts from now (points, the
    review). The engineer confirms at once instead by entering the customer's code."""
    visit = visible_visit(visit_id, current_user)
    confirm(visit, current_user)
    db.session.commit()
    return shown_one(visit)


@blp.route("/visits/<int:visit_id>/reschedule", methods=["POST"])
@allow("customer", "manager", "agent")
@blp.arguments(RescheduleSchema)
@blp.response(200, VisitSchema)
def move_window(fields, visit_id):
    """Move a scheduled visit to another free window (409 with free windows if taken)."""
    visit = visible_visit(visit_id, current_user)
    channel = "phone" if current_user.role == "agent" else "web"
    try:
        reschedule(visit, fields["window_start"], current_user, channel)
    except WindowTaken as error:
        db.session.rollback()
        taken(error)
    db.session.commit()
    return shown_one(visit)


@blp.route("/me/visits")
@allow("customer")
@blp.response(200, VisitSchema(many=True))
def my_visits():
    """My visits, newest window first, with status and ETA."""
    visits = db.session.execute(select(Visit).where(Visit.customer_id == current_user.id)
                                .order_by(Visit.window_start.desc())).scalars()
    return shown(visits)


@blp.route("/agent/visits")
@allow("agent")
@blp.arguments(AgentLookupQuerySchema, location="query")
@blp.response(200, VisitSchema(many=True))
def agent_customer_visits(args):
    """The visits of the customer an agent is handling (named by email), with the contacts;
    each read is logged. There is no list across customers for agents."""
    customer = db.session.execute(select(User).where(
        User.email == args["customer_email"], User.role == "customer")).scalar()
    if customer is None:
        abort(404, message=_("No customer with this email."))
    visits = db.session.execute(select(Visit).where(Visit.customer_id == customer.id)
                                .order_by(Visit.window_start.desc())).scalars()
    return shown(visits, handling=customer.id)


@blp.route("/me/notices")
@allow("customer")
@blp.response(200, NoticeSchema(many=True))
def my_notices():
    """What the latest plans changed for my visits (ETA moved, another engineer), newest first."""
    return [{"id": n.id, "visit_id": n.visit_id, "kind": n.kind, "text": notice_text(n),
             "created_at": n.created_at} for n in notices_for(current_user.id)]


@blp.route("/me/day")
@allow("engineer")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, VisitSchema(many=True))
def my_day(args):
    """The signed-in engineer's visits of a day, in route order."""
    engineer = engineer_of(current_user)
    return shown(engineer_day(engineer, args["date"] or station_now().date()))


@blp.route("/stations/<code>/visits")
@allow("manager")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, VisitSchema(many=True))
def station_visits(args, code):
    """A station's visits of a day (its manager)."""
    station = managed_station(code, current_user)
    day = args["date"] or station_now().date()
    return shown(station_day(station.id, day))


@blp.route("/stations/<code>/metrics")
@allow("manager")
@blp.arguments(MetricsQuerySchema, location="query")
@blp.response(200, MetricsSchema)
def station_metrics(args, code):
    """Request-to-visit time, on-time arrival and first-time fix of a station."""
    station = managed_station(code, current_user)
    return metrics_for(station_id=station.id, **period(args))


@blp.route("/me/metrics")
@allow("engineer")
@blp.arguments(MetricsQuerySchema, location="query")
@blp.response(200, MetricsSchema)
def my_metrics(args):
    """The signed-in engineer's own service figures."""
    engineer = engineer_of(current_user)
    return metrics_for(engineer_id=engineer.id, **period(args))


def period(args) -> dict:
    return {"since": datetime.combine(args["since"], time()) if args["since"] else None,
            "until": datetime.combine(args["until"] + timedelta(days=1), time()) if args["until"] else None}


@blp.route("/contact-reads")
@allow("admin")
@blp.arguments(ContactReadsQuerySchema, location="query")
@blp.response(200, ContactReadPageSchema)
def contact_read_log(args):
    """Who was shown which customer's phone and address, newest first (admins): filter by
    customer, by reader and by instant (`since` included, `until` excluded)."""
    total, rows = contact_reads(**args)
    return {"total": total, "page": args["page"], "per_page": args["per_page"], "items": rows}
