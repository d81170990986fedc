"""Staff's view of the digests: preferences (editable) and the delivery log (read only: rows
are written by the sending machinery, one per user and period)."""

from django.contrib import admin

from .models import DigestDelivery, DigestPreference


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "language", "unsubscribed_at", "updated_at"]
    list_filter = ["frequency", "language"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["unsubscribed_at", "updated_at"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "period", "status", "items", "attempts", "claimed_at", "sent_at"]
    list_filter = ["status", "frequency"]
    list_select_related = ["user"]
    search_fields = ["user__email", "period"]
    date_hierarchy = "claimed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
