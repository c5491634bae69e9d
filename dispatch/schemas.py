"""What goes in and out of the stations API, and the dispatch pages' forms."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate

from accounts.schemas import LAT, LNG, ROW_ID, FormSchema, UtcDateTime, station_time

# The bounds every date, instant and id the API and the pages take is held to, named once:
# a value outside them is a 4xx naming the field, never a 500 further down (9999-12-31 + 1 day
# overflows; a 30-digit id overflows PostgreSQL's 32-bit id columns).
FIRST_DAY = date(2000, 1, 1)
DAYS_AHEAD = 2 * 366  # how far ahead of today a day may be asked for: two years


def last_day() -> date:
    return date.today() + timedelta(days=DAYS_AHEAD)


class WithinDays(validate.Validator):
    """A day (or a station-local instant) from FIRST_DAY to two years after today; the end
    moves with the calendar, so it is checked at load time, not fixed at import."""

    def __init__(self, error: str) -> None:
        self.error = error

    def __call__(self, value):
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_DAY <= day <= last_day():
            raise ValidationError(self.error)
        return value


DAY = WithinDays(_l("Give a day between 2000 and two years from today."))
WINDOW_START = WithinDays(_l("Give a time between 2000 and two years from today."))
INSTANT = WINDOW_START


def row_id(**kwargs) -> fields.Integer:
    """An id field of a body or a query: 1 ≤ id < 2³¹ (the id columns are 32-bit)."""
    return fields.Integer(strict=kwargs.pop("strict", False), validate=ROW_ID, **kwargs)


class PointQuerySchema(Schema):
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)


class StationSearchQuerySchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=40))
    limit = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=5000))


class GeocodeQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=2, max=200),
                      metadata={"description": "an address as a person writes it"})


class GeoPointSchema(Schema):
    lat = fields.Float()
    lng = fields.Float()
    label = fields.String(metadata={"description": "the place found, as its name is written"})
    precision = fields.String(metadata={"description": "address, county, city or province: how "
                                                       "near the door the point is"})


class StationSchema(Schema):
    code = fields.String()
    name = fields.String()
    province = fields.String()
    city = fields.String()
    county = fields.String()
    lat = fields.Float()
    lng = fields.Float()
    coverage_km = fields.Float()


class StationDistanceSchema(StationSchema):
    distance_km = fields.Float(metadata={"description": "geodesic distance, km"})


class CoverageSchema(Schema):
    stations = fields.List(fields.Nested(StationDistanceSchema),
                           metadata={"description": "stations covering the point, nearest first"})
    nearest = fields.Nested(StationDistanceSchema, allow_none=True,
                            metadata={"description": "the nearest station, covering or not"})


class SkillSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class StaffEngineerSchema(Schema):
    """An engineer as their station sees them, with staff contact details."""

    id = fields.Integer()
    display_name = fields.String()
    email = fields.String(attribute="user.email")
    phone = fields.String(attribute="user.phone", allow_none=True)
    started_on = fields.Date()
    skills = fields.List(fields.Nested(SkillSchema))


class SlotsQuerySchema(Schema):
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)
    skill = fields.String(required=True, metadata={"description": "product line, e.g. laptop"})
    from_ = fields.Date(data_key="from", load_default=None, validate=DAY,
                        metadata={"description": "first day (default: today, station time)"})
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=14))


class WindowSchema(Schema):
    start = station_time()
    end = station_time()


class SlotSchema(WindowSchema):
    engineers = fields.List(fields.Integer(), metadata={"description": "who can come"})


class SlotsSchema(Schema):
    engineer_id = fields.Integer(allow_none=True)
    windows = fields.List(fields.Nested(SlotSchema))


class BookingSchema(Schema):
    """A booking: what is broken, where, when, and (optionally) by whom."""

    skill = fields.String(required=True)
    product_model = fields.String(load_default=None, validate=validate.Length(max=80))
    serial_number = fields.String(load_default=None, validate=validate.Length(max=80))
    problem = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    address_text = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)
    window_start = station_time("station-local start of the window, no offset", required=True,
                                validate=WINDOW_START)
    engineer_id = row_id(load_default=None,
                         metadata={"description": "the chosen engineer; none: the station chooses"})
    customer_id = row_id(load_default=None,
                         metadata={"description": "call-centre agents: the customer booked for"})


class RescheduleSchema(Schema):
    window_start = station_time("station-local start of the new window, no offset", required=True,
                                validate=WINDOW_START)


class RescheduleFormSchema(RescheduleSchema, FormSchema):
    """The reschedule page's choice of window."""


class StepSchema(Schema):
    """A step of the visit's life, with the work report when it ends on site."""

    status = fields.String(required=True, validate=validate.OneOf(
        ("en_route", "on_site", "completed", "needs_second_visit", "no_show", "cancelled"),
        error=_l("Not a step a visit can take.")))
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    fault_found = fields.String(load_default=None, validate=validate.Length(max=1000))
    parts_used = fields.String(load_default=None, validate=validate.Length(max=500))
    fixed_first_time = fields.Boolean(load_default=None)
    code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\s*\d{4,8}\s*$", error=_l("The code is the digits the customer reads out.")),
        metadata={"description": "completing: the customer's code (confirms the visit at once)"})


class PersonSchema(Schema):
    name = fields.String()
    phone = fields.String(allow_none=True, metadata={
        "description": "masked (138****5678) unless the reader may see the contacts"})


class EngineerRefSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class StationRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class VisitEventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    at = UtcDateTime()
    by = fields.String(attribute="actor.role")
    channel = fields.String()
    note = fields.String(allow_none=True)


class VisitSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    window_start = station_time()
    window_end = station_time()
    eta = station_time(allow_none=True)
    engineer = fields.Nested(EngineerRefSchema, allow_none=True)
    station = fields.Nested(StationRefSchema)
    skill = fields.String(attribute="skill.code")
    product_model = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    problem = fields.String()
    address_text = fields.String()
    lat = fields.Float()
    lng = fields.Float()
    customer = fields.Nested(PersonSchema)
    contacts_shown = fields.Boolean(metadata={
        "description": "false: the phone is masked and the address reduced to the district "
                       "(an engineer's closed visit; an agent not handling this customer)"})
    chosen_by_customer = fields.Boolean()
    channel = fields.String()
    created_at = station_time()
    en_route_at = station_time(allow_none=True)
    on_site_at = station_time(allow_none=True)
    finished_at = station_time(allow_none=True)
    fault_found = fields.String(allow_none=True)
    parts_used = fields.String(allow_none=True)
    fixed_first_time = fields.Boolean(allow_none=True)
    confirmed_at = UtcDateTime(allow_none=True, metadata={
        "description": "when the customer confirmed the work done (it counts from then)"})
    confirmed_via = fields.String(allow_none=True, metadata={"description": "code, app or legacy"})
    completion_code = fields.String(allow_none=True, metadata={
        "description": "the customer only, while the visit is open: the code the engineer "
                       "completes with (never the engineer, the station or the call centre)"})
    events = fields.List(fields.Nested(VisitEventSchema))


class DayQuerySchema(Schema):
    date = fields.Date(load_default=None, validate=DAY, metadata={"description": "default: today"})


class DayFormSchema(DayQuerySchema, FormSchema):
    """`?date=` of the day pages (other query arguments are not data)."""


class StationDirectoryQuerySchema(FormSchema):
    """The admins' station directory: a search in Chinese or pinyin, and a page."""

    q = fields.String(load_default=None, validate=validate.Length(max=80))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class AgentVisitsQuerySchema(FormSchema):
    """The call centre's search for a customer's visits."""

    customer_email = fields.String(load_default="", validate=validate.Length(max=254))

    @post_load
    def normalise(self, data, **kwargs):
        data["customer_email"] = data["customer_email"].strip().lower()
        return data


class AgentLookupQuerySchema(Schema):
    """The call centre's look-up of the customer on the phone: naming the customer is what
    "handling" them means (dispatch.contacts)."""

    customer_email = fields.String(required=True, validate=validate.Length(min=3, max=254),
                                   metadata={"description": "the email the customer gives"})

    @post_load
    def normalise(self, data, **kwargs):
        data["customer_email"] = data["customer_email"].strip().lower()
        return data


class MetricsQuerySchema(Schema):
    since = fields.Date(load_default=None, validate=DAY)
    until = fields.Date(load_default=None, validate=DAY)


class MetricsSchema(Schema):
    visits = fields.Integer()
    completed = fields.Integer()
    request_to_visit_hours = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    first_time_fix_rate = fields.Float(allow_none=True)


class NoticeSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    kind = fields.String(metadata={"description": "eta_moved, engineer_changed or cannot_keep"})
    text = fields.String(metadata={"description": "the notice in the reader's language"})
    created_at = UtcDateTime()


class Instant(fields.DateTime):
    """An instant asked for (ISO 8601; a bare day is its midnight), read as naive UTC as the
    database stores instants; held to the day bounds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=INSTANT, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            zone = self.zone_of_bare_times()
            if zone is None:
                return moment
            moment = moment.replace(tzinfo=zone)
        try:
            return moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:00-05:00 is past the last datetime in UTC
            raise ValidationError(INSTANT.error) from None

    def zone_of_bare_times(self) -> ZoneInfo | None:
        """The clock a time without an offset is read on; None: UTC, as stored."""
        return None


class StationInstant(Instant):
    """An instant typed on a page (a `datetime-local` box): on the station clock, the clock
    every page shows, unless it names its offset."""

    def zone_of_bare_times(self) -> ZoneInfo:
        return ZoneInfo(current_app.config["TIMEZONE"])


class ContactReadsQuerySchema(Schema):
    """The access log's filters (admins)."""

    customer_id = row_id(load_default=None, metadata={"description": "whose contacts"})
    reader_id = row_id(load_default=None, metadata={"description": "who was shown them"})
    since = Instant(load_default=None, metadata={"description": "from this instant (UTC if no offset)"})
    until = Instant(load_default=None, metadata={"description": "before this instant"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ContactReadsFormSchema(ContactReadsQuerySchema, FormSchema):
    """The access log page's filters (empty boxes are not sent), times on the station clock."""

    since = StationInstant(load_default=None)
    until = StationInstant(load_default=None)


class ContactReadSchema(Schema):
    """One row of the access log: who was shown whose contacts, for which visit, where."""

    id = fields.Integer()
    reader_id = fields.Integer()
    reader_email = fields.String(attribute="reader.email")
    reader_role = fields.String(attribute="reader.role")
    customer_id = fields.Integer()
    customer_email = fields.String(attribute="customer.email")
    visit_id = fields.Integer(allow_none=True)
    fields_ = fields.String(data_key="fields", attribute="fields",
                           metadata={"description": "what was shown: phone, address"})
    channel = fields.String(metadata={"description": "page or api"})
    path = fields.String()
    at = UtcDateTime()


class ContactReadPageSchema(Schema):
    """A page of the access log, newest first."""

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(ContactReadSchema))
