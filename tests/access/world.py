"""The small province every access-matrix cell runs against, built once per module.

Two producers (each with a listed and an unlisted product), three buyers (two in Iraq, one in
Turkey), a counsellor posted in Iraq (the buyers' market: the matches are routed to them) and
one posted in Turkey, staff, a producer and a buyer who have not made their profile yet, a
counsellor user without a desk, a market brief by each counsellor, and five matches:

    key          producer  buyer   status     routed to
    fwd_own      P1        B1      forwarded  the Iraq counsellor   (P1's and B1's own)
    conn_own     P1        B2      connected  the Iraq counsellor   (P1's own; not B1's)
    proposed     P2        B1      proposed   the Iraq counsellor   (not yet shown to P2, B1)
    fwd_other    P2        B2      forwarded  the Iraq counsellor   (neither P1's nor B1's)
    pool         P2        B3      proposed   nobody (the shared pool: every counsellor)
    req_fwd      P1        B1      forwarded  the Iraq counsellor   (on B1's request `own`)
    req_proposed P1        B2      proposed   the Iraq counsellor   (P1's interest in B2's `other`)
    req_declared P1        B1      won        the Iraq counsellor   (on B1's `own_deal`: B1 declared
                                                                     it won, P1 has to confirm)

and the deal around them (issue 16): four buying requests,

    key          buyer  status     destination
    own          B1     published  IQ   (req_fwd: the buyer revealed to P1)
    own_pending  B1     pending    IQ   (awaiting the Iraq counsellor)
    own_deal     B1     published  IQ   (req_declared)
    other        B2     published  IQ   (req_proposed: the buyer still withheld from P1)
    turkey       B3     published  IQ   (the Turkey desk's; nobody's match: P1 may show interest)

an open quote of P1 on req_fwd (`quotes.open`), a message of B1 on req_fwd (`messages.own`)
with a text file (`attachments.own`), a text file on that quote (`attachments.quote`); and issue 17's pending verification requests of P1
(`verifications.own`, its licence `documents.own`) and P2 (`verifications.other`), both in the
Iraq desk's scope (they target Iraq), out of the Turkey desk's.

The roles of the matrix sign in as: producer = P1's owner, buyer = B1's owner, counsellor =
the Iraq desk, counsellor_out = the Turkey desk, staff; new_producer and new_buyer have no
profile yet (P1's owner invited new_buyer to its company: `invitations.own`); editor = an editor
of P1's company, member_other = an editor of P2's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts import teams
from accounts.logos import company_logo_set
from accounts.verifications import DocumentInput, verification_request
from catalogue.pictures import product_image_add
from counsellors.briefs import brief_create
from deals import conversations
from deals.attachments import attach_files
from matchmaking import outcomes
from matchmaking.models import MatchSource, MatchStatus
from portal.models import ExportJob, ExportStatus
from portal.storage import public_storage
from sourcing.models import RequestStatus
from tests.deals.quote_support import make_quote, make_request
from tests.factories import ProductFactory, UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

# The public store's file every role may fetch at /media/ (the module's own MEDIA_ROOT).
PUBLIC_FILE = "access/logo.webp"
LICENCE_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User
    others: dict = field(default_factory=dict)  # name -> User (owners of the "other" objects)
    producers: dict = field(default_factory=dict)  # own / other -> ProducerProfile
    buyers: dict = field(default_factory=dict)  # own / other / turkey -> BuyerProfile
    products: dict = field(default_factory=dict)  # own / other / own_unlisted / other_unlisted
    matches: dict = field(default_factory=dict)  # key above -> Match
    briefs: dict = field(default_factory=dict)  # own (the Iraq desk's) / other (the Turkey desk's)
    desks: dict = field(default_factory=dict)  # own / other -> CounsellorProfile
    requests: dict = field(default_factory=dict)  # own / own_pending / own_deal / other / turkey
    quotes: dict = field(default_factory=dict)  # open -> Quote
    messages: dict = field(default_factory=dict)  # own -> Message
    attachments: dict = field(default_factory=dict)  # own (a message's), quote (a quote's) -> Attachment
    verifications: dict = field(default_factory=dict)  # own (P1's) / other (P2's), both pending
    documents: dict = field(default_factory=dict)  # own -> P1's licence
    product_images: dict = field(default_factory=dict)  # own / other -> ProductImage (P1's, P2's)
    members: dict = field(default_factory=dict)  # editor (of P1) / other (of P2) -> User
    invitations: dict = field(default_factory=dict)  # own (P1's, to new_buyer; `.token`) -> Invitation
    export_jobs: dict = field(default_factory=dict)  # own -> the Iraq desk's built ExportJob

    def object(self, ref: str):
        """`"products.own"` -> the object; how the table names its targets."""
        kind, key = ref.split(".", 1)
        return getattr(self, kind)[key]


def picture_upload(name: str = "photo.png") -> SimpleUploadedFile:
    """A small real PNG, made anew for each request that sends one."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def catalogue_upload() -> SimpleUploadedFile:
    body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile("catalogue.pdf", body, content_type="application/pdf")


def build_world() -> World:
    world = World()
    users = world.users
    users["counsellor"] = make_counsellor("IQ", email="desk.iq@access.example", full_name="Iraq Desk")
    users["counsellor_out"] = make_counsellor("TR", email="desk.tr@access.example", full_name="Turkey Desk")
    users["staff"] = UserFactory(role="staff", email="staff@access.example")
    users["new_producer"] = UserFactory(role="producer", email="new.producer@access.example")
    users["new_buyer"] = UserFactory(role="buyer", email="new.buyer@access.example")
    world.others["desk_less"] = UserFactory(role="counsellor", email="no.desk@access.example")
    world.desks = {
        "own": users["counsellor"].counsellor_profile,
        "other": users["counsellor_out"].counsellor_profile,
    }

    p1 = make_producer(name="Sahand Cooling", owner=UserFactory(role="producer", email="p1@access.example"))
    p2 = make_producer(name="Aras Freezers", owner=UserFactory(role="producer", email="p2@access.example"))
    users["producer"], world.others["producer"] = p1.owner, p2.owner
    world.producers = {"own": p1, "other": p2}
    users["editor"] = _member_of(p1, "editor.p1@access.example")
    users["member_other"] = _member_of(p2, "editor.p2@access.example")
    world.members = {"editor": users["editor"], "other": users["member_other"]}
    invitation, token = teams.invite(company=p1.company, actor=p1.owner, email=users["new_buyer"].email)
    invitation.token = token
    world.invitations = {"own": invitation}
    world.products = {
        "own": p1.products.get(),
        "other": p2.products.get(),
        "own_unlisted": ProductFactory(producer=p1, name="P1 prototype", is_active=False),
        "other_unlisted": ProductFactory(producer=p2, name="P2 prototype", is_active=False),
    }

    b1 = make_buyer(company_name="Tigris Trading", owner=UserFactory(role="buyer", email="b1@access.example"))
    b2 = make_buyer(company_name="Basra Imports", owner=UserFactory(role="buyer", email="b2@access.example"))
    b3 = make_buyer(
        company_name="Bosphorus Supply",
        country="TR",
        owner=UserFactory(role="buyer", email="b3@access.example"),
    )
    users["buyer"], world.others["buyer"] = b1.owner, b2.owner
    world.buyers = {"own": b1, "other": b2, "turkey": b3}

    iraq = users["counsellor"]
    world.matches = {
        "fwd_own": make_match(p1, b1, status=MatchStatus.FORWARDED, counsellor=iraq),
        "conn_own": make_match(p1, b2, status=MatchStatus.CONNECTED, counsellor=iraq),
        "proposed": make_match(p2, b1, status=MatchStatus.PROPOSED, counsellor=iraq),
        "fwd_other": make_match(p2, b2, status=MatchStatus.FORWARDED, counsellor=iraq),
        "pool": make_match(p2, b3, status=MatchStatus.PROPOSED, counsellor=None),
    }
    world.requests = {
        "own": make_request(b1, title="Chest freezers for Basra")[0],
        "own_pending": make_request(b1, status=RequestStatus.PENDING, title="Display fridges")[0],
        "own_deal": make_request(b1, title="Cold room panels")[0],
        "other": make_request(b2, title="Ice makers")[0],
        "turkey": make_request(b3, title="Bottle coolers")[0],
    }

    def on_request(key: str) -> dict:
        request = world.requests[key]
        return {"request": request, "request_line": request.lines.get()}

    world.matches.update(
        req_fwd=make_match(p1, b1, status=MatchStatus.FORWARDED, counsellor=iraq, **on_request("own")),
        req_proposed=make_match(
            p1,
            b2,
            status=MatchStatus.PROPOSED,
            counsellor=iraq,
            source=MatchSource.PRODUCER_INTEREST,
            **on_request("other"),
        ),
        req_declared=outcomes.match_record_outcome(
            match=make_match(p1, b1, status=MatchStatus.CONNECTED, counsellor=iraq, **on_request("own_deal")),
            actor=b1.owner,
            outcome="won",
            value="40000",
            currency="USD",
            note="Signed.",
        ),
    )
    world.quotes = {"open": make_quote(world.matches["req_fwd"])}
    [quote_file] = attach_files(
        match=world.matches["req_fwd"],
        files=[SimpleUploadedFile("price-list.txt", b"CIF Basra: 310 USD.", content_type="text/plain")],
        uploaded_by=p1.owner,
        quote=world.quotes["open"],
    )
    message = conversations.post_message(
        match=world.matches["req_fwd"],
        author=b1.owner,
        body="Can you ship by March?",
        files=[SimpleUploadedFile("specification.txt", b"2,000 units, 220 V.", content_type="text/plain")],
    )
    world.messages = {"own": message}
    world.attachments = {"own": message.attachments.get(), "quote": quote_file}
    world.briefs = {
        "own": brief_create(author=iraq, data={"title": "Iraq cooling market", "body": "Demand grows."}),
        "other": brief_create(
            author=users["counsellor_out"], data={"title": "Turkey white goods", "body": "Crowded."}
        ),
    }
    # A large export the Iraq desk asked for, built (portal.exports): its requester and staff only.
    job = ExportJob.objects.create(
        requester=users["counsellor"], kind="matches", language="en", status=ExportStatus.DONE, total=0
    )
    job.file.save("access-export.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    world.export_jobs = {"own": job}
    # A file of the public store, at MEDIA_URL (`PUBLIC_FILE`).
    public_storage().save(PUBLIC_FILE, ContentFile(b"RIFF\x04\x00\x00\x00WEBP"))

    # Issue 17: P1 and P2 ask to be verified, each with a licence (a PDF).
    def verification_of(producer):
        licence = SimpleUploadedFile("licence.pdf", LICENCE_PDF, content_type="application/pdf")
        return verification_request(
            company=producer.company,
            actor=producer.owner,
            documents=[DocumentInput(file=licence, kind="licence")],
        )

    world.verifications = {"own": verification_of(p1), "other": verification_of(p2)}
    world.documents = {"own": world.verifications["own"].documents.get()}
    # Pictures (issue 17): a photo on each producer's listed product, a logo on each producer.
    world.product_images = {
        key: product_image_add(
            product=world.products[key], actor=world.producers[key].owner, upload=picture_upload()
        )
        for key in ("own", "other")
    }
    for producer in world.producers.values():
        company_logo_set(profile=producer, actor=producer.owner, upload=picture_upload())
    # Every role holds an API token (the revoke row ends the caller's own).
    for user in users.values():
        Token.objects.get_or_create(user=user)
    return world


def _member_of(profile, email: str):
    """An editor of `profile`'s company, invited and accepted through the services."""
    _invitation, token = teams.invite(company=profile.company, actor=profile.owner, email=email)
    user = UserFactory(role="buyer", email=email)
    teams.accept_invitation(token=token, actor=user)
    user.refresh_from_db()
    return user
