# The two commands of the README: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := app:create_app
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve-demo test setup lint test-sqlite test-postgres bench translations

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

translations/zh/LC_MESSAGES/messages.mo: translations/zh/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations

setup: $(VENV)/.installed translations/zh/LC_MESSAGES/messages.mo

## make run: the app with demo data on SQLite at http://127.0.0.1:5000, a Celery worker
## on the embedded broker (a SQLite file under instance/) for planning jobs, and tips paid
## through localstripe on loopback (scripts/with-localstripe.sh; no Stripe account)
run: setup
	$(VENV)/bin/flask db upgrade
	LOCALSTRIPE_WEBHOOK_URL=http://127.0.0.1:5000/payments/stripe/webhook \
	  bash scripts/with-localstripe.sh $(MAKE) --no-print-directory serve-demo

serve-demo:
	$(VENV)/bin/flask seed --day
	$(VENV)/bin/celery -A worker worker --concurrency 1 --loglevel warning & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(VENV)/bin/flask run --host 127.0.0.1 --port 5000

## make lint: ruff (style, imports, bugs) and the layer contracts (import-linter, pyproject.toml)
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## make test: lint, then the whole suite on SQLite and, side by side on the other core, the
## database tests on a throwaway PostgreSQL (its output follows once both have ended)
test: lint
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-redis.sh
	@pg=$$(mktemp -d /tmp/wenqing-pg-pass.XXXXXX); \
	  bash scripts/with-localstripe.sh bash scripts/with-postgres.sh $(PY) -m pytest -m db \
	    --durations=15 --basetemp=$$pg/tmp > $$pg/log 2>&1 & postgres=$$!; \
	  echo "make test: the SQLite pass here, the PostgreSQL pass beside it (pid $$postgres)"; \
	  bash scripts/with-localstripe.sh $(PY) -m pytest --durations=15; sqlite=$$?; \
	  wait $$postgres; pg_status=$$?; \
	  echo "== the PostgreSQL pass (pytest -m db) =="; cat $$pg/log; rm -rf $$pg; \
	  echo "make test: SQLite pass exit $$sqlite, PostgreSQL pass exit $$pg_status"; \
	  test $$sqlite -eq 0 -a $$pg_status -eq 0

test-sqlite: setup
	$(PY) -m pytest

test-postgres: setup
	bash scripts/with-postgres.sh $(PY) -m pytest -m db

## make bench: the benchmarks behind the README's performance table
bench: setup
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/covering.py
	bash scripts/with-postgres.sh $(PY) bench/covering.py
	bash scripts/with-postgres.sh $(PY) bench/listing.py
	$(PY) bench/slots.py
	bash scripts/ensure-chromium.sh
	$(PY) bench/home_weight.py
	$(PY) -m dispatch bench stations --seconds 10
	$(PY) -m dispatch bench solomon ../shared/benchmarks/solomon --seconds 10
	$(PY) -m dispatch bench vroom --seconds 1,2,10
	$(PY) -m dispatch bench warm --seconds 10 --seeds 1,2,3
	$(PY) -m dispatch bench gh200 --seconds 30
	$(PY) bench/solver_small.py phases
	$(PY) bench/solver_small.py budgets 0.5,10
	$(PY) bench/solver_small.py memory 300 2
	$(PY) bench/solver_geodesic.py
	bash scripts/bench-network.sh

## make translations: re-extract messages after changing user-facing text
translations: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location \
	  -o translations/messages.pot accounts dispatch marketplace payments demo templates app.py errors.py
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
