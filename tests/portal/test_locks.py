import contextlib

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from portal.locks import cache_lock, single_instance
from portal.tasks import clear_expired_sessions


def test_a_held_lock_keeps_a_second_holder_out():
    with cache_lock("sweep") as first, cache_lock("sweep") as second:
        assert first is True and second is False
    with cache_lock("sweep") as again:
        assert again is True


def test_a_single_instance_function_skips_while_another_run_holds_it():
    calls = []

    @single_instance
    def sweep():
        calls.append("inner" if len(calls) else "outer")
        if len(calls) == 1:
            assert sweep() is None  # the overlapping run is skipped
        return len(calls)

    assert sweep() == 1
    assert calls == ["outer"]
    assert sweep() == 2  # released after the first run


def test_the_lock_is_released_when_the_run_fails():
    @single_instance
    def failing():
        raise RuntimeError("boom")

    for _ in range(2):
        with contextlib.suppress(RuntimeError):
            failing()
    with cache_lock(f"{failing.__module__}.{failing.__qualname__}") as acquired:
        assert acquired


def test_clear_expired_sessions_task(db):
    expired = SessionStore()
    expired.create()
    expired_key = expired.session_key
    live = SessionStore()
    live.create()
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=expired_key).update(
        expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    assert clear_expired_sessions.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_periodic_task_is_skipped_while_locked(db):
    with cache_lock("portal.tasks.clear_expired_sessions"):
        assert clear_expired_sessions.delay().get() is None
