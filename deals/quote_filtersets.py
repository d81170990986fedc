"""The quotes' filter set, shared by the buyer's comparison page and the API's quote lists:
by status, ordered by total, unit price, lead time, validity or date. Invalid values are a 400
in the API and a field error on the page, never a 500."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Quote, QuoteStatus

ORDERINGS = (
    ("total_value", "total"),
    ("unit_price", "unit_price"),
    ("lead_time_days", "lead_time_days"),
    ("valid_until", "valid_until"),
    ("created_at", "created_at"),
)


class QuoteFilterSet(django_filters.FilterSet):
    """Without an `ordering`, the queryset's own order (newest first on a match, cheapest total
    first on a request)."""

    status = django_filters.MultipleChoiceFilter(
        choices=QuoteStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )
    ordering = django_filters.OrderingFilter(
        fields=ORDERINGS,
        field_labels={
            "total_value": _("Total"),
            "unit_price": _("Unit price"),
            "lead_time_days": _("Lead time"),
            "valid_until": _("Valid until"),
            "created_at": _("Sent"),
        },
        help_text="total, unit_price, lead_time_days, valid_until, created_at; '-' first for descending.",
    )

    class Meta:
        model = Quote
        fields: list[str] = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering")
        if ordering:  # ties in a stable order
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset
