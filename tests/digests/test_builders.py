"""What a digest says, per role: the right items, only in the window, only what the role may
see, absolute links, the email templates (Persian RTL), and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from digests import builders
from digests.builders import MAX_ITEMS, build_digest, build_digests
from digests.content import Digest, DigestItem, DigestSection
from matchmaking import lifecycle, outcomes
from matchmaking.models import MatchSource, MatchStatus
from tests.factories import UserFactory

from .conftest import (
    item,
    make_buyer,
    make_counsellor,
    make_match,
    make_producer,
    move,
    move_events,
    section,
    titles,
)

pytestmark = pytest.mark.django_db

BASE = settings.PORTAL_BASE_URL


def match_url(match) -> str:
    return BASE + reverse("matchmaking:match_detail", args=[match.pk])


def forwarded(counsellor, producer=None, buyer=None, **fields):
    """A match the counsellor forwarded now (through the service: its event is written)."""
    match = make_match(producer, buyer, counsellor=counsellor, **fields)
    return lifecycle.match_forward(match=match, actor=counsellor)


def all_urls(digest: Digest) -> list[str]:
    return [i.url for s in digest.sections for i in s.items] + [s.more_url for s in digest.sections]


@pytest.fixture(autouse=True)
def _english():
    """English unless a test says otherwise (the site's default is Persian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def desk(db):
    return make_counsellor("IQ")


# --- Producers ------------------------------------------------------------------------------


def test_producer_gets_leads_forwarded_in_the_window_only(window, desk):
    producer = make_producer()
    new = forwarded(desk, producer, make_buyer(company_name="Basra Cold Chain"))
    old = forwarded(desk, producer, make_buyer(company_name="Old Lead Co"))
    move(old, forwarded_at=window.before)
    make_match(producer, make_buyer(company_name="Still Proposed"), counsellor=desk)  # not forwarded
    make_match(producer, make_buyer(company_name="Rejected Co"), status=MatchStatus.REJECTED, counsellor=desk)
    forwarded(desk, make_producer(), make_buyer(company_name="Someone Else's Lead"))

    digest = build_digest(producer.owner, since=window.since, until=window.until)

    assert titles(digest, "new_leads") == ["Basra Cold Chain"]
    lead = item(digest, "new_leads", "Basra Cold Chain")
    assert lead.url == match_url(new)
    assert "Iraq" in lead.detail
    assert section(digest, "new_leads").more_url == BASE + reverse("matchmaking:leads")
    everything = [i.title for s in digest.sections for i in s.items]
    assert "Still Proposed" not in everything and "Rejected Co" not in everything
    assert "Someone Else's Lead" not in everything and "Old Lead Co" not in everything


def test_producer_sees_what_changed_in_its_leads(window, desk):
    producer = make_producer()
    accepted = forwarded(desk, producer, make_buyer(company_name="Accepting Buyer"))
    declined = forwarded(desk, producer, make_buyer(company_name="Declining Buyer"))
    won = forwarded(desk, producer, make_buyer(company_name="Winning Buyer"))
    quiet = forwarded(desk, producer, make_buyer(company_name="Quiet Buyer"))
    mine = forwarded(desk, producer, make_buyer(company_name="Answered By Me"))
    for match in (accepted, declined, won, quiet, mine):
        move(match, forwarded_at=window.before)
        move_events(match, window.before)
    lifecycle.match_respond(match=accepted, actor=accepted.buyer.owner, decision="accept")
    lifecycle.match_respond(match=declined, actor=declined.buyer.owner, decision="decline")
    lifecycle.match_respond(match=won, actor=won.buyer.owner, decision="accept")
    lifecycle.match_respond(match=won, actor=producer.owner, decision="accept")
    outcomes.match_record_outcome(match=won, actor=desk, outcome="won", value="1000", currency="USD")
    lifecycle.match_respond(match=mine, actor=producer.owner, decision="accept")  # its own doing
    lifecycle.match_reassign(match=quiet, actor=desk, counsellor=make_counsellor("TR"))  # internal

    digest = build_digest(producer.owner, since=window.since, until=window.until)

    assert section(digest, "new_leads") is None
    assert set(titles(digest, "lead_changes")) == {"Accepting Buyer", "Declining Buyer", "Winning Buyer"}
    assert item(digest, "lead_changes", "Accepting Buyer").badge == "Accepted"
    assert "buyer accepted" in item(digest, "lead_changes", "Accepting Buyer").detail
    assert item(digest, "lead_changes", "Declining Buyer").badge == "Declined"
    # One line per lead: its latest change (connected, then won → won).
    assert item(digest, "lead_changes", "Winning Buyer").badge == "Deal won"
    assert item(digest, "lead_changes", "Winning Buyer").url == match_url(won)


def test_changes_before_the_window_are_left_out(window, desk):
    producer = make_producer()
    match = forwarded(desk, producer)
    lifecycle.match_respond(match=match, actor=match.buyer.owner, decision="decline")
    move(match, forwarded_at=window.before)
    move_events(match, window.before)

    assert build_digest(producer.owner, since=window.since, until=window.until).is_empty


def test_a_lead_forwarded_and_answered_in_the_window_is_listed_once_as_new(window, desk):
    producer = make_producer()
    match = forwarded(desk, producer, make_buyer(company_name="Fast Buyer"))
    lifecycle.match_respond(match=match, actor=match.buyer.owner, decision="decline")

    digest = build_digest(producer.owner, since=window.since, until=window.until)

    assert titles(digest, "new_leads") == ["Fast Buyer"]
    assert item(digest, "new_leads", "Fast Buyer").badge == "Declined"
    assert section(digest, "lead_changes") is None


def test_nothing_new_is_an_empty_digest(window, desk):
    producer = make_producer()
    make_match(producer, counsellor=desk)  # proposed: not the producer's to see yet

    digest = build_digest(producer.owner, since=window.since, until=window.until)

    assert digest.is_empty and digest.sections == [] and digest.items == 0


def test_inactive_user_gets_an_empty_digest(window, desk):
    producer = make_producer()
    forwarded(desk, producer)
    producer.owner.is_active = False
    producer.owner.save(update_fields=["is_active"])

    assert build_digest(producer.owner, since=window.since, until=window.until).is_empty


def test_a_long_section_shows_ten_and_counts_the_rest(window, desk):
    producer = make_producer()
    for _n in range(MAX_ITEMS + 3):
        forwarded(desk, producer)

    leads = section(build_digest(producer.owner, since=window.since, until=window.until), "new_leads")

    assert len(leads.items) == MAX_ITEMS
    assert leads.more == 3 and leads.count == MAX_ITEMS + 3
    assert leads.more_url == BASE + reverse("matchmaking:leads")


# --- Buyers ---------------------------------------------------------------------------------


def test_buyer_gets_introductions_and_their_changes(window, desk):
    buyer = make_buyer()
    new = forwarded(desk, make_producer(name="Tabriz Cooling"), buyer)
    older = forwarded(desk, make_producer(name="Sahand Motors"), buyer)
    move(older, forwarded_at=window.before)
    move_events(older, window.before)
    lifecycle.match_respond(match=older, actor=older.producer.owner, decision="accept")
    make_match(make_producer(name="Proposed Only"), buyer, counsellor=desk)
    forwarded(desk, make_producer(name="Not Yours"), make_buyer())

    digest = build_digest(buyer.owner, since=window.since, until=window.until)

    assert titles(digest, "new_introductions") == ["Tabriz Cooling"]
    assert item(digest, "new_introductions", "Tabriz Cooling").url == match_url(new)
    assert titles(digest, "introduction_changes") == ["Sahand Motors"]
    change = item(digest, "introduction_changes", "Sahand Motors")
    assert change.badge == "Accepted" and "producer accepted" in change.detail
    assert section(digest, "new_introductions").more_url == BASE + reverse("matchmaking:introductions")
    everything = [i.title for s in digest.sections for i in s.items]
    assert "Proposed Only" not in everything and "Not Yours" not in everything


def test_buyer_sees_a_requested_introduction_answered(window, desk, make_product):
    buyer = make_buyer()
    product = make_product("841810", name="Chest freezer 300 L")
    match = make_match(
        product.producer, buyer, counsellor=desk, source=MatchSource.BUYER_REQUEST, requested_product=product
    )
    lifecycle.match_forward(match=match, actor=desk)

    digest = build_digest(buyer.owner, since=window.since, until=window.until)
    producer_digest = build_digest(product.producer.owner, since=window.since, until=window.until)

    assert "Chest freezer 300 L" in item(digest, "new_introductions", product.producer.name).detail
    assert "Chest freezer 300 L" in item(producer_digest, "new_leads", buyer.company_name).detail


def test_buyer_gets_new_products_in_its_sought_sectors(window, make_product):
    buyer = make_buyer(codes=("8418", "8450"))
    fridge = make_product("841810", name="Fridge line")
    washer = make_product("845011", name="Washer line")
    make_product("841821", name="Other fridge")  # 8418 too
    make_product("870421", name="Truck line")  # another chapter
    make_product("841810", name="Unlisted fridge", is_active=False)
    old = make_product("841810", name="Old fridge")
    move(old, created_at=window.before)

    digest = build_digest(buyer.owner, since=window.since, until=window.until)

    assert set(titles(digest, "new_products")) == {"Fridge line", "Washer line", "Other fridge"}
    assert item(digest, "new_products", "Fridge line").url == BASE + reverse(
        "catalogue:product-detail", args=[fridge.pk]
    )
    assert washer.producer.name in item(digest, "new_products", "Washer line").detail
    assert "845011" in item(digest, "new_products", "Washer line").detail
    assert section(digest, "new_products").more_url.startswith(BASE + reverse("catalogue:product-list"))


def test_a_sought_chapter_or_subheading_matches_products_at_or_under_it(window, make_product):
    chapter_buyer = make_buyer(codes=("84",))
    subheading_buyer = make_buyer(codes=("841821",))
    make_product("841810", name="Fridge line")
    make_product("841821", name="Household fridge")

    digests = build_digests(
        [chapter_buyer.owner, subheading_buyer.owner], since=window.since, until=window.until
    )

    assert set(titles(digests[chapter_buyer.owner.pk], "new_products")) == {"Fridge line", "Household fridge"}
    assert titles(digests[subheading_buyer.owner.pk], "new_products") == ["Household fridge"]


def test_a_sought_hs_section_matches_the_products_in_it(window, make_product):
    fridge = make_product("841810", name="Fridge line")
    make_product("940161", name="Chair line")  # another section
    buyer = make_buyer(codes=(fridge.hs_code.section_id,))

    digest = build_digest(buyer.owner, since=window.since, until=window.until)

    assert titles(digest, "new_products") == ["Fridge line"]


def test_buyer_without_sought_sectors_gets_no_products(window, make_product):
    buyer = make_buyer(codes=())
    make_product("841810")

    assert build_digest(buyer.owner, since=window.since, until=window.until).is_empty


# --- Counsellors ----------------------------------------------------------------------------


def test_counsellor_gets_new_queue_items_of_its_desk_and_the_pool(window, desk):
    colleague = make_counsellor("TR")
    routed = make_match(make_producer(name="Routed Works"), counsellor=desk)
    request = make_match(
        make_producer(name="Requested Works"), counsellor=desk, source=MatchSource.BUYER_REQUEST
    )
    pooled = make_match(make_producer(name="Pooled Works"))
    make_match(make_producer(name="Colleague Works"), counsellor=colleague)
    old = make_match(make_producer(name="Yesterday Works"), counsellor=desk)
    move(old, created_at=window.before)
    make_match(make_producer(name="Forwarded Works"), counsellor=desk, status=MatchStatus.FORWARDED)

    digest = build_digest(desk, since=window.since, until=window.until)

    listed = titles(digest, "queue_new")
    # Buyers' requests first, then the best score (here all equal: the oldest first).
    assert [title.split(" ↔ ")[0] for title in listed] == ["Requested Works", "Routed Works", "Pooled Works"]
    request_item = item(digest, "queue_new", listed[0])
    assert request_item.url == match_url(request) and request_item.badge == "Buyer's request"
    pool_item = next(i for i in section(digest, "queue_new").items if i.url == match_url(pooled))
    assert "shared pool" in pool_item.detail
    assert any(i.url == match_url(routed) for i in section(digest, "queue_new").items)
    assert section(digest, "queue_new").more_url == BASE + reverse("counsellors:queue")
    everything = " ".join(i.title for s in digest.sections for i in s.items)
    assert "Colleague Works" not in everything and "Yesterday Works" not in everything
    assert "Forwarded Works" not in everything


def test_a_match_handed_over_or_requested_again_is_new_in_the_queue(window, desk):
    colleague = make_counsellor("TR")
    handed = make_match(make_producer(name="Handed Works"), counsellor=colleague)
    move(handed, created_at=window.before)
    lifecycle.match_reassign(match=handed, actor=colleague, counsellor=desk)
    rescored = make_match(make_producer(name="Rescored Works"), counsellor=desk)
    move(rescored, created_at=window.before)
    # The engine re-scoring a pair writes proposed → proposed with no actor: not news.
    rescored.events.create(from_status=MatchStatus.PROPOSED, to_status=MatchStatus.PROPOSED)

    digest = build_digest(desk, since=window.since, until=window.until)
    colleague_digest = build_digest(colleague, since=window.since, until=window.until)

    assert [i.url for i in section(digest, "queue_new").items] == [match_url(handed)]
    assert colleague_digest.is_empty


def test_counsellor_sees_its_ageing_and_overdue_matches_every_time(window, desk):
    colleague = make_counsellor("TR")
    ageing = make_match(make_producer(name="Ageing Works"), counsellor=desk)
    move(ageing, created_at=window.days_ago(settings.MATCH_AGEING_DAYS + 1))
    overdue = make_match(make_producer(name="Overdue Works"), counsellor=desk)
    move(overdue, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))
    fresh = make_match(make_producer(name="Fresh Works"), counsellor=desk)
    move(fresh, created_at=window.before)
    for other in (make_match(counsellor=colleague), make_match()):  # a colleague's, the pool's
        move(other, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))

    digest = build_digest(desk, since=window.since, until=window.until)

    ageing_section = section(digest, "queue_ageing")
    assert [i.url for i in ageing_section.items] == [match_url(overdue), match_url(ageing)]  # oldest first
    assert [i.badge for i in ageing_section.items] == ["Overdue", "Ageing"]
    assert f"{settings.MATCH_AGEING_DAYS + 1} days old" in ageing_section.items[1].detail
    assert ageing_section.more_url == BASE + reverse("counsellors:queue") + "?ageing=on"
    assert not digest.is_empty  # listed though nothing is new
    assert section(digest, "queue_new") is None


def test_counsellor_gets_the_parties_responses_on_its_matches(window, desk):
    colleague = make_counsellor("TR")
    accepted = forwarded(desk, make_producer(name="Accepted Works"))
    declined = forwarded(desk, make_producer(name="Declined Works"))
    connected = forwarded(desk, make_producer(name="Connected Works"))
    theirs = forwarded(colleague, make_producer(name="Colleague Works"))
    lifecycle.match_respond(match=accepted, actor=accepted.buyer.owner, decision="accept")
    lifecycle.match_respond(match=declined, actor=declined.producer.owner, decision="decline")
    lifecycle.match_respond(match=connected, actor=connected.buyer.owner, decision="accept")
    lifecycle.match_respond(match=connected, actor=connected.producer.owner, decision="accept")
    lifecycle.match_respond(match=theirs, actor=theirs.buyer.owner, decision="accept")
    old = forwarded(desk, make_producer(name="Old Works"))
    lifecycle.match_respond(match=old, actor=old.buyer.owner, decision="accept")
    move_events(old, window.before)

    digest = build_digest(desk, since=window.since, until=window.until)

    responses = section(digest, "responses").items
    by_url = {}
    for response in responses:
        by_url.setdefault(response.url, []).append(response)
    assert set(by_url) == {match_url(accepted), match_url(declined), match_url(connected)}
    assert [r.badge for r in by_url[match_url(accepted)]] == ["Accepted"]
    assert "buyer accepted" in by_url[match_url(accepted)][0].detail
    assert [r.badge for r in by_url[match_url(declined)]] == ["Declined"]
    assert "producer declined" in by_url[match_url(declined)][0].detail
    assert sorted(r.badge for r in by_url[match_url(connected)]) == ["Accepted", "Connected"]


def test_counsellor_gets_outcomes_due_on_its_connected_matches(window, desk):
    colleague = make_counsellor("TR")
    due = make_match(make_producer(name="Due Works"), counsellor=desk, status=MatchStatus.CONNECTED)
    move(due, connected_at=window.days_ago(settings.MATCH_CHECKIN_DAYS + 1))
    recent = make_match(make_producer(name="Recent Works"), counsellor=desk, status=MatchStatus.CONNECTED)
    move(recent, connected_at=window.days_ago(settings.MATCH_CHECKIN_DAYS - 1))
    done = make_match(make_producer(name="Won Works"), counsellor=desk, status=MatchStatus.WON)
    move(done, connected_at=window.days_ago(settings.MATCH_CHECKIN_DAYS + 5))
    theirs = make_match(counsellor=colleague, status=MatchStatus.CONNECTED)
    move(theirs, connected_at=window.days_ago(settings.MATCH_CHECKIN_DAYS + 5))

    digest = build_digest(desk, since=window.since, until=window.until)

    outcomes = section(digest, "outcomes_due")
    assert [i.url for i in outcomes.items] == [match_url(due)]
    assert "Connected on" in outcomes.items[0].detail
    assert outcomes.more_url == BASE + reverse("counsellors:queue") + "?status=connected"


def test_counsellor_with_nothing_gets_an_empty_digest(window, desk):
    make_match(counsellor=make_counsellor("TR"))

    assert build_digest(desk, since=window.since, until=window.until).is_empty


# --- Staff ----------------------------------------------------------------------------------


def test_staff_gets_the_escalations(window, desk):
    staff = UserFactory(role="staff")
    late = make_match(make_producer(name="Late Works"), counsellor=desk)
    move(late, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 2))
    pooled = make_match(make_producer(name="Pooled Late"))
    move(pooled, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))
    ageing = make_match(counsellor=desk)
    move(ageing, created_at=window.days_ago(settings.MATCH_AGEING_DAYS + 1))
    done = make_match(counsellor=desk, status=MatchStatus.FORWARDED)
    move(done, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 3))

    digest = build_digest(staff, since=window.since, until=window.until)

    escalations = section(digest, "escalations")
    assert [i.url for i in escalations.items] == [match_url(late), match_url(pooled)]
    assert {i.badge for i in escalations.items} == {"Overdue"}
    assert desk.get_full_name() in escalations.items[0].detail
    assert "Shared pool" in escalations.items[1].detail
    assert [s.key for s in digest.sections] == ["escalations"]


def test_staff_with_nothing_escalated_gets_an_empty_digest(window, desk):
    make_match(counsellor=desk)

    assert build_digest(UserFactory(role="staff"), since=window.since, until=window.until).is_empty


# --- Links, language --------------------------------------------------------------------------


def _busy_users(window, desk):
    producer = make_producer()
    buyer = make_buyer()
    match = forwarded(desk, producer, buyer)
    lifecycle.match_respond(match=match, actor=buyer.owner, decision="accept")
    late = make_match(counsellor=desk)
    move(late, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))
    return [producer.owner, buyer.owner, desk, UserFactory(role="staff")]


def test_every_link_is_absolute(window, desk, make_product):
    users = _busy_users(window, desk)
    make_product("841810")

    digests = build_digests(users, since=window.since, until=window.until)

    for digest in digests.values():
        assert not digest.is_empty
        for url in all_urls(digest):
            assert url.startswith(BASE + "/"), url


def test_texts_follow_the_active_language(window, desk):
    late = make_match(counsellor=desk)
    move(late, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))

    with translation.override("fa"):
        persian = build_digest(desk, since=window.since, until=window.until)
    english = build_digest(desk, since=window.since, until=window.until)

    assert section(persian, "queue_ageing").items[0].badge == "دارای تأخیر"
    assert "۱۵" in section(persian, "queue_ageing").items[0].detail  # Persian digits
    assert section(english, "queue_ageing").items[0].badge == "Overdue"


def test_each_user_may_get_its_own_language(window, desk):
    staff = UserFactory(role="staff")
    late = make_match(counsellor=desk)
    move(late, created_at=window.days_ago(settings.MATCH_ESCALATION_DAYS + 1))

    digests = build_digests(
        [desk, staff], since=window.since, until=window.until, languages={desk.pk: "fa", staff.pk: "en"}
    )

    assert section(digests[desk.pk], "queue_ageing").items[0].badge == "دارای تأخیر"
    assert section(digests[staff.pk], "escalations").items[0].badge == "Overdue"


# --- Queries ---------------------------------------------------------------------------------


def _count_queries(users, window) -> int:
    with CaptureQueriesContext(connection) as queries:
        build_digests(users, since=window.since, until=window.until)
    return len(queries)


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor", "staff"])
def test_one_digest_takes_a_few_queries(window, desk, role, django_assert_max_num_queries):
    users = dict(zip(["producer", "buyer", "counsellor", "staff"], _busy_users(window, desk), strict=True))
    # At most four for a role's own sections, and one for the unread messages (deals).
    with django_assert_max_num_queries(5):
        digest = build_digest(users[role], since=window.since, until=window.until)
    assert not digest.is_empty


def test_queries_do_not_grow_with_the_data(window, desk):
    producer = make_producer()
    forwarded(desk, producer)
    few = _count_queries([producer.owner], window)
    for _n in range(15):
        match = forwarded(desk, producer)
        lifecycle.match_respond(match=match, actor=match.buyer.owner, decision="accept")

    assert _count_queries([producer.owner], window) == few


def _users_of_every_role(window, n: int) -> list:
    users = []
    for i in range(n):
        desk = make_counsellor("IQ")
        producer, buyer = make_producer(), make_buyer()
        match = forwarded(desk, producer, buyer)
        lifecycle.match_respond(match=match, actor=buyer.owner, decision="accept")
        late = make_match(counsellor=desk)
        move(late, created_at=window.days_ago(settings.MATCH_AGEING_DAYS + 1 + i % 10))
        users += [producer.owner, buyer.owner, desk]
    return users


def test_queries_do_not_grow_with_the_number_of_users(window, make_product):
    make_product("841810")
    three = [*_users_of_every_role(window, 1), UserFactory(role="staff")]
    thirty = three + _users_of_every_role(window, 9)

    digests = build_digests(thirty, since=window.since, until=window.until)

    assert len(thirty) == 31 and all(not digests[user.pk].is_empty for user in thirty)
    assert _count_queries(thirty, window) == _count_queries(three, window) <= 12


def test_large_batches_give_the_same_digests(window, desk, make_product, monkeypatch):
    """Past ID_FILTER_LIMIT users of a role, the queries are not filtered by id: the rows of
    users outside the batch are dropped in Python, with the same result."""
    users = _busy_users(window, desk)
    make_product("841810")
    outsiders = _busy_users(window, make_counsellor("TR"))  # their rows are fetched, not shown
    filtered = build_digests(users, since=window.since, until=window.until)
    monkeypatch.setattr(builders, "ID_FILTER_LIMIT", 0)

    unfiltered = build_digests(users, since=window.since, until=window.until)

    assert {pk: d.sections for pk, d in unfiltered.items()} == {pk: d.sections for pk, d in filtered.items()}
    assert all(not digest.is_empty for digest in filtered.values())
    assert not {user.pk for user in outsiders} & set(unfiltered)


# --- The email templates ---------------------------------------------------------------------


def _sample_digest(user, window) -> Digest:
    return Digest(
        user=user,
        since=window.since,
        until=window.until,
        sections=[
            DigestSection(
                key="new_leads",
                title="New leads",
                items=[
                    DigestItem(
                        title="Basra Cold Chain & Co",
                        url=f"{BASE}/matches/7/",
                        detail="A buyer in Iraq.",
                        badge="Connected",
                    )
                ],
                more=2,
                more_url=f"{BASE}/leads/",
            )
        ],
    )


def _render(user, digest, language: str) -> tuple[str, str, str]:
    context = {
        "user": user,
        "digest": digest,
        "unsubscribe_url": f"{BASE}/digests/unsubscribe/abc/",
        "preferences_url": f"{BASE}/digests/preferences/",
        "base_url": BASE,
        "period_label": "week 49",
    }
    with translation.override(language):
        return tuple(
            render_to_string(f"digests/email/digest_{name}", context)
            for name in ("subject.txt", "message.txt", "message.html")
        )


def test_the_email_lists_each_item_with_its_link(window):
    user = UserFactory(role="producer", full_name="Reza Ahmadi")
    subject, text, html = _render(user, _sample_digest(user, window), "en")

    assert subject == "Your Export Bridge digest, week 49: 3 updates"
    assert '<html lang="en" dir="ltr">' in html
    assert "New leads" in html and f'href="{BASE}/matches/7/"' in html
    assert "Basra Cold Chain &amp; Co" in html and "Connected" in html
    assert f'href="{BASE}/leads/"' in html and "… and 2 more" in html
    assert f'href="{BASE}/digests/unsubscribe/abc/"' in html and "Unsubscribe" in html
    assert f'href="{BASE}/digests/preferences/"' in html and "Change how often" in html
    assert "Dear <bdi>Reza Ahmadi</bdi>," in html  # the name isolated (issue 12)
    # The plain text: the same content, every address written out, nothing escaped.
    assert "Dear \u2068Reza Ahmadi\u2069," in text
    assert "== New leads (3) ==" in text and "- Basra Cold Chain & Co [Connected]" in text
    assert f"… and 2 more: {BASE}/leads/" in text
    for url in (
        f"{BASE}/matches/7/",
        f"{BASE}/leads/",
        f"{BASE}/digests/unsubscribe/abc/",
        f"{BASE}/digests/preferences/",
    ):
        assert url in text


def test_the_email_is_right_to_left_in_persian(window):
    user = UserFactory(role="producer", full_name="رضا احمدی")
    subject, text, html = _render(user, _sample_digest(user, window), "fa")

    assert '<html lang="fa" dir="rtl">' in html
    assert "text-align:right" in html
    assert "۳" in subject  # Persian digits
    assert "<bdi>رضا احمدی</bdi> گرامی" in html and "\u2068رضا احمدی\u2069 گرامی" in text


def test_a_built_digest_renders(window, desk, make_product):
    users = _busy_users(window, desk)
    make_product("841810")
    for language in ("en", "fa"):
        with translation.override(language):
            digests = build_digests(users, since=window.since, until=window.until)
        for user in users:
            subject, text, html = _render(user, digests[user.pk], language)
            assert "\n" not in subject.strip()
            for section_ in digests[user.pk].sections:
                assert section_.title in text
                for entry in section_.items:
                    assert entry.url in text and f'href="{entry.url}"' in html
