"""Flask-Login wiring: sessions for pages, bearer tokens for the API."""
from __future__ import annotations

from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in

from accounts.access import is_api_request
from accounts.models import ApiToken, User
from extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see this page.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a cookie names, if its session version is still the user's (User.get_id)."""
    uid, _, version = user_id.partition(":")
    if not (uid.isdigit() and version.isdigit()) or int(uid) >= 2**31:
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.get_id() != user_id:
        return None
    return user


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    """`Authorization: Bearer <token>` signs an API call in for that request only."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = ApiToken.user_for(token.strip())
    if user is not None:
        g.auth_via = "token"
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get 401 JSON; people get the sign-in page and come back after."""
    if is_api_request():
        response = jsonify(code=401, status="Unauthorized",
                           message=str(_l("Sign in: send Authorization: Bearer <token>.")))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="wenqing"'
        return response
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


@user_logged_in.connect
def new_csrf_secret(app, user, **extra) -> None:
    """A CSRF secret planted before sign-in (a shared computer, a fixated cookie) does not
    carry over: the next form gets a fresh one."""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
