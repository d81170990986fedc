"""The buyer's emails: approved or returned (with the counsellor's note), in the buyer's
language, after the commit, with absolute links; none once the request moved on."""

import pytest
from django.conf import settings
from django.urls import reverse

from portal.bidi import isolate
from sourcing import notifications, services
from sourcing.models import RequestEvent, RequestStatus
from tests.factories import UserFactory

from .support import make_buyer, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def persian_buyer(db):
    return make_buyer(
        owner=UserFactory(role="buyer", preferred_language="fa", email="omar@baghdad.example.com")
    )


def test_the_approval_email_is_in_the_buyers_language(persian_buyer, desk, on_commit, mailoutbox):
    request = make_request(persian_buyer, title="پمپ سانتریفیوژ")
    on_commit(services.request_approve, request=request, actor=desk, note="انتشار یافت")
    (message,) = mailoutbox
    assert message.to == ["omar@baghdad.example.com"]
    assert isolate("پمپ سانتریفیوژ") in message.subject and isolate("پمپ سانتریفیوژ") in message.body
    assert "انتشار یافت" in message.body
    url = settings.PORTAL_BASE_URL + reverse("sourcing:detail", args=[request.pk])
    assert url in message.body
    html = message.alternatives[0][0]
    assert 'lang="fa" dir="rtl"' in html and url in html


def test_the_return_email_carries_the_note_and_the_edit_link(buyer, desk, on_commit, mailoutbox):
    buyer.owner.preferred_language = "en"
    buyer.owner.save(update_fields=["preferred_language"])
    request = make_request(buyer)
    on_commit(services.request_return, request=request, actor=desk, note="Say the flow rate\nand the head.")
    (message,) = mailoutbox
    assert "needs changes" in message.subject
    assert "Say the flow rate" in message.body and "and the head." in message.body
    assert settings.PORTAL_BASE_URL + reverse("sourcing:edit", args=[request.pk]) in message.body


def test_nothing_is_sent_before_the_commit_or_once_the_request_moved_on(buyer, desk, mailoutbox):
    request = make_request(buyer)
    services.request_return(request=request, actor=desk, note="Fix")  # the test's transaction never commits
    assert mailoutbox == []
    event = RequestEvent.objects.filter(request=request).last()
    services.request_update(request=request, actor=buyer.owner, data={"title": "Fixed"})
    assert notifications.request_reviewed(event.pk) == 0
    assert notifications.request_reviewed(0) == 0
    assert mailoutbox == []


def test_no_email_for_other_events_or_an_inactive_buyer(buyer, desk, on_commit, mailoutbox):
    request = make_request(buyer)
    created = RequestEvent.objects.get(request=request)
    assert notifications.request_reviewed(created.pk) == 0
    buyer.owner.is_active = False
    buyer.owner.save(update_fields=["is_active"])
    on_commit(services.request_approve, request=request, actor=desk)
    assert mailoutbox == []
    assert RequestEvent.objects.filter(request=request, to_status=RequestStatus.PUBLISHED).exists()


def test_closing_sends_no_email(buyer, on_commit, mailoutbox):
    on_commit(services.request_close, request=make_request(buyer), actor=buyer.owner)
    assert mailoutbox == []
