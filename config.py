"""Configuration read from the environment; one class per way of running the app.

Every tunable the product's rules depend on (coverage radius, token lifetime, languages)
lives here so that pages, API and tests read the same value. The rules are read into typed,
checked objects when the app is created (`dispatch.rules`, `marketplace.rules`): a wrong
value stops the app at start with its key named, not a request later.
"""
from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(url: str | None) -> str:
    """The SQLAlchemy URL for `url`, defaulting to SQLite under instance/.

    Hosting platforms hand out `postgres://` or `postgresql://` URLs; we drive them with
    psycopg 3, so the driver is made explicit.
    """
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'wenqing.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_dir: Path) -> str:
    """The signing key where none is given: random, made once per instance and kept in
    instance/ (mode 600), so sessions survive a restart and nobody can sign a cookie with a
    key read from the repository."""
    path = instance_dir / "secret_key"
    instance_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by the worker starting beside us
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


class RulesError(ValueError):
    """A product rule in the configuration is wrong: the app refuses to start, naming it."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"configuration {key}: {reason}")
        self.key = key


def whole_number(key: str, value: object, low: int, high: int) -> int:
    """`value` if it is a whole number from `low` to `high`, else a RulesError for `key`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RulesError(key, f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def number(key: str, value: object, low: float, high: float) -> float:
    """`value` if it is a number from `low` to `high`, else a RulesError for `key`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RulesError(key, f"must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


class Config:
    """Development defaults: SQLite, demo-friendly, never for production."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # else instance_secret_key() at start
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)  # then sign in again
    # Attempts (Flask-Limiter, accounts.limits): per client address and per account (the
    # e-mail tried, or the signed-in user); beyond them a 429 with Retry-After. Memory in
    # development; production shares one count across web workers in Redis
    # (RATELIMIT_STORAGE_URI=redis://…). A failed sign-in counts against the account; a
    # successful one does not.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATE_LIMITS = {  # endpoint: (per address, per account); None = no such limit
        "accounts.login": ("30 per minute", "10 per 15 minutes"),
        "accounts_api.issue_token": ("30 per minute", "10 per 15 minutes"),
        "accounts.signup": ("10 per hour", None),
        "feedback.review": ("60 per hour", "20 per hour"),
        "feedback_api.create_review": ("60 per hour", "20 per hour"),
        "feedback.report_review": ("60 per hour", "20 per hour"),
        "feedback_api.report_review": ("60 per hour", "20 per hour"),
        "payments.tip_visit": ("60 per hour", "20 per hour"),
        "payments_api.tip_visit": ("60 per hour", "20 per hour"),
        # codes: at most one a minute and five a day per account (accounts.phone), and
        # a bound per address; wrong codes per account
        "accounts.phone": ("20 per hour", None),
        "accounts_api.send_phone_code": ("20 per hour", None),
        "accounts.verify_phone": ("60 per hour", "20 per hour"),
        "accounts_api.verify_phone_code": ("60 per hour", "20 per hour"),
    }
    # Text messages (accounts.sms): "log" in development, "outbox" in tests, else a
    # provider's adapter "package.module:Factory". One-time codes prove phone numbers.
    SMS_SENDER = os.environ.get("SMS_SENDER", "log")
    # Compressed answers (Flask-Compress): brotli or gzip for data, scripts and styles. Not
    # HTML: a page carries the CSRF token beside text a visitor can put in it, which is what
    # the BREACH attack on compressed secrets needs.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["application/json", "text/css", "application/javascript",
                          "text/javascript", "image/svg+xml"]
    # Security headers (headers.py): HSTS only where the site is always served over HTTPS.
    STRICT_TRANSPORT_SECURITY = False

    # Languages: Chinese first (the network's customers), English for everyone else.
    LANGUAGES = {"zh_CN": "中文", "en": "English"}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    # The station network.
    COVERAGE_KM = 30.0          # default radius a station serves
    MAX_COVERAGE_KM = 100.0     # no station may claim more; bounds the coverage pre-filter

    # Station time: windows, "today" and "available on day D" are in this zone.
    TIMEZONE = "Asia/Shanghai"
    APPOINTMENT_WINDOW_MINUTES = 120
    BOOKING_LEAD_MINUTES = 120  # the earliest window starts this long after now
    SLOT_DAYS = 7               # how far ahead customers may book by default
    # How an engineer's day is planned (slots and the solver use the same figures).
    TRAVEL = {"model": "geodesic", "speed_kmh": 30, "detour_factor": 1.3}
    LUNCH_BREAK = {"window": ("11:30", "14:00"), "minutes": 60}
    VISIT_MINUTES = {"server": 90, "default": 60}  # on-site time by product line
    CHANGE_CUTOFF_MINUTES = 120  # customers reschedule or cancel up to this long before
    # A visit's life cannot be faked (dispatch.lifecycle, dispatch.booking): an engineer sets
    # off on a visit only on its day, from this long before its window; completion counts
    # once the customer confirms it (the code they read out, or the app), and a few wrong
    # codes leave only the app; a customer holds at most this many active visits a day.
    VISIT_START_LEAD_MINUTES = 120
    COMPLETION_CODE_ATTEMPTS = 3
    BOOKING_CAP_PER_DAY = 2

    # Recommended order of engineers (marketplace.ranking): a Bayesian average that pulls
    # few reviews towards the network's prior, plus a bonus for newcomers that fades out
    # over their first reviews so that new engineers are seen. Change, then run
    # `flask marketplace rebuild-stats`.
    RANKING = {
        "prior_mean": 4.5,        # stars a reviewer expects of an engineer nobody has rated
        "prior_weight": 10,       # how many reviews that expectation is worth
        "newcomer_bonus": 0.15,   # added to a brand-new engineer's score...
        "newcomer_reviews": 20,   # ...and gone after this many reviews
    }
    LISTING_PAGE_SIZE = 20

    # Feedback, points and levels (marketplace.points, marketplace.levels).
    REVIEW_EDIT_DAYS = 7
    REVIEW_TEXT_MAX = 1000
    RATE_WINDOW_DAYS = 90
    POINTS = {
        "visit_completed": 2,
        "stars": {5: 10, 4: 5, 3: 0, 2: -5, 1: -10},
        "positive_tag": 1, "positive_tags_max": 3,
        "favourite": 5,           # by a customer served, once per customer
        "tip": 5,                 # once per visit, whatever the amount
        "first_time_fix": 3,
    }
    # Levels above the first: (level, points, praise-rate floor or None); the floors count
    # only over at least LEVEL_FLOOR_MIN_REVIEWS reviews.
    LEVELS = [("backbone", 300, None), ("elite", 1000, None),
              ("expert", 3000, 0.95), ("master", 8000, 0.97)]
    LEVEL_FLOOR_MIN_REVIEWS = 100
    LEVEL_STEP_DOWN_DAYS = 30
    SAME_ADDRESS_METRES = 100     # a customer account this close to an engineer's is flagged
    # Feedback flagged for admins besides the same phone or address (marketplace.reviews):
    # from an account younger than `new_account_days` or without a verified phone, and the
    # `repeat_pair_visits`-th confirmed visit of one customer with one engineer within
    # `repeat_pair_days`.
    FLAGS = {"new_account_days": 14, "repeat_pair_visits": 3, "repeat_pair_days": 30}
    # Listings read each station's engineers from a cache, dropped when a review, favourite
    # or tip changes one of them, and after this many seconds at the latest (for changes
    # made elsewhere: new engineers, skills). SimpleCache lives in one process: with several
    # workers use CACHE_TYPE=RedisCache (and CACHE_REDIS_URL) so that all of them forget.
    LISTING_CACHE_SECONDS = 600
    REFERENCE_DATA_SECONDS = 60  # each worker reloads stations and skill codes this often
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")  # RedisCache with CACHE_REDIS_URL
    CACHE_DEFAULT_TIMEOUT = 300
    CACHE_THRESHOLD = 20_000  # SimpleCache: room for every station of the network
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")

    # Background jobs (Celery): Redis in production (CELERY_BROKER_URL=redis://…); without
    # it an embedded broker on a SQLite file under instance/, so `make run` needs no server.
    # A task is acknowledged once done, so a worker that dies mid-job leaves it to another.
    CELERY = {
        "broker_url": os.environ.get("CELERY_BROKER_URL",
                                     f"sqla+sqlite:///{INSTANCE_DIR / 'broker.db'}"),
        "include": ["dispatch.tasks"],
        "task_ignore_result": True,  # jobs report through the rows they write (plans)
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        # Redis hands a job back when its worker vanished after this long (not the hour of
        # the default); a station's job takes seconds, so no running job is handed out twice.
        # (Redis only: extensions.celery_init_app drops it for the embedded broker.)
        "broker_transport_options": {"visibility_timeout": 600},
        # `celery -A worker beat`: tomorrow for the whole network at 02:00 station time.
        "beat_schedule": {"plan-network-tomorrow": {
            "task": "dispatch.plan_network_tomorrow", "schedule": crontab(hour=18, minute=0)}},
    }
    PLAN_SECONDS = 10.0  # the most a station's plan may search; small days take less

    # E-mail of notices to customers (dispatch.mail); unset MAIL_SERVER: no mail is sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@wenqing.example")

    # Tips (payments/): preset amounts and the limits of a custom one, in fen; engineers get
    # 100 % (TIP_FEE_CENTS, shown before paying, is 0). The payment provider is Stripe
    # through its SDK; STRIPE_API_BASE points it at a Stripe-compatible server (`make run`
    # and `make test` start localstripe on loopback and set it with test keys).
    TIP_PRESETS_CENTS = (500, 1000, 2000)
    TIP_MIN_CENTS = 100
    TIP_MAX_CENTS = 100_000
    TIP_CURRENCY = "cny"
    TIP_FEE_CENTS = 0
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    # A test payment method (pm_card_visa) the page's button confirms with on the server,
    # where Stripe.js cannot load (the offline demo, the tests); unset in production.
    TIP_TEST_PAYMENT_METHOD = os.environ.get("TIP_TEST_PAYMENT_METHOD")
    # Payouts: "export" (a bank bulk-transfer file, payroll) or "transfer" (Connect).
    PAYOUT_METHOD = os.environ.get("PAYOUT_METHOD", "export")

    # API tokens.
    API_TOKEN_TTL_DAYS = 30

    # The map on the home page; tiles come from the browser, never from the server.
    MAP_TILE_URL = os.environ.get(
        "MAP_TILE_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    MAP_TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"

    # Addresses to points (dispatch.geocode): the offline gazetteer of the network's places
    # when empty; else a geopy service name ("baidu", "nominatim", ...) whose options come
    # from GEOCODER_KEY (api_key) or, for Nominatim, GEOCODER_USER_AGENT. The gazetteer
    # answers whenever the service finds nothing or cannot be reached.
    GEOCODER = os.environ.get("GEOCODER", "")
    GEOCODER_OPTIONS = {k: v for k, v in (("api_key", os.environ.get("GEOCODER_KEY")),
                                          ("user_agent", os.environ.get("GEOCODER_USER_AGENT")))
                        if v}

    # OpenAPI (flask-smorest).
    API_TITLE = "Wenqing API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"

    # Demo accounts share this password; only the development seed uses it.
    DEMO_PASSWORD = "demo-password"


class TestConfig(Config):
    """Tests: a database chosen by the test run, CSRF off unless a test turns it on."""

    TESTING = True
    SECRET_KEY = secrets.token_hex(32)  # per test run
    RATELIMIT_ENABLED = False  # tests of the limits turn them on
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("WENQING_TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    SMS_SENDER = "outbox"
    LISTING_CACHE_SECONDS = 0   # tests see every write at once (a dedicated test caches)
    # Jobs run in the test's own process unless a test starts a real worker (and broker).
    CELERY = {**Config.CELERY, "task_always_eager": True, "task_eager_propagates": False,
              "broker_url": os.environ.get("CELERY_BROKER_URL", "memory://")}
    PLAN_SECONDS = 1.0
    REFERENCE_DATA_SECONDS = 0


class ProductionConfig(Config):
    """Production refuses to start without a real secret and database."""

    DEMO_PASSWORD = None
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    STRICT_TRANSPORT_SECURITY = True

    def __init__(self) -> None:
        for name in ("SECRET_KEY", "DATABASE_URL"):
            if not os.environ.get(name):
                raise RuntimeError(f"{name} must be set in production")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ["DATABASE_URL"])
        if self.SMS_SENDER == "log":
            logging.getLogger("wenqing.sms").warning(
                "SMS_SENDER is 'log' in production: one-time codes reach the log, not phones")


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}
