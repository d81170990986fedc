"""accounts.verifications: request, verify, refuse, expiry; who may; what counts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts import verifications
from accounts.badges import badge_of
from accounts.models import Verification, VerificationDocument, VerificationEvent
from accounts.verifications import DocumentInput
from matchmaking.loading import load_producers
from portal.exceptions import StateConflict

from .conftest import (
    EXECUTABLE,
    certificate_scan,
    image,
    in_days,
    licence,
    pdf,
    png_bomb,
    stored_files,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db


def request(world, actor=None, documents=None, note=""):
    profile = world.producer_profile
    if documents is None:
        documents = [
            DocumentInput(file=licence(), kind="licence", expires_on=in_days(300)),
            DocumentInput(
                file=certificate_scan(), kind="certificate", certificate="iso 9001", expires_on=in_days(30)
            ),
        ]
    return verifications.verification_request(
        company=profile.company, actor=actor or world.producer, documents=documents, note=note
    )


def test_the_happy_path_verifies_and_the_badge_names_the_counsellor(
    world, django_capture_on_commit_callbacks
):
    verification = request(world, note="Our licence and ISO certificate")
    assert verification.status == "pending" and verification.created_by == world.producer
    assert [d.kind for d in verification.documents.all()] == ["licence", "certificate"]
    document = verification.documents.get(kind="certificate")
    assert document.certificate == "ISO9001" and document.name == "iso.png"
    assert document.file.name.startswith("verifications/") and "iso" not in document.file.name
    world.producer_profile.refresh_from_db()
    assert not world.producer_profile.verified

    with django_capture_on_commit_callbacks(execute=True):
        verifications.verification_verify(verification=verification, actor=world.counsellor)
    profile = world.producer_profile
    profile.refresh_from_db()
    assert profile.verified and profile.verified_at is not None
    assert profile.company.standing_id == verification.pk
    badge = badge_of(profile)
    assert badge.by == "Sara Rahimi" and badge.certificates == [("ISO9001", in_days(30))]
    assert list(VerificationEvent.objects.values_list("action", flat=True)) == ["requested", "verified"]
    # Both members of the company hear of it, each in their language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.producer.email, world.editor.email])
    # The certificate now counts in matching.
    arrays = load_producers([profile.pk])
    assert arrays.certifications[0] == {"ISO9001"}


def test_staff_verify_as_export_bridge_staff(world):
    verification = request(world)
    verifications.verification_verify(verification=verification, actor=world.staff)
    with translation.override("en"):
        assert badge_of(world.producer_profile.__class__.objects.get(pk=world.producer_profile.pk)).by == (
            "Export Bridge staff"
        )


def test_an_editor_of_the_company_may_ask_a_buyer_too(world):
    assert request(world, actor=world.editor).created_by == world.editor
    buyer_profile = world.buyer.buyer_profile
    verification = verifications.verification_request(
        company=buyer_profile.company,
        actor=world.buyer,
        documents=[DocumentInput(file=licence(), kind="chamber")],
    )
    verifications.verification_verify(verification=verification, actor=world.counsellor)
    buyer_profile.refresh_from_db()
    assert buyer_profile.verified and buyer_profile.verified_at


@pytest.mark.parametrize("who", ["other_producer", "buyer", "counsellor", "staff"])
def test_only_members_of_the_company_ask(world, who):
    with pytest.raises(PermissionDenied):
        request(world, actor=world.user(who))
    assert not Verification.objects.exists()


def test_refusal_needs_a_reason_and_is_told(world, django_capture_on_commit_callbacks):
    verification = request(world)
    with pytest.raises(ValidationError) as error:
        verifications.verification_refuse(verification=verification, actor=world.counsellor, reason="  ")
    assert "reason" in error.value.message_dict
    verification.refresh_from_db()
    assert verification.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        verifications.verification_refuse(
            verification=verification, actor=world.counsellor, reason="The licence is illegible."
        )
    verification.refresh_from_db()
    assert verification.status == "refused" and verification.reason == "The licence is illegible."
    assert any("illegible" in m.body for m in mail.outbox)
    world.producer_profile.refresh_from_db()
    assert not world.producer_profile.verified


def test_a_decided_request_is_a_conflict(world):
    verification = request(world)
    verifications.verification_verify(verification=verification, actor=world.counsellor)
    with pytest.raises(StateConflict):
        verifications.verification_verify(verification=verification, actor=world.staff)
    with pytest.raises(StateConflict):
        verifications.verification_refuse(verification=verification, actor=world.staff, reason="No")


@pytest.mark.parametrize("who", ["counsellor_out", "producer", "editor", "buyer", "other_producer"])
def test_out_of_scope_counsellors_and_others_do_not_decide(world, who):
    verification = request(world)
    with pytest.raises(PermissionDenied):
        verifications.verification_verify(verification=verification, actor=world.user(who))
    with pytest.raises(PermissionDenied):
        verifications.verification_refuse(verification=verification, actor=world.user(who), reason="No")
    verification.refresh_from_db()
    assert verification.status == "pending"


def test_one_pending_request_per_company(world):
    request(world)
    with pytest.raises(StateConflict):
        request(world)
    assert Verification.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Verification.objects.create(company=world.producer_profile.company)


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ([], "documents"),
        (
            [
                DocumentInput(
                    file=certificate_scan(), kind="certificate", certificate="ISO9001", expires_on=in_days(9)
                )
            ],
            "kinds",
        ),
        ([DocumentInput(file=licence(), kind="passport")], "kinds"),
        (
            [
                DocumentInput(file=licence(), kind="licence"),
                DocumentInput(file=certificate_scan(), kind="certificate", certificate="ISO9001"),
            ],
            "expires_on",
        ),
        (
            [
                DocumentInput(file=licence(), kind="licence"),
                DocumentInput(file=certificate_scan(), kind="certificate", expires_on=in_days(9)),
            ],
            "certificates",
        ),
        ([DocumentInput(file=licence(), kind="licence", expires_on=in_days(-1))], "expires_on"),
        ([DocumentInput(file=licence(), kind="licence", expires_on="31/12/2030")], "expires_on"),
        ([DocumentInput(file=upload("setup.pdf", EXECUTABLE), kind="licence")], "documents"),
        ([DocumentInput(file=upload("bomb.png", png_bomb()), kind="licence")], "documents"),
        ([DocumentInput(file=upload("cut.jpg", truncated_jpeg()), kind="licence")], "documents"),
        (
            [
                DocumentInput(
                    file=upload("js.pdf", pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")), kind="licence"
                )
            ],
            "documents",
        ),
        (
            [
                DocumentInput(file=licence(), kind="licence"),
                DocumentInput(file=upload("x.svg", b"<svg/>"), kind="other"),
            ],
            "documents",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(world, _media, documents, field):
    with pytest.raises(ValidationError) as error:
        request(world, documents=documents)
    assert field in error.value.message_dict
    assert not Verification.objects.exists() and not VerificationDocument.objects.exists()
    assert stored_files(_media) == []


def test_a_50_mb_file_is_refused_before_it_is_read(world, _media):
    big = upload("big.pdf", b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationError) as error, translation.override("en"):
        request(world, documents=[DocumentInput(file=big, kind="licence")])
    assert "too large" in " ".join(error.value.messages)
    assert stored_files(_media) == []


def test_expiry_drops_the_certificate_then_the_badge(world, django_capture_on_commit_callbacks):
    verification = request(
        world,
        documents=[
            DocumentInput(file=licence(), kind="licence", expires_on=in_days(60)),
            DocumentInput(
                file=upload("iso.jpg", image("JPEG")),
                kind="certificate",
                certificate="ISO9001",
                expires_on=in_days(10),
            ),
        ],
    )
    verifications.verification_verify(verification=verification, actor=world.counsellor)
    profile = world.producer_profile
    assert load_producers([profile.pk]).certifications[0] == {"ISO9001"}

    # Day 11: the certificate lapsed; the badge stays (the licence holds), the certificate goes.
    day = timezone.localdate() + datetime.timedelta(days=11)
    assert verifications.expire_verifications(today=day) == {"lapsed": 1, "expired": 0}
    assert verifications.expire_verifications(today=day) == {"lapsed": 0, "expired": 0}
    profile.refresh_from_db()
    assert profile.verified
    assert badge_of(profile, today=day).certificates == []
    assert verifications.verified_certificates([profile.pk], today=day) == {}

    # Day 61: the licence expired: the badge goes and the company is told.
    day = timezone.localdate() + datetime.timedelta(days=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert verifications.expire_verifications(today=day) == {"lapsed": 1, "expired": 1}
    profile.refresh_from_db()
    assert not profile.verified and profile.verified_at is None and profile.company.standing is None
    verification.refresh_from_db()
    assert verification.expired_at is not None
    assert [m.subject for m in mail.outbox if "expired" in m.subject]
    actions = list(verification.events.values_list("action", flat=True))
    assert actions == ["requested", "verified", "lapsed", "lapsed", "expired"]


def test_a_new_request_keeps_the_standing_until_decided(world):
    first = request(world)
    verifications.verification_verify(verification=first, actor=world.counsellor)
    second = request(world, documents=[DocumentInput(file=licence(), kind="licence")])
    verifications.verification_refuse(verification=second, actor=world.counsellor, reason="Same licence")
    world.producer_profile.refresh_from_db()
    assert world.producer_profile.verified and world.producer_profile.company.standing_id == first.pk
    third = request(world, documents=[DocumentInput(file=licence(), kind="licence")])
    verifications.verification_verify(verification=third, actor=world.staff)
    world.producer_profile.refresh_from_db()
    assert world.producer_profile.company.standing_id == third.pk
    # The newest standing has no certificate: ISO9001 no longer counts.
    assert load_producers([world.producer_profile.pk]).certifications[0] == set()


def test_the_verification_rematches_the_producer(world, monkeypatch):
    seen = []
    monkeypatch.setattr(
        "matchmaking.receivers.schedule_producer_rematch", lambda **kwargs: seen.append(kwargs)
    )
    verification = request(world)
    verifications.verification_verify(verification=verification, actor=world.counsellor)
    assert seen and seen[-1]["producer_id"] == world.producer_profile.pk
    assert "certifications" in seen[-1]["changed"]


def test_the_expiry_runs_daily_from_the_beat(world, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-expire-verifications"]
    assert entry["task"] == "accounts.tasks.expire_verifications"
    from accounts.tasks import expire_verifications

    assert expire_verifications.delay().get() == {"lapsed": 0, "expired": 0}
