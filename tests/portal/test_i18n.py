"""Persian first (RTL, Jalali dates, Persian digits), English one click away."""

import datetime

import pytest
from django.utils import translation

from portal.formatting import format_date, format_number, to_persian_digits

pytestmark = pytest.mark.django_db


def test_home_is_persian_and_rtl_by_default_whatever_the_browser_says(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "پل صادرات" in html
    assert response["Content-Language"] == "fa"


def test_switching_to_english_renders_ltr_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "bootstrap.min.css" in html and "bootstrap.rtl.min.css" not in html
    assert "Export Bridge" in html

    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    assert 'dir="rtl"' in client.get("/").content.decode()


def test_an_unknown_language_is_ignored(client):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert 'lang="fa"' in client.get("/").content.decode()


def test_switch_is_remembered_on_the_account(client, make_user):
    user = make_user("buyer", preferred_language="fa")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_a_signed_in_users_language_is_the_default(client, make_user):
    client.force_login(make_user("buyer", preferred_language="en"))
    assert 'lang="en"' in client.get("/dashboard/").content.decode()


def test_the_redirect_after_switching_stays_on_the_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_persian_numbers_have_persian_digits_and_grouping():
    assert format_number(45000, language="fa") == "۴۵٬۰۰۰"
    assert format_number(1234567.5, language="fa") == "۱٬۲۳۴٬۵۶۷٫۵"
    assert format_number(45000, language="en") == "45,000"
    assert format_number(None) == ""
    assert to_persian_digits("HS 8418") == "HS ۸۴۱۸"


def test_dates_are_jalali_in_persian_and_gregorian_in_english():
    day = datetime.date(2026, 11, 25)
    assert format_date(day, language="fa") == "۴ آذر ۱۴۰۵"
    assert format_date(day, language="en") == "25 Nov 2026"
    moment = datetime.datetime(2026, 3, 20, 20, 30, tzinfo=datetime.UTC)  # 00:00 in Tehran, Nowruz
    assert format_date(moment, language="fa", with_time=True) == "۱ فروردین ۱۴۰۵، ۰۰:۰۰"


def test_template_filters_follow_the_active_language():
    from django.template import Context, Template

    template = Template("{% load locale_format %}{{ n|number }} {{ d|jdate }} {{ s|digits }}")
    context = Context({"n": 2500, "d": datetime.date(2026, 11, 25), "s": "8418"})
    with translation.override("fa"):
        assert template.render(context) == "۲٬۵۰۰ ۴ آذر ۱۴۰۵ ۸۴۱۸"
    with translation.override("en"):
        assert template.render(context) == "2,500 25 Nov 2026 8418"


def test_the_shell_has_landmarks_and_a_skip_link(client):
    html = client.get("/").content.decode()
    for landmark in ["<header>", '<main id="main"', "<footer", "<nav "]:
        assert landmark in html
    assert 'href="#main"' in html
    assert '<label for="language-select"' in html


def test_no_asset_is_loaded_from_another_site(client):
    html = client.get("/").content.decode()
    assert "https://" not in html.replace('content="', "")
    assert "cdn" not in html.lower()
