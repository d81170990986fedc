"""The country picker of the producer's forms (issue 19): checkboxes named in the reader's
language and alphabet, a fieldset per world region with the province's usual markets first;
without JavaScript a plain form post of the checked boxes, as the old <select multiple> posted."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.forms import ProducerMarketsForm
from accounts.services import producer_profile_create
from counsellors.admin import CounsellorProfileForm
from taxonomy.countries import group_countries, usual_markets
from taxonomy.widgets import CountryPickerWidget

pytestmark = pytest.mark.django_db

MARKETS_URL = reverse("accounts:onboarding_step", kwargs={"step": "markets"})
# The usual markets (settings.USUAL_MARKETS) in each reader's alphabetical order.
USUAL_FA = [
    "ارمنستان",
    "افغانستان",
    "امارات متحده عربی",
    "ترکمنستان",
    "ترکیه",
    "جمهوری آذربایجان",
    "روسیه",
    "عراق",
    "قزاقستان",
    "گرجستان",
]
USUAL_EN = [
    "Afghanistan",
    "Armenia",
    "Azerbaijan",
    "Georgia",
    "Iraq",
    "Kazakhstan",
    "Russia",
    "Türkiye",
    "Turkmenistan",
    "United Arab Emirates",
]


def _legends(html: str) -> list[str]:
    return [text.strip() for text in re.findall(r'<legend class="country-picker-legend[^>]*>([^<]*)<', html)]


def _groups(html: str, name: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(legend, [(code, label), ...]) of each region of the picker of field `name`."""
    picker = html.split(f'id="id_{name}_list"', 1)[1].split("data-country-none", 1)[0]
    found = []
    for block in picker.split("<fieldset")[1:]:
        legend = re.search(r"<legend[^>]*>([^<]*)<", block).group(1).strip()
        options = re.findall(
            rf'name="{name}" value="(\w\w)" id="id_{name}_\w\w"[^>]*>\s*<label[^>]*>([^<]*)</label>', block
        )
        found.append((legend, options))
    return found


@pytest.fixture
def producer(make_user, client):
    user = make_user("producer")
    producer_profile_create(actor=user, data={"name": "Sahand Cooling", "target_markets": ["IQ", "DE"]})
    client.force_login(user)
    return user


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_picker_names_groups_and_orders_countries_in_the_readers_language(client, producer, language):
    client.cookies["django_language"] = language
    html = client.get(MARKETS_URL).content.decode()
    groups = _groups(html, "target_markets")
    with translation.override(language):
        usual_legend = str(translation.gettext("The province’s usual markets"))
        western_asia = str(translation.gettext("Western Asia"))
    legend, usual = groups[0]
    assert legend == usual_legend
    assert sorted(code for code, _label in usual) == sorted(usual_markets())
    labels = [label for _code, label in usual]
    if language == "fa":
        assert labels == USUAL_FA  # ج before ر, گ after ق: Persian order, not English
    else:
        assert labels == USUAL_EN  # Türkiye with Turkmenistan, not after every other name
    # Every country once; the usual ones not again under their region.
    codes = [code for _legend, options in groups for code, _label in options]
    assert len(codes) == len(set(codes)) >= 249
    regions = dict(groups)
    assert {"SA", "SY", "LB"} <= {code for code, _label in regions[western_asia]}
    assert "IQ" not in {code for code, _label in regions[western_asia]}
    # Asia's regions first, the places M49 gives no region to last.
    assert _legends(html)[: len(groups)][-1] == ("Other places" if language == "en" else "جاهای دیگر")
    assert western_asia in _legends(html)[1:6]
    # What the producer chose is checked; the filter and the chips wait for the script.
    assert re.search(
        r'value="IQ" id="id_target_markets_IQ"\s+class="[^"]*form-check-input[^"]*" checked', html
    )
    assert re.search(r'value="DE" id="id_target_markets_DE"\s+class="[^"]*" checked', html)
    assert "data-country-tools hidden" in html
    assert '<script src="/static/taxonomy/country-picker.js" defer' in html
    assert "Ctrl" not in html


def test_persian_names_are_found_by_english_and_code_too(client, producer):
    client.cookies["django_language"] = "fa"
    html = client.get(MARKETS_URL).content.decode()
    assert re.search(
        r'data-search="عراق Iraq IQ">\s*<input type="checkbox" name="target_markets" value="IQ"', html
    )
    assert '<label class="form-check-label" for="id_target_markets_DE">آلمان</label>' in html


def test_a_plain_form_post_of_the_checkboxes_saves_the_markets(client, producer):
    """What a browser without JavaScript sends: the checked boxes' values, one per name."""
    client.cookies["django_language"] = "fa"
    response = client.post(MARKETS_URL, {"target_markets": ["AM", "AZ", "IQ"], "export_experience": ["TR"]})
    assert response.status_code == 302
    profile = producer.producer_profile
    profile.refresh_from_db()
    assert sorted(c.code for c in profile.target_markets) == ["AM", "AZ", "IQ"]
    assert [c.code for c in profile.export_experience] == ["TR"]

    response = client.post(MARKETS_URL, {"target_markets": ["IQ", "XX"]})
    assert response.status_code == 200 and response.context["form"].errors["target_markets"]


def test_the_cleaned_data_is_what_the_select_gave():
    form = ProducerMarketsForm(data={"target_markets": ["IQ", "TR"], "export_experience": []})
    assert form.is_valid()
    assert form.cleaned_data == {
        "target_markets": ["IQ", "TR"],
        "open_to_any_market": False,
        "export_experience": [],
    }
    assert isinstance(form.fields["target_markets"].widget, CountryPickerWidget)


def test_the_producer_profile_page_has_a_picker_per_field(client, producer):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:profile")).content.decode()
    for name in ("target_markets", "export_experience"):
        assert f'<legend class="form-label fs-6 mb-1" id="id_{name}_legend">' in html
        assert f'aria-labelledby="id_{name}_legend id_{name}_filter_label"' in html
    assert html.count('<link href="/static/taxonomy/country-picker.css"') == 1


def test_usual_markets_come_from_the_setting(settings):
    settings.USUAL_MARKETS = ["de", "FR"]
    with translation.override("en"):
        groups = group_countries([("IQ", "Iraq"), ("FR", "France"), ("DE", "Germany"), ("AQ", "Antarctica")])
    assert [(group.key, [code for code, _name in group.countries]) for group in groups] == [
        ("usual", ["FR", "DE"]),
        ("Western Asia", ["IQ"]),
        ("other", ["AQ"]),
    ]


def test_the_counsellors_covered_countries_use_the_picker_in_the_admin():
    form = CounsellorProfileForm()
    assert isinstance(form.fields["covered_countries"].widget, CountryPickerWidget)
    with translation.override("fa"):
        html = str(form["covered_countries"])
    assert 'name="covered_countries" value="IQ"' in html and ">عراق</label>" in html
