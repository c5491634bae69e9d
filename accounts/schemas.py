"""What goes in and out of the accounts API and forms."""
from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)
from zxcvbn import zxcvbn

from accounts.models import ROLES
from accounts.phone import to_e164

# Coordinates, wherever they come in (addresses here; stations, visits and listings above).
LAT = validate.Range(min=-90, max=90, error=_l("Latitude must be between -90 and 90."))
LNG = validate.Range(min=-180, max=180, error=_l("Longitude must be between -180 and 180."))

# A row id as forms carry it: ids are 32-bit `integer` columns in PostgreSQL.
ROW_ID = validate.Range(min=1, max=2**31 - 1, error=_l("Not a known entry."))

REQUIRED = {"required": _l("Please fill this in.")}
EMAIL = validate.And(validate.Email(error=_l("Not a valid email address.")),
                     validate.Length(max=254, error=_l("An email address has at most 254 characters.")))
PASSWORD = validate.Length(min=8, max=128, error=_l("Use 8 to 128 characters."))


def not_common(password: str) -> None:
    """Refuse passwords that are guessed first (`12345678`, `password`, keyboard rows, common
    words): zxcvbn's estimate below "somewhat guessable" (10⁶ guesses). Too short or too
    long is PASSWORD's message alone (zxcvbn cannot score an empty string)."""
    if 8 <= len(password) <= 128 and zxcvbn(password)["score"] < 2:
        raise ValidationError([_l("This password is too common or too easy to guess; "
                                  "add words or characters.")])

# Station-local wall-clock time as the API reads and writes it: no offset (the station's
# clock; see config's day plan timezone), so not an RFC 3339 `date-time`; documented so.
LOCAL_DATE_TIME = {"format": "station-local-date-time",
                   "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"}


class UtcDateTime(fields.DateTime):
    """An instant, stored as naive UTC, written with its offset (`…+00:00`): an RFC 3339
    `date-time` that a browser reads as UTC, not as its own local time."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def station_time(description: str | None = None, **kwargs) -> fields.NaiveDateTime:
    """A station-local time field (windows, visit stamps), documented without an offset."""
    metadata = {**LOCAL_DATE_TIME, "description": description or "station-local time, no offset"}
    return fields.NaiveDateTime(metadata=metadata, **kwargs)


class CredentialsSchema(Schema):
    email = fields.String(required=True, validate=EMAIL, error_messages=REQUIRED)
    password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                             error_messages=REQUIRED)

    @post_load
    def normalise(self, data, **kwargs):
        data["email"] = data["email"].strip().lower()
        return data


class FormSchema(Schema):
    """Forms also carry the CSRF token and the submit button; those are not data."""

    class Meta:
        unknown = EXCLUDE

    def handle_error(self, error: ValidationError, data, **kwargs) -> None:
        """Every field's messages as a list, as the pages show them: marshmallow leaves a
        translated (lazy) message bare, and a page would spell it out letter by letter."""
        for name, messages in error.messages.items():
            if not isinstance(messages, (list, dict)):
                error.messages[name] = [messages]


class PhoneNumber(fields.String):
    """A phone number as people write it ("138 1234 5678", "+86 138-1234-5678"), loaded
    as E.164 (accounts.phone): stored and compared one way only."""

    default_error_messages = {"phone": _l("Not a phone number we can call: write it as you "
                                          "dial it, e.g. 138 1234 5678.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "+86 138 1234 5678"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        number = to_e164(text) if len(text) <= 32 else None
        if number is None:
            raise self.make_error("phone")
        return number


class LoginFormSchema(CredentialsSchema, FormSchema):
    remember = fields.Boolean(load_default=False, truthy={"on", "y", "true", "1"})
    next = fields.String(load_default=None, allow_none=True)


class SignupSchema(FormSchema):
    """Anyone may sign up, always as a customer; staff accounts are made by admins."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=80),
                         error_messages=REQUIRED)
    email = fields.String(required=True, validate=EMAIL, error_messages=REQUIRED)
    password = fields.String(required=True, validate=[PASSWORD, not_common],
                             error_messages=REQUIRED)
    password_confirm = fields.String(required=True, error_messages=REQUIRED)
    phone = PhoneNumber(load_default=None, allow_none=True)
    next = fields.String(load_default=None, allow_none=True)

    @pre_load
    def blank_phone_is_no_phone(self, data, **kwargs):
        """An empty optional box in a form means "not given", not an invalid value."""
        if not (data.get("phone") or "").strip():
            data = {key: value for key, value in data.items() if key != "phone"}
        return data

    @validates_schema
    def passwords_match(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError([_l("The two passwords differ.")], "password_confirm")

    @post_load
    def normalise(self, data, **kwargs):
        data["email"] = data["email"].strip().lower()
        data["name"] = data["name"].strip()
        data.setdefault("phone", None)
        data.pop("password_confirm")
        return data


class PhoneCodeRequestSchema(Schema):
    """Send a one-time code to this (mobile) number."""

    phone = PhoneNumber(required=True, error_messages=REQUIRED)


class PhoneCodeSchema(Schema):
    """The code from the text message."""

    code = fields.String(required=True, error_messages=REQUIRED, validate=validate.Regexp(
        r"^\s*[0-9]{6}\s*$", error=_l("The code is the 6 digits in the text message.")))


class PhoneCodeFormSchema(PhoneCodeRequestSchema, FormSchema):
    next = fields.String(load_default=None, allow_none=True)


class PhoneVerifyFormSchema(PhoneCodeSchema, FormSchema):
    next = fields.String(load_default=None, allow_none=True)


class SentCodeSchema(Schema):
    sent_to = fields.String(required=True, metadata={"description": "the number, partly hidden"})
    expires_at = UtcDateTime(required=True)
    resend_after = fields.Integer(required=True, metadata={"description": "seconds until another code"})


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = UtcDateTime(required=True)


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.Email()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    locale = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "E.164"})
    phone_verified_at = UtcDateTime(allow_none=True)


class AddressSchema(Schema):
    """A saved address: where a customer wants engineers to come."""

    id = fields.Integer(dump_only=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)
    is_default = fields.Boolean(load_default=False,
                                metadata={"description": "booking starts from this address"})
