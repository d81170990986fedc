from django.contrib import admin

from .models import Quote


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Read-only: quotes change through deals.quotes only (locks, the request's award, the log)."""

    list_display = ["id", "match", "request", "unit_price", "currency", "quantity", "status", "valid_until"]
    list_filter = ["status", "currency", "incoterm"]
    list_select_related = ["match", "request"]
    search_fields = ["match__producer__name", "match__buyer__company_name"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
