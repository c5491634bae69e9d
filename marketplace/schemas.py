"""What goes in and out of the marketplace API, and the marketplace pages' forms."""
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from accounts.schemas import REQUIRED, ROW_ID, FormSchema, UtcDateTime
from dispatch.booking import station_now
from dispatch.schemas import DAY, LAT, LNG, StationRefSchema, WindowSchema
from marketplace.catalog import skill_codes
from marketplace.levels import LEVELS
from marketplace.listing import SORTS

DAY_FILTER_AHEAD = 60  # days: how far ahead "available on" may look


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class ListingQuerySchema(PageQuerySchema):
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)
    skill = fields.String(load_default=None)
    min_stars = fields.Float(load_default=None, validate=validate.Range(min=1, max=5))
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS))
    day = fields.Date(load_default=None, validate=DAY, metadata={"description": "available on this day"})
    sort = fields.String(load_default="recommended", validate=validate.OneOf(SORTS))
    address = fields.String(load_default=None, validate=validate.Length(max=200),
                            metadata={"description": "the address the point stands for, as the "
                                                     "customer wrote it: carried to the booking"})

    @validates("skill")
    def skill_known(self, value, **kwargs):
        if value is not None and value not in skill_codes():
            raise ValidationError(str(_l("Unknown product: %(code)s.", code=value)))

    @validates("day")
    def day_ahead(self, value, **kwargs):
        """Available on a day that has passed means nothing; a day beyond what can be booked
        would always list nobody."""
        today = station_now().date()
        if value is not None and not today <= value <= today + timedelta(days=DAY_FILTER_AHEAD):
            raise ValidationError(str(_l("Pick a day from today to %(days)s days ahead.",
                                         days=DAY_FILTER_AHEAD)))


class TagCountSchema(Schema):
    code = fields.String()
    name = fields.String()
    positive = fields.Boolean()
    count = fields.Integer()


class EngineerCardSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    photo_url = fields.String(allow_none=True)
    station = fields.Nested(StationRefSchema)
    distance_km = fields.Float(allow_none=True)
    level = fields.String()
    level_name = fields.String()
    average_stars = fields.Float()
    review_count = fields.Integer()
    top_tags = fields.List(fields.Nested(TagCountSchema))
    favourite_count = fields.Integer()
    tip_count = fields.Integer()
    skills = fields.List(fields.String())
    next_window = fields.Nested(WindowSchema, allow_none=True)
    favourite = fields.Boolean(allow_none=True,
                               metadata={"description": "in the signed-in customer's favourites"})


class NearestSchema(Schema):
    code = fields.String()
    name = fields.String()
    distance_km = fields.Float()


class ListingSchema(Schema):
    covered = fields.Boolean()
    message = fields.String(allow_none=True)
    nearest = fields.Nested(NearestSchema, allow_none=True)
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    engineers = fields.List(fields.Nested(EngineerCardSchema))


class ProfileSchema(EngineerCardSchema):
    bio = fields.String(allow_none=True)
    rates = fields.Dict(metadata={"description": "praise_rate, favourite_rate, tip_rate (all time)"})
    years_of_service = fields.Integer()
    histogram = fields.List(fields.Integer(), metadata={"description": "reviews with 1..5 stars"})
    tags = fields.List(fields.Nested(TagCountSchema))


class ReviewTagSchema(Schema):
    code = fields.String()
    name = fields.String()
    positive = fields.Boolean()


class ReviewSchema(Schema):
    id = fields.Integer()
    stars = fields.Integer()
    text = fields.String(allow_none=True)
    tags = fields.List(fields.Nested(ReviewTagSchema))
    reviewer = fields.String(metadata={"description": "masked name"})
    created_at = UtcDateTime()
    reply = fields.String(allow_none=True)
    replied_at = UtcDateTime(allow_none=True)


class ReviewPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    reviews = fields.List(fields.Nested(ReviewSchema))


class FavouriteSchema(Schema):
    engineer_id = fields.Integer()
    favourite = fields.Boolean()
    favourite_count = fields.Integer()


class TagSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$"))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=20))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=40))
    positive = fields.Boolean(load_default=True)
    active = fields.Boolean(load_default=True)


class TagQuerySchema(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "admins: inactive too"})


class TagUpdateSchema(TagSchema):
    """Changes to a tag; every field optional (loaded with partial=True)."""


class ReviewInSchema(Schema):
    stars = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    tags = fields.List(fields.String(), load_default=list, validate=validate.Length(max=12))
    text = fields.String(load_default=None, validate=validate.Length(max=1000))


class ReviewOutSchema(ReviewSchema):
    engineer_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    hidden = fields.Boolean()
    editable_until = UtcDateTime(allow_none=True)


class ReplySchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ReportSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class TipInSchema(Schema):
    amount_cents = fields.Integer(required=True, validate=validate.Range(min=100, max=100_000),
                                  metadata={"description": "1 to 1,000 yuan, in fen"})


class TipOutSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    amount_cents = fields.Integer()
    status = fields.String()


class RatesSchema(Schema):
    praise_rate = fields.Float(allow_none=True)
    favourite_rate = fields.Float(allow_none=True)
    tip_rate = fields.Float(allow_none=True)


class PointLineSchema(Schema):
    points = fields.Integer()
    reason = fields.String()
    source_type = fields.String()
    source_id = fields.Integer()
    created_at = UtcDateTime()


class LevelChangeSchema(Schema):
    from_level = fields.String()
    to_level = fields.String()
    reason = fields.String()
    created_at = UtcDateTime()


class MyLevelSchema(Schema):
    level = fields.String()
    level_name = fields.String()
    points = fields.Integer()
    next_level = fields.String(allow_none=True)
    missing = fields.Dict(metadata={"description": "points, reviews, praise_rate still needed"})
    progress = fields.Float(metadata={"description": "0..1 of the way to the next level"})
    rates = fields.Dict(keys=fields.String(), values=fields.Nested(RatesSchema),
                        metadata={"description": "'window' (RATE_WINDOW_DAYS) and 'all_time'"})
    ledger = fields.List(fields.Nested(PointLineSchema))
    level_changes = fields.List(fields.Nested(LevelChangeSchema))
    tips_cents = fields.Integer()


# --- The pages' forms -----------------------------------------------------------------------

NOT_KNOWN = {**REQUIRED, "invalid": _l("Not a known entry.")}
TICK = {"invalid": _l("Tick the box or leave it empty.")}


class TagFormSchema(TagSchema, FormSchema):
    """The admins' "add a tag" form: an unticked box is not sent, so "not positive"."""

    positive = fields.Boolean(load_default=False, error_messages=TICK)
    active = fields.Boolean(load_default=True, error_messages=TICK)


class TagToggleFormSchema(FormSchema):
    """The switch beside each tag: which one to turn on or off."""

    toggle = fields.Integer(required=True, validate=ROW_ID, error_messages=NOT_KNOWN)


class ModerationFormSchema(FormSchema):
    """Hide or restore one reported review."""

    review = fields.Integer(required=True, validate=ROW_ID, error_messages=NOT_KNOWN)
    action = fields.String(required=True, validate=validate.OneOf(("hide", "restore")),
                           error_messages=REQUIRED)


class FavouriteFormSchema(FormSchema):
    favourite = fields.Boolean(load_default=False, error_messages=TICK)


class ReportFormSchema(FormSchema):
    """The profile's "report" form: why (one of the offered reasons, or words of one's own)."""

    reason = fields.String(required=True, error_messages={"required": _l("Say why you report it.")},
                           validate=validate.Length(min=1, max=300, error=_l("Use 1 to 300 characters.")))

    @pre_load
    def blank_is_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if not (key == "reason" and not value.strip())}

    @post_load
    def normalise(self, data, **kwargs):
        data["reason"] = data["reason"].strip()
        return data


class FlagResolveFormSchema(FormSchema):
    """Closing a flag: what the admin found, kept with it."""

    note = fields.String(required=True, error_messages={"required": _l("Write what you found.")},
                         validate=validate.Length(min=1, max=300, error=_l("Use 1 to 300 characters.")))

    @pre_load
    def blank_is_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if not (key == "note" and not value.strip())}


class ReplyFormSchema(FormSchema):
    """The engineer's answer to a review, from the level page."""

    text = fields.String(required=True, error_messages={"required": _l("Write your reply first.")},
                         validate=validate.Length(min=1, max=1000, error=_l("Use 1 to 1,000 characters.")))

    @pre_load
    def blank_is_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if not (key == "text" and not value.strip())}


class TipFormSchema(FormSchema):
    """A tip as the page asks for it, in yuan with at most two decimals; becomes fen."""

    yuan = fields.Decimal(required=True, allow_nan=False, error_messages={
        **REQUIRED, "invalid": _l("A tip is 1 to 1,000 yuan."), "special": _l("A tip is 1 to 1,000 yuan.")},
                          validate=validate.Range(min=1, max=1000, error=_l("A tip is 1 to 1,000 yuan.")))

    @validates("yuan")
    def whole_fen(self, value, **kwargs):
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_l("A tip is 1 to 1,000 yuan."))

    @post_load
    def in_fen(self, data, **kwargs):
        return {"amount_cents": int(data["yuan"] * 100)}
