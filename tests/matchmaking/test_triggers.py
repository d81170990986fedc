"""Profile and product writes enqueue one debounced rematch of that profile, on commit only."""

import pytest
from django.core.cache import cache
from django.db import transaction

from accounts import services as account_services
from catalogue import services as catalogue_services
from matchmaking import services, tasks
from matchmaking.models import Match

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """What the services hand to the broker, instead of running it."""
    calls = []

    def recorder(task):
        def apply_async(args, countdown=None):
            calls.append((task.name.rsplit(".", 1)[-1], args, countdown))

        return apply_async

    for task in (tasks.rematch_producer_task, tasks.rematch_buyer_task):
        monkeypatch.setattr(task, "apply_async", recorder(task))
    return calls


def test_a_burst_of_product_edits_sends_one_rematch_with_a_countdown(
    sent, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_REMATCH_DEBOUNCE_SECONDS = 7
    producer = make_producer()
    product = producer.products.get()
    staff = producer.owner
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        catalogue_services.product_update(product=product, actor=staff, data={"available_capacity": "900"})
        catalogue_services.product_update(product=product, actor=staff, data={"moq": "3"})
    assert len(callbacks) == 2  # nothing is sent before the commit
    for capacity in ("800", "700"):
        with django_capture_on_commit_callbacks(execute=True):
            catalogue_services.product_update(
                product=product, actor=staff, data={"available_capacity": capacity}
            )

    assert sent == [("rematch_producer_task", [producer.pk], 7)]


def test_the_task_clears_the_debounce_key_so_a_later_edit_sends_again(
    sent, django_capture_on_commit_callbacks
):
    producer = make_producer()
    product = producer.products.get()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.product_update(product=product, actor=producer.owner, data={"moq": "2"})
    tasks.rematch_producer_task.run(producer.pk)
    assert cache.get(services.debounce_key("producer", producer.pk)) is None
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.product_update(product=product, actor=producer.owner, data={"moq": "4"})
    assert len(sent) == 2


def test_nothing_is_sent_when_the_transaction_rolls_back(sent, django_capture_on_commit_callbacks):
    producer = make_producer()
    product = producer.products.get()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        catalogue_services.product_update(product=product, actor=producer.owner, data={"moq": "2"})
        raise RuntimeError("rolled back")
    assert callbacks == [] and sent == []


def test_edits_the_matching_does_not_read_send_nothing(sent, django_capture_on_commit_callbacks):
    producer = make_producer()
    buyer = make_buyer()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.product_update(
            product=producer.products.get(), actor=producer.owner, data={"description": "Now in white"}
        )
        account_services.producer_profile_update(
            profile=producer, actor=producer.owner, data={"phone": "+98 41 1"}
        )
        account_services.buyer_profile_update(profile=buyer, actor=buyer.owner, data={"city": "Erbil"})
    assert sent == []


def test_profile_and_product_writes_send_their_own_profile(
    sent, make_user, django_capture_on_commit_callbacks
):
    producer = make_producer()
    buyer = make_buyer()
    with django_capture_on_commit_callbacks(execute=True):
        account_services.producer_profile_update(
            profile=producer, actor=producer.owner, data={"target_markets": ["IQ", "TR"]}
        )
        account_services.buyer_profile_update(profile=buyer, actor=buyer.owner, data={"annual_demand": "900"})
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.product_delete(product=producer.products.get(), actor=producer.owner)
    user = make_user("buyer")
    with django_capture_on_commit_callbacks(execute=True):
        created = account_services.buyer_profile_create(
            actor=user, data={"company_name": "Erbil Trade", "country": "IQ", "sought_sectors": ["8418"]}
        )
    assert sent == [
        ("rematch_producer_task", [producer.pk], 10),
        ("rematch_buyer_task", [buyer.pk], 10),
        ("rematch_buyer_task", [created.pk], 10),
    ]  # the product's deletion fell in the producer's debounce window


def test_paused_triggers_send_nothing(sent, django_capture_on_commit_callbacks):
    producer = make_producer()
    with django_capture_on_commit_callbacks(execute=True), services.rematch_triggers_paused():
        catalogue_services.product_update(
            product=producer.products.get(), actor=producer.owner, data={"moq": "9"}
        )
    assert sent == []


def test_in_process_an_edit_updates_the_matches(django_capture_on_commit_callbacks):
    """No broker: the debounced task runs at once, in process."""
    producer = make_producer(capacity="100")
    buyer = make_buyer(demand="400")
    services.rematch_all()
    assert Match.objects.get().capacity_score == pytest.approx(0.25)
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.product_update(
            product=producer.products.get(),
            actor=producer.owner,
            data={"annual_capacity": "400", "available_capacity": "400"},
        )
    assert Match.objects.get(producer=producer, buyer=buyer).capacity_score == 1


def test_the_tasks_do_nothing_for_a_profile_that_is_gone():
    assert tasks.rematch_producer_task.run(987654) is None
    assert tasks.rematch_buyer_task.run(987654) is None
