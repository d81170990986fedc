# Export Bridge. `make run` sets up and serves the demo; `make test` sets up and runs the tests.
# Setup steps are stamped, so a second run with nothing changed is fast.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMPS := .make
VENDOR := portal/static/vendor/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run test lint fmt worker beat messages bench check clean screenshots lock

setup: $(STAMPS)/python $(VENDOR)

# requirements*.txt are lock files: every package, its exact version and hashes, made from the
# direct dependencies in requirements*.in by `make lock` (pip-tools). pip checks every hash.
$(STAMPS)/python: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

$(VENDOR): package.json package-lock.json scripts/copy-vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The embedded default: SQLite, tasks in process, mail printed to the console.
run: export DJANGO_DEBUG ?= True
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Export Bridge is serving at http://$(HOST):$(PORT)/ (Ctrl-C stops it)."
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	PYTHON=$(PY) ./scripts/run-tests.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DJANGO_DEBUG=True $(PY) manage.py makemigrations --check --dry-run

fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Like `run`, these are the laptop's: with DJANGO_DEBUG off the settings want a real secret.
worker: export DJANGO_DEBUG ?= True
worker: setup
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: export DJANGO_DEBUG ?= True
beat: setup
	$(BIN)/celery -A portal beat --loglevel=INFO

messages: export DJANGO_DEBUG ?= True
messages: setup
	$(PY) manage.py makemessages -l fa --no-location --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages -l fa --ignore=.venv

# The four journeys in Chromium, saving the key pages in Persian and English (README, "Screenshots").
screenshots: setup
	EB_SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/e2e/test_journeys.py

bench: setup
	@for script in $(wildcard benchmarks/bench_*.py); do echo "== $$script"; $(PY) $$script || exit 1; done

# After editing requirements*.in: pin every dependency again, with hashes (commit the .txt files).
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: setup
	$(LOCK) --output-file=requirements.txt requirements.in
	$(LOCK) --output-file=requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(STAMPS) $(VENV) node_modules portal/static/vendor staticfiles
