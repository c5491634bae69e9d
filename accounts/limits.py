"""How often one may try: sign-in, tokens, sign-up, reviews, reports and tips
are limited per client address and per account, so that passwords cannot be guessed and
one account cannot flood an engineer's page. The table is `RATE_LIMITS` in config.py."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user


def account_key() -> str:
    """The account an attempt is for: the signed-in user, else the e-mail being tried."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    data = request.form if request.form else (request.get_json(silent=True) or {})
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return f"email:{str(email or '').strip().lower()[:254]}"


def failed(response) -> bool:
    """Only refused attempts count against an account: its owner signing in is no attack."""
    return response.status_code >= 400


def too_many() -> str:
    return _("Too many attempts: please wait a little and try again.")


def init_app(app: Flask) -> Limiter:
    """Wrap each limited endpoint's view (after the blueprints are registered)."""
    limiter = Limiter(key_func=get_remote_address, app=app)
    for endpoint, (per_address, per_account) in app.config["RATE_LIMITS"].items():
        view = app.view_functions[endpoint]  # a renamed endpoint fails here, at start
        if per_address:
            view = limiter.limit(per_address, methods=["POST"], scope=f"{endpoint}:address",
                                 error_message=too_many)(view)
        if per_account:
            view = limiter.limit(per_account, key_func=account_key, methods=["POST"],
                                 scope=f"{endpoint}:account", deduct_when=failed,
                                 error_message=too_many)(view)
        app.view_functions[endpoint] = view
    app.extensions["rate_limiter"] = limiter  # tests switch it on and reset it
    return limiter
