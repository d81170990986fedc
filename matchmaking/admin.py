from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Match, MatchEvent, MatchingConfig


@admin.register(MatchingConfig)
class MatchingConfigAdmin(admin.ModelAdmin):
    """The one row of weights, threshold and caps; saved values apply from the next rematch."""

    list_display = [
        "__str__",
        "weight_sector",
        "weight_capacity",
        "weight_market",
        "weight_certifications",
        "min_score",
    ]
    fieldsets = (
        (
            _("Weights"),
            {
                "fields": (
                    "weight_sector",
                    "weight_capacity",
                    "weight_market",
                    "weight_certifications",
                    "weight_deadline",
                )
            },
        ),
        (_("Selection"), {"fields": ("min_score", "top_k_per_buyer", "top_k_per_producer", "min_per_buyer")}),
    )

    def has_add_permission(self, request):
        return not MatchingConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """Read-only: matches change through the engine and the review services only."""

    list_display = ["id", "producer", "buyer", "score", "status", "source", "counsellor", "updated_at"]
    list_filter = ["status", "reject_reason", "source", "buyer__country"]
    list_select_related = ["producer", "buyer", "counsellor"]
    search_fields = ["producer__name", "buyer__company_name"]
    raw_id_fields = ["producer", "buyer", "counsellor"]
    inlines = [MatchEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
