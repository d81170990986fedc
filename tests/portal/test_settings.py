"""Settings come from the environment: each knob read in a fresh process."""

import ast
import json
import os
import re
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


# The suite's own key (pyproject.toml, [tool.pytest_env]): with DEBUG off the settings want one.
TEST_SECRET = os.environ["DJANGO_SECRET_KEY"]


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment without any knob, but with the suite's test-only secret."""
    env = {k: v for k, v in os.environ.items() if k not in KNOBS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env["DJANGO_SECRET_KEY"] = TEST_SECRET
    env.update(overrides)
    return env


def env_without_secret(**overrides: str) -> dict[str, str]:
    env = clean_env(**overrides)
    del env["DJANGO_SECRET_KEY"]
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
        DJANGO_SECRET_KEY="Zq4-secret-of-this-deployment-only-8Xw2Lm7Pn1Kd5Rt9Vb3Hc6Jf0",
        DJANGO_ALLOWED_HOSTS="exportbridge.example,www.exportbridge.example",
        DATABASE_URL="postgres://eb:pw@db.internal:5432/exportbridge",
        CELERY_BROKER_URL="redis://queue.internal:6379/0",
        EMAIL_URL="smtp://relay.internal:2525",
        DEFAULT_FROM_EMAIL="Bridge <bridge@exportbridge.example>",
        TIME_ZONE="Asia/Baghdad",
        DJANGO_BEHIND_PROXY="True",
        DJANGO_SECURE_SSL_REDIRECT="False",
    )
    assert s["secret"] == "Zq4-secret-of-this-deployment-only-8Xw2Lm7Pn1Kd5Rt9Vb3Hc6Jf0"
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


# --- No secret has a default once DEBUG is off ------------------------------------------

# Every way the portal starts: a command, the web (gunicorn imports the WSGI module), Celery.
ENTRY_POINTS = {
    "manage.py check": ["manage.py", "check"],
    "wsgi": ["-c", "import portal.wsgi"],
    "celery": ["-m", "celery", "-A", "portal", "report"],
}
INSECURE_SECRETS = {
    "empty": "",
    "blank": "   ",
    "short": "a-secret-of-my-own",
    "few characters": "ab" * 40,
    "the development key": "django-insecure-export-bridge-development-key-do-not-use-in-production",
    "any django-insecure key": "django-insecure-" + "q8Zr2xWm4Kp9Lt7Vb3Nc6Hd1Jf5Gs0Ay" * 2,
    "the old compose fallback": "change-me-to-a-long-random-secret-for-compose-only-0123456789",
    "the .env.example placeholder": "replace-with-a-long-random-string",
    "the old build key": "build-only",
}
REASONS = {
    "empty": "is not set",
    "blank": "is not set",
    "short": "is too short (18 characters; at least 50)",
    "few characters": "fewer than 5 different characters",
    "the development key": "published, insecure value",
    "any django-insecure key": "published, insecure value",
    "the old compose fallback": "published, insecure value",
    "the .env.example placeholder": "published, insecure value",
    "the old build key": "published, insecure value",
}


def start(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_process_refuses_to_start_without_a_secret_when_debug_is_off(entry):
    result = start(ENTRY_POINTS[entry], env_without_secret(DJANGO_DEBUG="False"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set, and DJANGO_DEBUG is off." in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # and says how to make one


@pytest.mark.parametrize("kind", INSECURE_SECRETS)
def test_an_insecure_secret_is_refused_with_the_reason(kind):
    result = start(ENTRY_POINTS["manage.py check"], clean_env(DJANGO_SECRET_KEY=INSECURE_SECRETS[kind]))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY" in result.stderr
    assert REASONS[kind] in result.stderr


def test_debug_off_is_the_default_so_no_secret_is_refused_too():
    result = start(ENTRY_POINTS["manage.py check"], env_without_secret())
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_laptop_with_debug_on_needs_no_secret():
    env = env_without_secret(DJANGO_DEBUG="True")
    result = start(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["secret"].startswith("django-insecure-")
    result = start(ENTRY_POINTS["manage.py check"], {**env, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode == 0, result.stderr


SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|API_KEY|PRIVATE", re.IGNORECASE)
# Names that look like a secret's and are not.
NOT_SECRETS = {
    "API_THROTTLE_TOKEN": "the rate of POST /api/v1/auth/token/",
    "API_TOKEN_LIFETIME_DAYS": "how many days an API token lives",
    "MEDIA_S3_PRIVATE_ACL": "the canned ACL private objects are written with (`private`)",
}
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


def test_no_secret_or_credential_in_the_settings_has_a_default():
    """The class: every env(...) read in the settings whose name is a secret has no default (or
    an empty one, which the check above refuses), and no default URL carries a password."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text(encoding="utf-8"))
    reads, offenders = [], []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        if not is_env or not isinstance(node.args[0].value, str):
            continue
        name = node.args[0].value
        reads.append(name)
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        value = default.value if isinstance(default, ast.Constant) else None
        secret = SECRET_NAME.search(name) and name not in NOT_SECRETS
        if secret and default is not None and value not in ("", None):
            offenders.append(f"{name} has a default")
        if isinstance(value, str) and CREDENTIALS_IN_URL.search(value):
            offenders.append(f"{name}'s default carries a password")
    assert "DJANGO_SECRET_KEY" in reads and len(reads) > 40  # the scan sees the settings' reads
    assert offenders == []


# --- Rotating the secret key (docs/operations.md, "Rotate secrets") ---------------------------

OLD_KEY = "an-old-key-of-this-deployment-Qm3x9Lp2Vr7Kd4Ht8Wn1Zc5Jb6Gs0Ya"
OLDER_KEY = "an-older-key-of-this-deployment-Rn4y0Mq3Ws8Le5Iu9Xo2Ad6Kc7Ht1Zb"


def test_previous_keys_are_fallbacks_while_rotating():
    probe = "import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY_FALLBACKS)"
    result = start(["-c", probe], clean_env(DJANGO_SECRET_KEY_FALLBACKS=f"{OLD_KEY},{OLDER_KEY}"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([OLD_KEY, OLDER_KEY])
    none = start(["-c", probe], clean_env())
    assert none.stdout.strip() == "[]"


def test_an_insecure_fallback_key_is_refused():
    result = start(
        ENTRY_POINTS["manage.py check"], clean_env(DJANGO_SECRET_KEY_FALLBACKS=f"{OLD_KEY},build-only")
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FALLBACKS is a published, insecure value" in result.stderr
