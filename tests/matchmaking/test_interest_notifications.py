"""A producer's interest in a published buying request emails the counsellor the match is
routed to (staff when it waits in the pool), once the interest commits: in their language, in
HTML and plain text, with the buyer named (the counsellor may know it), one email per match
while it waits, and nothing ever to the producer (the buyer stays withheld from them)."""

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from matchmaking import interest, notifications, request_matching
from matchmaking.models import Match, MatchNotice, MatchStatus
from portal.exceptions import StateConflict
from portal.tasks import MAIL_RETRY
from tests.factories import UserFactory

from .conftest import make_buyer
from .lifecycle_support import make_counsellor
from .request_support import make_request, make_supplier

pytestmark = pytest.mark.django_db

BUYER_NAME = "Basra Secret Water Company"
BUYER_EMAIL = "secret@basra.example"


@pytest.fixture
def desk():
    return make_counsellor(
        "IQ", full_name="Sara Karimi", email="sara.karimi@mission.example.com", preferred_language="en"
    )


@pytest.fixture
def supplier():
    return make_supplier(
        "841370", name="Sahand Pump Works", owner=UserFactory(role="producer", email="sales@sahand.example")
    )


@pytest.fixture
def buying_request():
    buyer = make_buyer(("841370",), country="IQ", company_name=BUYER_NAME, email=BUYER_EMAIL)
    return make_request(
        buyer=buyer, lines=(("841370", "2000", "units"),), title="Centrifugal pumps for Basra"
    )


@pytest.fixture
def express(django_capture_on_commit_callbacks, buying_request, supplier):
    def run(message="We can ship in March.", producer=None):
        producer = producer or supplier
        with django_capture_on_commit_callbacks(execute=True):
            return interest.express_interest(
                request=buying_request, product=producer.products.get(), actor=producer.owner, message=message
            )

    return run


def html_of(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def test_the_counsellor_is_emailed_with_the_buyer_named(desk, supplier, express, mailoutbox):
    match = express()
    assert match.counsellor == desk
    assert [message.to for message in mailoutbox] == [[desk.email]]
    message = mailoutbox[0]
    assert "Sahand Pump Works" in message.subject and BUYER_NAME in message.subject
    assert "Centrifugal pumps for Basra" in message.subject
    html = html_of(message)
    assert '<html lang="en" dir="ltr">' in html
    link = settings.PORTAL_BASE_URL + reverse("matchmaking:match_detail", args=[match.pk])
    for text in (message.body, html):
        assert "We can ship in March." in text
        assert BUYER_NAME in text and BUYER_EMAIL in text  # the counsellor sees the buyer
        assert "HS 841370" in text and "2,000" in text
        assert supplier.products.get().name in text
        assert link in text
        assert "shared pool" not in text


def test_the_producer_never_gets_the_email(supplier, express, desk, mailoutbox):
    express()
    assert all(supplier.owner.email not in message.to for message in mailoutbox)
    assert all(BUYER_NAME not in message.body for message in mailoutbox if desk.email not in message.to)


def test_in_the_counsellors_language(supplier, express, mailoutbox):
    desk = make_counsellor("IQ", email="desk.fa@mission.example.com", preferred_language="fa")
    express()
    [message] = mailoutbox
    assert message.to == [desk.email]
    assert '<html lang="fa" dir="rtl">' in html_of(message)
    with translation.override("fa"):
        assert translation.gettext("Review the interest") in html_of(message)


def test_a_match_in_the_pool_goes_to_staff(express, mailoutbox):
    staff = UserFactory(role="staff", preferred_language="en", email="ops@portal.example.com")
    UserFactory(role="staff", is_active=False, email="gone@portal.example.com")
    match = express()
    assert match.counsellor is None
    [message] = mailoutbox
    assert message.to == [staff.email]
    assert "shared pool" in message.body and BUYER_NAME in message.body


def test_a_second_interest_while_it_waits_sends_nothing_more(desk, express, mailoutbox):
    express()
    with pytest.raises(StateConflict):
        express(message="Again, louder.")
    assert len(mailoutbox) == 1


def test_the_task_run_again_sends_nothing_twice(desk, express, mailoutbox):
    match = express()
    assert notifications.interest_expressed(match.pk) == 0
    assert len(mailoutbox) == 1
    assert MatchNotice.objects.filter(recipient=desk, kind="interest").count() == 1


def test_one_email_per_waiting_round(desk, express, mailoutbox, buying_request):
    match = express()
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.WITHDRAWN)  # e.g. the engine withdrew it
    express(message="Still interested, new stock.")
    assert len(mailoutbox) == 2
    assert "Still interested, new stock." in mailoutbox[1].body


def test_the_engines_proposal_turned_interest_is_emailed(desk, supplier, express, buying_request, mailoutbox):
    request_matching.rematch_request(buying_request.pk)
    assert Match.objects.filter(request=buying_request, producer=supplier).exists()
    mailoutbox.clear()
    express()
    assert [message.to for message in mailoutbox] == [[desk.email]]


def test_nothing_for_a_match_that_moved_on_or_is_not_an_interest(desk, express, mailoutbox):
    match = express()
    MatchNotice.objects.all().delete()
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.FORWARDED)
    assert notifications.interest_expressed(match.pk) == 0
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.PROPOSED, source="engine")
    assert notifications.interest_expressed(match.pk) == 0
    assert notifications.interest_expressed(999_999) == 0


def test_the_task_retries_mail_failures():
    from matchmaking.tasks import notify_interest_expressed

    assert notify_interest_expressed.autoretry_for == MAIL_RETRY["autoretry_for"]
    assert notify_interest_expressed.max_retries == MAIL_RETRY["max_retries"]


def test_the_mail_leaves_only_once_the_interest_commits(
    desk, supplier, buying_request, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        interest.express_interest(
            request=buying_request, product=supplier.products.get(), actor=supplier.owner, message="x"
        )
        raise RuntimeError("rolled back")
    assert callbacks == [] and mailoutbox == []
