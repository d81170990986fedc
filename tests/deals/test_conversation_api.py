"""GET, POST /api/v1/matches/{id}/messages/ and POST …/messages/read/ for every role: 404
where the match is not visible, 409 where it takes no messages, 400 for bad input, never a
500; the fields of docs/api.md, no email address anywhere."""

from __future__ import annotations

import json

import pytest

from deals import conversations
from deals.models import ConversationState, Message
from matchmaking.models import MatchStatus
from tests.factories import UserFactory

from .conftest import READERS, ROLES, make_match, messages_url, pdf, set_status, upload

pytestmark = pytest.mark.django_db

ANONYMOUS = (401, 403)


def read_url(match) -> str:
    return f"/api/v1/matches/{match.pk}/messages/read/"


def expected(role: str, allowed: int) -> tuple:
    if role == "anonymous":
        return ANONYMOUS
    return (allowed,) if role in READERS else (404,)


@pytest.mark.parametrize("role", ROLES)
def test_get_per_role(world, api, role):
    conversations.post_message(match=world.match, author=world.buyer, body="Hello")
    response = api(world.role(role)).get(messages_url(world.match))
    assert response.status_code in expected(role, 200), response.content[:200]


@pytest.mark.parametrize("role", ROLES)
def test_post_per_role(world, api, role):
    response = api(world.role(role)).post(messages_url(world.match), {"body": "Hi"}, format="json")
    assert response.status_code in expected(role, 201), response.content[:200]
    assert Message.objects.count() == (1 if role in READERS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_read_per_role(world, api, role):
    conversations.post_message(match=world.match, author=world.buyer, body="Hello")
    response = api(world.role(role)).post(read_url(world.match))
    assert response.status_code in expected(role, 200), response.content[:200]


@pytest.mark.parametrize("status", [MatchStatus.PROPOSED, MatchStatus.REJECTED, MatchStatus.WITHDRAWN])
def test_before_the_forward_the_parties_get_404_and_the_counsellor_409_on_post(world, api, status):
    set_status(world.match, status)
    for party in (world.producer, world.buyer):
        assert api(party).get(messages_url(world.match)).status_code == 404
        assert api(party).post(messages_url(world.match), {"body": "x"}, format="json").status_code == 404
        assert api(party).post(read_url(world.match)).status_code == 404
    response = api(world.counsellor).post(messages_url(world.match), {"body": "x"}, format="json")
    assert response.status_code == 409 and "detail" in response.json()
    assert api(world.counsellor).get(messages_url(world.match)).json()["results"] == []
    assert api(world.staff).post(messages_url(world.match), {"body": "x"}, format="json").status_code == 409
    assert not Message.objects.exists()


def test_a_declined_match_is_read_only(world, api):
    conversations.post_message(match=world.match, author=world.buyer, body="Before")
    set_status(world.match, MatchStatus.DECLINED)
    for user in (world.producer, world.buyer, world.counsellor, world.staff):
        assert api(user).get(messages_url(world.match)).json()["count"] == 1
        response = api(user).post(messages_url(world.match), {"body": "After"}, format="json")
        assert response.status_code == 409, response.content
    assert api(world.producer).post(read_url(world.match)).status_code == 200


def test_the_fields_of_a_message(world, api):
    world.producer.full_name = ""
    world.producer.save(update_fields=["full_name"])
    conversations.post_message(
        match=world.match, author=world.producer, body="سلام\nقیمت", files=[upload("list.pdf", pdf())]
    )
    conversations.post_message(match=world.match, author=world.counsellor, body="Welcome both")
    body = api(world.buyer).get(messages_url(world.match)).json()
    assert set(body) == {"count", "next", "previous", "results", "unread"}
    assert body["count"] == 2 and body["unread"] == 2
    first, second = body["results"]
    assert set(first) == {"id", "author", "body", "language", "created_at", "attachments", "mine", "unread"}
    assert first["author"] == {"name": "Sahand Cooling", "role": "producer"}  # no full name: the company
    assert first["body"] == "سلام\nقیمت" and first["language"] == "fa"
    assert first["mine"] is False and first["unread"] is True
    [file] = first["attachments"]
    assert set(file) == {"token", "name", "size", "content_type", "url"} and file["url"].startswith("http")
    assert file["url"].endswith(f"/api/v1/attachments/{file['token']}/")
    assert second["author"] == {"name": "Sara Rahimi", "role": "counsellor"}
    text = json.dumps(body)
    for user in (world.producer, world.buyer, world.counsellor):
        assert user.email not in text


def test_post_answers_the_message_and_marks_what_came_before_read(world, api):
    conversations.post_message(match=world.match, author=world.buyer, body="Question")
    response = api(world.producer).post(
        messages_url(world.match), {"body": "Answer", "language": "en"}, format="json"
    )
    assert response.status_code == 201
    message = response.json()
    assert message["mine"] is True and message["unread"] is False and message["language"] == "en"
    assert message["author"]["role"] == "producer"
    assert api(world.producer).get(messages_url(world.match)).json()["unread"] == 0


def test_read_marks_all_read(world, api):
    for text in ("One", "Two"):
        conversations.post_message(match=world.match, author=world.buyer, body=text)
    assert api(world.counsellor).get(messages_url(world.match)).json()["unread"] == 2
    response = api(world.counsellor).post(read_url(world.match))
    assert response.json() == {"last_read": Message.objects.order_by("-id").first().pk, "unread": 0}
    listed = api(world.counsellor).get(messages_url(world.match)).json()
    assert listed["unread"] == 0 and not any(m["unread"] for m in listed["results"])
    assert api(world.staff).post(read_url(world.match)).status_code == 200
    assert not ConversationState.objects.filter(user=world.staff).exists()
    watched = api(world.staff).get(messages_url(world.match)).json()
    assert watched["unread"] == 0 and not any(m["unread"] for m in watched["results"])


def test_the_list_is_paginated_oldest_first(world, api):
    for i in range(30):
        Message.objects.create(match=world.match, author=world.buyer, body=f"m{i}")
    page = api(world.producer).get(messages_url(world.match), {"page_size": 25}).json()
    assert page["count"] == 30 and len(page["results"]) == 25 and page["next"]
    assert [m["body"] for m in page["results"][:2]] == ["m0", "m1"]
    assert api(world.producer).get(messages_url(world.match), {"page": 9}).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": "   "},
        {"body": "x" * 5001},
        {"body": "nul\x00"},
        {"body": None},
        {"body": ["a"]},
        {"body": {"a": 1}},
        {"body": "ok", "language": "xx"},
        {"body": "ok", "language": 5},
        {"body": "ok", "files": "not a file"},
    ],
)
def test_bad_input_is_a_400_with_field_errors(world, api, payload):
    response = api(world.buyer).post(messages_url(world.match), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json() and "detail" not in response.json()
    assert not Message.objects.exists()


def test_bad_multipart_input_is_a_400(world, api):
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "x", "files": ["text, not a file"]}, format="multipart"
    )
    assert response.status_code == 400 and "files" in response.json()
    many = [upload(f"{i}.pdf", pdf()) for i in range(6)]
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "x", "files": many}, format="multipart"
    )
    assert response.status_code == 400 and "files" in response.json()
    assert not Message.objects.exists()


@pytest.mark.parametrize("pk", ["0", "999999999", "99999999999999999999999", "-1", "abc", "٣", "1.0"])
def test_unknown_or_malformed_ids_are_404(world, api, pk):
    client = api(world.staff)
    assert client.get(f"/api/v1/matches/{pk}/messages/").status_code == 404
    assert client.post(f"/api/v1/matches/{pk}/messages/", {"body": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/matches/{pk}/messages/read/").status_code == 404


def test_the_match_routes_still_resolve_beside_the_messages(world, api):
    assert api(world.producer).get(f"/api/v1/matches/{world.match.pk}/").status_code == 200
    assert api(world.producer).get(messages_url(world.match)).status_code == 200


def test_a_party_of_another_match_of_the_same_producer_sees_only_its_own(world, api):
    other = make_match(producer=world.match.producer, status=MatchStatus.CONNECTED)
    conversations.post_message(match=other, author=other.buyer.owner, body="Other deal")
    assert api(world.buyer).get(f"/api/v1/matches/{other.pk}/messages/").status_code == 404
    assert api(world.producer).get(f"/api/v1/matches/{other.pk}/messages/").json()["count"] == 1


def test_a_token_caller_reads_and_writes(world, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.buyer)
    response = client.post(
        messages_url(world.match),
        json.dumps({"body": "Via a token"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 201, response.content


def test_a_user_without_a_profile_gets_404(world, api):
    assert api(UserFactory(role="buyer")).get(messages_url(world.match)).status_code == 404
