"""Settings come from the environment: each knob read in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KNOBS = [
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "TIME_ZONE",
    "DJANGO_BEHIND_PROXY",
    "DJANGO_SECURE_SSL_REDIRECT",
]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "secret": settings.SECRET_KEY,
    "hosts": settings.ALLOWED_HOSTS,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "from": settings.DEFAULT_FROM_EMAIL,
    "tz": settings.TIME_ZONE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "proxy_header": settings.__dict__.get("_wrapped").__dict__.get("SECURE_PROXY_SSL_HEADER"),
    "serializer": settings.CELERY_TASK_SERIALIZER,
    "accept": settings.CELERY_ACCEPT_CONTENT,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "beat": settings.CELERY_BEAT_SCHEDULER,
}))
"""


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in KNOBS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(overrides)
    return env


def read_settings(**overrides: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean_env(**overrides), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _no_dotenv():
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file would leak into the settings under test")


def test_defaults_make_a_laptop_work():
    s = read_settings()
    assert s["debug"] is False
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_name"].endswith("db.sqlite3")
    assert s["eager"] is True and s["broker"] is None
    assert s["tz"] == "Asia/Tehran"
    assert s["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_debug_mails_to_the_console_by_default():
    s = read_settings(DJANGO_DEBUG="True")
    assert s["debug"] is True
    assert s["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert s["ssl_redirect"] is False


def test_every_knob_is_read_from_the_environment():
    s = read_settings(
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_ALLOWED_HOSTS="exportbridge.example,www.exportbridge.example",
        DATABASE_URL="postgres://eb:pw@db.internal:5432/exportbridge",
        CELERY_BROKER_URL="redis://queue.internal:6379/0",
        EMAIL_URL="smtp://relay.internal:2525",
        DEFAULT_FROM_EMAIL="Bridge <bridge@exportbridge.example>",
        TIME_ZONE="Asia/Baghdad",
        DJANGO_BEHIND_PROXY="True",
        DJANGO_SECURE_SSL_REDIRECT="False",
    )
    assert s["secret"] == "k" * 60
    assert s["hosts"] == ["exportbridge.example", "www.exportbridge.example"]
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["db_name"], s["db_host"]) == ("exportbridge", "db.internal")
    assert s["eager"] is False
    assert s["broker"] == s["result_backend"] == "redis://queue.internal:6379/0"
    assert (s["email_host"], s["email_port"]) == ("relay.internal", 2525)
    assert s["from"] == "Bridge <bridge@exportbridge.example>"
    assert s["tz"] == "Asia/Baghdad"
    assert s["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["ssl_redirect"] is False


def test_celery_is_json_only_and_survives_lost_workers():
    s = read_settings()
    assert s["serializer"] == "json" and s["accept"] == ["json"]
    assert s["acks_late"] is True and s["reject_lost"] is True
    assert s["beat"] == "django_celery_beat.schedulers:DatabaseScheduler"


def test_check_deploy_is_silent_with_debug_off_and_a_real_secret():
    env = clean_env(
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="x8Jq-2mVr!pL0zT7wK4nB9cYhD3sF6gA1eU5iO8uR2yW7tE0qM",
        DJANGO_ALLOWED_HOSTS="exportbridge.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_development_secret():
    env = clean_env(DJANGO_DEBUG="False", DJANGO_ALLOWED_HOSTS="exportbridge.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "security.W009" in result.stdout + result.stderr
