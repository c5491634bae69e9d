"""The call-centre console as plain data: who the caller may be, the caller's card (contact,
saved addresses, visits with their status, favourite engineers), and booking for them on
the phone through dispatch.booking, for the engineer they name or whoever of the covering
stations can come.

Contacts follow dispatch.contacts: a list across customers shows masked phones and the
area an address is in, never the address itself; the card of the customer the agent opens
is the customer handled, shown in full, and every card shown is on the access log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from accounts.addresses import add_address, default_address
from accounts.customers import create_customer, find_customers, has_real_email
from accounts.models import Address, User, utcnow
from dispatch.booking import (
    ACTIVE,
    Request,
    any_engineer_slots,
    book,
    covering_engineers,
    engineer_slots,
    station_now,
    within_cap,
)
from dispatch.contacts import commit_keeping_loaded, masked_phone, record_reads
from dispatch.coverage import Point
from dispatch.geocode import geocode
from dispatch.models import ContactRead, Engineer, Skill, Visit
from dispatch.slots import Place, Window
from dispatch.station_index import station_index
from extensions import db
from marketplace.favourites import favourite_engineers

CHANNEL = "phone"


class AddressNotFound(Exception):
    """The words of an address name no place we know."""


class NotACustomer(Exception):
    """The card asked for is no customer's."""


@dataclass(frozen=True)
class CustomerRow:
    """One search result: enough to tell callers apart, not to reach them."""

    id: int
    name: str
    phone: str | None  # masked
    address_label: str | None
    area: str | None  # the station serving the default address, not the address


@dataclass(frozen=True)
class VisitLine:
    id: int
    status: str
    window: Window
    engineer: str | None
    engineer_id: int | None
    station: str
    problem: str
    address_text: str
    changeable: bool  # scheduled: it can be moved or cancelled from the card


@dataclass(frozen=True)
class CustomerCard:
    """The customer handled, in full: what the agent needs to talk and to book."""

    id: int
    name: str
    phone: str | None
    phone_verified: bool
    email: str | None  # None: the customer gave none
    addresses: list[Address]
    upcoming: list[VisitLine]  # still to come, soonest first
    earlier: list[VisitLine]  # done, cancelled or gone by, latest first
    favourites: list[Engineer]


def area_of(address: Address | None) -> str | None:
    """The nearest covering station's name: where roughly an address is."""
    if address is None:
        return None
    stations = station_index().coverage(Point(address.lat, address.lng)).stations
    return stations[0][0].name if stations else None


def search(query: str) -> list[CustomerRow]:
    """The customers the caller may be, by phone (any way of writing it, or some of its
    digits), name or e-mail."""
    rows = []
    for user in find_customers(query):
        home = default_address(user)
        rows.append(CustomerRow(user.id, user.name, masked_phone(user.phone),
                                home.label if home else None, area_of(home)))
    return rows


def customer_of(customer_id: int) -> User:
    customer = db.session.get(User, customer_id)
    if customer is None or customer.role != "customer":
        raise NotACustomer(customer_id)
    return customer


def _line(visit: Visit) -> VisitLine:
    return VisitLine(visit.id, visit.status, Window(visit.window_start, visit.window_end),
                     visit.engineer.display_name if visit.engineer else None, visit.engineer_id,
                     visit.station.name, visit.problem, visit.address_text,
                     visit.status == "scheduled")


def customer_visits(customer_id: int) -> list[Visit]:
    """The customer's visits with their engineer and station (two queries, not one a visit)."""
    return list(db.session.execute(
        select(Visit).where(Visit.customer_id == customer_id)
        .options(selectinload(Visit.engineer), selectinload(Visit.station))
        .order_by(Visit.window_start, Visit.id)).scalars())


def customer_card(customer: User, now: datetime) -> CustomerCard:
    """The card of `customer`: visits still to come (active, window not over) soonest
    first, then the others latest first."""
    visits = customer_visits(customer.id)
    coming = [v for v in visits if v.status in ("requested", *ACTIVE) and v.window_end >= now]
    earlier = [v for v in reversed(visits) if v not in coming]
    return CustomerCard(customer.id, customer.name, customer.phone,
                        customer.phone_verified_at is not None,
                        customer.email if has_real_email(customer) else None,
                        list(customer.addresses), [_line(v) for v in coming],
                        [_line(v) for v in earlier], favourite_engineers(customer.id))


def record_card_read(reader: User, customer: User, path: str) -> int:
    """Log that `reader` was shown the customer's phone and saved addresses (one row, no
    visit) and the addresses of the visits on the card (a row each, as dispatch.contacts
    logs them); committed at once."""
    rows = record_reads(reader, customer_visits(customer.id), "page", path, handling=customer.id)
    fields = ",".join(f for f, shown in (("phone", customer.phone), ("address", customer.addresses))
                      if shown)
    if fields:
        db.session.execute(insert(ContactRead), [{
            "reader_id": reader.id, "customer_id": customer.id, "visit_id": None, "fields": fields,
            "channel": "page", "path": path[:200], "at": utcnow()}])
        commit_keeping_loaded()
        rows += 1
    return rows


def skills() -> list[Skill]:
    return list(db.session.execute(select(Skill).order_by(Skill.id)).scalars())


def request_at(address: Address, skill: Skill, start: datetime | None = None) -> Request:
    return Request(skill, Place(address.lat, address.lng), start)


def engineers_for(address: Address, skill: Skill) -> list[Engineer]:
    """The engineers of the stations covering the address who repair the product (raises
    dispatch.booking.OutOfArea when no station covers it)."""
    return covering_engineers(request_at(address, skill))


def free_windows(address: Address, skill: Skill, engineer: Engineer | None, first: date,
                 days: int, now: datetime) -> list[Window]:
    """The windows the named engineer can still make at the address, or (none named) the
    windows in which someone of the covering stations can come, on days the customer
    (the address's) may still book."""
    request = request_at(address, skill)
    windows = (engineer_slots(engineer, request, first, days, now) if engineer is not None else
               [window for window, _who in any_engineer_slots(request, first, days, now)])
    return within_cap(windows, address.user_id)


def book_for(agent: User, customer: User, address: Address, skill: Skill, engineer: Engineer | None,
             start: datetime, details: dict) -> Visit:
    """Book on the phone: the agent books for the customer at one of their saved
    addresses, channel "phone"; the caller commits. Refusals are dispatch.booking's."""
    return book(customer.id, agent.id, CHANNEL, request_at(address, skill, start),
                {**details, "address_text": address.text}, engineer)


def place_of(text: str, pin: tuple[float, float] | None = None) -> Place:
    """Where an address is: the pin the agent placed on the map as the caller described
    the door, else the point its words name (dispatch.geocode); AddressNotFound when they
    name no place we know. Nobody types coordinates."""
    if pin is not None:
        return Place(*pin)
    point = geocode(text)
    if point is None:
        raise AddressNotFound(text)
    return Place(point.lat, point.lng)


def add_spoken_address(customer: User, label: str, text: str,
                       pin: tuple[float, float] | None = None) -> Address:
    """Save an address as the caller says it; the caller commits."""
    place = place_of(text, pin)
    return add_address(customer, label, text, place.lat, place.lng)


def open_account(name: str, phone: str, email: str | None, label: str, address_text: str,
                 pin: tuple[float, float] | None = None, locale: str | None = None) -> User:
    """A first-time caller's account with their address (accounts.customers.create_customer
    refuses a number another account has); the caller commits."""
    place = place_of(address_text, pin)
    customer = create_customer(name, phone, email, locale)
    add_address(customer, label, address_text, place.lat, place.lng)
    return customer


def pin_of(data: dict) -> tuple[float, float] | None:
    """The pin of a form, when it carried both coordinates."""
    if data.get("lat") is None or data.get("lng") is None:
        return None
    return (data["lat"], data["lng"])


def today() -> date:
    return station_now().date()
