"""Pages of the dispatch side: a manager's station, booking a visit, a customer's visits,
an engineer's day, the call centre's look-up and the contact access log (admins)."""
from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import HTTPException

from accounts.access import allow
from accounts.addresses import add_address, delete_address as remove_address, make_default, own_address
from accounts.models import User
from accounts.schemas import LAT, LNG
from accounts.verification import PhoneNotVerified, has_verified_phone
from dispatch.alternatives import absent_days
from dispatch.booking import (
    ACTIVE,
    BookingCapReached,
    OutOfArea,
    Request,
    SkillMissing,
    WindowTaken,
    any_engineer_slots,
    book,
    engineer_day,
    engineer_slots,
    reschedule,
    station_day,
    station_now,
    within_cap,
)
from dispatch.contacts import contact_reads, contacts_for, record_reads
from dispatch.engineers import engineer_of, get_engineer
from dispatch.geocode import NOT_FOUND, geocode
from dispatch.lifecycle import (
    CodeLocked,
    IllegalStep,
    NotAwaitingConfirmation,
    NotYourVisit,
    TooEarlyToStart,
    TooLateToChange,
    WrongCode,
    confirm,
    may_start,
    move,
    start_lead_minutes,
)
from dispatch.metrics import metrics_for
from dispatch.models import Skill, Station, Visit
from dispatch.schemas import (
    AgentVisitsQuerySchema,
    BookingSchema,
    ContactReadsFormSchema,
    DayFormSchema,
    RescheduleFormSchema,
    SlotsQuerySchema,
    StationDirectoryQuerySchema,
    StepSchema,
)
from dispatch.slots import Place
from dispatch.stations import count_stations, managed_station, search_stations, station_engineers
from dispatch.visits import eta_of, visible_visit
from extensions import db


class BookingFormSchema(BookingSchema):
    """The booking page's form; call-centre agents name the customer by email."""

    customer_email = fields.String(load_default="", validate=validate.Length(max=254))

    class Meta:
        unknown = EXCLUDE


class StepFormSchema(StepSchema):
    class Meta:
        unknown = EXCLUDE

bp = Blueprint("dispatch", __name__)


def requested_day() -> date:
    """The day a page was asked for (`?date=`), today (station time) when absent or wrong."""
    try:
        return DayFormSchema().load(request.args)["date"] or station_now().date()
    except ValidationError:
        flash(_("That is not a day we can show; here is today."), "error")
        return station_now().date()


DIRECTORY_PAGE = 50


@bp.route("/station")
@allow("manager")
def my_station():
    """A manager's own station; for an admin, who manages every station, the directory of
    them all (search in Chinese or pinyin), each opening as its manager sees it."""
    if current_user.role == "admin":
        return station_directory()
    code = db.session.execute(
        db.select(Station.code).where(Station.manager_id == current_user.id)
        .order_by(Station.code)).scalars().first()
    if code is None:
        abort(404, _("You do not manage a station yet."))
    return redirect(url_for("dispatch.station", code=code))


def station_directory():
    try:
        args = StationDirectoryQuerySchema().load(request.args)
    except ValidationError as err:
        args, errors = {"q": None, "page": 1}, err.messages
    else:
        errors = {}
    total = count_stations(args["q"])
    stations = search_stations(args["q"], DIRECTORY_PAGE, (args["page"] - 1) * DIRECTORY_PAGE)
    return render_template("dispatch/stations.html", stations=stations, total=total, q=args["q"] or "",
                           page=args["page"], pages=max(1, -(-total // DIRECTORY_PAGE)),
                           errors=errors), 422 if errors else 200


@bp.route("/stations/<code>")
@allow("manager")
def station(code: str):
    """The station's engineers and the area it covers."""
    station = managed_station(code, current_user)
    day = requested_day()
    visits = station_day(station.id, day)
    return render_template("dispatch/station.html", station=station, day=day, visits=visits,
                           contacts=contacts_shown(visits), timedelta_day=timedelta(days=1),
                           engineers=station_engineers(station),
                           figures=metrics_for(station_id=station.id))


def contacts_shown(visits: list[Visit], handling: int | None = None) -> dict:
    """The customer contacts of the visits a page shows, by visit id, as the signed-in user
    may see them (dispatch.contacts); those shown to anyone but the customer are logged."""
    record_reads(current_user, visits, "page", request.path, handling)
    return {v.id: contacts_for(v, current_user, handling) for v in visits}


# --- Booking, my visits, the engineer's day -------------------------------------------------

def form_data() -> dict:
    """The submitted form without empty boxes (an empty optional box means "not given")."""
    return {k: v for k, v in request.form.items() if v.strip() and k != "csrf_token"}


@bp.route("/book/<int:engineer_id>", methods=["GET", "POST"])
@allow("customer", "agent")
def book_engineer(engineer_id: int):
    """Book a visit with the engineer the customer chose: product and address first, then
    one of the windows this engineer can really make."""
    engineer = get_engineer(engineer_id)
    values = {k: v for k, v in {**request.args, **request.form}.items() if str(v).strip()}
    saved = current_user.addresses if current_user.role == "customer" else []
    if request.method == "GET" and saved and "lat" not in values and "address_text" not in values:
        home = saved[0]
        values = {"address_text": home.text, "lat": home.lat, "lng": home.lng, **values}
    errors, windows, message, why, alternatives = {}, None, None, None, []
    skill_codes = {s.code for s in engineer.skills}
    try:
        values = with_point(values)
        if {"skill", "lat", "lng"} <= values.keys():
            query = SlotsQuerySchema().load({k: values[k] for k in ("skill", "lat", "lng")})
            if query["skill"] not in skill_codes:
                raise ValidationError({"skill": [_("This engineer does not repair this product.")]})
            request_ = Request(skill_by_code(query["skill"]), Place(query["lat"], query["lng"]))
            windows = engineer_slots(engineer, request_, station_now().date(),
                                     current_app.config["SLOT_DAYS"], station_now())
            if current_user.role == "customer":  # an agent names the customer only when booking
                windows = within_cap(windows, current_user.id)
        if request.method == "POST" and values.get("window_start"):
            return place_booking(engineer, values)
    except ValidationError as err:
        errors = err.messages
    except (OutOfArea, SkillMissing) as err:
        message, why, alternatives = err.description, err.why, err.alternatives()
    except WindowTaken as err:
        db.session.rollback()
        windows, message = err.free, _("Sorry, that window was just taken. Please choose another.")
        why, alternatives = err.why, err.alternatives()
    except (BookingCapReached, PhoneNotVerified) as err:
        db.session.rollback()
        message = str(err.description)
    return render_template("dispatch/book.html", engineer=engineer, values=values, errors=errors,
                           saved=saved,
                           windows=windows, message=message, why=why, alternatives=alternatives,
                           needs_phone=current_user.role == "customer"
                           and not has_verified_phone(current_user)), 422 if errors else 200


def with_point(values: dict) -> dict:
    """The form with its point: the pin's, else the point the address words name (a page
    without scripts, or Enter pressed before "Find on map"). Nobody types coordinates."""
    if ("lat" in values and "lng" in values) or not values.get("address_text"):
        return values
    found = geocode(values["address_text"])
    if found is None:
        raise ValidationError({"address_text": [str(NOT_FOUND)]})
    return {**values, "lat": found.lat, "lng": found.lng}


def place_booking(engineer, values: dict):
    data = BookingFormSchema().load({**values, "engineer_id": engineer.id})
    customer_id, channel = current_user.id, "web"
    if current_user.role == "agent":
        customer = db.session.execute(db.select(User).where(
            User.email == data["customer_email"].strip().lower(), User.role == "customer")).scalar()
        if customer is None:
            raise ValidationError({"customer_email": [_("No customer with this email.")]})
        customer_id, channel = customer.id, "phone"
    request_ = Request(skill_by_code(data["skill"]), Place(data["lat"], data["lng"]), data["window_start"])
    details = {k: data[k] for k in ("product_model", "serial_number", "problem", "address_text")}
    visit = book(customer_id, current_user.id, channel, request_, details, engineer)
    db.session.commit()
    flash(_("Booked. %(name)s will come in the window you chose.", name=engineer.display_name), "success")
    return redirect(url_for("feedback.my_visit", visit_id=visit.id) if current_user.role == "customer"
                    else url_for("marketplace.home"))


def skill_by_code(code: str) -> Skill:
    skill = db.session.execute(db.select(Skill).where(Skill.code == code)).scalar()
    if skill is None:
        raise ValidationError({"skill": [_("Unknown product.")]})
    return skill


@bp.route("/visits/<int:visit_id>/status", methods=["POST"])
@allow("customer", "engineer", "manager", "agent")
def visit_step(visit_id: int):
    """The buttons of the visit pages: one step of the visit's life."""
    visit = visible_visit(visit_id, current_user)
    try:
        data = StepFormSchema().load(form_data())
    except ValidationError as err:
        labels = {"status": _("Step"), "note": _("Note"), "code": _("Completion code"),
                  "fault_found": _("Fault found"), "parts_used": _("Parts used"),
                  "fixed_first_time": _("Fixed on the first visit")}
        flash(" ".join(f"{labels.get(k, k)}: {' '.join(map(str, v))}" for k, v in err.messages.items()),
              "error")
        return redirect(request.referrer or url_for("marketplace.home"))
    report = {k: data[k] for k in ("fault_found", "parts_used", "fixed_first_time")
              if data[k] is not None} if data["status"] in ("completed", "needs_second_visit") else None
    try:
        move(visit, data["status"], current_user, station_now(),
             "phone" if current_user.role == "agent" else "web", data["note"], report,
             code=data["code"])
        db.session.commit()
        if data["status"] == "completed" and visit.confirmed_at is None:
            flash(_("Completed. The customer confirms the work in the app."), "info")
        elif data["status"] == "cancelled":
            flash(_("The visit of %(day)s is cancelled.", day=visit.window_start.strftime("%m-%d")),
                  "success")
    except WrongCode as err:
        db.session.commit()  # the wrong try counts
        flash(err.description, "error")
    except (IllegalStep, NotYourVisit, TooLateToChange, TooEarlyToStart, CodeLocked) as err:
        db.session.rollback()
        flash(err.description, "error")
    return redirect(back_to_visits(visit))


@bp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@allow("customer")
def confirm_visit(visit_id: int):
    """The customer's "the work is done" button: the visit counts from now."""
    visit = visible_visit(visit_id, current_user)
    try:
        confirm(visit, current_user)
        db.session.commit()
        flash(_("Thank you: the visit is confirmed. How was it?"), "success")
    except (NotYourVisit, NotAwaitingConfirmation) as err:
        db.session.rollback()
        flash(err.description, "error")
    return redirect(url_for("feedback.my_visits") + f"#visit-{visit.id}")


def back_to_visits(visit: Visit) -> str:
    """Where a visit's buttons return to: the page of its visits the user came from."""
    back = {"engineer": url_for("dispatch.my_day", date=visit.window_start.date().isoformat()),
            "customer": url_for("feedback.my_visits"),
            "agent": agent_card(visit)}
    return back.get(current_user.role, url_for("marketplace.home"))


def agent_card(visit: Visit) -> str:
    """The call centre's card of the visit's customer, at the visit (marketplace.console)."""
    return url_for("console.card", customer_id=visit.customer_id) + f"#visit-{visit.id}"


@bp.route("/my/day")
@allow("engineer")
def my_day():
    """The engineer's day, phone first: visits in route order, on a map, with the buttons."""
    engineer = engineer_of(current_user)
    day = requested_day()
    visits = engineer_day(engineer, day)
    live = [v for v in visits if v.status in ACTIVE]  # a cancelled visit is no stop: not counted
    stops = [{"lat": v.lat, "lng": v.lng, "label": f"{i + 1}"} for i, v in enumerate(live)]
    now = station_now()
    return render_template("dispatch/my_day.html", engineer=engineer, day=day, visits=visits,
                           contacts=contacts_shown(visits), timedelta_day=timedelta(days=1),
                           startable={v.id for v in visits if may_start(v, now)},
                           start_lead=timedelta(minutes=start_lead_minutes()),
                           eta_of=eta_of, stops=stops, home={"lat": engineer.station.lat,
                                                             "lng": engineer.station.lng},
                           figures=metrics_for(engineer_id=engineer.id))


@bp.route("/visits/<int:visit_id>/reschedule", methods=["GET", "POST"])
@allow("customer", "manager", "agent")
def reschedule_visit(visit_id: int):
    """Move a scheduled visit to another window this engineer (or the station) can make."""
    visit = visible_visit(visit_id, current_user)
    message, why, alternatives = None, None, []
    selected = request.values.get("window_start", "")
    if request.method == "POST":
        try:
            start = RescheduleFormSchema().load(request.form)
            reschedule(visit, start["window_start"], current_user,
                       "phone" if current_user.role == "agent" else "web")
            db.session.commit()
            flash(_("The visit has moved to %(time)s.",
                    time=visit.window_start.strftime("%m-%d %H:%M")), "success")
            return redirect(agent_card(visit) if current_user.role == "agent"
                            else url_for("feedback.my_visit", visit_id=visit.id))
        except ValidationError:
            message = _("Please choose a window.")
        except WindowTaken as err:
            db.session.rollback()
            message, why, alternatives = str(err.description), err.why, err.alternatives()
        except HTTPException as err:
            db.session.rollback()
            message = str(err.description)
    request_ = Request(visit.skill, Place(visit.lat, visit.lng))
    first, days = station_now().date(), current_app.config["SLOT_DAYS"]
    offered = ([w for w in engineer_slots(visit.engineer, request_, first, days, station_now(),
                                          excluding=visit.id)
                if w.start.date() not in absent_days(visit.engineer_id, first, days)]
               if visit.chosen_by_customer else
               [w for w, _ids in any_engineer_slots(request_, first, days, station_now())])
    windows = within_cap(offered, visit.customer_id, excluding=visit.id)
    return render_template("dispatch/reschedule.html", visit=visit, windows=windows, message=message,
                           why=why, alternatives=alternatives, selected=selected,
                           contacts=contacts_shown([visit])[visit.id]
                           if any(a.kind == "similar_engineer" for a in alternatives) else None)


class AddressFormSchema(Schema):
    """A saved address as the page sends it: a name, the words, the pin (or the words'
    point when there is no pin), and whether booking should start from it."""

    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    address_text = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)
    is_default = fields.Boolean(load_default=False)

    class Meta:
        unknown = EXCLUDE


@bp.route("/me/addresses", methods=["GET", "POST"])
@allow("customer")
def my_addresses():
    """Where the customer wants engineers to come: add, name, make default, delete."""
    errors, values = {}, {}
    if request.method == "POST":
        values = form_data()
        try:
            data = AddressFormSchema().load(with_point(values))
        except ValidationError as err:
            errors = err.messages
        else:
            add_address(current_user, data["label"], data["address_text"], data["lat"], data["lng"],
                        data["is_default"])
            db.session.commit()
            flash(_("Address “%(label)s” saved.", label=data["label"]), "success")
            return redirect(url_for("dispatch.my_addresses"))
    return render_template("dispatch/addresses.html", addresses=current_user.addresses,
                           errors=errors, values=values), 422 if errors else 200


@bp.route("/me/addresses/<int:address_id>/default", methods=["POST"])
@allow("customer")
def default_address(address_id: int):
    address = own_address(current_user, address_id)
    make_default(current_user, address)
    db.session.commit()
    flash(_("Booking now starts from “%(label)s”.", label=address.label), "success")
    return redirect(url_for("dispatch.my_addresses"))


@bp.route("/me/addresses/<int:address_id>/delete", methods=["POST"])
@allow("customer")
def delete_address(address_id: int):
    address = own_address(current_user, address_id)
    label = address.label
    remove_address(current_user, address)
    db.session.commit()
    flash(_("Address “%(label)s” deleted.", label=label), "success")
    return redirect(url_for("dispatch.my_addresses"))


@bp.route("/agent/visits")
@allow("agent")
def agent_visits():
    """The call centre finds a customer's visits by email to change them on the phone: the
    customer named is the one the agent handles, the only one whose contacts the agent sees
    (each read logged); there is no list across customers."""
    try:
        email = AgentVisitsQuerySchema().load(request.args)["customer_email"]
    except ValidationError:
        abort(400, _("An email has at most 254 characters."))
    customer = db.session.execute(db.select(User).where(
        User.email == email, User.role == "customer")).scalar() if email else None
    visits = db.session.execute(db.select(Visit).where(Visit.customer_id == customer.id)
                                .order_by(Visit.window_start.desc())).scalars().all() if customer else []
    return render_template("dispatch/agent_visits.html", email=email, customer=customer, visits=visits,
                           contacts=contacts_shown(visits, customer.id if customer else None),
                           eta_of=eta_of)


@bp.route("/admin/contact-reads")
@allow("admin")
def contact_read_log():
    """Who was shown which customer's phone and address (the access log), with filters."""
    errors, total, rows, filters = {}, 0, [], {}
    try:
        filters = ContactReadsFormSchema().load(
            {k: v for k, v in request.args.items() if v.strip()})
        total, rows = contact_reads(**filters)
    except ValidationError as err:
        errors = err.messages
    kept = {k: v for k, v in request.args.items() if v.strip() and k != "page"}
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    return render_template("dispatch/contact_reads.html", rows=rows, total=total, errors=errors,
                           values=request.args, kept=kept, page=page,
                           more=page * per_page < total), 422 if errors else 200
