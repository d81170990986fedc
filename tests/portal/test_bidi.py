"""User-written names and notes are isolated where they are shown (issue 12): a name holding
U+202E (RIGHT-TO-LEFT OVERRIDE) or mixing Persian and Latin cannot reorder what follows it.

Pages print such values through `|bdi` (a `<bdi>` element, the value kept as written), plain
text (text emails, subjects, page titles, digest lines) through `|isolate` / portal.bidi.isolate
(a note: `|isolate_lines`, each line)
(FSI … PDI around the value, its explicit bidi controls and line breaks removed)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template

from counsellors.models import CounsellorProfile
from matchmaking import lifecycle, services
from matchmaking.models import Match
from portal.bidi import FSI, PDI, isolate, isolate_lines
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

RLO = "\u202e"
PRODUCER_NAME = f"{RLO}Sahand صنایع Cooling"
BUYER_NAME = "Baghdad\u2069 Cold\r\nChain"  # a stray PDI and a line break
PRODUCT_NAME = f"{RLO}Fridge یخچال"

# --- The templates, as a class ----------------------------------------------------------------

USER_FIELD = re.compile(
    r"^(?:\w+\.)*(?:name|company_name|contact_name|full_name|get_full_name|get_short_name|city|province"
    r"|request_message|forward_note|producer_note|buyer_note|outcome_note|note|description)$"
    r"|^(?:\w+\.)*brief\.title$"
)
NOT_USER_WRITTEN = re.compile(
    r"^(section|chart|item|step|info|picker|sector|field|form|bulk|attrs|group|option|widget)\.|country\.name$"
)


def _user_written(expression: str) -> bool:
    head = expression.split("|")[0].strip()
    return bool(USER_FIELD.match(head)) and not NOT_USER_WRITTEN.search(head)


def template_files():
    root = Path(settings.BASE_DIR)
    return sorted(
        path
        for pattern in ("*/templates/**/*.html", "*/templates/**/*.txt")
        for path in root.glob(pattern)
        if "node_modules" not in path.parts
    )


def unisolated(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    # Inside a blocktranslate only its own variables appear; they are filtered in its `with`.
    translated = [
        block.span() for block in re.finditer(r"\{%\s*blocktranslate.*?endblocktranslate\s*%\}", text, re.S)
    ]
    found = []
    for match in re.finditer(r"\{\{\s*([^{}]+?)\s*\}\}", text):
        expression = match.group(1)
        if any(start <= match.start() < end for start, end in translated):
            continue
        if not _user_written(expression) or "|bdi" in expression or "|isolate" in expression:
            continue
        before = text[: match.start()]
        # A block of text (|linebreaks makes <p>s): isolated by its element's dir="auto".
        if "|linebreaks" in expression and re.search(r'dir="auto"[^<>]*>\s*$', before):
            continue
        found.append(match.group(0))
    for tag in re.finditer(r"\{%\s*blocktranslate[^%]*%\}", text):
        for name, value in re.findall(r"(\w+)=([\w.]+(?:\|[\w:.\"]+)*)", tag.group(0)):
            if _user_written(value) and "|bdi" not in value and "|isolate" not in value:
                found.append(f"{name}={value}")
    return found


def test_the_class_finds_what_it_is_for():
    assert _user_written("match.producer.name") and _user_written("brief.title|truncatechars:40")
    assert not _user_written("section.title") and not _user_written("buyer.country.name")


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_every_template_isolates_what_users_wrote(path):
    assert unisolated(path) == []


# --- The filters ------------------------------------------------------------------------------


def test_bdi_keeps_the_value_escaped_inside_an_isolate():
    rendered = Template("{% load bidi %}[{{ name|bdi }}] [{{ empty|bdi }}]").render(
        Context({"name": f"{RLO}<b>Acme</b> شرکت", "empty": ""})
    )
    assert rendered == f"[<bdi>{RLO}&lt;b&gt;Acme&lt;/b&gt; شرکت</bdi>] []"


def test_isolate_makes_one_line_without_explicit_controls():
    assert isolate(BUYER_NAME) == f"{FSI}Baghdad Cold Chain{PDI}"
    assert isolate(PRODUCER_NAME) == f"{FSI}Sahand صنایع Cooling{PDI}"
    assert isolate("") == "" and isolate(None) == ""
    assert isolate_lines(f"one{RLO}\r\ntwo\u2069") == f"{FSI}one{PDI}\n{FSI}two{PDI}"


# --- Where the names are shown ----------------------------------------------------------------


@pytest.fixture
def named_match(db):
    counsellor = UserFactory(role="counsellor", email="iraq.desk@example.com", preferred_language="en")
    CounsellorProfile.objects.create(user=counsellor, posted_country="IQ")
    producer = make_producer(("841810",), name=PRODUCER_NAME, markets=("IQ",))
    for product in producer.products.all():
        product.name = PRODUCT_NAME  # the original (portal/content.py)
        product.save()
    buyer = make_buyer(("8418",), company_name=BUYER_NAME, country="IQ")
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    return {"counsellor": counsellor, "producer": producer, "buyer": buyer, "match": match}


ISOLATED_PRODUCER = f"<bdi>{RLO}Sahand صنایع Cooling</bdi>"
ISOLATED_PRODUCT = f"<bdi>{RLO}Fridge یخچال</bdi>"
ISOLATED_BUYER = "<bdi>Baghdad\u2069 Cold\r\nChain</bdi>"


def test_the_queue_isolates_both_companies(client, named_match):
    client.force_login(named_match["counsellor"])
    page = client.get("/counsellor/queue/").content.decode()
    assert ISOLATED_PRODUCER in page and ISOLATED_BUYER in page
    assert RLO not in page.replace(ISOLATED_PRODUCER, "").replace(ISOLATED_PRODUCT, "")


def test_the_catalogue_and_product_page_isolate_product_and_producer(client, named_match):
    product = named_match["producer"].products.get()
    for path in (
        "/catalogue/",
        f"/catalogue/products/{product.pk}/",
        f"/catalogue/producers/{product.producer_id}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        # A name a page says the language of (the {% shown %} tag) is isolated with its lang.
        page = re.sub(r'<bdi lang="[a-z]{2}">', "<bdi>", response.content.decode())
        assert ISOLATED_PRODUCT in page or path.startswith("/catalogue/producers/"), path
        assert ISOLATED_PRODUCER in page, path
        # The page's <title> is text: isolated with characters, without the override.
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert RLO not in title and "<bdi>" not in title, title


def test_the_match_page_isolates_both_companies(client, named_match):
    client.force_login(named_match["counsellor"])
    page = client.get(f"/matches/{named_match['match'].pk}/").content.decode()
    assert ISOLATED_PRODUCER in page and ISOLATED_BUYER in page


def test_the_emails_isolate_the_names(named_match, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_forward(match=named_match["match"], actor=named_match["counsellor"], note="Call them")
    sent = [message for message in mail.outbox if message.to == [named_match["producer"].owner.email]]
    assert sent, [message.to for message in mail.outbox]
    message = sent[-1]
    html = message.alternatives[0][0]
    assert ISOLATED_BUYER in html
    # Text and subject: FSI … PDI, one line, no stray isolate or override left.
    assert f"{FSI}Baghdad Cold Chain{PDI}" in message.body
    assert f"{FSI}Baghdad Cold Chain{PDI}" in message.subject
    assert RLO not in message.body and "\u2069 Cold" not in message.body


def test_the_digest_lines_isolate_the_names(named_match, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from digests.builders import build_digest

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_forward(match=named_match["match"], actor=named_match["counsellor"])
    now = timezone.now()
    digest = build_digest(
        named_match["producer"].owner, since=now - timedelta(days=7), until=now + timedelta(minutes=1)
    )
    titles = [item.title for section in digest.sections for item in section.items]
    assert f"{FSI}Baghdad Cold Chain{PDI}" in titles, titles
