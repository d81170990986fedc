"""The producers' product lines and the vocabulary that corrects search typos."""

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.content import OriginalTextManager, OriginalTexts, language_field
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
