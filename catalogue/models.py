"""The producers' product lines and the vocabulary that corrects search typos."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.content import OriginalTextManager, OriginalTexts, language_field
from portal.storage import private_storage, public_storage
from taxonomy.models import CapacityUnit, Sector, SectorLevel


class Product(OriginalTexts, models.Model):
    """A producer's product line and the capacity it has for export."""

    producer = models.ForeignKey(
        "accounts.ProducerProfile",
        verbose_name=_("producer"),
        on_delete=models.CASCADE,
        related_name="products",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    original_language = language_field()
    hs_code = models.ForeignKey(
        Sector,
        verbose_name=_("HS code"),
        on_delete=models.PROTECT,
        related_name="products",
        db_column="hs_code",
        limit_choices_to={"level__gte": SectorLevel.CHAPTER},
    )
    annual_capacity = models.DecimalField(_("annual capacity"), max_digits=16, decimal_places=2)
    available_capacity = models.DecimalField(
        _("available capacity for export"),
        max_digits=16,
        decimal_places=2,
        help_text=_("What is free for export each year; defaults to the annual capacity."),
    )
    capacity_unit = models.CharField(_("capacity unit"), max_length=10, choices=CapacityUnit.choices)
    moq = models.DecimalField(
        _("minimum order quantity"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    lead_time_days = models.PositiveIntegerField(
        _("lead time (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(730)],
    )
    price_min = models.DecimalField(
        _("minimum price"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    price_max = models.DecimalField(
        _("maximum price"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    incoterms = models.JSONField(_("incoterms"), default=list, blank=True)
    certifications = models.JSONField(_("certifications"), default=list, blank=True)
    is_active = models.BooleanField(_("listed in the catalogue"), default=True)
    # The product's catalogue (a PDF anyone may read: public storage), set by catalogue.pictures.
    catalogue_pdf = models.FileField(
        _("catalogue (PDF)"), storage=public_storage, upload_to="catalogues/", blank=True, editable=False
    )
    catalogue_pdf_size = models.PositiveIntegerField(
        _("catalogue size (bytes)"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Search, kept by catalogue.search: a normalised text of the product and its
    # producer (the HS names are searched in Sector); on PostgreSQL also its
    # weighted tsvector under a GIN index (made in a PostgreSQL-only migration).
    search_document = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    # The normalised name alone: exact-name hits rank first.
    search_name = models.CharField(max_length=200, editable=False, blank=True, default="")

    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["hs_code"], name="catalogue_product_hs_idx"),
            models.Index(fields=["annual_capacity"], name="catalogue_product_capacity_idx"),
            # matchmaking.producer_cache asks for the products stamped since it last looked.
            models.Index(fields=["updated_at"], name="catalogue_product_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_capacity__gt=0), name="catalogue_product_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(available_capacity__gte=0)
                & models.Q(available_capacity__lte=models.F("annual_capacity")),
                name="catalogue_product_available_within_annual",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def catalogue_pdf_url(self) -> str:
        return self.catalogue_pdf.url if self.catalogue_pdf else ""


class ProductImage(models.Model):
    """A photo of a product (public storage): the picture re-encoded without its metadata, at
    most `LARGE` pixels on its longer side, with copies at `MEDIUM` and `SMALL` for `srcset`.
    Ordered by `position`; written by catalogue.pictures, whose receivers delete the files
    when the row goes (after the commit)."""

    LARGE = 1920
    MEDIUM = 960
    SMALL = 320

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.FileField(_("image"), storage=public_storage, upload_to="products/", editable=False)
    medium = models.FileField(_("medium copy"), storage=public_storage, upload_to="products/", editable=False)
    thumbnail = models.FileField(
        _("thumbnail"), storage=public_storage, upload_to="products/", editable=False
    )
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="catalogue_image_order_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.position}"

    def scaled(self, side: int) -> tuple[int, int]:
        """The size of the copy made at most `side` pixels on its longer side."""
        longest = max(self.width, self.height)
        if longest <= side:
            return self.width, self.height
        return max(1, round(self.width * side / longest)), max(1, round(self.height * side / longest))

    def srcset(self) -> str:
        """The copies for `srcset`: each URL with its width."""
        copies = {}
        for field, side in (
            (self.thumbnail, self.SMALL),
            (self.medium, self.MEDIUM),
            (self.image, self.LARGE),
        ):
            width = self.scaled(side)[0]
            copies.setdefault(width, field.url)
        return ", ".join(f"{url} {width}w" for width, url in sorted(copies.items()))

    def files(self) -> list[str]:
        return [name for name in {self.image.name, self.medium.name, self.thumbnail.name} if name]


class SearchTerm(models.Model):
    """A word of the indexed product documents: the vocabulary that corrects typed typos.

    A query word found in no document is replaced by the closest known words
    (trigram similarity on PostgreSQL, difflib elsewhere). Kept by catalogue.search.
    """

    word = models.CharField(_("word"), max_length=100, primary_key=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.word


# --- The producer import (catalogue/imports.py) ------------------------------------------------


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent: the mail server refused it")


class ProducerInvitation(models.Model):
    """The email inviting an imported producer to choose a password: whether its last send went
    out, when, and why not. No row: never sent (imported with `--no-email`, or before these
    were recorded). Written by catalogue.invitations; staff resend from the import page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("producer"),
        on_delete=models.CASCADE,
        related_name="producer_invitation",
    )
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("producer invitation")
        verbose_name_plural = _("producer invitations")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class ProducerImportUpload(models.Model):
    """A member list uploaded on the staff import page, kept (private store) between its dry run
    and its commit: only its uploader may commit it, by its random `token`, once, before
    `expires_at`, and only while the stored file still has the `sha256` the dry run read."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="imports/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    send_invitations = models.BooleanField(_("send invitations"), default=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("producer import upload")
        verbose_name_plural = _("producer import uploads")
        indexes = [models.Index(fields=["expires_at"], name="catalogue_import_expiry_idx")]

    def __str__(self) -> str:
        return self.original_name
