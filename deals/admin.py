from django.contrib import admin

from .models import Attachment, ConversationState, Message, Quote


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fk_name = "message"
    extra = 0
    fields = ["name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "match", "author", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["body"]
    raw_id_fields = ["match", "author"]
    readonly_fields = ["created_at"]
    inlines = [AttachmentInline]


@admin.register(ConversationState)
class ConversationStateAdmin(admin.ModelAdmin):
    list_display = ["match", "user", "last_read", "last_notified", "notified_at"]
    raw_id_fields = ["match", "user"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "content_type", "size", "match", "quote", "message", "created_at"]
    raw_id_fields = ["match", "quote", "message", "uploaded_by"]
    readonly_fields = ["token", "file", "name", "content_type", "size", "created_at"]


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
