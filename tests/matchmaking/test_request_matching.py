"""Buying requests matched against products (matchmaking.request_matching and
request_persistence): keyed on (producer, request), beside the companies' pair, guarded like
every engine write, rematched when the request changes, in the sweep and the command."""

from io import StringIO

import pytest
from django.core.management import call_command

from matchmaking import lifecycle, request_matching, services, tasks
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from matchmaking.request_persistence import NOTE_CLOSED, NOTE_CREATED, NOTE_WITHDRAWN
from sourcing import services as sourcing_services
from sourcing.models import BuyingRequest, RequestStatus
from sourcing.signals import request_changed

from .conftest import make_buyer
from .lifecycle_support import make_counsellor
from .request_support import add_product, make_request, make_supplier

pytestmark = pytest.mark.django_db

P, W, F, R = MatchStatus.PROPOSED, MatchStatus.WITHDRAWN, MatchStatus.FORWARDED, MatchStatus.REJECTED


def request_matches(request) -> dict[int, Match]:
    return {m.producer_id: m for m in Match.objects.filter(request=request)}


def pair_match(producer, buyer) -> Match:
    return Match.objects.get(producer=producer, buyer=buyer, request__isnull=True)


def events(match) -> list[tuple]:
    return list(MatchEvent.objects.filter(match=match).values_list("from_status", "to_status", "note"))


# --- What the engine writes for a request ------------------------------------------------------


def test_an_open_request_gets_the_right_products_with_line_product_and_reasons():
    pumps = make_supplier("841370", capacity="12000", lead_time=30)
    make_supplier("841480")  # compressors: same chapter only
    make_supplier("847960")  # coolers
    request = make_request(lines=(("841370", "2000", "units"),))

    counts = request_matching.rematch_request(request.pk)

    assert (counts.requests, counts.lines, counts.created) == (1, 1, 1)
    match = Match.objects.get(request=request)
    assert match.producer == pumps and match.buyer_id == request.buyer_id
    assert match.status == P and match.source == MatchSource.ENGINE
    assert match.request_line == request.lines.get()
    assert match.requested_product == pumps.products.get()
    assert set(match.breakdown) == {"sector", "capacity", "market", "certifications", "deadline"}
    assert match.breakdown["capacity"]["basis"] == "line"
    assert match.breakdown["deadline"]["code"] == "fits"
    assert sum(entry["weight"] for entry in match.breakdown.values()) == pytest.approx(1.0)
    assert events(match) == [("", P, NOTE_CREATED)]


def test_one_match_per_producer_and_request_with_its_best_line_and_product():
    producer = make_supplier("841370", capacity="100")
    big = add_product(producer, "841370", capacity="9000", lead_time=10)
    add_product(producer, "841391", capacity="9000", lead_time=10)
    request = make_request(lines=(("8413", "500", "units"), ("841370", "2000", "units")))

    request_matching.rematch_request(request.pk)

    match = Match.objects.get(request=request)
    assert match.requested_product == big
    assert match.request_line.sector_id == "841370"


def test_rerunning_changes_nothing_and_a_change_updates_in_place_without_an_event():
    producer = make_supplier("841370", capacity="1000", lead_time=30)
    request = make_request()
    request_matching.rematch_request(request.pk)
    match = Match.objects.get(request=request)

    assert request_matching.rematch_request(request.pk).unchanged == 1
    producer.products.update(available_capacity=2000, annual_capacity=2000)
    counts = request_matching.rematch_request(request.pk)
    assert counts.updated == 1
    match.refresh_from_db()
    assert match.capacity_score == 1 and len(events(match)) == 1


def test_a_proposal_that_falls_below_the_threshold_is_withdrawn_and_comes_back():
    producer = make_supplier("841370")
    request = make_request()
    request_matching.rematch_request(request.pk)
    producer.products.update(is_active=False)

    assert request_matching.rematch_request(request.pk).withdrawn == 1
    match = Match.objects.get(request=request)
    assert match.status == W and events(match)[-1] == (P, W, NOTE_WITHDRAWN)

    producer.products.update(is_active=True)
    assert request_matching.rematch_request(request.pk).reproposed == 1
    match.refresh_from_db()
    assert match.status == P


@pytest.mark.parametrize("status", [R, F, MatchStatus.CONNECTED])
def test_a_match_someone_acted_on_is_never_touched(status):
    producer = make_supplier("841370", capacity="100")
    request = make_request()
    request_matching.rematch_request(request.pk)
    match = Match.objects.get(request=request)
    Match.objects.filter(pk=match.pk).update(status=status)
    producer.products.update(available_capacity=5000, annual_capacity=5000)

    counts = request_matching.rematch_request(request.pk)
    assert counts.untouched == 1 and counts.updated == counts.created == 0
    match.refresh_from_db()
    assert match.status == status and match.capacity_score < 1

    # Closing the request does not touch it either.
    BuyingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CLOSED)
    request_matching.rematch_request(request.pk)
    match.refresh_from_db()
    assert match.status == status


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED, RequestStatus.REJECTED])
def test_a_request_no_longer_open_withdraws_its_proposed_matches(status):
    make_supplier("841370")
    make_supplier("841370")
    request = make_request()
    request_matching.rematch_request(request.pk)
    BuyingRequest.objects.filter(pk=request.pk).update(status=status)

    counts = request_matching.rematch_request(request.pk)

    assert counts.withdrawn == 2 and counts.requests == 0
    for match in Match.objects.filter(request=request):
        assert match.status == W and events(match)[-1] == (P, W, NOTE_CLOSED)


def test_a_pending_request_is_not_matched():
    make_supplier("841370")
    request = make_request(status=RequestStatus.PENDING)
    assert request_matching.rematch_request(request.pk).created == 0
    assert not Match.objects.exists()


def test_new_request_matches_are_routed_to_the_counsellor_of_the_buyer_s_country():
    baghdad = make_counsellor("IQ")
    make_counsellor("TR")
    make_supplier("841370", markets=("TR", "IQ"))
    # The buyer is in Iraq; the goods go to Türkiye: the buyer's market decides.
    request = make_request(buyer=make_buyer(("841370",), country="IQ"), country="TR")

    counts = request_matching.rematch_request(request.pk)

    assert counts.routed == 1
    assert Match.objects.get(request=request).counsellor == baghdad


# --- Beside the companies' pair ---------------------------------------------------------------


@pytest.fixture
def both():
    """A producer and a buyer with an engine match of their companies and one for a request."""
    producer = make_supplier("841370", capacity="12000")
    buyer = make_buyer(("841370",), country="IQ")
    request = make_request(buyer=buyer)
    services.rematch_all()
    request_matching.rematch_request(request.pk)
    return producer, buyer, request


def test_an_engine_match_and_a_request_match_of_the_same_companies_live_side_by_side(both):
    producer, buyer, request = both
    pair = pair_match(producer, buyer)
    for_request = Match.objects.get(producer=producer, buyer=buyer, request=request)
    assert pair.pk != for_request.pk and pair.status == for_request.status == P

    # Every rematch of the companies leaves the request's match alone, and the other way round.
    for rematch in (
        services.rematch_all,
        lambda: services.rematch_producer(producer.pk),
        lambda: services.rematch_buyer(buyer.pk),
        lambda: request_matching.rematch_request(request.pk),
        request_matching.rematch_requests,
    ):
        rematch()
        assert Match.objects.filter(producer=producer, buyer=buyer).count() == 2
        assert set(Match.objects.filter(producer=producer, buyer=buyer).values_list("status", flat=True)) == {
            P
        }


def test_withdrawing_the_companies_pair_leaves_the_request_s_match(both):
    producer, buyer, request = both
    buyer.sought_sectors.clear()  # the buyer seeks nothing any more: the pair goes
    counts = services.rematch_buyer(buyer.pk)
    assert counts.withdrawn == 1
    assert pair_match(producer, buyer).status == W
    assert Match.objects.get(request=request).status == P


def test_closing_the_request_leaves_the_companies_pair(both):
    producer, buyer, request = both
    BuyingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CLOSED)
    request_matching.rematch_request(request.pk)
    assert Match.objects.get(request=request).status == W
    assert pair_match(producer, buyer).status == P


def test_a_rejected_pair_does_not_stop_the_request_s_match(both):
    producer, buyer, request = both
    counsellor = make_counsellor("IQ")
    lifecycle.match_reject(
        match=pair_match(producer, buyer), actor=counsellor, reason="", reason_code="too_small"
    )
    request_matching.rematch_request(request.pk)
    assert Match.objects.get(request=request).status == P


def test_a_buyer_s_introduction_request_writes_to_the_pair_not_to_the_request_s_match(both):
    producer, buyer, request = both
    lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="hello")
    pair = pair_match(producer, buyer)
    assert pair.source == MatchSource.BUYER_REQUEST and pair.request_message == "hello"
    for_request = Match.objects.get(request=request)
    assert for_request.source == MatchSource.ENGINE and for_request.request_message == ""


def test_forwarding_the_request_s_match_leaves_the_pair_proposed(both):
    producer, buyer, request = both
    counsellor = make_counsellor("IQ")
    lifecycle.match_forward(match=Match.objects.get(request=request), actor=counsellor)
    services.rematch_all()
    request_matching.rematch_requests()
    assert pair_match(producer, buyer).status == P
    assert Match.objects.get(request=request).status == F


def test_the_introduction_box_shows_the_pair_not_the_request_s_match(both):
    from matchmaking.selectors import buyer_match_with

    producer, buyer, request = both
    Match.objects.filter(request=request).update(status=F)
    assert buyer_match_with(buyer.owner, producer) == pair_match(producer, buyer)


def test_the_weights_are_fitted_on_the_companies_pairs_only(both):
    from matchmaking.fitting import load_decisions

    producer, buyer, request = both
    Match.objects.filter(request=request).update(status=R)
    assert len(load_decisions()) == 0
    Match.objects.filter(request__isnull=True).update(status=R)
    assert len(load_decisions()) == 1


# --- When it runs: the request's signal, the sweep, the command ------------------------------


def test_the_request_s_signal_rematches_it_once_committed(django_capture_on_commit_callbacks):
    make_supplier("841370")
    request = make_request()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request_changed.send(sender=BuyingRequest, request=request, change="published")
        assert not Match.objects.exists()  # nothing before the commit
    assert callbacks and Match.objects.filter(request=request, status=P).count() == 1


def test_closing_awarding_or_returning_withdraws_through_the_signal(django_capture_on_commit_callbacks):
    make_supplier("841370")
    request = make_request()
    request_matching.rematch_request(request.pk)
    buyer_user = request.buyer.owner
    with django_capture_on_commit_callbacks(execute=True):
        sourcing_services.award_request(request, actor=buyer_user)
    assert Match.objects.get(request=request).status == W


def test_a_burst_of_changes_sends_one_task_with_a_countdown(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_REMATCH_DEBOUNCE_SECONDS = 5
    sent = []
    monkeypatch.setattr(
        tasks.rematch_request_task, "apply_async", lambda args, countdown=None: sent.append((args, countdown))
    )
    request = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        for change in ("published", "edited", "edited"):
            request_changed.send(sender=BuyingRequest, request=request, change=change)
    assert sent == [([request.pk], 5)]
    assert tasks.rematch_request_task.name == "matchmaking.tasks.rematch_request"


def test_the_task_does_nothing_for_a_request_that_is_gone():
    assert tasks.rematch_request_task.run(424242) is None


def test_the_matcher_listens_to_the_request_signal():
    from matchmaking import receivers

    assert receivers.rematch_buying_request in [ref() for _key, ref, *_ in request_changed.receivers]


def test_the_nightly_sweep_includes_the_requests():
    from django.core.cache import cache

    make_supplier("841370")
    make_buyer(("841370",))
    request = make_request()
    tasks.sweep_all.run()
    last = cache.get(tasks.SWEEP_LAST_KEY)
    assert last["requests"]["created"] == 1
    assert Match.objects.filter(request=request).count() == 1


def test_rematch_requests_withdraws_what_closed_requests_still_propose():
    make_supplier("841370")
    open_one, closed = make_request(), make_request()
    request_matching.rematch_requests()
    BuyingRequest.objects.filter(pk=closed.pk).update(status=RequestStatus.CLOSED)
    counts = request_matching.rematch_requests()
    assert counts.withdrawn == 1 and counts.unchanged == 1
    assert Match.objects.get(request=closed).status == W and Match.objects.get(request=open_one).status == P


def run_command(*args) -> str:
    out = StringIO()
    call_command("rematch", *args, stdout=out)
    return out.getvalue()


def test_the_rematch_command_prints_the_requests_counts():
    make_supplier("841370")
    request = make_request()
    output = run_command()
    assert "Buying requests scored: 1 (1 open lines × 1 products)" in output
    assert "Request matches created: 1" in output
    output = run_command("--request", str(request.pk))
    assert "Request matches created: 0" in output and "unchanged: 1" in output


def test_the_rematch_command_refuses_an_unknown_request():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No buying request with id 424242"):
        run_command("--request", "424242")
