"""`manage.py rematch`: synchronous, prints what it did."""

import pytest
from django.core.management import CommandError, call_command

from matchmaking.models import Match

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rematch", *args, stdout=out)
    return out.getvalue()


def test_rematch_prints_pairs_scored_and_matches_created_updated_withdrawn():
    producer = make_producer(("841810",))
    make_producer(("841840",))
    buyer = make_buyer(("8418",))

    output = run()
    assert "Pairs scored: 2 (2 producers × 1 buyers)" in output
    assert (
        "Matches created: 2" in output and "Matches updated: 0" in output and "Matches withdrawn: 0" in output
    )
    assert Match.objects.count() == 2

    output = run()
    assert "Matches created: 0" in output and "Unchanged: 2" in output

    producer.products.update(is_active=False)
    output = run("--producer", str(producer.pk))
    assert "Matches withdrawn: 1" in output
    output = run("--buyer", str(buyer.pk))
    assert "Pairs scored: 1 (1 producers × 1 buyers)" in output


def test_rematch_refuses_an_unknown_profile():
    with pytest.raises(CommandError, match="No producer profile with id 424242"):
        run("--producer", "424242")
    with pytest.raises(CommandError, match="No buyer profile"):
        run("--buyer", "424242")
