"""Users, roles, sign-in and API tokens."""
from accounts import field_messages  # noqa: F401  (marshmallow's messages translated, before any schema)
