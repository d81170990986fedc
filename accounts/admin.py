from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import BuyerProfile, ProducerProfile, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "role",
        "preferred_language",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["role", "preferred_language", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),
    )


@admin.register(ProducerProfile)
class ProducerProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "city", "province", "verified", "open_to_any_market", "created_at"]
    list_filter = ["verified", "province", "open_to_any_market", "created_at"]
    search_fields = ["name", "description", "owner__email", "email", "contact_name", "city"]
    raw_id_fields = ["owner", "declared_sectors"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner"]


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["company_name", "owner", "country", "city", "annual_demand", "demand_unit", "created_at"]
    list_filter = ["country", "demand_unit", "created_at"]
    search_fields = ["company_name", "description", "owner__email", "email", "contact_name", "city"]
    raw_id_fields = ["owner", "sought_sectors"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner"]
