#!/usr/bin/env bash
# Runs the suite on what the environment points at (PostgreSQL and Redis when
# DATABASE_URL and CELERY_BROKER_URL are set), then, if that was a server
# database, once more on the embedded default (SQLite, Celery eager), so both
# paths are exercised in one command.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
# The suite is split across the machine's cores (pytest-xdist); each process has its own test
# database and its own Redis database for the caches (tests/conftest.py). EB_TEST_PROCESSES=0
# runs it in this one process. At most six: Redis databases 1-7 are theirs (9 is the fault tests').
PROCESSES=${EB_TEST_PROCESSES:-auto}

echo "== lint: ruff, import contracts, migrations"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The house (README, "Layout"): no import up a floor, no cycle inside an app.
.venv/bin/lint-imports --no-cache
# A tool's run, not a deployment: the laptop's settings (no production secret needed).
DJANGO_DEBUG=True "$PYTHON" manage.py makemigrations --check --dry-run

database=${DATABASE_URL:-sqlite}
echo "== tests on ${database%%:*} (broker: ${CELERY_BROKER_URL:-none, eager})"
"$PYTHON" -m pytest -n "$PROCESSES" --maxprocesses 6 --dist loadgroup "$@"

if [[ -n "${DATABASE_URL:-}" && "${DATABASE_URL}" != sqlite* ]]; then
  echo "== tests on the embedded default (SQLite, eager Celery)"
  env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u CACHE_URL \
    "$PYTHON" -m pytest -n "$PROCESSES" --maxprocesses 6 --dist loadgroup -p no:cacheprovider -m "not integration and not e2e" "$@"
fi
