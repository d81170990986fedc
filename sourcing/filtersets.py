"""The buying requests' filter set: GET /api/v1/requests/ and the pages' filters. Invalid
values are a 400 (a form error on a page), never a 500."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.filters import CountryCodeFilter, IdFilter
from taxonomy.filtersets import HSCodeFilter

from .models import BuyingRequest, RequestStatus
from .selectors import filter_by_hs, on_board


class RequestFilterSet(django_filters.FilterSet):
    """Requests by status, HS code (any level), destination and buyer; a producer's list is its
    board (its sectors and markets) unless `all` is given. Newest first by default."""

    status = django_filters.MultipleChoiceFilter(
        choices=RequestStatus.choices, help_text=_("One or more statuses (repeat the parameter).")
    )
    hs = HSCodeFilter(
        method="filter_hs",
        label=_("HS code"),
        help_text=_("An HS code at any level (84, 8418, 841810) or a section (XVI), on the lines' codes."),
    )
    destination_country = CountryCodeFilter(
        field_name="destination_country",
        choices=list(countries),
        label=_("Destination country"),
        help_text=_("ISO 3166-1 alpha-2."),
    )
    buyer = IdFilter(
        method="filter_buyer", help_text=_("A buyer's id (counsellors and staff; buyers see their own).")
    )
    all = django_filters.BooleanFilter(
        method="filter_all",
        label=_("Every published request"),
        help_text=_(
            "Producers: every published request, not only those in your sectors and markets (the default)."
        ),
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("published_at", "published_at"), ("deadline", "deadline")),
        help_text=_("created_at, published_at, deadline; '-' first for descending (default: newest first)."),
    )

    class Meta:
        model = BuyingRequest
        fields: list[str] = []

    def _user(self):
        return getattr(self.request, "user", None)

    def filter_hs(self, queryset, name, value: str):
        return filter_by_hs(queryset, value) if value else queryset

    def filter_buyer(self, queryset, name, value):
        if value is None:
            return queryset
        user = self._user()
        if not (
            user and user.is_authenticated and (user.is_portal_staff or user.is_counsellor or user.is_buyer)
        ):
            raise ValidationError({"buyer": [_("Producers cannot filter requests by buyer.")]})
        return queryset.filter(buyer_id=value)

    def filter_all(self, queryset, name, value):
        return queryset  # read in filter_queryset: the board applies when it is not set

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("all"):
            queryset = on_board(self._user(), queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-created_at", "-id")
        return queryset
