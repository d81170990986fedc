"""The HS picker: the htmx fragment at /catalogue/hs-picker/ and the form widget around it."""

import re

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from taxonomy.models import Sector
from taxonomy.widgets import HSCodePickerWidget

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<li[^>]*role="option"[^>]*data-code="([^"]+)"')


@pytest.fixture
def pick(client):
    def get(query=None, *, language="en", **params):
        client.cookies["django_language"] = language
        if query is not None:
            params["q"] = query
        response = client.get(reverse("catalogue:hs-picker"), params)
        assert response.status_code == 200
        return response.content.decode()

    return get


def options(html: str) -> list[str]:
    return OPTION.findall(html)


def test_the_url():
    assert reverse("catalogue:hs-picker") == "/catalogue/hs-picker/"


def test_code_prefix_matches_come_first_and_anyone_may_ask(pick):
    html = pick("8418")
    found = options(html)
    assert found[0] == "8418"
    assert found[1:] == sorted(found[1:]) and all(code.startswith("8418") for code in found)
    assert "Refrigerators, freezers" in html
    assert 'aria-selected="false"' in html


def test_at_most_twenty_options(pick):
    assert len(options(pick("0"))) == 20


def test_names_in_english(pick):
    found = options(pick("refrigerators freezers"))
    assert "8418" in found


def test_code_matches_rank_above_name_matches(pick):
    found = options(pick("XVI"))
    assert found == ["XVI"]
    found = options(pick("84"))
    assert found[0] == "84" and found[1].startswith("84")


def test_persian_names_under_persian(pick):
    html = pick("ماشين", language="fa")  # Arabic yeh
    found = options(html)
    assert found[0] == "XVI"  # sections, then chapters
    assert {"84", "85"} <= set(found)
    assert "رآکتورهای هسته\u200cای" in html


def test_persian_falls_back_to_english_where_there_is_no_persian_name(pick):
    sector = Sector.objects.get(code="841810")
    sector.name_fa = None
    sector.save()
    html = pick("841810", language="fa")
    assert options(html) == ["841810"]
    assert "Refrigerators and freezers; combined refrigerator-freezers" in html
    assert "ماشین\u200cآلات" not in pick("84", language="en")


def test_either_language_finds_either_name(pick):
    assert "84" in options(pick("machinery", language="fa"))
    html = pick("كاغذ", language="en")  # Arabic kaf, matched in the Persian names
    assert {"X", "47", "48"} <= set(options(html))
    assert "Paper and paperboard" in html  # shown in the active language


def test_empty_query_and_no_result_say_so(pick):
    html = pick("")
    assert options(html) == []
    assert "Type an HS code" in html
    assert 'aria-disabled="true"' in html

    html = pick("zzqqxx")
    assert options(html) == []
    assert "No HS code matches “zzqqxx”." in html
    assert "Type an HS code" in pick(None)
    assert "Type an HS code" in pick("   ")


def test_the_query_is_escaped(pick):
    html = pick("<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_min_level_leaves_sections_out(pick):
    assert options(pick("XVI", min_level="2")) == []
    assert "84" in options(pick("ماشين", language="fa", min_level="2"))
    assert "XVI" in options(pick("ماشين", language="fa", min_level="nonsense"))


def test_only_get():
    from django.test import Client

    assert Client().post(reverse("catalogue:hs-picker"), {"q": "84"}).status_code == 405


class ProductForm(forms.Form):
    hs_code = forms.CharField(label="HS code", widget=HSCodePickerWidget(min_level=2))


def test_the_widget_renders_an_accessible_htmx_combobox():
    with translation.override("en"):
        html = str(ProductForm(initial={"hs_code": "8418"})["hs_code"])

    assert 'name="hs_code"' in html and 'id="id_hs_code"' in html and 'value="8418"' in html
    assert 'hx-get="/catalogue/hs-picker/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-target="#id_hs_code_listbox"' in html
    assert '"min_level": "2"' in html
    assert 'role="combobox"' in html and 'aria-controls="id_hs_code_listbox"' in html
    assert '<ul id="id_hs_code_listbox"' in html and 'role="listbox"' in html
    assert '<label class="form-label small mt-2 mb-1" for="id_hs_code_search">' in html
    assert 'role="status"' in html
    # The current code is named beside the input.
    assert "8418 — Refrigerators, freezers" in html
    assert 'aria-describedby="id_hs_code_selected"' in html


def test_the_widget_brings_its_script():
    media = str(ProductForm().media)
    assert "catalogue/hs-picker.js" in media and "defer" in media
    assert finders.find("catalogue/hs-picker.js")


# --- Several codes in one box: buyers' sought sectors, briefs, desks (issue 15) ----------------


def test_the_picker_of_several_codes_names_them_in_the_readers_language():
    from accounts.forms import BuyerDemandForm

    with translation.override("ru"):
        html = str(BuyerDemandForm(initial={"sought_sectors": "8418, ۸۴۵۰, 9999x"})["sought_sectors"])

    assert "data-hs-multiple" in html and 'hx-get="/catalogue/hs-picker/"' in html
    assert 'name="sought_sectors"' in html and 'value="8418, ۸۴۵۰, 9999x"' in html
    assert 'maxlength="6"' not in html  # a list of codes
    assert '"min_level": "2"' in html
    named = re.findall(r'<li data-code="(\d+)">', html)
    assert named == ["8418", "8450"]  # Persian digits read, a bad code left to the service
    assert "Холодильники" in html and "Машины стиральные" in html


@pytest.mark.parametrize(
    "form_path",
    ["accounts.forms.BuyerProfileForm", "counsellors.forms.BriefForm", "counsellors.forms.DeskForm"],
)
def test_buyers_and_counsellors_forms_take_codes_with_the_picker(form_path):
    import importlib

    from taxonomy.widgets import HSCodesPickerWidget

    module, name = form_path.rsplit(".", 1)
    form = getattr(importlib.import_module(module), name)
    field = "sought_sectors" if "Buyer" in name else "sectors"
    assert isinstance(form.base_fields[field].widget, HSCodesPickerWidget)
    assert "catalogue/hs-picker.js" in str(form().media)


def test_a_buyer_sees_the_picker_in_onboarding_and_the_codes_save_as_before(client, make_user):
    from accounts.services import buyer_profile_create

    user = make_user("buyer")
    buyer_profile_create(actor=user, data={"company_name": "Erbil Appliances", "country": "IQ"})
    client.force_login(user)
    client.cookies["django_language"] = "ar"
    url = reverse("accounts:onboarding_step", args=["demand"])
    html = client.get(url).content.decode()
    assert "data-hs-multiple" in html and "catalogue/hs-picker.js" in html
    # The options come in the reader's language.
    assert (
        "ثلاجات"
        in client.get(reverse("catalogue:hs-picker"), {"q": "ثلاجة", "min_level": "2"}).content.decode()
    )

    response = client.post(
        url, {"sought_sectors": "8418, 8450", "annual_demand": "10", "demand_unit": "units"}
    )
    assert response.status_code == 302
    assert sorted(user.buyer_profile.sought_sectors.values_list("code", flat=True)) == ["8418", "8450"]
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<li data-code="8418">' in html and "ثلاجات" in html
