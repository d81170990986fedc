"""Handing a match to a colleague (issue 19): the counsellor who gave it away lands on their
queue with a message naming who has it (not on the match's page, a 404 now), and the new
counsellor is emailed at once in their language, once, and nobody else."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from matchmaking import lifecycle, notifications
from matchmaking.models import MatchEvent, MatchStatus
from tests.factories import UserFactory

from .pages_support import make_buyer, make_counsellor, make_match, make_producer

pytestmark = pytest.mark.django_db
QUEUE = "/counsellor/queue/"


@pytest.fixture
def handover(db):
    desk = make_counsellor("IQ", full_name="Sara Karimi", email="sara@desk.example", preferred_language="en")
    colleague = make_counsellor(
        "AM", full_name="Arman Petrosyan", email="arman@desk.example", preferred_language="fa"
    )
    bystander = make_counsellor("IQ", full_name="Third Desk", email="third@desk.example")
    producer = make_producer(("841810",), markets=("IQ",), name="Azar Cooling", email="sales@azar.example")
    buyer = make_buyer(
        ("8418",), country="IQ", company_name="Baghdad Cold Chain", email="buy@baghdad.example"
    )
    match = make_match(producer, buyer, counsellor=desk)
    return desk, colleague, bystander, match


def reassign(client, user, match, to, **extra):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    url = reverse("matchmaking:match_reassign", args=[match.pk])
    data = {"counsellor": to.pk, "note": "Armenian-speaking buyer", **extra}
    return client.post(url, data)


def test_the_counsellor_lands_on_the_queue_with_who_has_it(
    client, handover, mailoutbox, django_capture_on_commit_callbacks
):
    desk, colleague, _bystander, match = handover
    detail = reverse("matchmaking:match_detail", args=[match.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = reassign(client, desk, match, colleague, next=detail)
    assert response.status_code == 302 and response["Location"] == QUEUE  # not the match's page
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Handed to \u2068Arman Petrosyan\u2069, who has been emailed. It has left your queue."]
    assert client.get(QUEUE).status_code == 200
    assert client.get(detail).status_code == 404  # indeed no longer theirs
    match.refresh_from_db()
    assert match.counsellor == colleague and match.status == MatchStatus.PROPOSED


def test_htmx_is_sent_to_the_queue_too(client, handover, mailoutbox):
    desk, colleague, _bystander, match = handover
    client.force_login(desk)
    response = client.post(
        reverse("matchmaking:match_reassign", args=[match.pk]),
        {"counsellor": colleague.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"] == QUEUE


def test_the_new_counsellor_alone_is_emailed_in_their_language(
    client, handover, mailoutbox, django_capture_on_commit_callbacks
):
    desk, colleague, _bystander, match = handover
    with django_capture_on_commit_callbacks(execute=True):
        reassign(client, desk, match, colleague)
    assert [message.to for message in mailoutbox] == [["arman@desk.example"]]
    mail = mailoutbox[0]
    assert "همتایابی" in mail.subject and "Azar Cooling" in mail.subject  # Persian, their language
    assert "Sara Karimi" in mail.body and "Armenian-speaking buyer" in mail.body
    assert f"/matches/{match.pk}/" in mail.body


def test_staff_stay_on_the_match_and_the_api_emails_too(
    client, handover, mailoutbox, django_capture_on_commit_callbacks
):
    desk, colleague, _bystander, match = handover
    staff = UserFactory(role="staff")
    detail = reverse("matchmaking:match_detail", args=[match.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = reassign(client, staff, match, colleague, next=detail)
    assert response.status_code == 302 and response["Location"] == detail  # staff still see it
    assert [message.to for message in mailoutbox] == [["arman@desk.example"]]

    mailoutbox.clear()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/matches/{match.pk}/reassign/", {"counsellor": desk.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert [message.to for message in mailoutbox] == [["sara@desk.example"]]


def test_the_email_goes_once_and_only_while_the_match_is_still_theirs(handover, mailoutbox):
    desk, colleague, bystander, match = handover
    lifecycle.match_reassign(match=match, actor=desk, counsellor=colleague)
    first = MatchEvent.objects.filter(match=match).latest("id")
    assert notifications.match_reassigned(first.pk) == 1
    assert notifications.match_reassigned(first.pk) == 0  # the outbox sent the task again
    lifecycle.match_reassign(match=match, actor=colleague, counsellor=bystander)
    second = MatchEvent.objects.filter(match=match).latest("id")
    mailoutbox.clear()
    # Handed on meanwhile: a late run for the first handover tells nobody; the second tells the third desk.
    first.notices.all().delete()
    assert notifications.match_reassigned(first.pk) == 0
    assert notifications.match_reassigned(second.pk) == 1
    assert [message.to for message in mailoutbox] == [["third@desk.example"]]
    # Another event (a forward) is no handover: nothing.
    forwarded = lifecycle.match_forward(match=match, actor=bystander)
    event = MatchEvent.objects.filter(match=forwarded, to_status=MatchStatus.FORWARDED).get()
    assert notifications.match_reassigned(event.pk) == 0
