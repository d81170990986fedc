"""Digests through a real Celery worker, the real broker and PostgreSQL, and a real SMTP server
(aiosmtpd on 127.0.0.1, a free port): the message is read back from the server, the
unsubscribe link in it works against the site, and an address the server refuses is retried
with backoff and then recorded as failed while the others' digests go out."""

from __future__ import annotations

import time
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.core.cache import cache
from django.test import Client

from digests import delivery, mail, tasks
from digests.models import DeliveryStatus, DigestDelivery, DigestPreference, Frequency
from matchmaking import lifecycle
from tests.digests.conftest import make_counsellor, make_match
from tests.factories import UserFactory
from tests.integration.conftest import running_worker, wait_for
from tests.integration.smtp_inbox import REFUSED


@pytest.fixture
def smtp_worker(transactional_db, inbox, monkeypatch):
    """A worker whose mail goes to the test's SMTP server, with short retry backoffs."""
    _handler, port = inbox
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("DIGEST_SEND_RETRIES", "2")
    monkeypatch.setenv("DIGEST_RETRY_BACKOFF", "1")
    monkeypatch.setenv("DIGEST_RETRY_BACKOFF_MAX", "2")
    with running_worker() as process:
        yield process


def text_of(message: Message, mimetype: str) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == mimetype]
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_a_digest_goes_through_the_worker_to_the_smtp_server_and_its_link_unsubscribes(inbox, smtp_worker):
    handler, _port = inbox
    counsellor = make_counsellor()
    match = lifecycle.match_forward(match=make_match(counsellor=counsellor), actor=counsellor)
    owner = match.producer.owner
    owner.preferred_language = "en"
    owner.save(update_fields=["preferred_language"])
    quiet = UserFactory(role="producer")  # nothing new: no email
    cache.clear()

    outcome = tasks.send_due_digests.delay("weekly").get(timeout=60)
    assert outcome["claimed"] >= 3 and outcome["batches"] >= 1
    wait_for(
        lambda: not DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED).exists(),
        timeout=60,
        what="the batch to be sent",
    )
    row = DigestDelivery.objects.get(user=owner)
    assert (row.status, row.attempts, row.frequency) == (DeliveryStatus.SENT, 1, Frequency.WEEKLY)
    assert DigestDelivery.objects.get(user=quiet).status == DeliveryStatus.EMPTY

    received = wait_for(
        lambda: [m for m in handler.digests() if m["To"] == owner.email], timeout=30, what="the message"
    )
    (message,) = received
    assert str(make_header(decode_header(message["Subject"]))).startswith("Your Export Bridge digest")
    assert message["Message-ID"] == mail.message_id(row)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Content-Language"] == "en"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = text_of(message, "text/plain"), text_of(message, "text/html")
    assert match.buyer.company_name in plain and match.buyer.company_name in html
    assert 'dir="ltr"' in html

    link = message["List-Unsubscribe"].split(",")[0].strip().strip("<>")
    assert link.startswith("http") and link in plain and link in html
    path = link.removeprefix(delivery.settings.PORTAL_BASE_URL)
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    response = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=owner).frequency == Frequency.OFF

    # The same period again: nothing is claimed, nothing sent twice.
    again = tasks.send_due_digests.delay("weekly").get(timeout=60)
    assert again["claimed"] == 0 and again["sent"] == 0
    time.sleep(1)
    assert len([m for m in handler.digests() if m["To"] == owner.email]) == 1


def test_a_refused_address_is_retried_with_backoff_then_failed_while_others_get_theirs(inbox, smtp_worker):
    handler, _port = inbox
    counsellors = [make_counsellor(email=REFUSED), make_counsellor(), make_counsellor()]
    # Something new for every counsellor: a match in each one's queue.
    for counsellor in counsellors:
        make_match(counsellor=counsellor)
    cache.clear()

    outcome = tasks.send_due_digests.delay("daily").get(timeout=60)
    assert outcome["claimed"] == 3
    failed = wait_for(
        lambda: DigestDelivery.objects.filter(user=counsellors[0], status=DeliveryStatus.FAILED).first(),
        timeout=90,
        what="the refused digest to be given up",
    )
    # DIGEST_SEND_RETRIES + 1 attempts in all: the batch's, then the retry task's (backing off).
    assert failed.attempts == 3 and handler.refusals == 3
    assert "550" in failed.error and "No such mailbox" in failed.error
    for counsellor in counsellors[1:]:
        assert DigestDelivery.objects.get(user=counsellor).status == DeliveryStatus.SENT
    delivered = {m["To"] for m in handler.digests()}
    assert delivered == {counsellors[1].email, counsellors[2].email}
