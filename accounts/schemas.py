"""What goes in and out of the accounts API and forms."""
from marshmallow import Schema, fields, post_load, validate, validates_schema, ValidationError

from accounts.models import ROLES

PASSWORD = validate.Length(min=8, max=128, error="Use 8 to 128 characters.")


class CredentialsSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))

    @post_load
    def normalise(self, data, **kwargs):
        data["email"] = data["email"].strip().lower()
        return data


class LoginFormSchema(CredentialsSchema):
    remember = fields.Boolean(load_default=False, truthy={"on", "y", "true", "1"})
    next = fields.String(load_default=None, allow_none=True)


class SignupSchema(Schema):
    """Anyone may sign up, always as a customer; staff accounts are made by admins."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=PASSWORD)
    password_confirm = fields.String(required=True)
    phone = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$",
                                                   error="Digits, spaces and dashes only."))

    @validates_schema
    def passwords_match(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError("The two passwords differ.", "password_confirm")

    @post_load
    def normalise(self, data, **kwargs):
        data["email"] = data["email"].strip().lower()
        data["name"] = data["name"].strip()
        data["phone"] = (data.get("phone") or "").strip() or None
        data.pop("password_confirm")
        return data


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.Email()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    locale = fields.String(allow_none=True)
