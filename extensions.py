"""Flask extensions, created unbound so any module can import them without cycles."""
import re

from celery import Celery, Task
from flask import Flask, current_app, has_app_context
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
cache = Cache()
compress = Compress()  # JSON, CSS, JS and SVG only (config COMPRESS_MIMETYPES)


def compressed_etags_revalidate() -> None:
    """Flask-Compress marks the ETag of a compressed answer with its coding ("…:br") and the
    browser sends that back; read without the mark it is the ETag of the content again, so
    an unchanged script or station layer is a 304 with no body (a `before_request`)."""
    from flask import request

    sent = request.environ.get("HTTP_IF_NONE_MATCH")
    if sent:
        request.environ["HTTP_IF_NONE_MATCH"] = re.sub(r':(br|gzip|deflate|zstd)"', '"', sent)
mail = Mail()  # sends only when MAIL_SERVER is set (dispatch.mail)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, let readers and a writer work at once (WAL), and wait
    for a busy lock instead of failing at once."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def analyze(*tables: str) -> None:
    """Bring the query planner's statistics up to date after a bulk load, before querying
    what was loaded. Without it PostgreSQL plans those queries as if the tables were still
    empty until autovacuum comes by: one rebuild query ran for more than six minutes that
    way, and well under a second once the tables had been analysed."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE " + ", ".join(tables)))
    else:
        db.session.execute(text("ANALYZE"))


def celery_init_app(app: Flask) -> Celery:
    """The task engine (Celery) bound to the app: every task runs inside an app context,
    so tasks use `db` as views do (Flask's "Background Tasks with Celery" pattern)."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context():  # run in-process (eager): the caller's app
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    engine = Celery(app.name, task_cls=FlaskTask)
    settings = dict(app.config["CELERY"])
    if not str(settings.get("broker_url", "")).startswith(("redis://", "rediss://")):
        # Redis's options; the embedded broker would hand them to SQLAlchemy's create_engine.
        settings.pop("broker_transport_options", None)
    engine.config_from_object(settings)
    engine.set_default()
    app.extensions["celery"] = engine
    return engine


def enqueue(task: Task, *args):
    """Send `task` through the task engine of the current app. Celery's shared tasks send
    through whichever Celery app was created last; a process holding several apps (the
    tests do) would send one app's jobs with another's broker and settings."""
    return current_app.extensions["celery"].tasks[task.name].delay(*args)
