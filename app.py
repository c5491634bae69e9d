"""The application factory: `create_app()` builds Wenqing; nothing runs at import time."""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import orjson
from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

import accounts.limits
import accounts.sms
import headers
from accounts.locale import select_locale
from accounts.phone import readable as readable_phone
from config import CONFIGS, INSTANCE_DIR, Config, instance_secret_key
from extensions import (
    api,
    babel,
    cache,
    celery_init_app,
    compress,
    compressed_etags_revalidate,
    csrf,
    db,
    login_manager,
    mail,
    migrate,
)


def create_app(config: type[Config] | Config | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    if config is None:
        config = CONFIGS[os.environ.get("WENQING_ENV", "development")]
    app.config.from_object(config() if isinstance(config, type) else config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    app.json = IsoJSONProvider(app)
    app.url_map.converters["int"] = RowId

    _load_rules(app)
    _init_extensions(app)
    _register_blueprints(app)
    accounts.limits.init_app(app)
    accounts.sms.init_app(app)
    _register_error_handlers(app)
    _register_commands(app)
    app.add_template_filter(_station_clock(app.config["TIMEZONE"]), "local")
    app.add_template_filter(readable_phone, "phone")
    return app


def _station_clock(zone_name: str):
    """The `local` template filter: a stored instant (UTC, naive) on the station clock, the
    clock every page shows (windows are kept in it already)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)

    def local(instant: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        if instant is None:
            return ""
        return instant.replace(tzinfo=UTC).astimezone(zone).strftime(pattern)
    return local


class RowId(IntegerConverter):
    """`<int:…>` in a URL: a row id the databases can hold (a 30-digit id is a 404, not an
    integer overflow in the driver)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)  # the id columns are 32-bit integers
        super().__init__(map, *args, **kwargs)


class IsoJSONProvider(DefaultJSONProvider):
    """JSON as the API documents it: ISO 8601 dates (as marshmallow writes them, not
    Flask's HTTP-date default), readable Chinese, written by orjson (several times faster
    than the standard library on the hot listing)."""

    ensure_ascii = False

    @staticmethod
    def default(o):
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, default=self.default, option=orjson.OPT_SORT_KEYS
                            | orjson.OPT_NON_STR_KEYS).decode()

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(
            orjson.dumps(obj, default=self.default, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS),
            mimetype=self.mimetype)


def _load_rules(app: Flask) -> None:
    """The product's rules, typed and checked: a wrong value stops the app here, named."""
    from dispatch import rules as day_plan
    from marketplace import rules as marketplace

    app.extensions[day_plan.EXTENSION_KEY] = day_plan.from_config(app.config)
    app.extensions[marketplace.EXTENSION_KEY] = marketplace.from_config(app.config)


def _init_extensions(app: Flask) -> None:
    import accounts.login  # noqa: F401  (login manager callbacks)
    import dispatch.network  # noqa: F401  (its NetworkRun model known to Alembic)
    import dispatch.receivers  # noqa: F401  (reacts to accounts' signals)
    import marketplace.models  # noqa: F401  (models known to Alembic)
    import marketplace.receivers  # noqa: F401  (reacts to dispatch's and accounts' signals)
    import payments.models  # noqa: F401  (models known to Alembic)
    from accounts.access import enforce_access

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    api.init_app(app)
    celery_init_app(app)
    cache.init_app(app)
    compress.init_app(app)
    app.before_request(compressed_etags_revalidate)
    mail.init_app(app)
    headers.init_app(app)
    app.before_request(enforce_access)

    @app.context_processor
    def page_globals():
        return {"languages": app.config["LANGUAGES"], "locale": select_locale(),
                "tile_url": app.config["MAP_TILE_URL"],
                "tile_attribution": app.config["MAP_TILE_ATTRIBUTION"]}


def _register_blueprints(app: Flask) -> None:
    from accounts.api import blp as accounts_api
    from accounts.views import bp as accounts_pages
    from dispatch.api import blp as stations_api, geocode_blp as geocode_api
    from dispatch.network_views import bp as network_pages, gaps_api
    from dispatch.planning_api import blp as planning_api
    from dispatch.planning_views import bp as planning_pages
    from dispatch.views import bp as dispatch_pages
    from dispatch.visits_api import blp as visits_api
    from marketplace.api import blp as marketplace_api
    from marketplace.console_api import blp as customers_api
    from marketplace.console_views import bp as console_pages
    from marketplace.feedback_api import blp as feedback_api
    from marketplace.feedback_views import bp as feedback_pages
    from marketplace.views import bp as marketplace_pages
    from payments.api import blp as payments_api
    from payments.views import bp as payments_pages
    from payments.webhooks import bp as payments_webhooks

    for blueprint in (accounts_api, stations_api, geocode_api, marketplace_api, visits_api,
                      feedback_api, planning_api, gaps_api, customers_api):
        csrf.exempt(blueprint)  # cookie-authenticated API writes are checked in enforce_access
        api.register_blueprint(blueprint)
    for blueprint in (accounts_pages, dispatch_pages, marketplace_pages, feedback_pages, planning_pages,
                      network_pages, console_pages):
        app.register_blueprint(blueprint)
    # Payments: its API, its pages, and the provider's webhook (signed, so no CSRF token).
    csrf.exempt(payments_api)
    api.register_blueprint(payments_api)
    app.register_blueprint(payments_pages)
    csrf.exempt(payments_webhooks)
    app.register_blueprint(payments_webhooks)


def _register_error_handlers(app: Flask) -> None:
    """JSON for the API, a page for people; never a traceback."""
    from flask import make_response
    from sqlalchemy.exc import DataError

    from errors import description_of, title_of, werkzeug_default

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            body, code, headers = api.handle_http_exception(error)
            if str(body.get("message") or "") in ("", werkzeug_default(error)):
                body["message"] = description_of(error)  # in the reader's language
            response = make_response((body, code, headers))
        else:
            response = make_response(render_template(
                "error.html", error=error, title=title_of(error), description=description_of(error)),
                error.code)
        # The exception's own headers (a 405's `Allow`, a 401's challenge) say what to do next.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers.setdefault(name, value)
        return response

    @app.errorhandler(DataError)
    def unstorable_value(error: DataError):
        """A value the database refuses (an id beyond PostgreSQL's 32-bit integer columns, a
        NUL character in text; SQLite takes both) came from the client: a 4xx, not a 500.
        No row can have an id out of range, hence 404; any other value is 422."""
        from flask_babel import gettext as _
        from werkzeug.exceptions import NotFound, UnprocessableEntity

        db.session.rollback()
        app.logger.warning("value refused by the database on %s: %s", request.path, error.orig)
        if type(error.orig).__name__ == "NumericValueOutOfRange":
            return http_error(NotFound(_("Nothing has this number.")))
        return http_error(UnprocessableEntity(_("This text or number cannot be stored.")))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return http_error(InternalServerError())


def _register_commands(app: Flask) -> None:
    from demo.cli import seed_command
    from marketplace.cli import marketplace_cli
    app.cli.add_command(seed_command)
    app.cli.add_command(marketplace_cli)
    from payments.cli import payments_cli
    app.cli.add_command(payments_cli)
