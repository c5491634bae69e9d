"""What goes in and out of the planning API: plan requests, plans with their routes and
changes, the board, pinning a visit and an engineer's day."""
from datetime import time

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from accounts.schemas import ROW_ID, UtcDateTime, station_time as local_time
from dispatch.schemas import DAY, WINDOW_START


class ClockField(fields.String):
    """A time of day as HH:MM, loaded as minutes after midnight."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = time.fromisoformat(text)
        except ValueError:
            raise ValidationError(_l("Give a time of day such as 09:00.")) from None
        return moment.hour * 60 + moment.minute


class PlanRequestSchema(Schema):
    date = fields.Date(required=True, validate=DAY,
                       metadata={"description": "the day to plan (station time)"})


class DayQuerySchema(Schema):
    date = fields.Date(load_default=None, validate=DAY, metadata={"description": "default: today"})


class StopSchema(Schema):
    visit_id = fields.Integer()
    arrival = local_time()
    start = local_time()
    end = local_time()


class SpanSchema(Schema):
    start = local_time()
    end = local_time()


class RouteSchema(Schema):
    engineer_id = fields.Integer()
    depart = local_time()
    return_ = local_time(data_key="return", attribute="return")
    travel_minutes = fields.Integer()
    distance_km = fields.Float()
    break_ = fields.Nested(SpanSchema, data_key="break", attribute="break", allow_none=True)
    stops = fields.List(fields.Nested(StopSchema))


class UnplacedSchema(Schema):
    visit_id = fields.Integer()
    reason = fields.String(metadata={"description": "why the plan could not place it"})


class MovedSchema(Schema):
    visit = fields.Integer()
    from_ = fields.Integer(data_key="from", attribute="from", allow_none=True)
    to = fields.Integer()


class EtaChangeSchema(Schema):
    visit = fields.Integer()
    from_ = local_time(data_key="from", attribute="from")
    to = local_time()


class DroppedSchema(Schema):
    visit = fields.Integer()
    reason = fields.String()


class ChangesSchema(Schema):
    moved = fields.List(fields.Nested(MovedSchema))
    eta_changed = fields.List(fields.Nested(EtaChangeSchema))
    newly_served = fields.List(fields.Integer())
    dropped = fields.List(fields.Nested(DroppedSchema))
    travel_saved_seconds = fields.Integer(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, draft, published, "
                                                    "superseded, failed or discarded"})
    day = fields.Date()
    progress = fields.Float(metadata={"description": "0 … 1 while the job runs"})
    error = fields.String(allow_none=True)
    seconds = fields.Float(metadata={"description": "the search's time budget"})
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    assigned = fields.Integer(allow_none=True)
    unassigned_count = fields.Integer(allow_none=True)
    travel_minutes = fields.Integer(allow_none=True)
    routes = fields.List(fields.Nested(RouteSchema))
    unassigned = fields.List(fields.Nested(UnplacedSchema))
    changes = fields.Nested(ChangesSchema, allow_none=True)


class BoardStationSchema(Schema):
    code = fields.String()
    name = fields.String()
    lat = fields.Float()
    lng = fields.Float()


class BoardEngineerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    skills = fields.List(fields.String())
    on_duty = fields.Boolean()
    absent = fields.Boolean()
    shift = fields.List(local_time(), allow_none=True)
    break_ = fields.List(fields.Raw(), data_key="break", attribute="break", allow_none=True,
                         metadata={"description": "window start, window end, minutes"})


class BoardVisitSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    lat = fields.Float()
    lng = fields.Float()
    address = fields.String()
    customer = fields.String()
    problem = fields.String()
    skill = fields.String()
    window = fields.List(local_time())
    duration_minutes = fields.Integer()
    engineer_id = fields.Integer(allow_none=True)
    chosen = fields.Boolean()
    pinned = fields.Boolean()
    pinned_start = local_time(allow_none=True)
    planned_start = local_time(allow_none=True)
    route_order = fields.Integer(allow_none=True)
    unplanned_reason = fields.String(allow_none=True)


class BoardSchema(Schema):
    station = fields.Nested(BoardStationSchema)
    day = fields.Date()
    window_minutes = fields.Integer()
    engineers = fields.List(fields.Nested(BoardEngineerSchema))
    visits = fields.List(fields.Nested(BoardVisitSchema))
    published = fields.Nested(PlanSchema, allow_none=True)
    draft = fields.Nested(PlanSchema, allow_none=True)


class PinSchema(Schema):
    engineer_id = fields.Integer(required=True, strict=True, validate=ROW_ID)
    start = local_time("pin to this start (optional; station-local, no offset)", load_default=None,
                       validate=WINDOW_START)


class AvailabilitySchema(Schema):
    absent = fields.Boolean(load_default=False)
    shift_start = ClockField(load_default=None)
    shift_end = ClockField(load_default=None)
    break_start = ClockField(load_default=None)
    break_minutes = fields.Integer(load_default=None, validate=validate.Range(min=0, max=240))

    @validates_schema
    def shift_in_order(self, data, **kwargs):
        start, end = data.get("shift_start"), data.get("shift_end")
        if (start is None) != (end is None):
            raise ValidationError(_l("Give both the start and the end of the shift."), "shift_end")
        if start is not None and end <= start:
            raise ValidationError(_l("The shift must end after it starts."), "shift_end")
