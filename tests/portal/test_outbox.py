"""The outbox on any database, with a broker that refuses (mocked), and the clean answers
when the database or the cache fails (both faked here; tests/integration/test_faults.py does
it for real)."""

from datetime import timedelta
from unittest import mock

import pytest
from celery import Task
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from matchmaking import services, tasks
from portal import outbox
from portal.celery import app
from portal.models import PendingTask
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_producer

pytestmark = pytest.mark.django_db


class Broker:
    """Stands in for Celery's publishing: refuses while `down`, else records what it is given."""

    def __init__(self):
        self.down = True
        self.published: list[tuple] = []

    def apply_async(self, task, args=None, kwargs=None, **options):
        if self.down:
            raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.published.append((task.name, list(args or ()), kwargs or {}, options))
        return mock.Mock(id=options.get("task_id") or f"id-{len(self.published)}")


@pytest.fixture
def broker(monkeypatch):
    """Tasks published, not run in process, through a broker that is down at first."""
    broker = Broker()
    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    monkeypatch.setattr(
        Task,
        "apply_async",
        lambda task, args=None, kwargs=None, **options: broker.apply_async(task, args, kwargs, **options),
    )
    yield broker
    app.conf.task_always_eager = previous


def test_a_task_the_broker_refuses_is_recorded_not_lost(broker):
    before = timezone.now()
    sent = outbox.send(tasks.rematch_producer_task, [7], countdown=10)
    assert sent.queued is False and sent.recorded is True
    row = PendingTask.objects.get()
    assert (row.task_id, row.name, row.args, row.kwargs) == (
        sent.task_id,
        "matchmaking.tasks.rematch_producer_task",
        [7],
        {},
    )
    assert before + timedelta(seconds=10) <= row.eta <= timezone.now() + timedelta(seconds=10)
    assert row.attempts == 1 and "Connection refused" in row.last_error


def test_a_task_the_broker_takes_is_not_recorded(broker):
    broker.down = False
    sent = outbox.send(tasks.notify_match_forwarded, [3])
    assert sent.queued is True and sent.task_id == "id-1"
    assert broker.published == [("matchmaking.tasks.notify_match_forwarded", [3], {}, {})]
    assert not PendingTask.objects.exists()


def test_resend_publishes_each_row_once_under_its_task_id_and_deletes_it(broker):
    first = outbox.send(tasks.rematch_buyer_task, [1], countdown=3600)
    second = outbox.send(tasks.notify_match_forwarded, [2])
    broker.down = False

    counts = outbox.resend_pending()

    assert counts.as_dict() == {"sent": 2, "failed": 0, "remaining": 0}
    assert [(name, args, options["task_id"]) for name, args, _kw, options in broker.published] == [
        ("matchmaking.tasks.rematch_buyer_task", [1], first.task_id),
        ("matchmaking.tasks.notify_match_forwarded", [2], second.task_id),
    ]
    # A countdown not yet over is kept as an absolute time; one that is over is dropped.
    assert broker.published[0][3]["eta"] > timezone.now() + timedelta(minutes=50)
    assert broker.published[1][3]["eta"] is None
    assert outbox.resend_pending().as_dict() == {"sent": 0, "failed": 0, "remaining": 0}
    assert len(broker.published) == 2


def test_resend_while_the_broker_is_still_down_keeps_the_rows_and_counts_the_attempt(broker):
    outbox.send(tasks.rematch_buyer_task, [1])
    outbox.send(tasks.rematch_buyer_task, [2])

    counts = outbox.resend_pending()

    assert counts.as_dict() == {"sent": 0, "failed": 1, "remaining": 2}
    first, second = PendingTask.objects.order_by("created_at", "id")
    assert (first.attempts, second.attempts) == (2, 1)  # it stops at the first refusal


def test_the_command_reports_and_fails_while_the_broker_refuses(broker, capsys):
    outbox.send(tasks.rematch_buyer_task, [1])
    with pytest.raises(CommandError):
        call_command("resend_pending_tasks")
    broker.down = False
    call_command("resend_pending_tasks")
    assert "sent: 1, still pending: 0" in capsys.readouterr().out
    assert not PendingTask.objects.exists()


def test_the_periodic_task_is_scheduled_and_resends(broker, settings):
    from portal.tasks import resend_pending_tasks

    assert settings.CELERY_BEAT_SCHEDULE["portal-resend-pending-tasks"]["task"] == resend_pending_tasks.name
    outbox.send(tasks.rematch_buyer_task, [5])
    broker.down = False
    assert resend_pending_tasks.run() == {"sent": 1, "failed": 0, "remaining": 0}


def test_a_broker_and_database_both_down_lose_the_task_but_never_raise(broker):
    with mock.patch.object(PendingTask.objects, "create", side_effect=OperationalError("gone")):
        sent = outbox.send(tasks.rematch_buyer_task, [1])
    assert sent.queued is False and sent.recorded is False


def test_in_process_tasks_run_and_are_never_recorded():
    assert app.conf.task_always_eager
    with mock.patch("matchmaking.notifications.match_forwarded", return_value=2) as notify:
        sent = outbox.send(tasks.notify_match_forwarded, [9])
    notify.assert_called_once_with(9)
    assert sent.queued is True and not PendingTask.objects.exists()


# --- The call sites --------------------------------------------------------------------------


def test_a_notification_the_broker_refuses_waits_in_the_outbox(broker):
    outbox.send_safely(tasks.notify_match_connected, [42])
    assert PendingTask.objects.get().args == [42]


def test_a_profile_edit_with_the_broker_down_records_its_rematch(broker, django_capture_on_commit_callbacks):
    producer = make_producer()
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_producer_rematch(producer_id=producer.pk)
    row = PendingTask.objects.get()
    assert (row.name, row.args) == ("matchmaking.tasks.rematch_producer_task", [producer.pk])


def test_a_cache_that_fails_does_not_skip_the_rematch(broker, django_capture_on_commit_callbacks):
    """django-redis answers None (not False) to `add` when Redis is down: send anyway."""
    broker.down = False
    producer = make_producer()
    with (
        mock.patch.object(services.cache, "add", return_value=None),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.schedule_producer_rematch(producer_id=producer.pk)
        services.schedule_producer_rematch(producer_id=producer.pk)
    assert [name for name, *_ in broker.published] == ["matchmaking.tasks.rematch_producer_task"] * 2


def test_the_rematch_api_accepts_with_a_note_while_the_broker_is_down(broker):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(UserFactory(role="staff"))
    client.cookies["django_language"] = "en"
    response = client.post("/api/v1/matches/rematch/", {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["queued"] is False and "recorded" in body["detail"]
    assert PendingTask.objects.get().task_id == body["task_id"]

    with mock.patch.object(PendingTask.objects, "create", side_effect=OperationalError("gone")):
        response = client.post("/api/v1/matches/rematch/", {}, format="json")
    assert response.status_code == 503 and response["Retry-After"] and "detail" in response.json()


# --- The database gone: 503, never a 500 -----------------------------------------------------


def _database_gone():
    return mock.patch(
        "django.db.backends.utils.CursorWrapper._execute",
        side_effect=OperationalError("server closed the connection"),
    )


def test_an_api_request_whose_database_fails_answers_503_in_json():
    client = Client(raise_request_exception=False)
    with _database_gone():
        response = client.get("/api/v1/products/", HTTP_COOKIE="django_language=en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "The service is briefly unavailable. Please try again in a moment."}


@pytest.mark.parametrize(("language", "direction"), [("fa", "rtl"), ("en", "ltr")])
def test_a_page_whose_database_fails_answers_a_short_503_page(language, direction):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    with _database_gone():
        response = client.get("/catalogue/")
    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert f'lang="{language}" dir="{direction}"' in page
    assert "Traceback" not in page


def test_a_database_failure_outside_the_view_answers_503_too():
    """The language middleware loads the signed-in user: a failure there never reaches the
    view's exception handling, only Django's 500 handler."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role="producer"))
    with mock.patch("portal.middleware.language_for_request", side_effect=OperationalError("gone")):
        response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"]


def test_other_errors_still_answer_500():
    client = Client(raise_request_exception=False)
    with mock.patch("portal.middleware.language_for_request", side_effect=RuntimeError("bug")):
        assert client.get("/").status_code == 500


# --- The cache gone: the site goes on ---------------------------------------------------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nobody listens: refused at once
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}
# The rate limits' cache, as the settings make it from a Redis CACHE_URL (portal/cache.py).
DEAD_REDIS["ratelimit"] = {**DEAD_REDIS["default"], "BACKEND": "portal.cache.FallbackRedisCache"}


def test_with_the_cache_down_pages_and_the_throttled_api_answer(settings, client):
    settings.CACHES = DEAD_REDIS
    make_producer()
    assert client.get("/").status_code == 200
    assert client.get("/catalogue/").status_code == 200
    response = client.get("/api/v1/products/")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_settings_make_a_redis_cache_fail_soft_and_fast():
    import json
    import subprocess
    import sys

    from tests.portal.test_settings import ROOT, clean_env

    probe = "import json, django; from django.conf import settings; django.setup(); print(json.dumps(settings.CACHES))"
    env = clean_env(CACHE_URL="redis://127.0.0.1:6379/7", CELERY_BROKER_URL="redis://127.0.0.1:6379/8")
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    caches = json.loads(out.stdout)
    cache = caches["default"]
    assert caches["ratelimit"]["BACKEND"] == "portal.cache.FallbackRedisCache"
    assert caches["ratelimit"]["LOCATION"] == cache["LOCATION"]
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert 0 < cache["OPTIONS"]["SOCKET_TIMEOUT"] <= 2
