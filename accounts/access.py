"""Who may call what.

Every view declares its audience with `@allow(...)` (or `@public`); one `before_request`
hook enforces the declarations for the whole app. A view that declares nothing is refused
(fail closed), and a test walks the URL map to keep every endpoint declared.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from extensions import csrf, login_manager

PUBLIC = "public"
SIGNED_IN = "signed-in"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Served by libraries, public by nature: static files and the OpenAPI document.
LIBRARY_ENDPOINTS = {"static", "api-docs.openapi_json"}


def allow(*audience: str) -> Callable:
    """Declare who may call a view: role names, SIGNED_IN or PUBLIC. Admins pass every
    role check."""
    def declare(view: Callable) -> Callable:
        view._access = frozenset(audience)
        return view
    return declare


public = allow(PUBLIC)
signed_in = allow(SIGNED_IN)


def access_of(endpoint: str) -> frozenset | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def enforce_access():
    """The single gate every request passes (registered as `before_request`)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in LIBRARY_ENDPOINTS:
        return None
    audience = access_of(endpoint)
    if audience is None:
        current_app.logger.error("endpoint %s declares no access; refused", endpoint)
        raise Forbidden("This page declares no access rule.")
    if PUBLIC in audience:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    _protect_cookie_api_writes()
    if SIGNED_IN in audience or current_user.role in audience or current_user.role == "admin":
        return None
    raise Forbidden(_("Your account may not use this."))


def _protect_cookie_api_writes() -> None:
    """API writes made with the session cookie (from our own pages) need the CSRF token;
    bearer-token calls carry no ambient authority and need none."""
    if (is_api_request() and request.method not in SAFE_METHODS
            and g.get("auth_via") != "token" and current_app.config.get("WTF_CSRF_ENABLED", True)):
        csrf.protect()
