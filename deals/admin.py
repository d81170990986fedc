from django.contrib import admin

from .models import Attachment, ConversationState, Message


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
