"""Filters of the counsellors' pages: the review queue and the market briefs.

Invalid values are form errors shown beside the field, never a server error. Who sees
what is not decided here: the views pass querysets already scoped by the selectors.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from catalogue.filters import CountryCodeFilter, HSCodeFilter
from counsellors.models import MarketBrief
from matchmaking.ageing import ageing_q
from matchmaking.models import Match, MatchSource, MatchStatus
from matchmaking.selectors import filter_by_sector
from taxonomy.models import SectorLevel
from taxonomy.widgets import HSCodePickerWidget

MAX_AGE_DAYS = 3650


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("Any country")), *countries]


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilter(django_filters.FilterSet):
    """The review queue's filters; the status is "proposed" unless the request names one
    (an empty status means any). The order is fixed: buyers' requests, then the best score."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MatchStatus.choices, empty_label=_("Any status")
    )
    country = CountryCodeFilter(
        label=_("Buyer’s country"), field_name="buyer__country", choices=_country_choices
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

    class Meta:
        model = Match
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = MatchStatus.PROPOSED
        super().__init__(data, *args, **kwargs)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def filter_sector(self, queryset, name, value: str):
        return filter_by_sector(queryset, value) if value else queryset

    def filter_min_score(self, queryset, name, value):
        return queryset.filter(score__gte=value / 100) if value is not None else queryset

    def filter_older_than(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - datetime.timedelta(days=value))

    def filter_ageing(self, queryset, name, value):
        return queryset.filter(ageing_q()) if value else queryset


class BriefFilter(django_filters.FilterSet):
    """The market briefs' filters: the country and a sector at, under or above a code."""

    country = CountryCodeFilter(label=_("Country"), field_name="country", choices=_country_choices)
    sector = HSCodeFilter(
        label=_("Sector (HS code)"),
        method="filter_sector",
        widget=HSCodePickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_("A chapter, heading or subheading, e.g. 84 or 8418."),
    )

    class Meta:
        model = MarketBrief
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter_sector(self, queryset: QuerySet, name, value: str):
        if not value:
            return queryset
        if value.isdigit():
            above = [value[:n] for n in (2, 4) if n < len(value)]
            condition = Q(sector__code__startswith=value) | Q(sector__code__in=above)
        else:
            condition = Q(sector__section_id=value)
        tagged = MarketBrief.sectors.through.objects.filter(condition, marketbrief_id=OuterRef("pk"))
        return queryset.filter(Exists(tagged))
