"""The reference data every app speaks in: the Harmonized System, units and Incoterms.

The HS tree (`Sector`) is read by profiles (sectors a producer declares, a buyer seeks),
products, counsellors' desks and the matching engine; it sits below them all.
"""

from django.db import models
from django.db.models import JSONField, Value
from django.utils.translation import gettext_lazy as _

from portal.content import OriginalTextManager, OriginalTexts, localized_name, portal_languages, shown_text
from portal.stemming import indexed_text


def hs_codes_above(code: str) -> list[str]:
    """The HS codes above a 4 or 6-digit `code` (its chapter, its heading), without the section:
    '841810' → ['84', '8418']; a chapter or a section has none."""
    if not code.isdigit():
        return []
    return [code[:n] for n in (2, 4) if n < len(code)]


class SectorLevel(models.IntegerChoices):
    SECTION = 0, _("Section")
    CHAPTER = 2, _("Chapter (2 digits)")
    HEADING = 4, _("Heading (4 digits)")
    SUBHEADING = 6, _("Subheading (6 digits)")


class Sector(OriginalTexts, models.Model):
    """One node of the HS tree: a section (roman numeral) or a 2, 4 or 6-digit code."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=SectorLevel.choices, db_index=True)
    name = models.CharField(_("name"), max_length=600)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    section = models.ForeignKey(
        "self",
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": SectorLevel.SECTION},
    )
    # Section order (I..XXI) for listing sections in their natural order.
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The languages whose name an operator wrote (the admin, or a name column of an imported
    # file): `import_hs_codes` keeps those names rather than take the shipped translation.
    # Defaults in the database too: rows written without them (raw SQL, an older migration's
    # model) are valid.
    edited_names = models.JSONField(
        _("names edited by an operator"),
        default=list,
        db_default=Value([], JSONField()),
        blank=True,
        editable=False,
    )
    # The names' words in every language with their stems (`portal.stemming.indexed_text`),
    # what the HS search looks words up in (taxonomy/search.py); kept current by `save`.
    search_keys = models.TextField(default="", db_default="", blank=True, editable=False)

    # The nomenclature's own names are English; taxonomy/translation.py adds a column per language.
    ORIGINAL_LANGUAGE = "en"
    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["level", "position", "code"]
        # The table keeps the name it had when the catalogue held the taxonomy (migrated state only).
        db_table = "catalogue_sector"

    def __str__(self) -> str:
        return f"{self.code} — {self.display_name}"

    def save(self, *args, **kwargs):
        self.search_keys = sector_search_keys(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and any(field.startswith("name") for field in update_fields):
            kwargs["update_fields"] = {*update_fields, "search_keys"}
        return super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name in the reader's language, else English (portal/content.py)."""
        return shown_text(self, "name")

    def ancestor_codes(self) -> list[str]:
        """The HS codes above this one (chapter, heading), without the section."""
        return hs_codes_above(self.code)


def sector_names(sector) -> list[tuple[str, str]]:
    """A sector's names as (language, name): the nomenclature's English (the base column), then
    every other language's (a historical model from a migration will do too)."""
    names = [("en", sector.__dict__.get("name") or "")]
    names += [
        (language, getattr(sector, localized_name("name", language), None) or "")
        for language in portal_languages()
    ]
    return [(language, name) for language, name in names if name]


def sector_search_keys(sector) -> str:
    return indexed_text(sector_names(sector))


class SectorTerm(models.Model):
    """A word of the HS names (any language, normalised): the vocabulary a query word that
    matches nothing is corrected against (taxonomy/search.py)."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)

    class Meta:
        verbose_name = _("HS search term")
        verbose_name_plural = _("HS search terms")

    def __str__(self) -> str:
        return self.word


class CapacityUnit(models.TextChoices):
    UNITS = "units", _("units")
    SETS = "sets", _("sets")
    PAIRS = "pairs", _("pairs")
    KG = "kg", _("kilograms")
    TONNES = "tonnes", _("tonnes")
    LITRES = "litres", _("litres")
    M2 = "m2", _("square metres")
    M3 = "m3", _("cubic metres")


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
