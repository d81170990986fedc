"""The audit trail (issue 18): who changed the settings staff edit in the admin, and a
company's verification, is kept in django-auditlog's log, which staff read in the admin."""

import pytest
from auditlog.models import LogEntry

from accounts.models import ApiTokenConfig
from matchmaking.models import MatchingConfig
from portal.audit import acting_as
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_change_to_the_matching_settings_names_who_made_it():
    staff = UserFactory(role="staff")
    config = MatchingConfig.objects.create(pk=MatchingConfig.SINGLETON_ID)
    with acting_as(staff):
        config.min_score = "0.450"
        config.save()
    entry = LogEntry.objects.get_for_object(config).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == staff
    assert entry.changes_dict["min_score"][1] == "0.450"


def test_a_change_to_the_token_lifetime_names_who_made_it():
    staff = UserFactory(role="staff")
    with acting_as(staff):
        config = ApiTokenConfig.objects.create(lifetime_days=30)
    assert LogEntry.objects.get_for_object(config).get().actor == staff


def test_staff_read_the_log_in_the_admin(client):
    staff = UserFactory(role="staff", is_superuser=True, email="audit-staff@example.com")
    with acting_as(staff):
        config = MatchingConfig.objects.create(pk=MatchingConfig.SINGLETON_ID)
    entry = LogEntry.objects.get_for_object(config).get()
    client.force_login(staff)
    page = client.get("/admin/auditlog/logentry/")
    assert page.status_code == 200
    assert f"/admin/auditlog/logentry/{entry.pk}/" in page.content.decode()


def test_a_producer_cannot_read_the_log(client):
    client.force_login(UserFactory(role="producer"))
    assert client.get("/admin/auditlog/logentry/").status_code in (302, 403, 404)
