"""The Celery wiring for real: a worker process, the Redis broker, PostgreSQL."""

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.tasks import clear_expired_sessions


def test_a_real_worker_runs_a_task_against_the_database(worker):
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(hours=1)
    )
    result = clear_expired_sessions.delay()
    assert result.get(timeout=30) == 1
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_tasks_sent_while_the_worker_is_down_run_when_it_returns(worker):
    worker.kill()
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(hours=1)
    )
    result = clear_expired_sessions.delay()
    worker.start()
    assert result.get(timeout=30) == 1
