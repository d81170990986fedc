"""User-written HTML: a market brief's Markdown is rendered through nh3 (counsellors.briefs),
and every other text a user writes (product and profile descriptions, names) is escaped.
Each payload carries the marker `xssmark`; nothing carrying it may be live markup."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from counsellors.briefs import brief_create
from counsellors.models import CounsellorProfile
from tests.factories import ProductFactory, UserFactory
from tests.matchmaking.conftest import make_producer
from tests.security.support import elements_of

pytestmark = pytest.mark.django_db

MARK = "xssmark"
PAYLOADS = [
    f"<script>{MARK}(1)</script>",
    f"<SCRIPT SRC=//evil.example/{MARK}.js></SCRIPT>",
    f'<img src=x onerror="{MARK}(1)">',
    f"<img src=x onerror={MARK}(1)//",
    f'<a href="javascript:{MARK}(1)">click</a>',
    f"[click](javascript:{MARK}(1))",
    f"[click](JaVaScRiPt:{MARK}(1))",
    f"[click](&#106;avascript:{MARK}(1))",
    f"[data](data:text/html,<script>{MARK}(1)</script>)",
    f'<a href="data:text/html;base64,PHNjcmlwdD4=" title="{MARK}">x</a>',
    f"![img](javascript:{MARK}(1))",
    f'<svg onload="{MARK}(1)"><circle r="1"/></svg>',
    f"<svg><script>{MARK}(1)</script></svg>",
    f'<iframe src="javascript:{MARK}(1)"></iframe>',
    f'<iframe srcdoc="<script>{MARK}(1)</script>"></iframe>',
    f"<style>body{{background:url(javascript:{MARK}(1))}}</style>",
    f'<p style="background:url(javascript:{MARK}(1))">styled</p>',
    f'<div onmouseover="{MARK}(1)">hover</div>',
    f'<object data="javascript:{MARK}(1)"></object><embed src="javascript:{MARK}(1)">',
    f'<form action="javascript:{MARK}(1)"><button>go</button></form>',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{MARK}(1)">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{MARK}(1)">',
    f'<base href="javascript:{MARK}/">',
    f'<a href="https://ok.example" onclick="{MARK}(1)">ok</a>',
    f'"><img src=x onerror={MARK}(1)>',
    f"<scr<script>ipt>{MARK}(1)</scr</script>ipt>",
    f"<details open ontoggle={MARK}(1)>",
    f'<video><source onerror="{MARK}(1)"></video>',
]
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#", "?")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "srcdoc",
    "xlink:href",
    "background",
    "poster",
}
ACTIVE_TAGS = {"script", "iframe", "svg", "object", "embed", "style", "math", "meta", "base", "form", "video"}


def assert_inert(html: str, *, baseline: str | None = ""):
    """No element built from the payload can run anything. `baseline` is the same page
    without the payload (the site's own scripts and styles are allowed); None skips the
    comparison of active elements."""
    page, base = elements_of(html), elements_of(baseline or "")
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on") or MARK not in value, (tag, name, value)
            if name in URL_ATTRIBUTES and value:
                compact = "".join(value.split()).lower()
                assert not compact.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)
            assert not (name == "style" and MARK in value), (tag, value)
        if MARK in " ".join(attrs.values()):
            assert tag not in ACTIVE_TAGS, (tag, attrs)
    for kind, text in page.raw_text:
        assert MARK not in text, (kind, text)
    if baseline is None:
        return
    # No more active elements, nor event handlers, than the page has without the payload.
    handlers = sum(1 for _t, attrs in page.elements for name in attrs if name.startswith("on"))
    assert handlers <= sum(1 for _t, attrs in base.elements for name in attrs if name.startswith("on"))
    for tag in ACTIVE_TAGS:
        count = sum(1 for t, _ in page.elements if t == tag)
        assert count <= sum(1 for t, _ in base.elements if t == tag), tag


@pytest.fixture
def counsellor():
    user = UserFactory(role="counsellor", preferred_language="en")
    CounsellorProfile.objects.create(user=user, posted_country="IQ")
    return user


def _brief(author, body):
    return brief_create(author=author, data={"country": "IQ", "title": "Notes", "body": body})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_brief_page_renders_no_payload_live(client, counsellor, payload):
    reader = UserFactory(role="producer", preferred_language="en")
    client.force_login(reader)
    plain = client.get(reverse("counsellors:brief_detail", args=[_brief(counsellor, "Plain text.").pk]))
    brief = _brief(counsellor, f"Market notes.\n\n{payload}\n\nMore notes.")
    response = client.get(reverse("counsellors:brief_detail", args=[brief.pk]))
    assert response.status_code == 200
    assert_inert(response.content.decode(), baseline=plain.content.decode())
    assert_inert(brief.body_html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_brief_body_html_in_the_api_is_sanitised(counsellor, payload):
    api = APIClient()
    api.force_authenticate(counsellor)
    created = api.post("/api/v1/briefs/", {"country": "IQ", "title": "Notes", "body": f"Intro\n\n{payload}"})
    assert created.status_code == 201, created.content
    assert_inert(created.json()["body_html"])
    reader = APIClient()
    reader.force_authenticate(UserFactory(role="buyer"))
    shown = reader.get(f"/api/v1/briefs/{created.json()['id']}/")
    assert shown.status_code == 200
    assert_inert(shown.json()["body_html"])
    listed = reader.get("/api/v1/briefs/").json()["results"]
    assert all(MARK not in item.get("body_html", "") or "<script" not in item["body_html"] for item in listed)


def test_safe_markdown_still_renders(counsellor):
    brief = _brief(counsellor, "## Outlook\n\n**Demand** for [fridges](https://stats.example/iq) grows.")
    assert "<h2>Outlook</h2>" in brief.body_html
    assert "<strong>Demand</strong>" in brief.body_html
    assert 'href="https://stats.example/iq"' in brief.body_html
    assert 'rel="noopener noreferrer nofollow"' in brief.body_html


SCRIPT = f"<script>{MARK}(1)</script>"
IMG = f'<img src=x onerror="{MARK}(1)">'


@pytest.mark.parametrize("viewer", [None, "buyer"])
def test_catalogue_pages_escape_what_producers_write(client, viewer):
    producer = make_producer(name=f"Works {IMG}", description=f"About us {SCRIPT}")
    product = ProductFactory(producer=producer, name=f"Fridge {IMG}", description=f"Cools well {SCRIPT}")
    if viewer:
        client.force_login(UserFactory(role=viewer, preferred_language="en"))
    pages = [
        reverse("catalogue:product-detail", args=[product.pk]),
        reverse("catalogue:producer-detail", args=[producer.pk]),
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?search=Fridge",
    ]
    escaped_seen = False
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert SCRIPT not in html and IMG not in html, path
        assert_inert(html, baseline=None)
        escaped_seen |= f"&lt;script&gt;{MARK}(1)&lt;/script&gt;" in html
    assert escaped_seen  # shown as text, not dropped or run


def test_api_returns_descriptions_as_data_not_markup():
    """JSON carries the text as written; it is the page's job to escape it (as above)."""
    product = ProductFactory(producer=make_producer(), description=f"Cools well {SCRIPT}")
    body = APIClient().get(f"/api/v1/products/{product.pk}/")
    assert body.status_code == 200
    assert body["Content-Type"].startswith("application/json")
    assert body.json()["description"] == f"Cools well {SCRIPT}"
