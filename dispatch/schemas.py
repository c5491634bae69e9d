"""What goes in and out of the stations API, and the dispatch pages' forms."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, post_load, validate

from accounts.schemas import LAT, LNG, FormSchema, UtcDateTime, station_time

# Days the product plans, books and reports on; also keeps "the next day" of any asked-for
# day a real date (9999-12-31 + 1 day overflows).
DAY = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31),
                     error=_l("Give a day between 2000 and 2099."))
WINDOW_START = validate.Range(min=datetime(2000, 1, 1), max=datetime(2099, 12, 31),
                              error=_l("Give a time between 2000 and 2099."))


class PointQuerySchema(Schema):
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)


class StationSearchQuerySchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=40))
    limit = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=5000))


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
    engineer_id = fields.Integer(load_default=None,
                                 metadata={"description": "the chosen engineer; none: the station chooses"})
    customer_id = fields.Integer(load_default=None,
                                 metadata={"description": "call-centre agents: the customer booked for"})


class RescheduleSchema(Schema):
    window_start = station_time("station-local start of the new window, no offset", required=True,
                                validate=WINDOW_START)


class RescheduleFormSchema(RescheduleSchema, FormSchema):
    """The reschedule page's choice of window."""


class StepSchema(Schema):
    """A step of the visit's life, with the work report when it ends on site."""

    status = fields.String(required=True, validate=validate.OneOf(
        ("en_route", "on_site", "completed", "needs_second_visit", "no_show", "cancelled")))
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    fault_found = fields.String(load_default=None, validate=validate.Length(max=1000))
    parts_used = fields.String(load_default=None, validate=validate.Length(max=500))
    fixed_first_time = fields.Boolean(load_default=None)
    code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\s*\d{4,8}\s*$", error=_l("The code is the digits the customer reads out.")),
        metadata={"description": "completing: the customer's code (confirms the visit at once)"})


class PersonSchema(Schema):
    name = fields.String()
    phone = fields.String(allow_none=True)


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
        "description": "the customer (and the call centre) only, while the visit is open: the "
                       "code the engineer completes with"})
    events = fields.List(fields.Nested(VisitEventSchema))


class DayQuerySchema(Schema):
    date = fields.Date(load_default=None, validate=DAY, metadata={"description": "default: today"})


class DayFormSchema(DayQuerySchema, FormSchema):
    """`?date=` of the day pages (other query arguments are not data)."""


class AgentVisitsQuerySchema(FormSchema):
    """The call centre's search for a customer's visits."""

    customer_email = fields.String(load_default="", validate=validate.Length(max=254))

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
