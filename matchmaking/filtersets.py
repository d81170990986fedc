"""The matches' filter set (NetBox's `filtersets.py`): GET /api/v1/matches/ (docs/api.md) uses it
as it is; the counsellors' review queue extends it with its page-only filters
(`counsellors.filtersets.QueueFilterSet`). Invalid values are a 400, never a 500."""

import django_filters
from django_countries import countries

from matchmaking.models import Match, MatchSource, MatchStatus, RejectReason
from matchmaking.selectors import filter_by_sector
from portal.filters import CountryCodeFilter, IdFilter
from taxonomy.filtersets import HSCodeFilter


class MatchFilterSet(django_filters.FilterSet):
    """Matches by status, source, score, party, the buyer's country, either side's sector and
    a rejection's reason.
    Without an `ordering`, the best score first (`default_order`; a subclass may keep the
    queryset's own order with an empty one)."""

    status = django_filters.MultipleChoiceFilter(
        choices=MatchStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )
    source = django_filters.ChoiceFilter(choices=MatchSource.choices)
    min_score = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        help_text="Matches scoring at least this (0 to 1).",
    )
    producer = IdFilter(field_name="producer_id", min_value=1, help_text="A producer's id.")
    buyer = IdFilter(field_name="buyer_id", min_value=1, help_text="A buyer's id.")
    country = CountryCodeFilter(
        field_name="buyer__country",
        choices=list(countries),
        help_text="The buyer's country (ISO 3166-1 alpha-2).",
    )
    sector = HSCodeFilter(
        method="filter_sector",
        help_text="An HS code at any level (84, 8418, 841810) or a section (XVI), on either side's codes.",
    )
    counsellor = IdFilter(field_name="counsellor_id", min_value=1, help_text="The counsellor's user id.")
    request = IdFilter(field_name="request_id", min_value=1, help_text="A buying request's id: its matches.")
    reason_code = django_filters.ChoiceFilter(
        choices=RejectReason.choices,
        method="filter_reason_code",
        help_text="Rejected matches with this reason (wrong_product, too_small, not_exporting, other).",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("score", "score"), ("created_at", "created_at")),
        help_text="score, created_at; '-' first for descending (default: best score first).",
    )

    default_order: tuple[str, ...] = ("-score", "id")

    class Meta:
        model = Match
        fields: list[str] = []

    def filter_sector(self, queryset, name, value: str):
        return filter_by_sector(queryset, value) if value else queryset

    def filter_reason_code(self, queryset, name, value: str):
        # A reason counts while the match is rejected (Match.reason_code).
        return queryset.filter(status=MatchStatus.REJECTED, reject_reason=value) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.default_order and not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*self.default_order)
        return queryset
