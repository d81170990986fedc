"""The portal's user: email is the login, a role decides what the user sees."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from rest_framework.authtoken.models import Token

from portal.content import OriginalTextManager, OriginalTexts, language_field
from portal.storage import private_storage, public_storage

from .managers import UserManager


class Role(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    BUYER = "buyer", _("Buyer")
    COUNSELLOR = "counsellor", _("Trade counsellor")
    STAFF = "staff", _("Staff")


# The roles of the two sides of a match; a user's side is `User.party_side`.
PARTY_ROLES = (Role.PRODUCER, Role.BUYER)


class Language(models.TextChoices):
    """The interface languages (settings.LANGUAGES), for the fields that store one."""

    PERSIAN = "fa", _("Persian")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    TURKISH = "tr", _("Turkish")


class CompanyKind(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    BUYER = "buyer", _("Buyer")


class CompanyRole(models.TextChoices):
    """A member's place in their company: the owner (one) manages the members; editors edit."""

    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")


class Company(models.Model):
    """The firm behind one producer's or buyer's profile: what its members (users) belong to.

    The profile holds what the firm says of itself; the company is what stays the same when
    people come and go (its members, its verification). Every profile has one, made with it
    (`ProducerProfile.save`, `BuyerProfile.save`); who acts for it is `accounts.companies`.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=CompanyKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Its standing (accounts.verifications keeps it): the verified request whose evidence still
    # holds, none when never verified or when that evidence expired.
    standing = models.ForeignKey(
        "accounts.Verification",
        verbose_name=_("current verification"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["id"]

    def __str__(self) -> str:
        profile = getattr(self, self.kind, None)
        return str(profile) if profile is not None else f"{self.get_kind_display()} #{self.pk}"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PRODUCER)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.PERSIAN
    )
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Whether the user can log into the Django admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The company this user works for (its owner or an editor); none for counsellors, staff
    # and a producer or buyer before their profile exists (accounts.companies).
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    company_role = models.CharField(
        _("role in the company"), max_length=10, choices=CompanyRole.choices, blank=True
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        indexes = [models.Index(fields=["role"], name="accounts_user_role_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_revoked = True

    def save(self, *args, **kwargs) -> None:
        """A new password (set by the user, a reset link, staff in the admin or a command) or
        an unusable one ends every API token of the account: the next call needs a new one.
        Django's own hash upgrade at sign-in clears `_password` first, so it keeps them."""
        changed = self.pk is not None and (
            self._password is not None or getattr(self, "_password_revoked", False)
        )
        super().save(*args, **kwargs)
        self._password_revoked = False
        if changed:
            Token.objects.filter(user_id=self.pk).delete()

    @property
    def is_portal_staff(self) -> bool:
        """Staff role or a superuser: sees and may do everything in the portal."""
        return self.is_superuser or self.role == Role.STAFF

    @property
    def is_producer(self) -> bool:
        return self.role == Role.PRODUCER

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_counsellor(self) -> bool:
        return self.role == Role.COUNSELLOR

    @property
    def party_side(self) -> str | None:
        """The side of a match this user's role puts them on: "producer" or "buyer" (the names
        of a match's two profiles); None for counsellors and staff."""
        return str(self.role) if self.role in PARTY_ROLES else None


class CompanyLogo(models.Model):
    """A company's logo on its profile (public storage): the picture re-encoded without its
    metadata, at most `LOGO_SIDE` pixels on its longer side, and a thumbnail for lists. Set and
    removed by `accounts.logos`; the files go when the row or the logo does (after the commit)."""

    LOGO_SIDE = 512
    THUMBNAIL_SIDE = 128

    logo = models.FileField(_("logo"), storage=public_storage, upload_to="logos/", blank=True, editable=False)
    logo_thumbnail = models.FileField(
        _("logo thumbnail"), storage=public_storage, upload_to="logos/", blank=True, editable=False
    )
    logo_width = models.PositiveIntegerField(_("logo width"), null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(_("logo height"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def logo_url(self) -> str:
        return self.logo.url if self.logo else ""

    @property
    def logo_thumbnail_url(self) -> str:
        return self.logo_thumbnail.url if self.logo_thumbnail else ""

    def logo_files(self) -> list[str]:
        """The names of the stored logo files (to delete once they are no longer referenced)."""
        return [name for name in (self.logo.name, self.logo_thumbnail.name) if name]


class ProducerProfile(OriginalTexts, CompanyLogo, models.Model):
    """A producing company: who it is, how to reach it, where it wants to sell."""

    owner = models.OneToOneField(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="producer_profile"
    )
    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="producer", editable=False
    )
    name = models.CharField(_("company name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    original_language = language_field()
    province = models.CharField(_("province"), max_length=100, default="East Azerbaijan")
    city = models.CharField(_("city"), max_length=100, blank=True, default="Tabriz")
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    declared_sectors = models.ManyToManyField(
        "taxonomy.Sector", verbose_name=_("declared sectors"), blank=True, related_name="declaring_producers"
    )
    target_markets = CountryField(_("target markets"), multiple=True, blank=True)
    open_to_any_market = models.BooleanField(
        _("open to any market"),
        default=False,
        help_text=_("Willing to export anywhere, not only to target markets."),
    )
    export_experience = CountryField(_("countries already exported to"), multiple=True, blank=True)
    certifications = models.JSONField(_("certifications"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    # Kept by accounts.verifications from the company's standing (never written elsewhere):
    # the catalogue's filter and the API read them without a join.
    verified = models.BooleanField(_("verified"), default=False, editable=False, db_index=True)
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True, editable=False)
    # Set when `import_producers` made the profile: an import changes only the profiles it
    # made, and only until their producer first signs in (catalogue/imports.py).
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("producer profile")
        verbose_name_plural = _("producer profiles")
        ordering = ["name", "id"]
        # matchmaking.producer_cache asks for the profiles stamped since it last looked.
        indexes = [models.Index(fields=["updated_at"], name="accounts_producer_updated_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        ensure_company(self, CompanyKind.PRODUCER)
        super().save(*args, **kwargs)


class BuyerProfile(OriginalTexts, CompanyLogo, models.Model):
    """A foreign buyer: its company, country, what it seeks and how much."""

    owner = models.OneToOneField(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="buyer_profile"
    )
    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="buyer", editable=False
    )
    company_name = models.CharField(_("company name"), max_length=200)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    original_language = language_field()
    sought_sectors = models.ManyToManyField(
        "taxonomy.Sector", verbose_name=_("sought sectors"), blank=True, related_name="seeking_buyers"
    )
    seeks_parts = models.BooleanField(
        _("also parts and components"),
        default=False,
        help_text=_(
            "Also propose makers of the parts and components of what you seek (e.g. vehicle parts for vehicles)."
        ),
    )
    annual_demand = models.DecimalField(
        _("annual demand"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    demand_unit = models.CharField(_("demand unit"), max_length=10, blank=True)
    typical_order = models.DecimalField(
        _("typical order size"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    required_certifications = models.JSONField(_("required certifications"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    # As on the producer's profile: kept by accounts.verifications.
    verified = models.BooleanField(_("verified"), default=False, editable=False, db_index=True)
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("buyer profile")
        verbose_name_plural = _("buyer profiles")
        ordering = ["company_name", "id"]
        indexes = [models.Index(fields=["country"], name="accounts_buyer_country_idx")]

    def __str__(self) -> str:
        return self.company_name

    def save(self, *args, **kwargs):
        ensure_company(self, CompanyKind.BUYER)
        super().save(*args, **kwargs)


def ensure_company(profile, kind: str) -> None:
    """Give a new profile its company (a profile never exists without one). A bulk insert skips
    `save()`: it must bring companies of its own (`Company.objects.bulk_create`)."""
    if profile.company_id is None:
        profile.company = Company.objects.create(kind=kind)


# --- Verification with evidence (docs/design.md "Trust and media"; rules in accounts.verifications) --


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class DocumentKind(models.TextChoices):
    LICENCE = "licence", _("Business licence")
    CHAMBER = "chamber", _("Chamber of commerce membership")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other document")


# The documents that show the company exists and trades: a request brings at least one, and
# the badge lasts while one of them is unexpired.
BASIS_KINDS = (DocumentKind.LICENCE, DocumentKind.CHAMBER)


class ReviewerRole(models.TextChoices):
    COUNSELLOR = "counsellor", _("Trade counsellor")
    STAFF = "staff", _("Export Bridge staff")


class Verification(models.Model):
    """A company's request to be verified, with its evidence, and the reviewer's decision."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="verifications"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    note = models.TextField(_("note to the reviewer"), max_length=2000, blank=True)
    reviewer = models.ForeignKey(
        User, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reviewer was when deciding (the badge names a counsellor, or "Export Bridge staff").
    reviewed_as = models.CharField(_("reviewed as"), max_length=12, choices=ReviewerRole.choices, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Set by the daily expiry when its licence (and chamber membership) expired: the badge went.
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(status="pending"),
                name="accounts_verification_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(reason=""),
                name="accounts_verification_refused_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="accounts_verif_status_idx")]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_status_display()})"


def evidence_path(instance, filename: str) -> str:
    """A random token under the month, never the uploaded name."""
    return f"verifications/{timezone.now():%Y/%m}/{instance.token}"


class VerificationDocument(models.Model):
    """One piece of evidence: stored privately, served only by accounts' checked view."""

    verification = models.ForeignKey(
        Verification, verbose_name=_("verification"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    # For a certificate: its code as the profiles spell certifications (e.g. ISO9001).
    certificate = models.CharField(_("certificate"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    token = models.CharField(_("token"), max_length=40, unique=True, editable=False)
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_path, max_length=200)
    name = models.CharField(
        _("name"), max_length=150, help_text=_("Shown only: the file is stored under its token.")
    )
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    # Set by the daily expiry once `expires_on` passed on a verified request (told once).
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="certificate")
                | (models.Q(expires_on__isnull=False) & ~models.Q(certificate="")),
                name="accounts_verification_certificate_dated",
            )
        ]
        indexes = [models.Index(fields=["expires_on"], name="accounts_verifdoc_expires_idx")]

    def __str__(self) -> str:
        return self.name


class VerificationEvent(models.Model):
    """The history of a request: asked, verified, refused, a certificate lapsed, expired."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        VERIFIED = "verified", _("Verified")
        REFUSED = "refused", _("Refused")
        LAPSED = "lapsed", _("Certificate expired")
        EXPIRED = "expired", _("Verification expired")

    verification = models.ForeignKey(
        Verification, verbose_name=_("verification"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification event")
        verbose_name_plural = _("verification events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_action_display()


def default_token_lifetime_days() -> int:
    return settings.API_TOKEN_LIFETIME_DAYS


class ApiTokenConfig(models.Model):
    """The one row of API token rules, edited by staff in the admin; the default lifetime
    comes from settings (API_TOKEN_LIFETIME_DAYS)."""

    SINGLETON_ID = 1

    lifetime_days = models.PositiveSmallIntegerField(
        _("token lifetime (days)"),
        default=default_token_lifetime_days,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "An API token stops working this many days after it was issued; the integration then "
            "asks for a new one with its email and password. Applies to tokens already issued."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("API token settings")
        verbose_name_plural = _("API token settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="accounts_api_token_config_singleton")
        ]

    def __str__(self) -> str:
        return str(_("API token settings"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)


def api_token_lifetime_days() -> int:
    """How long an API token lives: the admin's row where there is one, else the setting."""
    row = ApiTokenConfig.objects.filter(pk=ApiTokenConfig.SINGLETON_ID).values_list(
        "lifetime_days", flat=True
    )
    return row.first() or default_token_lifetime_days()


def api_token_lifetime():
    """`api_token_lifetime_days` as a query expression, so a token's lookup reads its lifetime
    in the same query (every API request authenticates)."""
    row = ApiTokenConfig.objects.filter(pk=ApiTokenConfig.SINGLETON_ID).values("lifetime_days")[:1]
    return Coalesce(Subquery(row), Value(default_token_lifetime_days()))


class Invitation(models.Model):
    """An invitation by email to join a company as an editor (accounts.teams).

    The link's token is stored only as its SHA-256 digest: the database alone does not let
    anyone in. An invitation is pending until accepted, revoked or past `expires_at`; at most
    one pending invitation per company and address (a new one replaces the old).
    """

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role in the company"), max_length=10, choices=CompanyRole.choices, default=CompanyRole.EDITOR
    )
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_open_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
