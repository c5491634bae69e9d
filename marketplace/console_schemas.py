"""What goes in and out of the call-centre console: the search, its results, and the forms
of the card (booking on the phone, an address said on the phone, a first-time caller)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, pre_load, validate

from accounts.schemas import EMAIL, LAT, LNG, REQUIRED, FormSchema, PhoneNumber
from dispatch.schemas import WINDOW_START, row_id, station_time

NAME = validate.Length(min=1, max=80, error=_l("Use 1 to 80 characters."))
LABEL = validate.Length(min=1, max=40, error=_l("Use 1 to 40 characters."))
ADDRESS = validate.Length(min=1, max=200, error=_l("Use 1 to 200 characters."))


class BlankIsAbsent:
    """An empty optional box in a form means "not given", not an invalid value."""

    @pre_load
    def drop_blank(self, data, **kwargs):
        return {key: value for key, value in data.items()
                if not (isinstance(value, str) and not value.strip())}


class CustomerQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(
        min=1, max=100, error=_l("Search with 1 to 100 characters.")),
        metadata={"description": "a phone number (any way of writing it, or 4+ of its digits), "
                                 "a name or an e-mail"})


class CustomerRowSchema(Schema):
    """A search result: the phone masked, the area of the default address, not the address."""

    id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "masked, e.g. +86 138****5678"})
    address_label = fields.String(allow_none=True)
    area = fields.String(allow_none=True, metadata={"description": "the station serving the "
                                                                   "default address"})


class CustomerSearchFormSchema(CustomerQuerySchema, FormSchema):
    """The console's search box (the page shows an empty box when nothing is asked)."""

    q = fields.String(load_default="", validate=validate.Length(
        max=100, error=_l("Search with 1 to 100 characters.")))


class ConsoleChoiceSchema(BlankIsAbsent, FormSchema):
    """What the card's booking box is set to (the query of a GET): the address, product and
    engineer chosen so far; the engineer absent means "let the station choose"."""

    address_id = row_id(load_default=None)
    skill = fields.String(load_default=None, validate=validate.Length(max=40))
    engineer_id = row_id(load_default=None)


class ConsoleBookingFormSchema(ConsoleChoiceSchema):
    """Booking on the phone from the card."""

    address_id = row_id(required=True, error_messages={"required": _l("Choose an address.")})
    skill = fields.String(required=True, validate=validate.Length(min=1, max=40),
                          error_messages={"required": _l("Choose a product.")})
    window_start = station_time(required=True, validate=WINDOW_START,
                                error_messages={"required": _l("Choose a window.")})
    problem = fields.String(required=True, validate=validate.Length(
        min=1, max=2000, error=_l("Say what is wrong in 1 to 2000 characters.")),
        error_messages=REQUIRED)
    product_model = fields.String(load_default=None, validate=validate.Length(max=80))
    serial_number = fields.String(load_default=None, validate=validate.Length(max=80))


class SpokenAddressFormSchema(BlankIsAbsent, FormSchema):
    """An address the caller says: its name and its words (the geocoder places it)."""

    label = fields.String(required=True, validate=LABEL, error_messages=REQUIRED)
    address_text = fields.String(required=True, validate=ADDRESS, error_messages=REQUIRED)
    # The pin, when the map placed one (hidden fields, never typed); else the words' point.
    lat = fields.Float(load_default=None, validate=LAT, allow_nan=False)
    lng = fields.Float(load_default=None, validate=LNG, allow_nan=False)


class NewCustomerFormSchema(SpokenAddressFormSchema):
    """A first-time caller: name, the number they call from, an e-mail if they give one,
    and where the engineer should come."""

    name = fields.String(required=True, validate=NAME, error_messages=REQUIRED)
    phone = PhoneNumber(required=True, error_messages=REQUIRED)
    email = fields.String(load_default=None, validate=EMAIL)
