from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "a-strong-test-password-1405"
# The authenticator app of every staff user the factory makes (two-factor sign-in is required
# for staff, accounts/two_factor.py): `totp_code()` is its current code.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = STAFF_TOTP_SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app with `secret` shows now (`offset` periods later)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD + offset))


def enrol_two_factor(user, secret: str = STAFF_TOTP_SECRET):
    """Give `user` an authenticator app with `secret` (allauth.mfa's own activation)."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = "producer"
    preferred_language = "fa"
    is_staff = factory.LazyAttribute(lambda user: user.role == "staff")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            user.save(update_fields=["password"])
            from accounts.verification import mark_email_verified

            mark_email_verified(user=user)

    @factory.post_generation
    def two_factor(user, create, extracted, **kwargs):
        """Staff come enrolled in two-factor sign-in (required for them) unless
        `two_factor=False`; `two_factor=True` enrols anyone."""
        from accounts.policies import two_factor_required

        wanted = two_factor_required(user) if extracted is None else extracted
        if create and wanted:
            enrol_two_factor(user)


# --- Catalogue: profiles and products -------------------------------------------------


def hs_sector(code: str):
    """The Sector for an HS code, with the section, chapter and heading above it.

    The taxonomy is loaded by a data migration; where a code is missing (a trimmed
    database) it is made here with a placeholder name.
    """
    from taxonomy.models import Sector, SectorLevel

    sector = Sector.objects.filter(pk=code).first()
    if sector is not None:
        return sector
    section, _ = Sector.objects.get_or_create(
        pk="XVI", defaults={"level": SectorLevel.SECTION, "name": "Machinery", "position": 16}
    )
    parent = section
    for length in (2, 4, 6):
        if length > len(code):
            break
        parent, _ = Sector.objects.get_or_create(
            pk=code[:length],
            defaults={
                "level": length,
                "name": f"HS {code[:length]}",
                "parent": parent,
                "section": section,
            },
        )
    return parent


class ProducerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.ProducerProfile"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory, role="producer")
    name = factory.Sequence(lambda n: f"Tabriz Works {n}")
    description = ""
    province = "East Azerbaijan"
    city = "Tabriz"
    website = factory.Sequence(lambda n: f"https://works{n}.example.com")
    email = factory.Sequence(lambda n: f"sales{n}@works.example.com")
    phone = "+98 41 3300 0000"
    contact_name = factory.Faker("name")
    target_markets = factory.LazyFunction(lambda: ["IQ"])
    certifications = factory.LazyFunction(list)

    @factory.post_generation
    def membership(profile, create, extracted, **kwargs):
        """The owner is recorded as the company's owner, as the profile services do."""
        if create:
            from accounts.companies import record_owner

            record_owner(user=profile.owner, company=profile.company)


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.BuyerProfile"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory, role="buyer")
    company_name = factory.Sequence(lambda n: f"Baghdad Trading {n}")
    country = "IQ"
    city = "Baghdad"
    website = factory.Sequence(lambda n: f"https://buyer{n}.example.com")
    email = factory.Sequence(lambda n: f"purchasing{n}@buyer.example.com")
    phone = "+964 1 700 0000"
    contact_name = factory.Faker("name")

    @factory.post_generation
    def membership(profile, create, extracted, **kwargs):
        """The owner is recorded as the company's owner, as the profile services do."""
        if create:
            from accounts.companies import record_owner

            record_owner(user=profile.owner, company=profile.company)


class ProductFactory(factory.django.DjangoModelFactory):
    """A listed product; `hs_code` may be given as a code string. Its search index is built."""

    class Meta:
        model = "catalogue.Product"
        skip_postgeneration_save = True

    producer = factory.SubFactory(ProducerProfileFactory)
    name = factory.Sequence(lambda n: f"Product line {n}")
    description = ""
    hs_code = factory.LazyFunction(lambda: hs_sector("841810"))
    annual_capacity = Decimal("1000")
    available_capacity = factory.LazyAttribute(lambda product: product.annual_capacity)
    capacity_unit = "units"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("hs_code"), str):
            kwargs["hs_code"] = hs_sector(kwargs["hs_code"])
        return kwargs

    @factory.post_generation
    def search_index(product, create, extracted, **kwargs):
        if create:
            from catalogue.search import refresh_search_index

            refresh_search_index(product_ids=[product.pk])


# --- Verification with evidence -------------------------------------------------------------


def verify_company(profile, certificates=(), *, reviewer=None, expires_on=None, licence_expires_on=None):
    """Record `profile`'s company as verified (a licence and a certificate for each code of
    `certificates`, valid for a year unless `expires_on`), as a decided review would, and
    update its standing. The files are not written: the rows name them only (matching and
    badges read the rows)."""
    import datetime

    from django.utils import timezone

    from accounts.models import DocumentKind, Verification, VerificationDocument
    from accounts.verifications import refresh_standing

    today = timezone.localdate()
    verification = Verification.objects.create(
        company=profile.company,
        status="verified",
        reviewer=reviewer,
        reviewed_as="counsellor" if reviewer is not None and reviewer.is_counsellor else "staff",
        decided_at=timezone.now(),
        created_by=profile.owner,
    )
    documents = [(DocumentKind.LICENCE, "", licence_expires_on)]
    documents += [
        (DocumentKind.CERTIFICATE, code, expires_on or today + datetime.timedelta(days=365))
        for code in certificates
    ]
    for n, (kind, code, expiry) in enumerate(documents):
        token = f"test-{verification.pk}-{n}-" + "x" * 20
        VerificationDocument.objects.create(
            verification=verification,
            kind=kind,
            certificate=code,
            expires_on=expiry,
            token=token,
            file=f"verifications/{token}",
            name=f"{kind}.pdf",
            size=10,
            content_type="application/pdf",
        )
    refresh_standing(profile.company)
    profile.refresh_from_db()
    return verification
