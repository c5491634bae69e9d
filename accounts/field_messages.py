"""marshmallow's own messages ("Not a valid number.", "Missing data for required field.") in
the reader's language. marshmallow keeps English defaults on its field and validator classes
and copies them when a field is made, which is when a schema class is defined; so they are
replaced here by lazy translations, before any schema is (accounts/__init__ imports this
first). A lazy message becomes text when an answer is written, in that request's language.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

INVALID_VALUE = _l("Not a valid value.")

FIELD_MESSAGES = {
    fields.Field: {"required": _l("Please fill this in."), "null": _l("Please fill this in."),
                   "validator_failed": INVALID_VALUE},
    fields.String: {"invalid": _l("Not a valid text."), "invalid_utf8": _l("Not a valid text.")},
    fields.Number: {"invalid": _l("Not a valid number."), "too_large": _l("That number is too large.")},
    fields.Integer: {"invalid": _l("Not a whole number.")},
    fields.Float: {"special": _l("Not a valid number.")},
    fields.Decimal: {"special": _l("Not a valid number.")},
    fields.Boolean: {"invalid": _l("Not a yes or no.")},
    fields.Date: {"invalid": _l("Not a valid date (write it as 2026-12-31)."),
                  "format": _l("Not a valid date (write it as 2026-12-31).")},
    fields.DateTime: {"invalid": _l("Not a valid date and time (write it as 2026-12-31T09:00)."),
                      "invalid_awareness": _l("Not a valid date and time (write it as 2026-12-31T09:00)."),
                      "format": _l("Not a valid date and time (write it as 2026-12-31T09:00).")},
    fields.Time: {"invalid": _l("Not a valid time (write it as 09:00)."),
                  "format": _l("Not a valid time (write it as 09:00).")},
    fields.List: {"invalid": _l("Not a valid list.")},
    fields.Tuple: {"invalid": _l("Not a valid list.")},
    fields.Mapping: {"invalid": INVALID_VALUE},
    fields.Nested: {"type": INVALID_VALUE},
    fields.Enum: {"unknown": _l("Must be one of: {choices}.")},
}

# fields.Email and fields.URL must keep a plain string (they hand it to their validator):
# the forms use accounts.schemas.EMAIL, translated, instead.

SCHEMA_MESSAGES = {"type": _l("Not a valid value."), "unknown": _l("Unknown field.")}


class _RangeMessage:
    """Range formats its message templates with the bound operators when it is made (at
    import); this template answers that with the lazy translation for those operators."""

    def __init__(self, by_operators: dict) -> None:
        self.by_operators = by_operators

    def format(self, **operators):
        return self.by_operators[tuple(operators[key] for key in sorted(operators))]


def install() -> None:
    for field, messages in FIELD_MESSAGES.items():
        field.default_error_messages = {**field.__dict__.get("default_error_messages", {}), **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}

    validate.Length.message_min = _l("At least {min} characters.")
    validate.Length.message_max = _l("At most {max} characters.")
    validate.Length.message_all = _l("Between {min} and {max} characters.")
    validate.Length.message_equal = _l("Exactly {equal} characters.")
    validate.Email.default_message = _l("Not a valid email address.")
    validate.URL.default_message = _l("Not a valid web address.")
    validate.OneOf.default_message = _l("Must be one of: {choices}.")
    validate.ContainsOnly.default_message = _l("Must be among: {choices}.")
    validate.NoneOf.default_message = INVALID_VALUE
    validate.ContainsNoneOf.default_message = INVALID_VALUE
    validate.Predicate.default_message = INVALID_VALUE
    validate.Regexp.default_message = _l("Not in the expected form.")
    validate.Equal.default_message = _l("Must be {other}.")

    validate.Range.message_gte, validate.Range.message_gt = "gte", "gt"
    validate.Range.message_lte, validate.Range.message_lt = "lte", "lt"
    validate.Range.message_min = _RangeMessage({
        ("gte",): _l("Must be at least {min}."), ("gt",): _l("Must be more than {min}.")})
    validate.Range.message_max = _RangeMessage({
        ("lte",): _l("Must be at most {max}."), ("lt",): _l("Must be less than {max}.")})
    validate.Range.message_all = _RangeMessage({  # keys: (max_op, min_op), sorted by name
        ("lte", "gte"): _l("Must be between {min} and {max}."),
        ("lt", "gte"): _l("Must be at least {min} and less than {max}."),
        ("lte", "gt"): _l("Must be more than {min} and at most {max}."),
        ("lt", "gt"): _l("Must be more than {min} and less than {max}.")})

    fields.Field.make_error = _listed(fields.Field.make_error)


def _listed(make_error):
    """marshmallow puts a message in a list only when it is a `str`; a lazy one stayed bare,
    so pages joined its characters ("不 是 有 效 …") and the API answered a string where
    every other field has a list. Field errors are lists again, in every language."""
    def wrapped(self, key: str, **kwargs):
        error = make_error(self, key, **kwargs)
        if not isinstance(error.messages, list | dict):
            error.messages = [str(error.messages)]  # in the language of the request at hand
        return error
    return wrapped


install()
