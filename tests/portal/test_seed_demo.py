"""The demo is opt-in: `seed_demo` makes accounts with a published password, so it refuses to
run in production (DEBUG off) unless told so explicitly."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_seed_demo_refuses_with_debug_off_and_says_why(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    message = str(refused.value)
    assert "refuses to run with DJANGO_DEBUG off" in message
    assert "--allow-production" in message and "DJANGO_DEBUG=True" in message
    assert not User.objects.exists()


def test_seed_demo_runs_on_a_laptop(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert User.objects.filter(email="staff@demo.exportbridge.ir", is_superuser=True).exists()
    assert "Demo province ready." in capsys.readouterr().out


def test_seed_demo_runs_in_production_only_when_told(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--allow-production")
    assert User.objects.filter(email="staff@demo.exportbridge.ir").exists()


def test_a_migrated_database_has_no_account_until_an_operator_makes_one():
    """What compose's one-shot `migrate` service leaves (its only command without the demo
    file): the test database is built by the same migrations, and holds no user at all, so
    the first admin is the operator's `createsuperuser` (README, "The full stack")."""
    assert not User.objects.exists()
