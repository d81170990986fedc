import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from portal.celery import app


@pytest.mark.django_db(transaction=True)
def test_beat_installs_the_schedule_in_the_database_where_admin_edits_it():
    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name="clear-expired-sessions")
    assert task.task == "portal.tasks.clear_expired_sessions"
    assert task.enabled
