"""Faults, for real: the portal served by gunicorn (persistent database connections, the
django-redis cache, the Redis broker) through TCP proxies in front of the machine's PostgreSQL
and Redis, which the tests cut (every connection closed, new ones refused) and restore. Also a
backend terminated with pg_terminate_backend in the middle of a write.

(a) the database connection killed mid-request: 503 with a clean body, nothing half written,
    the next request 200;
(b) the database down a while: 503s and /healthz 503, then 200s once it is back, no restart;
(c) Redis down: pages, the API, a product edit and a match forward all answer; their tasks wait
    in the outbox; Redis back, the resend command publishes them and a real worker runs them:
    the rematch happens and the notification is mailed exactly once.
(d) Redis down: sign-in, sign-up and password reset work, and the rate limits still hold,
    counted in the process's memory (portal/cache.py): allauth's password-reset limit per
    address, and the API's throttle.
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token

from matchmaking import services
from matchmaking.models import Match, MatchStatus
from portal.models import PendingTask
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.integration.conftest import QUEUE, WorkerProcess, stop_process_group, wait_for
from tests.integration.smtp_inbox import free_port
from tests.integration.tcp_proxy import TcpProxy
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_match

ROOT = Path(__file__).resolve().parents[2]
FAST = 5.0  # seconds: no request may hang on a dead server longer than this


class LiveApp:
    """gunicorn (one sync worker: one process, its connections kept between requests) serving
    the portal on the test database through `db_proxy` and on Redis through `redis_proxy`."""

    def __init__(self, db_proxy: TcpProxy, redis_proxy: TcpProxy, env: dict[str, str] | None = None):
        self.db_proxy, self.redis_proxy = db_proxy, redis_proxy
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        db = connection.settings_dict
        redis = f"redis://{self.redis_proxy.address}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.integration.fault_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{self.db_proxy.address}/{db['NAME']}",
            "CACHE_URL": f"{redis}/9",  # not a test process's own (tests/conftest.py)
            "CELERY_BROKER_URL": f"{redis}/0",
            "CELERY_RESULT_BACKEND": f"{redis}/0",
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "MATCHING_REMATCH_DEBOUNCE_SECONDS": "1",
            "DJANGO_DEBUG": "False",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DJANGO_SESSION_COOKIE_SECURE": "False",
            "DJANGO_CSRF_COOKIE_SECURE": "False",
            "DJANGO_LOG_LEVEL": "WARNING",
            **self.env,
        }

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "1", "--timeout", "60"],
            cwd=ROOT,
            env=self.environment(),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("gunicorn did not listen in time")

    def stop(self) -> None:
        stop_process_group(self.process)

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Cookie": "django_language=en", **({"Authorization": f"Token {token}"} if token else {})}
        started = time.monotonic()
        response = requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)
        response.elapsed_seconds = time.monotonic() - started
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)


@pytest.fixture
def proxies():
    db = connection.settings_dict
    with (
        TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as db_proxy,
        TcpProxy("127.0.0.1", 6379) as redis_proxy,
    ):
        yield db_proxy, redis_proxy


@pytest.fixture
def app_server(transactional_db, proxies):
    if not settings.CELERY_BROKER_URL.startswith("redis://127.0.0.1:6379"):
        pytest.skip("the fault tests put a proxy in front of the Redis at 127.0.0.1:6379")
    server = LiveApp(*proxies)
    server.start()
    yield server
    server.stop()
    for proxy in proxies:  # the test database is flushed after the test: through no proxy
        proxy.restore()


def token_for(user) -> str:
    return Token.objects.create(user=user).key


def assert_clean_503(response: requests.Response, *, api: bool) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Retry-After"]
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    if api:
        assert response.json() == {
            "detail": "The service is briefly unavailable. Please try again in a moment."
        }
    else:
        assert "Briefly unavailable" in response.text


# --- (a) The request's backend terminated in the middle of a write ---------------------------


def test_a_connection_killed_mid_write_answers_503_writes_nothing_and_the_next_request_works(app_server):
    producer = make_producer(("841810",), capacity="100")
    product = producer.products.get()
    token = token_for(producer.owner)
    word = f"zq{uuid.uuid4().hex[:10]}"
    assert app_server.get(f"/api/v1/products/{product.pk}/", token=token).status_code == 200  # connected

    db = connection.settings_dict
    blocker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    try:
        # An uncommitted insert of the word the edit will add to the search vocabulary: the edit
        # saves the product, then waits on this row, mid-transaction.
        blocker.execute("INSERT INTO catalogue_searchterm (word) VALUES (%s)", [word])
        outcome: dict = {}
        edit = threading.Thread(
            target=lambda: outcome.update(
                response=app_server.request(
                    "PATCH", f"/api/v1/products/{product.pk}/", token=token, json={"name": f"Fridge {word}"}
                )
            )
        )
        edit.start()
        waiting = wait_for(
            lambda: blocker.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
                [db["NAME"]],
            ).fetchall(),
            timeout=30,
            what="the edit to wait on the lock",
        )
        (pid,) = [row[0] for row in waiting]
        blocker.execute("SELECT pg_terminate_backend(%s)", [pid])
        edit.join(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()

    assert_clean_503(outcome["response"], api=True)
    product.refresh_from_db()
    assert word not in product.name  # the product's save, done before the wait, rolled back
    response = app_server.get(f"/api/v1/products/{product.pk}/", token=token)
    assert response.status_code == 200 and word not in response.json()["name"]
    response = app_server.request(
        "PATCH", f"/api/v1/products/{product.pk}/", token=token, json={"name": "Fridge"}
    )
    assert response.status_code == 200


# --- (b) The database down for a while ---------------------------------------------------------


def test_a_database_down_for_a_while_gives_503s_and_the_app_recovers_without_a_restart(app_server):
    make_producer()
    db_proxy = app_server.db_proxy
    assert app_server.get("/catalogue/").status_code == 200  # a persistent connection, through the proxy
    assert db_proxy.open_connections >= 1

    db_proxy.cut()
    for _ in range(2):
        assert_clean_503(page := app_server.get("/catalogue/"), api=False)
        assert page.elapsed_seconds < FAST
        assert_clean_503(app_server.get("/api/v1/products/"), api=True)
    health = app_server.get("/healthz")
    assert health.status_code == 503 and health.json()["database"] == "error"

    db_proxy.restore()
    assert app_server.get("/catalogue/").status_code == 200
    assert app_server.get("/api/v1/products/").json()["count"] == 1
    assert app_server.get("/healthz").json()["database"] == "ok"


# --- (c) Redis down: the site goes on, and the tasks wait in the outbox ----------------------


@pytest.fixture
def mail_worker(transactional_db, inbox, monkeypatch):
    """A real worker on the real Redis (not the proxy), mailing to the test's SMTP server; the
    outbox, resent from here, publishes to its queue."""
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{inbox[1]}")
    from portal.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    process = WorkerProcess()
    yield process
    process.stop()
    app.conf.task_default_queue = previous


def test_with_redis_down_the_site_serves_and_the_tasks_run_once_it_is_back(app_server, mail_worker, inbox):
    handler, _port = inbox
    producer = make_producer(("841810",), capacity="100")
    buyer = make_buyer(("8418",), demand="400")
    services.rematch_all()
    rematched = Match.objects.get(producer=producer, buyer=buyer)
    assert rematched.capacity_score == pytest.approx(0.25)
    to_forward = make_match()
    owner_token, staff_token = token_for(producer.owner), token_for(UserFactory(role="staff"))
    product = producer.products.get()
    assert app_server.get("/").status_code == 200  # cache and broker connections made

    app_server.redis_proxy.cut()
    for path in ("/", "/catalogue/", "/api/v1/products/", f"/catalogue/products/{product.pk}/"):
        response = app_server.get(path)
        assert response.status_code == 200, path
        assert response.elapsed_seconds < FAST, path
    edit = app_server.request(
        "PATCH",
        f"/api/v1/products/{product.pk}/",
        token=owner_token,
        json={"annual_capacity": "400", "available_capacity": "400"},
    )
    assert edit.status_code == 200 and edit.elapsed_seconds < FAST
    forward = app_server.request(
        "POST", f"/api/v1/matches/{to_forward.pk}/forward/", token=staff_token, json={"note": "A fit"}
    )
    assert forward.status_code == 200 and forward.elapsed_seconds < FAST
    assert forward.json()["status"] == MatchStatus.FORWARDED
    health = app_server.get("/healthz")
    assert health.status_code == 503 and health.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error",
    }

    pending = {(row.name, tuple(row.args)) for row in PendingTask.objects.all()}
    assert pending == {
        ("matchmaking.tasks.rematch_producer_task", (producer.pk,)),
        ("matchmaking.tasks.notify_match_forwarded", (to_forward.pk,)),
    }
    time.sleep(1)
    assert handler.messages == [] and Match.objects.get(pk=rematched.pk).capacity_score == pytest.approx(0.25)

    app_server.redis_proxy.restore()
    assert app_server.get("/healthz").json()["broker"] == "ok"
    mail_worker.start()
    call_command("resend_pending_tasks")
    assert not PendingTask.objects.exists()

    wait_for(lambda: Match.objects.get(pk=rematched.pk).capacity_score == 1, timeout=60, what="the rematch")
    parties = {to_forward.producer.owner.email, to_forward.buyer.owner.email}
    wait_for(lambda: len(handler.messages) >= 2, timeout=60, what="the forwarded match's emails")
    call_command("resend_pending_tasks")  # nothing left to send again
    time.sleep(3)
    assert sorted(message["To"] for message in handler.messages) == sorted(parties)


# --- (d) Redis down: signing in, up and a password reset work; the limits still hold ----------


@pytest.fixture
def limited_app_server(transactional_db, proxies, inbox):
    """The app mailing to the test's SMTP server, with a small anonymous API budget."""
    if not settings.CELERY_BROKER_URL.startswith("redis://127.0.0.1:6379"):
        pytest.skip("the fault tests put a proxy in front of the Redis at 127.0.0.1:6379")
    server = LiveApp(
        *proxies, env={"EMAIL_URL": f"smtp://127.0.0.1:{inbox[1]}", "API_THROTTLE_ANON": "5/minute"}
    )
    server.start()
    yield server
    server.stop()
    for proxy in proxies:
        proxy.restore()


def browser(server: LiveApp) -> requests.Session:
    session = requests.Session()
    session.cookies.set("django_language", "en")
    return session


def submit(session: requests.Session, server: LiveApp, path: str, data: dict) -> requests.Response:
    """GET the form's page for its CSRF token, then POST the form, as a browser does."""
    page = session.get(server.url + path, timeout=60)
    assert page.status_code == 200, (path, page.status_code)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.monotonic()
    response = session.post(
        server.url + path,
        data={"csrfmiddlewaretoken": html.unescape(token), **data},
        headers={"Referer": server.url + path},
        allow_redirects=False,
        timeout=60,
    )
    response.elapsed_seconds = time.monotonic() - started
    return response


def test_with_redis_down_sign_in_sign_up_and_password_reset_work_and_the_limits_hold(
    limited_app_server, inbox
):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.urls import reverse

    from accounts.models import User

    server, (handler, _port) = limited_app_server, inbox
    user = UserFactory(role="producer", email="signin@tabriz-works.example", preferred_language="en")
    # The served app checks passwords with the production hashers, not the tests' fast one.
    encoded = PBKDF2PasswordHasher().encode(DEFAULT_PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.filter(pk=user.pk).update(password=encoded)
    assert server.get("/").status_code == 200  # cache and broker connections made
    server.redis_proxy.cut()

    session = browser(server)
    signed_in = submit(
        session, server, "/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert signed_in.elapsed_seconds < FAST
    dashboard = session.get(server.url + reverse("dashboard"), allow_redirects=False, timeout=60)
    assert dashboard.status_code == 200

    signed_up = submit(
        browser(server),
        server,
        "/accounts/signup/",
        {
            "email": "newcomer@tabriz-works.example",
            "full_name": "Newcomer",
            "role": "producer",
            "preferred_language": "en",
            "password1": "a-long-unusual-pass-1405",
            "password2": "a-long-unusual-pass-1405",
        },
    )
    assert signed_up.status_code == 302, signed_up.text[:500]
    wait_for(
        lambda: any(m["To"] == "newcomer@tabriz-works.example" for m in handler.messages),
        timeout=30,
        what="the verification email",
    )

    # allauth allows 5 password resets a minute per address: still so, counted in memory.
    resets = [
        submit(browser(server), server, "/accounts/password/reset/", {"email": user.email}) for _ in range(6)
    ]
    assert [r.status_code for r in resets] == [302] * 5 + [429]
    assert all(r.elapsed_seconds < FAST for r in resets)
    wait_for(
        lambda: sum(m["To"] == user.email for m in handler.messages) == 5, timeout=30, what="5 reset emails"
    )

    # The API's throttle too (5 a minute for anonymous clients here).
    codes = [server.get("/api/v1/sectors/?level=2").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
