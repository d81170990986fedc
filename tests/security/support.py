"""A small province for the security sweeps: one producer and one buyer with distinctive
contact strings and a match between them, a rival producer and buyer, a counsellor posted in
the buyer's country, staff, and HTML helpers."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from counsellors.briefs import brief_create
from counsellors.models import CounsellorProfile
from matchmaking.models import Match, MatchStatus
from tests.counsellors.pages_support import make_match
from tests.factories import ProductFactory, UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

# What must not leak: each contact field of each side, as it could appear in a page or JSON.
PRODUCER_CONTACTS = {
    "email": "zq.producer.mail@leakcheck.example",
    "phone": "+98 41 3555 0101",
    "contact_name": "Zqprodcontact Farahani",
    "website": "https://zq-producer-site.example",
}
BUYER_CONTACTS = {
    "email": "zq.buyer.mail@leakcheck.example",
    "phone": "+964 1 777 0202",
    "contact_name": "Zqbuycontact Al-Rubaie",
    "website": "https://zq-buyer-site.example",
}


def needles(contacts: dict[str, str]) -> dict[str, list[str]]:
    """Per field, the fragments that betray it (a phone may be shown without its spaces)."""
    return {
        "email": [contacts["email"].split("@")[0]],
        "phone": [contacts["phone"], contacts["phone"].replace(" ", "")],
        "contact_name": [contacts["contact_name"].split()[0]],
        "website": [contacts["website"].split("//")[1]],
    }


@dataclass
class World:
    producer_user: object
    buyer_user: object
    other_producer_user: object
    other_buyer_user: object
    counsellor: object
    counsellor_elsewhere: object
    staff: object
    producer: object
    buyer: object
    product: object
    match: Match
    brief: object

    def users(self) -> dict[str, object]:
        return {
            "producer (owner)": self.producer_user,
            "buyer (owner)": self.buyer_user,
            "another producer": self.other_producer_user,
            "another buyer": self.other_buyer_user,
            "counsellor": self.counsellor,
            "counsellor elsewhere": self.counsellor_elsewhere,
            "staff": self.staff,
        }


def make_world(*, status: str = MatchStatus.PROPOSED) -> World:
    counsellor = UserFactory(role="counsellor", preferred_language="en", email="desk.iq@mfa.example")
    CounsellorProfile.objects.create(user=counsellor, posted_country="IQ")
    # Posted where neither side trades, with no match of theirs: out of scope of both.
    elsewhere = UserFactory(role="counsellor", preferred_language="en", email="desk.de@mfa.example")
    CounsellorProfile.objects.create(user=elsewhere, posted_country="DE")
    staff = UserFactory(
        role="staff", is_superuser=True, preferred_language="en", email="staff@bridge.example"
    )
    producer = make_producer(
        owner=UserFactory(role="producer", preferred_language="en", email="owner.p@tabriz.example"),
        name="Sahand Refrigeration",
        **PRODUCER_CONTACTS,
    )
    buyer = make_buyer(
        owner=UserFactory(role="buyer", preferred_language="en", email="owner.b@baghdad.example"),
        company_name="Tigris Appliances",
        **BUYER_CONTACTS,
    )
    other_producer = make_producer(
        owner=UserFactory(role="producer", preferred_language="en", email="rival.p@tabriz.example"),
        name="Aras Cooling",
    )
    other_buyer = make_buyer(
        owner=UserFactory(role="buyer", preferred_language="en", email="rival.b@basra.example"),
        company_name="Basra Home",
    )
    match = make_match(producer, buyer, status=status, counsellor=counsellor)
    brief = brief_create(
        author=counsellor,
        data={"country": "IQ", "title": "Iraq cold chain", "body": "Demand for **fridges** grows."},
    )
    return World(
        producer_user=producer.owner,
        buyer_user=buyer.owner,
        other_producer_user=other_producer.owner,
        other_buyer_user=other_buyer.owner,
        counsellor=counsellor,
        counsellor_elsewhere=elsewhere,
        staff=staff,
        producer=producer,
        buyer=buyer,
        product=producer.products.first() or ProductFactory(producer=producer),
        match=match,
        brief=brief,
    )


# --- HTML -------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list[str]


class FormParser(HTMLParser):
    """Every <form> of a page with the names of the fields inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._open: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            form = Form((attributes.get("method") or "get").lower(), attributes.get("action") or "", [])
            self.forms.append(form)
            self._open.append(form)
        elif tag in ("input", "button", "select", "textarea") and self._open:
            self._open[-1].fields.append(attributes.get("name") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._open:
            self._open.pop()


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


class ElementParser(HTMLParser):
    """Every element (tag, attributes) and the text inside <script> and <style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.raw_text: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in ("script", "style"):
            self._in = tag

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.raw_text.append((self._in, data))


def elements_of(html: str) -> ElementParser:
    parser = ElementParser()
    parser.feed(html)
    parser.close()
    return parser
