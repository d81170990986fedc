"""The producer's company form in the reader's calendar and language (issue 19): the year
founded typed and shown in Jalali on Persian pages (stored Gregorian: Jalali + 621), in
Gregorian elsewhere; the province's place names in the reader's language, never Latin
"Tabriz, East Azerbaijan" on a Persian page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import producer_profile_create

pytestmark = pytest.mark.django_db

COMPANY_URL = reverse("accounts:onboarding_step", kwargs={"step": "company"})


@pytest.fixture
def producer(make_user, client):
    user = make_user("producer")
    client.force_login(user)
    return user


def _input(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def _get(client, language: str, url: str = COMPANY_URL) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_persian_reader_types_the_jalali_year_and_sees_it_again(client, producer):
    client.cookies["django_language"] = "fa"
    response = client.post(COMPANY_URL, {"name": "سرمایش سهند", "founded": "۱۳۷۷"})
    assert response.status_code == 302
    profile = producer.producer_profile
    profile.refresh_from_db()
    assert profile.founded == 1998  # stored Gregorian

    html = _get(client, "fa")
    assert 'value="۱۳۷۷"' in _input(html, "founded")
    assert "سال به تقویم هجری شمسی" in html  # the help text names the calendar
    profile_page = _get(client, "fa", reverse("catalogue:producer-detail", args=[profile.pk]))
    assert '<dd class="col-sm-8">۱۳۷۷</dd>' in profile_page

    # The same profile in English: Gregorian.
    html = _get(client, "en")
    assert 'value="1998"' in _input(html, "founded")
    assert "Gregorian year, e.g. 1998." in html
    assert '<dd class="col-sm-8">1998</dd>' in _get(
        client, "en", reverse("catalogue:producer-detail", args=[profile.pk])
    )


def test_latin_digits_are_read_as_the_jalali_year_too(client, producer):
    client.cookies["django_language"] = "fa"
    client.post(COMPANY_URL, {"name": "Sahand", "founded": "1377"})
    assert producer.producer_profile.founded == 1998


def test_an_english_reader_types_the_gregorian_year(client, producer):
    client.cookies["django_language"] = "en"
    assert client.post(COMPANY_URL, {"name": "Sahand", "founded": "1998"}).status_code == 302
    assert producer.producer_profile.founded == 1998


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("fa", "سال ۷۷", "سال را با رقم بنویسید، برای نمونه ۱۳۷۷."),
        ("fa", "1998", "سالی میان ۱۱۷۹ و {last} بنویسید."),  # a Gregorian year is far in the Jalali future
        ("fa", "۱۱۰۰", "سالی میان ۱۱۷۹ و {last} بنویسید."),
        ("en", "nineteen", "Enter the year in digits, e.g. 1998."),
        ("en", "1377", "Enter a year between 1800 and {last}."),
    ],
)
def test_a_bad_year_is_a_form_error_in_the_readers_calendar(client, producer, language, typed, message):
    this_year = timezone.now().year
    last = {
        "fa": str(this_year - 621).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
        "en": str(this_year),
    }
    client.cookies["django_language"] = language
    response = client.post(COMPANY_URL, {"name": "Sahand", "founded": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["founded"] == [message.format(last=last[language])]
    assert not hasattr(producer, "producer_profile") or producer.producer_profile.founded is None


def test_no_latin_tabriz_prefill_on_a_persian_page(client, producer):
    html = _get(client, "fa")
    assert "Tabriz" not in html and "East Azerbaijan" not in html
    assert 'value="آذربایجان شرقی"' in _input(html, "province")  # the province: a value to keep
    city = _input(html, "city")
    assert "value=" not in city and 'placeholder="برای نمونه تبریز"' in city  # the city: a hint

    html = _get(client, "en")
    assert 'value="East Azerbaijan"' in _input(html, "province")
    assert 'placeholder="e.g. Tabriz"' in _input(html, "city")


def test_the_province_typed_in_any_language_is_stored_in_one_spelling(client, producer):
    client.cookies["django_language"] = "fa"
    client.post(COMPANY_URL, {"name": "Sahand", "province": "آذربايجان شرقي", "city": "تبریز"})  # Arabic ي
    profile = producer.producer_profile
    assert (profile.province, profile.city) == ("East Azerbaijan", "Tabriz")
    client.post(COMPANY_URL, {"name": "Sahand", "province": "آذربایجان شرقی", "city": "مرند"})
    profile.refresh_from_db()
    assert (profile.province, profile.city) == ("East Azerbaijan", "مرند")


def test_a_profile_saved_in_english_reads_in_persian(client, producer):
    producer_profile_create(
        actor=producer, data={"name": "Sahand", "province": "East Azerbaijan", "city": "Tabriz"}
    )
    html = _get(client, "fa", reverse("accounts:profile"))
    assert 'value="آذربایجان شرقی"' in _input(html, "province")
    assert 'value="تبریز"' in _input(html, "city")
    assert "Tabriz" not in html


def test_every_province_and_capital_of_the_list_keeps_one_spelling(client, producer):
    """The one province list (taxonomy.provinces) decides, not only for the home province: a
    producer in Urmia typing in Persian is stored in Latin letters and read back in Persian."""
    client.cookies["django_language"] = "fa"
    client.post(COMPANY_URL, {"name": "Sahand", "province": "آذربایجان غربی", "city": "ارومیه"})
    profile = producer.producer_profile
    assert (profile.province, profile.city) == ("West Azerbaijan", "Urmia")
    html = _get(client, "fa", reverse("accounts:profile"))
    assert 'value="آذربایجان غربی"' in _input(html, "province")
    assert 'value="ارومیه"' in _input(html, "city")
    html = _get(client, "en", reverse("accounts:profile"))
    assert 'value="West Azerbaijan"' in _input(html, "province")
    assert 'value="Urmia"' in _input(html, "city")
    # A name the list does not hold stays as typed.
    client.cookies["django_language"] = "en"
    client.post(COMPANY_URL, {"name": "Sahand", "province": "Somewhere", "city": "Marand"})
    profile.refresh_from_db()
    assert (profile.province, profile.city) == ("Somewhere", "Marand")


def test_the_pages_show_the_stored_place_names_in_the_readers_language(client, producer):
    """Beyond the forms: the producer's page and the catalogue's card (accounts' `place` filter)."""
    from tests.factories import ProductFactory

    profile = producer_profile_create(
        actor=producer, data={"name": "Sahand", "province": "East Azerbaijan", "city": "Tabriz"}
    )
    ProductFactory(producer=profile, name="یخچال")
    page = reverse("catalogue:producer-detail", kwargs={"pk": profile.pk})
    html = _get(client, "fa", page)
    assert "تبریز" in html and "آذربایجان شرقی" in html and "Tabriz" not in html
    html = _get(client, "en", page)
    assert "Tabriz" in html and "East Azerbaijan" in html
    assert "تبریز" in _get(client, "fa", reverse("catalogue:product-list"))
