# One image for web, worker, beat and backup.
# Base images pinned to exact versions (tests/portal/test_compose.py checks it).
# The vendored browser libraries are copied out of npm packages by a supported Node LTS (24),
# at build time only: the final image has no Node and downloads nothing when it runs.
FROM node:24.21.0-trixie-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/copy-vendor.mjs scripts/
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# PostgreSQL's client tools for backup_database/restore_database (docs/operations.md): the
# server's major version (docker-compose.yml's postgres image; pg_dump refuses a newer server,
# and a newer pg_dump writes dumps an older server cannot restore), from PostgreSQL's own
# Debian repository, added by Debian's postgresql-common with the key it ships.
ARG POSTGRES_MAJOR=16
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_MAJOR}" \
    && pg_dump --version | grep -q " ${POSTGRES_MAJOR}\." \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/portal/static/vendor portal/static/vendor
# The settings refuse to start without a real secret (DEBUG is off): the build uses a random
# one of its own, which lives only in this step and is not kept in the image.
RUN export DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    && python manage.py compilemessages --ignore=.venv \
    && python manage.py collectstatic --noinput
# /backups: the backup service's volume (docker-compose.yml), made here so that a new named
# volume takes this folder's owner.
RUN useradd --create-home --uid 1000 portal && mkdir -p /backups && chown -R portal /app /backups
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
