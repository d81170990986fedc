"""Market brief pages: who reads and who writes, a producer's briefs by default, filters,
the forms through the services, and Markdown that never carries a script to the reader."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from counsellors import briefs
from counsellors.models import MarketBrief
from tests.factories import UserFactory

from .pages_support import html_of, make_buyer, make_counsellor, make_producer

pytestmark = pytest.mark.django_db
LIST = "/counsellor/briefs/"


def write(author, title, country, sectors=(), body="Demand is growing."):
    return briefs.brief_create(
        author=author, data={"title": title, "country": country, "sectors": list(sectors), "body": body}
    )


@pytest.fixture
def shelf():
    """A producer of refrigerators selling to Iraq, and four briefs: two for it."""
    iraq = make_counsellor("IQ", full_name="Iraq Desk")
    turkey = make_counsellor("TR", full_name="Turkey Desk")
    producer = make_producer(("841810",), markets=("IQ",), name="Sahand Cooling")
    return SimpleNamespace(
        iraq=iraq,
        turkey=turkey,
        staff=UserFactory(role="staff"),
        producer=producer.owner,
        buyer=make_buyer(country="IQ").owner,
        cold_chain=write(iraq, "Cold chain in Iraq", "IQ", ["8418"]),
        customs=write(iraq, "Iraqi customs in 1404", "IQ"),
        cars=write(iraq, "Cars in Iraq", "IQ", ["8703"]),
        fridges=write(turkey, "Fridges in Turkey", "TR", ["841810"]),
    )


def titles(html: str, shelf) -> set[str]:
    names = {"cold_chain", "customs", "cars", "fridges"}
    return {name for name in names if getattr(shelf, name).title in html}


def listing(client, user, **params):
    response, html = html_of(client, LIST, user, **params)
    assert response.status_code == 200
    return html


# --- Who may do what -------------------------------------------------------------------------


def test_url_names():
    assert reverse("counsellors:brief_list") == LIST
    assert reverse("counsellors:brief_create") == "/counsellor/briefs/new/"
    assert reverse("counsellors:brief_detail", args=[3]) == "/counsellor/briefs/3/"
    assert reverse("counsellors:brief_edit", args=[3]) == "/counsellor/briefs/3/edit/"
    assert reverse("counsellors:brief_delete", args=[3]) == "/counsellor/briefs/3/delete/"


def test_anonymous_visitors_are_sent_to_sign_in(client, shelf):
    pk = shelf.customs.pk
    for name, args in (
        ("brief_list", []),
        ("brief_detail", [pk]),
        ("brief_create", []),
        ("brief_edit", [pk]),
    ):
        response = client.get(reverse(f"counsellors:{name}", args=args))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "read", "write", "edit_others"),
    [
        ("producer", 200, 403, 403),
        ("buyer", 200, 403, 403),
        ("iraq", 200, 200, 200),  # its own brief
        ("turkey", 200, 200, 403),  # another counsellor's
        ("staff", 200, 200, 200),
    ],
)
def test_who_reads_writes_and_edits(client, shelf, who, read, write, edit_others):
    client.force_login(getattr(shelf, who))
    pk = shelf.customs.pk
    assert client.get(LIST).status_code == read
    assert client.get(reverse("counsellors:brief_detail", args=[pk])).status_code == read
    assert client.get(reverse("counsellors:brief_create")).status_code == write
    assert client.get(reverse("counsellors:brief_edit", args=[pk])).status_code == edit_others
    assert client.get(reverse("counsellors:brief_delete", args=[pk])).status_code == edit_others


def test_another_counsellor_cannot_change_or_delete_a_brief(client, shelf):
    client.force_login(shelf.turkey)
    brief = shelf.customs
    response = client.post(
        reverse("counsellors:brief_edit", args=[brief.pk]),
        {"title": "Hijacked", "country": "IQ", "language": "en", "body": "x"},
    )
    assert response.status_code == 403
    assert client.post(reverse("counsellors:brief_delete", args=[brief.pk])).status_code == 403
    brief.refresh_from_db()
    assert brief.title == "Iraqi customs in 1404"


def test_edit_and_delete_buttons_only_for_the_author_and_staff(client, shelf):
    edit = reverse("counsellors:brief_edit", args=[shelf.customs.pk])
    detail = reverse("counsellors:brief_detail", args=[shelf.customs.pk])
    for user, shown in (
        (shelf.iraq, True),
        (shelf.staff, True),
        (shelf.turkey, False),
        (shelf.producer, False),
    ):
        _response, html = html_of(client, detail, user)
        assert (f'href="{edit}"' in html) is shown


def test_a_missing_brief_is_not_found(client, shelf):
    client.force_login(shelf.producer)
    assert client.get(reverse("counsellors:brief_detail", args=[99999])).status_code == 404


# --- The list ------------------------------------------------------------------------------------


def test_a_producer_sees_the_briefs_on_its_markets_and_sectors_by_default(client, shelf):
    html = listing(client, shelf.producer)
    assert titles(html, shelf) == {"cold_chain", "customs"}
    assert "Show all briefs" in html and f'href="{LIST}?all=1"' in html
    assert titles(listing(client, shelf.producer, all="1"), shelf) == {
        "cold_chain",
        "customs",
        "cars",
        "fridges",
    }


def test_a_producer_without_a_profile_is_offered_every_brief(client, shelf, make_user):
    html = listing(client, make_user("producer"))
    assert titles(html, shelf) == set()
    assert "No briefs on your target markets and sectors yet." in html and f"{LIST}?all=1" in html


def test_buyers_and_counsellors_see_every_brief(client, shelf):
    for user in (shelf.buyer, shelf.turkey, shelf.staff):
        html = listing(client, user)
        assert titles(html, shelf) == {"cold_chain", "customs", "cars", "fridges"}
        assert 'data-testid="brief-scope"' not in html


def test_filters_by_country_and_sector(client, shelf):
    assert titles(listing(client, shelf.buyer, country="TR"), shelf) == {"fridges"}
    assert titles(listing(client, shelf.buyer, sector="84"), shelf) == {"cold_chain", "fridges"}
    assert titles(listing(client, shelf.buyer, sector="841810"), shelf) == {"cold_chain", "fridges"}
    assert titles(listing(client, shelf.buyer, sector="84", country="IQ"), shelf) == {"cold_chain"}
    assert titles(listing(client, shelf.producer, sector="84"), shelf) == {"cold_chain"}
    assert titles(listing(client, shelf.producer, all="1", sector="84"), shelf) == {"cold_chain", "fridges"}
    html = listing(client, shelf.buyer, sector="0199")
    assert "Some filters are not valid" in html and titles(html, shelf) == set()


def test_the_list_shows_a_counsellor_the_write_button(client, shelf):
    create = reverse("counsellors:brief_create")
    assert f'href="{create}"' in listing(client, shelf.iraq)
    assert f'href="{create}"' not in listing(client, shelf.producer)


# --- Forms ----------------------------------------------------------------------------------------


def test_a_counsellor_publishes_a_brief(client, shelf):
    client.force_login(shelf.iraq)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("counsellors:brief_create"))
    html = response.content.decode()
    for name in ("title", "country", "sectors", "language", "body"):
        assert f'for="id_{name}"' in html and f'id="id_{name}"' in html
    assert "Markdown" in html
    assert 'value="IQ" selected' in html  # the posted country by default

    response = client.post(
        reverse("counsellors:brief_create"),
        {
            "title": "Fairs in Basra",
            "country": "",
            "sectors": "8418، ۸۴",
            "language": "en",
            "body": "## Dates",
        },
    )
    brief = MarketBrief.objects.get(title="Fairs in Basra")
    assert response.status_code == 302 and response["Location"] == reverse(
        "counsellors:brief_detail", args=[brief.pk]
    )
    assert brief.country.code == "IQ" and brief.language == "en" and brief.author == shelf.iraq
    assert set(brief.sectors.values_list("code", flat=True)) == {"8418", "84"}
    assert "<h2>Dates</h2>" in brief.body_html


def test_the_services_errors_are_shown_beside_the_fields(client, shelf):
    client.force_login(shelf.staff)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("counsellors:brief_create"),
        {"title": "", "country": "", "sectors": "0199", "language": "en", "body": "Text"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html  # the title, checked by the form
    response = client.post(
        reverse("counsellors:brief_create"),
        {"title": "Staff note", "country": "", "sectors": "0199", "language": "en", "body": "Text"},
    )
    html = response.content.decode()
    assert "Unknown HS codes: 0199." in html and 'id="id_sectors_error"' in html
    assert "Choose a country." in html and 'id="id_country_error"' in html
    assert not MarketBrief.objects.filter(title="Staff note").exists()


def test_the_author_edits_a_brief(client, shelf):
    client.force_login(shelf.iraq)
    url = reverse("counsellors:brief_edit", args=[shelf.cold_chain.pk])
    html = client.get(url).content.decode()
    assert 'value="Cold chain in Iraq"' in html and 'value="8418"' in html
    response = client.post(
        url,
        {
            "title": "Cold chain in Iraq, 1404",
            "country": "IQ",
            "sectors": "841810",
            "language": "fa",
            "body": "*New*",
        },
    )
    assert response.status_code == 302
    brief = MarketBrief.objects.get(pk=shelf.cold_chain.pk)
    assert brief.title == "Cold chain in Iraq, 1404" and brief.body_html == "<p><em>New</em></p>"
    assert list(brief.sectors.values_list("code", flat=True)) == ["841810"]


def test_staff_edit_anyones_brief(client, shelf):
    client.force_login(shelf.staff)
    response = client.post(
        reverse("counsellors:brief_edit", args=[shelf.fridges.pk]),
        {"title": "Fridges in Türkiye", "country": "TR", "sectors": "", "language": "en", "body": "Text"},
    )
    assert response.status_code == 302
    shelf.fridges.refresh_from_db()
    assert shelf.fridges.title == "Fridges in Türkiye" and not shelf.fridges.sectors.exists()


def test_the_author_deletes_a_brief_after_confirming(client, shelf):
    client.force_login(shelf.iraq)
    url = reverse("counsellors:brief_delete", args=[shelf.cars.pk])
    assert "Delete brief" in html_of(client, url)[1]
    assert MarketBrief.objects.filter(pk=shelf.cars.pk).exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not MarketBrief.objects.filter(pk=shelf.cars.pk).exists()


# --- Nothing runs in the reader's browser ------------------------------------------------------


def test_markdown_never_carries_a_script_or_handler_to_the_page(client, shelf):
    body = (
        "Hello <script>alert('body')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[click me](javascript:alert(2)) and [site](https://example.com)\n\n"
        '<a href="#" onclick="alert(3)">raw link</a>\n\n'
        "**bold**"
    )
    brief = write(shelf.iraq, "<b>Title</b><script>alert('title')</script>", "IQ", body=body)
    _response, html = html_of(client, reverse("counsellors:brief_detail", args=[brief.pk]), shelf.producer)
    start = html.index('data-testid="brief-body"')
    shown = html[start : html.index("</article>", start)]
    assert "<script" not in shown and "alert('body')" not in shown
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<strong>bold</strong>" in shown
    assert 'href="https://example.com"' in shown and 'rel="noopener noreferrer nofollow"' in shown
    assert "<script>alert('title')</script>" not in html
    assert "&lt;b&gt;Title&lt;/b&gt;" in html
    # The list shows titles only, escaped as well.
    listing_html = listing(client, shelf.buyer)
    assert "<script>alert('title')</script>" not in listing_html and "onerror" not in listing_html


# --- Languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language, direction", [("ar", "rtl"), ("ru", "ltr"), ("tr", "ltr"), ("fa", "rtl")])
def test_a_brief_may_be_written_in_any_interface_language(client, shelf, language, direction):
    brief = briefs.brief_create(
        author=shelf.iraq, data={"title": "Brief", "country": "IQ", "body": "Text", "language": language}
    )
    assert brief.language == language
    _response, html = html_of(client, reverse("counsellors:brief_detail", args=[brief.pk]), shelf.iraq)
    assert f'lang="{language}" dir="{direction}"' in html


def test_a_brief_in_a_language_the_portal_does_not_speak_is_refused(shelf):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        briefs.brief_create(
            author=shelf.iraq, data={"title": "Brief", "country": "IQ", "body": "Text", "language": "de"}
        )
    assert "fa, en, ar, ru, tr" in str(refused.value.message_dict["language"])
