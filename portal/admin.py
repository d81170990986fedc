from django.contrib import admin

from .models import PendingTask


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Read-only: rows come from the outbox and leave it when sent again. Deleting one gives
    that task up (for a task that can no longer run)."""

    list_display = ["name", "args", "eta", "attempts", "created_at", "last_attempt_at"]
    list_filter = ["name"]
    search_fields = ["name", "task_id"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "task_id",
        "name",
        "args",
        "kwargs",
        "eta",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
