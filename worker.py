"""The Celery worker's entry point: `celery -A worker worker --concurrency 1` (one process
per core: the solver is single-threaded). Builds the app as the web server does."""
from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
