"""Each class of hostile input the outside review answered with a 500, as the request it sent
and as the rule that now refuses it everywhere: serializers and forms carry their columns'
lengths, lists are counted before they are read, quantities are judged as stored, text is
cleaned of control characters, and a request's metadata and size are checked first.
(`test_hostile_inputs.py` sends all of these to every endpoint and page.)"""

from __future__ import annotations

import importlib
import inspect
import json
import time

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from catalogue.models import Product
from catalogue.search import product_text
from portal.validation import multi_line, positive_quantity, single_line
from tests.factories import hs_sector
from tests.matchmaking.conftest import make_producer

APPS = ["accounts", "catalogue", "sourcing", "matchmaking", "counsellors", "deals", "digests", "portal"]


def api_client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


# --- Lengths: every input string and list is bounded, by the model's own numbers ------------


def _request_bodies():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name, component in components.items():
        if name.endswith("Request"):
            yield name, component


def test_every_string_and_list_of_every_api_request_body_is_bounded():
    unbounded = []
    for name, component in _request_bodies():
        for field, prop in component.get("properties", {}).items():
            is_text = prop.get("type") == "string" and prop.get("format") != "decimal" and "enum" not in prop
            if is_text and "maxLength" not in prop:
                unbounded.append(f"{name}.{field}")
            items = prop.get("items", {})
            if prop.get("type") == "array" and ("maxItems" not in prop or "maxLength" not in items):
                unbounded.append(f"{name}.{field}[]")
    assert unbounded == []


def _form_classes():
    for app in APPS:
        for module in ("forms", "filtersets"):
            try:
                loaded = importlib.import_module(f"{app}.{module}")
            except ImportError:
                continue
            for _name, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.split(".")[0] in APPS:
                    yield cls


@pytest.mark.django_db
def test_every_text_field_of_every_form_has_a_max_length():
    unbounded = []
    for cls in set(_form_classes()):
        if "request" in inspect.signature(cls.__init__).parameters:
            continue  # allauth's forms: their password fields are hashed, never stored
        form = cls()
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField) and field.max_length is None and "password" not in name:
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert sorted(unbounded) == []


@pytest.mark.django_db
def test_every_text_filter_of_every_filter_set_has_a_max_length():
    import django_filters

    unbounded = []
    for app in APPS:
        for module in ("filtersets",):
            try:
                loaded = importlib.import_module(f"{app}.{module}")
            except ImportError:
                continue
            for _name, cls in inspect.getmembers(loaded, inspect.isclass):
                if not issubclass(cls, django_filters.FilterSet) or cls._meta.model is None:
                    continue
                for name, field in cls().form.fields.items():
                    if isinstance(field, forms.CharField) and field.max_length is None:
                        unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert sorted(unbounded) == []


@pytest.mark.django_db
def test_over_long_values_are_field_errors_on_postgres_too(make_user):
    producer = make_producer()
    client = api_client(producer.owner)
    product = producer.products.get()
    too_long = {
        "name": "x" * 100_000,
        "description": "d" * 5001,
    }
    response = client.patch(f"/api/v1/products/{product.pk}/", too_long, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"name", "description"}
    response = client.patch(
        "/api/v1/producers/me/",
        {"website": "https://example.com/" + "y" * 300, "email": "a" * 60 + "@" + "b" * 250 + ".com"},
        content_type="application/json",
    )
    assert response.status_code == 400 and set(response.json()) == {"website", "email"}
    assert len(response.content) < 2000  # the errors do not echo the values


@pytest.mark.django_db
def test_a_name_that_grows_when_normalised_still_indexes():
    """NFKC makes "ﷺ" 18 letters: 200 of them fit the name but not a search_name cut to 200."""
    producer = make_producer()
    client = api_client(producer.owner)
    product = producer.products.get()
    response = client.patch(
        f"/api/v1/products/{product.pk}/", {"name": "ﷺ" * 200}, content_type="application/json"
    )
    assert response.status_code == 200
    assert len(Product.objects.get(pk=product.pk).search_name) == 200
    assert len(product_text(name="ﷺ" * 200, description="", hs_code="84", producer_name="", producer_description="", city="", sectors={}).name) == 200  # fmt: skip


# --- Lists: counted before their items are read ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,item", [("sectors", "84"), ("certifications", "CE"), ("target_markets", "IQ"), ("languages", "fa")]
)
def test_a_huge_list_is_refused_at_once(field, item):
    producer = make_producer()
    client = api_client(producer.owner)
    started = time.monotonic()
    response = client.patch(
        "/api/v1/producers/me/",
        {field: [f"{item}{i}" for i in range(80_000)]},
        content_type="application/json",
    )
    assert response.status_code == 400 and field in response.json()
    assert time.monotonic() - started < 2


@translation.override("en")
def test_the_list_rules_count_before_they_judge():
    from django.core.exceptions import ValidationError

    from portal.validation import certification_codes, country_codes

    with pytest.raises(ValidationError, match="At most 20"):
        certification_codes(["not valid!"] * 21)  # the size is the first complaint
    with pytest.raises(ValidationError, match="At most 60"):
        country_codes(["IQ"] * 61)
    assert certification_codes(["ce", "CE", "iso 9001"]) == ["CE", "ISO9001"]


# --- Quantities: judged as stored ----------------------------------------------------------


@translation.override("en")
def test_a_quantity_is_judged_after_rounding_to_the_stored_decimals():
    from django.core.exceptions import ValidationError

    for tiny in ("0.001", "0.004", "0.0049999"):
        with pytest.raises(ValidationError, match="smallest quantity is 0.01"):
            positive_quantity(tiny)
    assert str(positive_quantity("0.005")) == "0.01"
    assert str(positive_quantity("0.001", allow_zero=True)) == "0.00"
    for bad in ("1e999999", "9" * 41, "NaN", "-0.01", True, [1], {"a": 1}):
        with pytest.raises(ValidationError):
            positive_quantity(bad)


@pytest.mark.django_db
def test_a_quantity_that_rounds_to_zero_is_a_field_error_on_every_surface(client):
    producer = make_producer()
    product = producer.products.get()
    api = api_client(producer.owner)
    response = api.patch(f"/api/v1/products/{product.pk}/", {"annual_capacity": "0.001"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 400 and "annual_capacity" in response.json()

    client.force_login(producer.owner)
    client.cookies["django_language"] = "en"
    data = {"name": "Tiny", "hs_code": "841810", "annual_capacity": "0.001", "capacity_unit": "units", "currency": "USD"}  # fmt: skip
    for url in (
        reverse("my_products:edit", kwargs={"pk": product.pk}),
        reverse("my_products:new"),
        reverse("accounts:onboarding_step", kwargs={"step": "products"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert response.context["form"].errors["annual_capacity"] == ["The smallest quantity is 0.01."]
    assert Product.objects.filter(producer=producer).count() == 1


@pytest.mark.django_db
def test_a_form_encoded_patch_after_earlier_edits():
    """The review's sequence: edits, then `available_capacity=&moq=false` form-encoded."""
    hs_sector("841810")
    producer = make_producer()
    product = producer.products.get()
    api = api_client(producer.owner)
    for edit in ({"name": "ﷺ" * 200}, {"available_capacity": "0"}, {"annual_capacity": "0.01"}, {"moq": "5"}):
        api.patch(f"/api/v1/products/{product.pk}/", edit, content_type="application/json")
    for body in ("available_capacity=&moq=false", "available_capacity=&moq=", "moq=null&is_active=false"):
        response = api.patch(
            f"/api/v1/products/{product.pk}/", body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 400), (body, response.status_code)


# --- Text: control characters out ----------------------------------------------------------


def test_single_line_text_loses_controls_and_line_breaks():
    assert single_line(" Tabriz\u202e Cooling\r\nCo.\x00\x07\x85 ") == "Tabriz Cooling Co."
    assert single_line("\u2066شرکت\u2069 \u200fسهند\u200e") == "شرکت سهند"
    assert single_line("می\u200cشود") == "می\u200cشود"  # the ZWNJ Persian spelling needs stays
    assert single_line("a\ud800b") == "ab"
    assert multi_line("line one\r\nline\u202e two\x00\n") == "line one\nline two"


@pytest.mark.django_db
def test_names_are_stored_without_controls_through_the_api():
    producer = make_producer()
    api = api_client(producer.owner)
    response = api.patch(
        "/api/v1/producers/me/",
        {"name": "Sahand\u202e\r\nCooling", "city": "Tab\u2066riz", "description": "One\r\nTwo\u202e"},
        content_type="application/json",
    )
    assert response.status_code == 200
    producer.refresh_from_db()
    assert (producer.name, producer.city, producer.description) == ("Sahand Cooling", "Tabriz", "One\nTwo")


# --- Metadata, ids, bodies ------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_anywhere_in_a_request_is_refused_before_any_view(make_user):
    anonymous = Client(raise_request_exception=False)
    assert anonymous.get("/api/v1/products/", HTTP_AUTHORIZATION="Token abc\x00def").status_code == 401
    assert anonymous.get("/catalogue/hs-picker/?q=%00pump").status_code == 400
    assert anonymous.get("/api/v1/sectors/84%00/").status_code == 404
    response = anonymous.get("/api/v1/products/?search=%00")
    assert response.status_code == 400 and set(response.json()) == {"search"}
    assert anonymous.get("/", HTTP_COOKIE="sessionid=abcdefghij\x00kl").status_code == 400
    assert anonymous.get("/", HTTP_ACCEPT_LANGUAGE="fa\x00").status_code == 400
    client = Client(raise_request_exception=False)
    client.force_login(make_user("producer"))
    assert client.post("/my/profile/", {"name": "A\x00B"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "-1", "٣", "1.0", "99999999999999999999999"])
def test_a_malformed_id_is_a_404_on_the_api_and_the_pages(bad):
    make_producer()
    client = Client(raise_request_exception=False)
    for path in (f"/api/v1/products/{bad}/", f"/api/v1/producers/{bad}/", f"/catalogue/products/{bad}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        if path.startswith("/api/"):
            assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_unicode_digit_does_not_name_an_object():
    producer = make_producer()
    product = producer.products.get()
    arabic = str(product.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert Client().get(f"/api/v1/products/{product.pk}/").status_code == 200
    assert Client().get(f"/api/v1/products/{arabic}/").status_code == 404


@pytest.mark.django_db
def test_deep_json_and_lone_surrogates_are_400s():
    producer = make_producer()
    api = api_client(producer.owner)
    for body in ("[" * 100_000 + "]" * 100_000, json.dumps({"name": json.loads("[" * 40 + "]" * 40)}), '{"name": "\\ud800"}'):  # fmt: skip
        response = api.patch("/api/v1/producers/me/", body, content_type="application/json")
        assert response.status_code == 400 and "detail" in response.json()


@pytest.mark.django_db
def test_a_body_over_the_cap_is_a_413_for_json_as_for_forms(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    producer = make_producer()
    api = api_client(producer.owner)
    body = json.dumps({"description": "x" * 2000})
    response = api.patch("/api/v1/producers/me/", body, content_type="application/json")
    assert response.status_code == 413 and "detail" in response.json()
    response = api.generic(
        "PATCH", "/api/v1/producers/me/", body, content_type="application/json", CONTENT_LENGTH="x"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_forwarded_for_that_is_no_address_falls_back_to_the_peer(settings):
    from accounts.lockout import client_ip

    settings.AXES_TRUSTED_PROXY_COUNT = 1
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_next_that_is_not_a_path_falls_back(client):
    from django.test import RequestFactory

    from portal.redirects import safe_next

    for target in ("false", "a\r\nb", "//evil.example/", "https://evil.example/", "/ok\u202e"):
        request = RequestFactory().post("/", {"next": target})
        assert safe_next(request, "/default/") == "/default/", target
    assert safe_next(RequestFactory().post("/", {"next": "/leads/"}), "/default/") == "/leads/"
