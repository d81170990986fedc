"""The counsellors' filter sets, one per resource, shared by the pages and the API (NetBox's
`filtersets.py`): counsellors' desks, market briefs, and the review queue, which is the
matches' filter set (`matchmaking.filtersets.MatchFilterSet`) extended with the queue page's
own filters.

What a resource filters by, and how, is declared once, in its filter set, which the API uses
as it is. A page that shows the filters in its own words (labels, pickers, "any" choices) or
offers fewer of them subclasses that filter set: it re-labels the filters it shows (their
`method` or field stays the parent's), drops the ones it does not offer (`= None`) and adds
its own. An HS code filters as `taxonomy.sectors.sector_q` says.

Invalid values are form errors (a 400 from the API, shown beside the field on a page), never
a server error. Who sees what is not decided here: the views pass querysets already scoped
by the selectors.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Language
from counsellors.models import CounsellorProfile, MarketBrief
from matchmaking.ageing import ageing_q
from matchmaking.filtersets import MatchFilterSet
from matchmaking.models import MatchSource, MatchStatus, RejectReason
from portal.filters import CountryCodeFilter, IdFilter, country_choices, style_filter_form
from taxonomy.filtersets import HSCodeFilter
from taxonomy.models import SectorLevel
from taxonomy.sectors import tagged_with
from taxonomy.widgets import HSCodePickerWidget

MAX_AGE_DAYS = 3650


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


# --- Counsellors' desks -------------------------------------------------------------------


class CounsellorFilterSet(django_filters.FilterSet):
    """GET /api/v1/counsellors/: by country (posted in or covered) and sector."""

    country = CountryCodeFilter(
        method="filter_country",
        choices=list(countries),
        help_text=_("Posted in or covering this country (ISO 3166-1 alpha-2)."),
    )
    sector = HSCodeFilter(method="filter_sector", help_text=_("An HS code at any level, or a section."))
    is_active = django_filters.BooleanFilter(help_text=_("Takes new matches."))

    class Meta:
        model = CounsellorProfile
        fields: list[str] = []

    def filter_country(self, queryset, name, value: str):
        if not value:
            return queryset
        # Stored comma-separated two-letter codes: a two-letter substring is a whole code.
        return queryset.filter(Q(posted_country=value) | Q(covered_countries__contains=value))

    def filter_sector(self, queryset, name, value: str):
        # A desk on chapter 84 also covers a query for 8418: the codes above count too.
        return queryset.filter(tagged_with(CounsellorProfile.sectors, value, ancestors=True))


# --- Market briefs ------------------------------------------------------------------------


class BriefFilterSet(django_filters.FilterSet):
    """GET /api/v1/briefs/ and, through `BriefPageFilterSet`, the briefs page: the country, a
    sector at, under or above a code, the language and the author."""

    country = CountryCodeFilter(
        field_name="country", choices=list(countries), help_text=_("ISO 3166-1 alpha-2.")
    )
    sector = HSCodeFilter(method="filter_sector", help_text=_("An HS code at any level, or a section."))
    language = django_filters.ChoiceFilter(choices=Language.choices)
    author = IdFilter(field_name="author_id", min_value=1, help_text=_("The author's user id."))

    class Meta:
        model = MarketBrief
        fields: list[str] = []

    def filter_sector(self, queryset, name, value: str):
        # A brief on chapter 84 speaks to a query for 8418: the codes above count too.
        return queryset.filter(tagged_with(MarketBrief.sectors, value, ancestors=True))


class BriefPageFilterSet(BriefFilterSet):
    """The briefs page: the country and the sector only, in the page's words and picker."""

    country = CountryCodeFilter(label=_("Country"), field_name="country", choices=country_choices)
    sector = HSCodeFilter(
        label=_("Sector (HS code)"),
        method="filter_sector",
        widget=HSCodePickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_("A chapter, heading or subheading, e.g. 84 or 8418."),
    )
    language = None
    author = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filter_form(self.form)


# --- The review queue (matches) -----------------------------------------------------------


class QueueFilterSet(MatchFilterSet):
    """The review queue page: the matches' filters in the page's words, a single status that is
    "proposed" unless the request names one (an empty status means any), the score in percent,
    and the queue's own filters (waiting time, ageing). The order is the queue's, fixed:
    buyers' requests, then the best score."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MatchStatus.choices, empty_label=_("Any status")
    )
    country = CountryCodeFilter(
        label=_("Buyer’s country"), field_name="buyer__country", choices=country_choices
    )
    sector = HSCodeFilter(
        label=_("Sector (HS code)"),
        method="filter_sector",
        widget=HSCodePickerWidget,
        help_text=_("A chapter, heading or subheading (84, 8418, 841810) on either side."),
    )
    min_score = django_filters.NumberFilter(
        label=_("Score at least (%)"),
        method="filter_min_score",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=MatchSource.choices, empty_label=_("Any source")
    )
    reason_code = django_filters.ChoiceFilter(
        label=_("Reason for rejecting"),
        choices=RejectReason.choices,
        method="filter_reason_code",
        empty_label=_("Any reason"),
    )
    older_than = DaysFilter(
        label=_("Waiting longer than (days)"),
        method="filter_older_than",
        min_value=0,
        max_value=MAX_AGE_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )
    ageing = django_filters.BooleanFilter(
        label=_("Ageing only (past the service level)"),
        method="filter_ageing",
        widget=forms.CheckboxInput,
    )
    # The API's party and ordering filters are not the queue's.
    producer = None
    buyer = None
    counsellor = None
    ordering = None

    default_order = ()  # the queue's own order (selectors.review_queue)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = MatchStatus.PROPOSED
        super().__init__(data, *args, **kwargs)
        style_filter_form(self.form)

    def filter_min_score(self, queryset, name, value):
        return queryset.filter(score__gte=value / 100) if value is not None else queryset

    def filter_older_than(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - datetime.timedelta(days=value))

    def filter_ageing(self, queryset, name, value):
        return queryset.filter(ageing_q()) if value else queryset
