"""Persian first (RTL, Jalali dates, Persian digits); English, Arabic (RTL, Arabic-Indic digits,
Gregorian), Russian and Turkish one click away."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal.formatting import (
    digits_for,
    format_date,
    format_number,
    format_percent,
    join_list,
    localize_digits,
    to_persian_digits,
    uses_jalali,
)

NBSP = "\u00a0"
DIRECTION = {"fa": "rtl", "en": "ltr", "ar": "rtl", "ru": "ltr", "tr": "ltr"}
OWN_NAMES = {"fa": "فارسی", "en": "English", "ar": "العربية", "ru": "Русский", "tr": "Türkçe"}

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


# --- Arabic, Russian and Turkish (issue 15) ---------------------------------------------------


def test_the_portal_speaks_five_languages_two_of_them_right_to_left():
    assert [code for code, _name in settings.LANGUAGES] == ["fa", "en", "ar", "ru", "tr"]
    assert settings.LANGUAGE_CODE == "fa"
    assert {"fa", "ar"} == settings.RTL_LANGUAGES
    for code in DIRECTION:
        # Django's own idea of the direction (get_language_bidi: the 400 and 503 pages, emails).
        with translation.override(code):
            assert translation.get_language_bidi() == (DIRECTION[code] == "rtl")


@pytest.mark.parametrize("language", ["ar", "ru", "tr", "en", "fa"])
def test_switching_to_each_language_sets_lang_dir_and_the_stylesheet(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/catalogue/"})
    assert response.status_code == 302 and response["Location"] == "/catalogue/"
    page = client.get("/catalogue/")
    html = page.content.decode()
    assert f'<html lang="{language}" dir="{DIRECTION[language]}">' in html
    assert page["Content-Language"] == language
    rtl_css = "bootstrap.rtl.min.css" in html
    assert rtl_css == (DIRECTION[language] == "rtl")


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_a_signed_in_users_new_language_is_their_default(client, make_user, language):
    user = make_user("buyer", preferred_language="fa")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == language
    client.cookies.clear()
    client.force_login(user)
    assert f'lang="{language}"' in client.get("/dashboard/").content.decode()


def test_the_switcher_offers_each_language_in_its_own_name_and_direction(client):
    html = client.get("/").content.decode()
    select = re.search(r'<select id="language-select".*?</select>', html, re.S).group(0)
    options = re.findall(
        r'<option value="(\w+)" lang="(\w+)" dir="(\w+)"( selected)?>([^<]+)</option>', select
    )
    assert [(value, lang, direction, name) for value, lang, direction, _sel, name in options] == [
        (code, code, DIRECTION[code], OWN_NAMES[code]) for code in ["fa", "en", "ar", "ru", "tr"]
    ]
    assert [value for value, *_rest, selected, _name in options if selected] == ["fa"]


def test_the_switcher_fits_a_phone(client):
    """At 375 px the navbar collapses; the switcher's select is as wide as its longest name (not
    Bootstrap's 100 %) and may shrink, so nothing pushes the page sideways."""
    css = (Path(settings.BASE_DIR) / "portal/static/portal/site.css").read_text()
    assert re.search(r"\.language-select\s*\{[^}]*width:\s*auto;[^}]*max-width:\s*100%", css)
    assert 'class="form-select form-select-sm language-select"' in client.get("/").content.decode()


def test_the_stylesheet_serves_arabic_as_it_serves_persian():
    css = (Path(settings.BASE_DIR) / "portal/static/portal/site.css").read_text()
    # No physical left/right: margins, paddings and positions are logical (Bootstrap's RTL
    # build mirrors its own classes), so one stylesheet serves both directions.
    assert not re.search(r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:", css)
    assert 'html[lang="fa"] .list-group-numbered' in css and 'html[lang="ar"] .list-group-numbered' in css
    assert "arabic-indic" in css
    assert '[dir="rtl"] .bi-send' in css


def test_arabic_numbers_have_arabic_indic_digits_and_arabic_separators():
    assert format_number(45000, language="ar") == "٤٥٬٠٠٠"
    assert format_number(1234567.5, language="ar") == "١٬٢٣٤٬٥٦٧٫٥"
    assert format_percent(45, language="ar") == "٤٥٪"
    assert localize_digits("HS 8418", "ar") == "HS ٨٤١٨"
    assert digits_for("ar") == "٠١٢٣٤٥٦٧٨٩" and digits_for("fa") == "۰۱۲۳۴۵۶۷۸۹"


def test_russian_and_turkish_numbers_follow_djangos_locale_formats():
    assert format_number(1234.5, language="ru") == f"1{NBSP}234,5"
    assert format_number(1234567, language="ru") == f"1{NBSP}234{NBSP}567"
    assert format_number(1234.5, language="tr") == "1.234,5"
    assert format_number(45000, language="tr") == "45.000"
    assert format_percent(45, language="ru") == f"45{NBSP}%"
    assert format_percent(45, language="tr") == "%45"
    assert format_percent(45, language="en") == "45%" and format_percent(45, language="fa") == "۴۵٪"
    assert digits_for("ru") == digits_for("tr") == digits_for("en") == "0123456789"


def test_dates_are_gregorian_with_each_languages_month_names():
    day = datetime.date(2026, 11, 25)
    assert format_date(day, language="ar") == "٢٥ نوفمبر ٢٠٢٦"
    assert format_date(day, language="ru") == "25 ноября 2026"
    assert format_date(day, language="tr") == "25 Kasım 2026"
    moment = datetime.datetime(2026, 3, 20, 20, 30, tzinfo=datetime.UTC)  # 00:00 on 21 March in Tehran
    assert format_date(moment, language="ar", with_time=True) == "٢١ مارس ٢٠٢٦، ٠٠:٠٠"
    assert format_date(moment, language="ru", with_time=True) == "21 марта 2026, 00:00"
    assert format_date(moment, language="tr", with_time=True) == "21 Mart 2026 00:00"
    assert uses_jalali("fa") and not any(uses_jalali(code) for code in ("en", "ar", "ru", "tr"))


def test_lists_are_joined_with_each_languages_comma():
    assert join_list(["Iraq", "Syria"], "ar") == "Iraq، Syria"
    assert join_list(["Iraq", "Syria"], "fa") == "Iraq، Syria"
    for code in ("en", "ru", "tr"):
        assert join_list(["Iraq", "Syria"], code) == "Iraq, Syria"


def test_a_regional_variant_reads_as_its_language():
    assert format_number(45000, language="ar-iq") == "٤٥٬٠٠٠"
    assert format_number(45000, language="xx") == "۴۵٬۰۰۰"  # unknown: the portal's default


@pytest.mark.parametrize(
    "language, expected",
    [
        ("ar", "٢٬٥٠٠ ٢٥ نوفمبر ٢٠٢٦ ٨٤١٨ ٤٥٪"),
        ("ru", f"2{NBSP}500 25 ноября 2026 8418 45{NBSP}%"),
        ("tr", "2.500 25 Kasım 2026 8418 %45"),
    ],
)
def test_template_filters_follow_each_language(language, expected):
    from django.template import Context, Template

    template = Template(
        "{% load locale_format %}{{ n|number }} {{ d|jdate }} {{ s|digits }} {{ p|percentage }}"
    )
    context = Context({"n": 2500, "d": datetime.date(2026, 11, 25), "s": "8418", "p": 45})
    with translation.override(language):
        assert template.render(context) == expected


@pytest.mark.parametrize("language, separator", [("ar", "، "), ("fa", "، "), ("ru", ", "), ("en", ", ")])
def test_the_list_comma_tag_follows_the_language(language, separator):
    from django.template import Context, Template

    with translation.override(language):
        assert Template("{% load locale_format %}{% list_comma %}").render(Context()) == separator


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_the_error_pages_have_lang_and_dir(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/catalogue/?q=a%00b").content.decode()
    assert f'<html lang="{language}" dir="{DIRECTION[language]}">' in html
