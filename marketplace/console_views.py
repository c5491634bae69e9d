"""Pages of the call-centre console: find the caller, open their card, book, move or cancel
their visits from it, and open an account for a first-time caller — all for agents."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from accounts.access import allow
from accounts.customers import EmailTaken, PhoneTaken
from accounts.models import Address, User
from dispatch.booking import OutOfArea, SkillMissing, WindowTaken, station_now
from dispatch.models import Engineer, Skill
from extensions import db
from marketplace import console
from marketplace.console_schemas import (
    ConsoleBookingFormSchema,
    ConsoleChoiceSchema,
    CustomerSearchFormSchema,
    NewCustomerFormSchema,
    SpokenAddressFormSchema,
)

bp = Blueprint("console", __name__, url_prefix="/console")


def form_values() -> dict:
    """What the page sent (the form of a POST, else the query), without the CSRF token and
    empty boxes: a POST to a URL with a query (the new-customer page prefilled with the
    number searched) takes what was typed, not the query."""
    sent = request.form if request.method == "POST" else request.args
    return {k: v for k, v in sent.items() if k != "csrf_token" and str(v).strip()}


def customer_or_404(customer_id: int) -> User:
    try:
        return console.customer_of(customer_id)
    except console.NotACustomer:
        abort(404)


@bp.route("")
@allow("agent")
def search():
    """One box: the caller's phone (any way of writing it, or its last digits), name or
    e-mail; the results tell callers apart without showing how to reach them."""
    errors, query = {}, ""
    try:
        query = CustomerSearchFormSchema().load(request.args)["q"].strip()
    except ValidationError as err:
        errors = err.messages
    rows = console.search(query) if query else []
    return render_template("marketplace/console.html", query=query, rows=rows, errors=errors,
                           new_phone=query if query and not rows and any(c.isdigit() for c in query)
                           else ""), 422 if errors else 200


@bp.route("/customers/<int:customer_id>")
@allow("agent")
def card(customer_id: int):
    """The card of the customer on the phone, with the booking box set as the query says."""
    return render_card(customer_or_404(customer_id), form_values())


@bp.route("/customers/<int:customer_id>/book", methods=["POST"])
@allow("agent")
def book(customer_id: int):
    """Book for the caller from the card: channel "phone", booked by the agent."""
    customer = customer_or_404(customer_id)
    values = form_values()
    try:
        data = ConsoleBookingFormSchema().load(values)
        address = chosen_address(customer, data["address_id"])
        skill = chosen_skill(data["skill"])
        engineer = chosen_engineer(data["engineer_id"])
        details = {k: data[k] for k in ("product_model", "serial_number", "problem")}
        visit = console.book_for(current_user, customer, address, skill, engineer,
                                 data["window_start"], details)
        db.session.commit()
    except ValidationError as err:
        return render_card(customer, values, errors=err.messages)
    except WindowTaken:
        db.session.rollback()
        return render_card(customer, values, message=_("Sorry, that window was just taken. "
                                                       "Please choose another."))
    except HTTPException as err:  # out of area, skill missing, the daily cap
        db.session.rollback()
        return render_card(customer, values, message=str(err.description))
    who = visit.engineer.display_name if visit.engineer else ""
    flash(_("Booked for %(customer)s: %(engineer)s comes on %(day)s, %(start)s–%(end)s.",
            customer=customer.name, engineer=who, day=visit.window_start.strftime("%m-%d"),
            start=visit.window_start.strftime("%H:%M"), end=visit.window_end.strftime("%H:%M")),
          "success")
    return redirect(url_for("console.card", customer_id=customer.id) + f"#visit-{visit.id}")


@bp.route("/customers/<int:customer_id>/addresses", methods=["POST"])
@allow("agent")
def add_address(customer_id: int):
    """Save an address the caller says (the geocoder places it); booking can start from it."""
    customer = customer_or_404(customer_id)
    values = form_values()
    try:
        data = SpokenAddressFormSchema().load(values)
        address = console.add_spoken_address(customer, data["label"], data["address_text"],
                                                 console.pin_of(data))
    except ValidationError as err:
        return render_card(customer, {}, address_errors=err.messages, address_values=values)
    except console.AddressNotFound:
        return render_card(customer, {}, address_errors={"address_text": [not_found()]},
                           address_values=values)
    db.session.commit()
    flash(_("Address “%(label)s” saved.", label=address.label), "success")
    return redirect(url_for("console.card", customer_id=customer.id, address_id=address.id) + "#book")


@bp.route("/customers/new", methods=["GET", "POST"])
@allow("agent")
def new_customer():
    """An account for someone who calls for the first time: name, number, address."""
    errors, values, holder = {}, form_values(), None
    if request.method == "POST":
        try:
            data = NewCustomerFormSchema().load(values)
            customer = console.open_account(data["name"], data["phone"], data["email"], data["label"],
                                            data["address_text"], console.pin_of(data))
        except ValidationError as err:
            errors = err.messages
        except console.AddressNotFound:
            errors = {"address_text": [not_found()]}
        except PhoneTaken as err:
            db.session.rollback()
            holder = err.holder if err.holder.role == "customer" else None
            errors = {"phone": [_("This number already belongs to an account.")]}
        except EmailTaken:
            db.session.rollback()
            errors = {"email": [_("An account with this email already exists.")]}
        else:
            db.session.commit()
            flash(_("%(name)s is a customer now. Book for them below.", name=customer.name), "success")
            return redirect(url_for("console.card", customer_id=customer.id) + "#book")
    return render_template("marketplace/console_new.html", errors=errors, values=values,
                           holder=holder), 422 if errors else 200


def not_found() -> str:
    return _("We could not find this address. Try the county or city name.")


def chosen_address(customer: User, address_id: int | None) -> Address:
    address = next((a for a in customer.addresses if a.id == address_id), None)
    if address is None:
        raise ValidationError({"address_id": [_("Choose one of the customer's addresses.")]})
    return address


def chosen_skill(code: str | None) -> Skill:
    skill = db.session.execute(db.select(Skill).where(Skill.code == code)).scalar() if code else None
    if skill is None:
        raise ValidationError({"skill": [_("Unknown product.")]})
    return skill


def chosen_engineer(engineer_id: int | None) -> Engineer | None:
    if engineer_id is None:
        return None
    engineer = db.session.get(Engineer, engineer_id)
    if engineer is None:
        raise ValidationError({"engineer_id": [_("Not a known engineer.")]})
    return engineer


def booking_box(customer: User, values: dict) -> dict:
    """The booking box as the query or form sets it: the address (the default at first),
    the product, the engineers who can come there for it, and the free windows of the one
    named (or of the station, none named)."""
    box = {"address": None, "skill": None, "engineers": [], "engineer": None, "windows": None,
           "message": None, "errors": {}}
    try:
        choice = ConsoleChoiceSchema().load(values)
    except ValidationError as err:
        box["errors"] = err.messages
        return box
    box["address"] = next((a for a in customer.addresses if a.id == choice["address_id"]),
                          customer.addresses[0] if customer.addresses else None)
    box["skill"] = db.session.execute(db.select(Skill).where(Skill.code == choice["skill"])).scalar() \
        if choice["skill"] else None
    if box["address"] is None or box["skill"] is None:
        return box
    try:
        box["engineers"] = console.engineers_for(box["address"], box["skill"])
        box["engineer"] = next((e for e in box["engineers"] if e.id == choice["engineer_id"]), None)
        if choice["engineer_id"] and box["engineer"] is None:
            box["errors"] = {"engineer_id": [_("This engineer does not come to this address for "
                                               "this product.")]}
            return box
        now = station_now()
        box["windows"] = console.free_windows(box["address"], box["skill"], box["engineer"], now.date(),
                                              current_app.config["SLOT_DAYS"], now)
    except (OutOfArea, SkillMissing) as err:
        box["message"] = str(err.description)
    return box


def render_card(customer: User, values: dict, errors: dict | None = None, message: str | None = None,
                address_errors: dict | None = None, address_values: dict | None = None):
    """The card, its booking box, and the read of the customer's contacts on the log."""
    card_data = console.customer_card(customer, station_now())
    console.record_card_read(current_user, customer, request.path)
    box = booking_box(customer, values)
    errors = {**box["errors"], **(errors or {})}
    failed = bool(errors or message or address_errors)
    return render_template("marketplace/console_card.html", card=card_data, customer=customer, box=box,
                           values=values, errors=errors, message=message or box["message"],
                           skills=console.skills(),
                           favourite_ids={e.id for e in card_data.favourites},
                           address_errors=address_errors or {}, address_values=address_values or {},
                           ), 422 if failed and request.method == "POST" else 200
