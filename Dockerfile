# One image for web, worker and beat.
# Base images pinned to exact versions (tests/portal/test_compose.py checks it).
FROM node:20.18.1-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/copy-vendor.mjs scripts/
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
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
RUN useradd --create-home --uid 1000 portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
