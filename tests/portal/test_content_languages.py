"""Texts in several languages: the reader rule, what is stored, the API, the forms and the pages."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from accounts.models import ProducerProfile
from catalogue.models import Product
from catalogue.services import product_update
from counsellors.models import CounsellorProfile
from portal import content
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

FRIDGE_FA = "یخچال دوقلو سهند"
FRIDGE_EN = "Sahand twin refrigerator"
FRIDGE_AR = "ثلاجة سهند المزدوجة"


def api_client(user=None, language=None) -> Client:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    client = Client(raise_request_exception=False, **headers)
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def fridge():
    product = ProductFactory(name=FRIDGE_FA, producer__name="صنایع برودتی سهند")
    product.name_en = FRIDGE_EN
    product.save()
    return product


# --- The rule ------------------------------------------------------------------------------


def test_a_reader_gets_their_language_else_english_else_the_original(fridge):
    fridge.name_ar = FRIDGE_AR
    fridge.save()
    assert content.shown(fridge, "name", "ar") == content.Shown(FRIDGE_AR, "ar", False)
    assert content.shown(fridge, "name", "ru") == content.Shown(FRIDGE_EN, "en", False)
    assert content.shown(fridge, "name", "fa") == content.Shown(FRIDGE_FA, "fa", True)
    fridge.name_en = None
    fridge.save()
    assert content.shown(fridge, "name", "tr") == content.Shown(FRIDGE_FA, "fa", True)


def test_the_original_is_reached_even_when_another_language_has_a_translation():
    """A Russian original with a Persian translation: a Turkish reader gets the original, not Persian."""
    product = ProductFactory(name="Насос центробежный", original_language="ru")
    product.name_fa = "پمپ گریز از مرکز"
    product.save()
    assert content.shown(product, "name", "tr") == content.Shown("Насос центробежный", "ru", True)


def test_the_name_attribute_follows_the_rule_for_the_active_language(fridge):
    with translation.override("en"):
        assert fridge.name == FRIDGE_EN
    with translation.override("ru"):
        assert fridge.name == FRIDGE_EN
    with translation.override("fa"):
        assert fridge.name == FRIDGE_FA


def test_saving_under_another_language_keeps_the_original_as_typed(fridge):
    """Django saves a field through its descriptor: the base column must stay the original."""
    with translation.override("en"):
        fridge.save()
        Product.objects.filter(pk=fridge.pk).update()  # nothing but a round trip
    assert Product.objects.filter(pk=fridge.pk).values_list("name", "name_fa", "name_en").get() == (
        FRIDGE_FA,
        FRIDGE_FA,
        FRIDGE_EN,
    )


def test_assigning_the_name_writes_the_original_not_the_active_languages_column(fridge):
    with translation.override("en"):
        fridge.name = "یخچال سهند نو"
        fridge.save()
    fridge.refresh_from_db()
    assert (fridge.name_fa, fridge.name_en, content.original_text(fridge, "name")) == (
        "یخچال سهند نو",
        FRIDGE_EN,
        "یخچال سهند نو",
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ماشین‌سازی تبریز", "fa"),
        ("شركة بغداد للتجارة", "ar"),
        ("Kazan Agro Machinery", "en"),
        ("Ван Текстиль", "ru"),
        ("Van Tekstil İthalat", "tr"),
        ("ماشین‌سازی تبریز (Tabriz Machinery Co.) Industrial machine tools since 1968.", "fa"),
        ("Gearboxes for 75–110 hp tractors. گیربکس تراکتور.", "en"),
        ("", "fa"),
    ],
)
def test_the_language_of_a_text_is_guessed_from_its_letters(text, language):
    assert content.guess_language(text, default="fa") == language


def test_a_new_product_records_the_language_it_is_written_in():
    producer = ProducerProfileFactory()
    client = api_client(producer.owner)
    response = client.post(
        "/api/v1/products/",
        {"name": "Centrifugal pump", "hs_code": "841370", "annual_capacity": "500", "capacity_unit": "units"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    product = Product.objects.get(pk=response.json()["id"])
    assert (product.original_language, product.name_en) == ("en", "Centrifugal pump")


# --- The API -------------------------------------------------------------------------------


def test_the_api_answers_in_the_language_asked_and_says_which(fridge):
    fridge.name_ar = FRIDGE_AR
    fridge.save()
    url = f"/api/v1/products/{fridge.pk}/"
    by_language = {lang: api_client(language=lang).get(url).json() for lang in ("fa", "en", "ar", "ru")}
    assert {lang: (body["name"], body["language"]) for lang, body in by_language.items()} == {
        "fa": (FRIDGE_FA, "fa"),
        "en": (FRIDGE_EN, "en"),
        "ar": (FRIDGE_AR, "ar"),
        "ru": (FRIDGE_EN, "en"),
    }
    assert {body["original_language"] for body in by_language.values()} == {"fa"}
    assert by_language["en"]["producer_name"] == "صنایع برودتی سهند"  # no English name: the original


def test_translations_are_shown_to_the_owner_and_staff_only(fridge):
    url = f"/api/v1/products/{fridge.pk}/"
    expected = {"en": {"name": FRIDGE_EN, "description": ""}}
    assert api_client(fridge.producer.owner).get(url).json()["translations"] == expected
    assert api_client(UserFactory(role="staff")).get(url).json()["translations"] == expected
    assert api_client().get(url).json()["translations"] is None
    assert api_client(UserFactory(role="buyer")).get(url).json()["translations"] is None


def test_the_owner_writes_translations_and_removes_one_with_an_empty_text(fridge):
    client = api_client(fridge.producer.owner)
    url = f"/api/v1/products/{fridge.pk}/"
    response = client.patch(
        url,
        {
            "translations": {
                "ar": {"name": FRIDGE_AR},
                "ru": {"name": "Холодильник Саханд"},
                "en": {"name": ""},
            }
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    fridge.refresh_from_db()
    assert (fridge.name_ar, fridge.name_ru, fridge.name_en, fridge.name_fa) == (
        FRIDGE_AR,
        "Холодильник Саханд",
        None,
        FRIDGE_FA,
    )


@pytest.mark.parametrize(
    "translations",
    [
        {"xx": {"name": "x"}},
        {"fa": {"name": "x"}},  # the original's language
        {"en": {"hs_code": "8418"}},
        {"en": {"name": "x" * 201}},
        {"en": {"name": "a\x00b"}},
    ],
)
def test_bad_translations_are_field_errors_and_nothing_is_written(fridge, translations):
    client = api_client(fridge.producer.owner)
    response = client.patch(
        f"/api/v1/products/{fridge.pk}/",
        {"translations": translations, "moq": "5"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "translations" in response.json()
    fridge.refresh_from_db()
    assert (fridge.moq, fridge.name_en) == (None, FRIDGE_EN)


@pytest.mark.parametrize(
    "body", [{"translations": "en"}, {"translations": {"en": "name"}}, {"language": "xx"}]
)
def test_mistyped_texts_inputs_are_400(fridge, body):
    response = api_client(fridge.producer.owner).patch(
        f"/api/v1/products/{fridge.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400


def test_changing_the_originals_language_moves_the_texts(fridge):
    """The producer said Persian but wrote English: the original moves, the old column empties."""
    product = ProductFactory(name="Twin fridge")  # the factory's default: Persian
    product_update(product=product, actor=product.producer.owner, data={"language": "en"})
    product.refresh_from_db()
    assert (product.original_language, product.name_en, product.name_fa) == ("en", "Twin fridge", None)


def test_an_error_message_comes_in_the_language_asked(fridge):
    response = api_client(fridge.producer.owner, language="ru").patch(
        f"/api/v1/products/{fridge.pk}/", {"lead_time_days": "soon"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["lead_time_days"] == ["Введите правильное число."]


# --- Pages ---------------------------------------------------------------------------------


def page(client, url, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_english_page_shows_the_english_name_and_an_arabic_one_says_it_shows_english(client, fridge):
    url = f"/catalogue/products/{fridge.pk}/"
    english = page(client, url, "en")
    assert f'<bdi lang="en">{FRIDGE_EN}</bdi>' in english and "no English translation" not in english
    arabic = page(client, url, "ar")
    assert f'<bdi lang="en">{FRIDGE_EN}</bdi>' in arabic and 'class="language-note' in arabic
    persian = page(client, url, "fa")
    assert (
        f'<bdi lang="fa">{FRIDGE_FA}</bdi>' in persian
        and 'class="language-note' not in persian.split("<h1")[1].split("</h1>")[0]
    )


def test_a_page_says_when_it_shows_the_original(client):
    product = ProductFactory(name="یخچال فریزر ایستاده")
    with translation.override("en"):
        html = page(client, f"/catalogue/products/{product.pk}/", "en")
    assert '<bdi lang="fa">یخچال فریزر ایستاده</bdi>' in html
    assert "In Persian, as written: no English translation yet." in html


# --- Forms ---------------------------------------------------------------------------------


def test_the_product_form_asks_the_english_name_up_front_and_saves_translations(client):
    producer = ProducerProfileFactory()
    client.force_login(producer.owner)
    client.cookies["django_language"] = "fa"
    html = client.get("/my/products/new/").content.decode()
    fields = [name for name in ("name", "name_en", "hs_code", "name_ar") if f'name="{name}"' in html]
    assert fields == ["name", "name_en", "hs_code", "name_ar"]
    assert html.index('name="name_en"') < html.index('name="hs_code"') < html.index("<details")
    response = client.post(
        "/my/products/new/",
        {
            "name": "پمپ آب",
            "name_en": "Water pump",
            "name_ru": "Водяной насос",
            "language": "fa",
            "hs_code": "841370",
            "annual_capacity": "100",
            "capacity_unit": "units",
            "currency": "USD",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product = producer.products.get()
    assert (product.name_fa, product.name_en, product.name_ru, product.name_ar) == (
        "پمپ آب",
        "Water pump",
        "Водяной насос",
        None,
    )


def test_the_edit_form_shows_the_original_whatever_the_page_language(client, fridge):
    client.force_login(fridge.producer.owner)
    html = page(client, f"/my/products/{fridge.pk}/edit/", "en")
    assert f'name="name" value="{FRIDGE_EN}"' not in html
    assert f'value="{FRIDGE_FA}"' in html and f'value="{FRIDGE_EN}"' in html


# --- The counsellor translates a buyer of their market -------------------------------------


@pytest.fixture
def iraqi_buyer():
    return BuyerProfileFactory(company_name="شركة الرافدين للأجهزة", country="IQ", original_language="ar")


def counsellor(country):
    user = UserFactory(role="counsellor")
    CounsellorProfile.objects.create(user=user, posted_country=country)
    return user


def test_the_counsellor_of_the_market_adds_a_buyers_translations(client, iraqi_buyer):
    client.force_login(counsellor("IQ"))
    url = f"/counsellor/buyers/{iraqi_buyer.pk}/translations/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"company_name_en": "Al-Rafidain Appliances", "company_name_fa": "شرکت رافدین"}
    )
    assert response.status_code == 302
    iraqi_buyer.refresh_from_db()
    assert (iraqi_buyer.company_name_en, iraqi_buyer.company_name_fa, iraqi_buyer.company_name_ar) == (
        "Al-Rafidain Appliances",
        "شرکت رافدین",
        "شركة الرافدين للأجهزة",
    )
    assert content.original_text(iraqi_buyer, "company_name") == "شركة الرافدين للأجهزة"


@pytest.mark.parametrize("who", ["other_counsellor", "producer", "buyer_owner"])
def test_no_one_else_translates_a_buyer(client, iraqi_buyer, who):
    user = {
        "other_counsellor": lambda: counsellor("TR"),
        "producer": lambda: (
            ProducerProfile.objects.create(owner=UserFactory(role="producer"), name="x").owner
        ),
        "buyer_owner": lambda: iraqi_buyer.owner,
    }[who]()
    client.force_login(user)
    url = f"/counsellor/buyers/{iraqi_buyer.pk}/translations/"
    assert client.get(url).status_code in (403, 404)
    client.post(url, {"company_name_en": "Hijacked"})
    iraqi_buyer.refresh_from_db()
    assert iraqi_buyer.company_name_en is None


def test_an_unknown_buyer_is_404_to_the_counsellor(client):
    client.force_login(counsellor("IQ"))
    assert client.get("/counsellor/buyers/999999/translations/").status_code == 404
