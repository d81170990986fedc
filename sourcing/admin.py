"""Buying requests in the admin: for inspection. Requests change through sourcing.services
(the pages and the API), which check the status, log the event and tell the matcher; the
admin's one write, closing, goes through them too."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BuyingRequest, RequestEvent, RequestLine
from .services import CLOSABLE, request_close


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class RequestLineInline(_ReadOnlyInline):
    model = RequestLine
    fields = ["position", "sector", "quantity", "unit", "target_price", "specification"]


class RequestEventInline(_ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "actor", "from_status", "to_status", "note"]


@admin.register(BuyingRequest)
class BuyingRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "buyer", "destination_country", "deadline", "status", "created_at"]
    list_filter = ["status", "destination_country", "incoterm", "created_at"]
    list_select_related = ["buyer"]
    search_fields = ["title", "description", "buyer__company_name", "lines__sector__code"]
    date_hierarchy = "created_at"
    inlines = [RequestLineInline, RequestEventInline]
    actions = ["close_requests"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close the selected requests"))
    def close_requests(self, request, queryset):
        closed = 0
        for item in queryset.filter(status__in=CLOSABLE):
            request_close(request=item, actor=request.user)
            closed += 1
        self.message_user(request, _("%(n)d requests closed.") % {"n": closed})


@admin.register(RequestLine)
class RequestLineAdmin(admin.ModelAdmin):
    list_display = ["request", "position", "sector", "quantity", "unit", "target_price"]
    list_select_related = ["request", "sector"]
    search_fields = ["request__title", "sector__code"]
    raw_id_fields = ["request", "sector"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RequestEvent)
class RequestEventAdmin(admin.ModelAdmin):
    """The request's history: read-only, as every log."""

    list_display = ["request", "at", "actor", "from_status", "to_status"]
    list_filter = ["to_status"]
    list_select_related = ["request", "actor"]
    raw_id_fields = ["request", "actor"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
