"""Trade counsellors (where they are posted, what they cover) and their market briefs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.content import OriginalTextManager, OriginalTexts


class CounsellorProfile(models.Model):
    """A trade counsellor posted abroad: the market whose matches are routed to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="counsellor_profile",
    )
    posted_country = CountryField(_("posted in"))
    covered_countries = CountryField(_("also covers"), multiple=True, blank=True)
    sectors = models.ManyToManyField(
        "taxonomy.Sector", verbose_name=_("sectors"), blank=True, related_name="counsellors"
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(
        _("takes new matches"),
        default=True,
        help_text=_("Off while on leave: new matches are routed to colleagues."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("counsellor profile")
        verbose_name_plural = _("counsellor profiles")
        ordering = ["posted_country", "id"]
        indexes = [models.Index(fields=["posted_country"], name="counsellor_posted_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.posted_country.code})"


class MarketBrief(OriginalTexts, models.Model):
    """A counsellor's note on their market: Markdown as written, and the sanitised HTML shown."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="briefs"
    )
    country = CountryField(_("country"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=20000)
    body_html = models.TextField(editable=False, blank=True)
    sectors = models.ManyToManyField(
        "taxonomy.Sector", verbose_name=_("sectors"), blank=True, related_name="briefs"
    )
    language = models.CharField(_("language"), max_length=5, default="fa")
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The original's language (briefs had it before they had translations).
    ORIGINAL_LANGUAGE_FIELD = "language"
    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("market brief")
        verbose_name_plural = _("market briefs")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["country", "-published_at"], name="brief_country_idx")]

    def __str__(self) -> str:
        return self.title
