from allauth.mfa import admin as allauth_mfa_admin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiTokenConfig,
    BuyerProfile,
    Company,
    Invitation,
    ProducerProfile,
    User,
    Verification,
    VerificationDocument,
    VerificationEvent,
)
from .verification import mark_email_verified


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
    readonly_fields = ["last_login", "date_joined", "company", "company_role"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "preferred_language")}),
        # Membership changes through the team pages and API (accounts.teams), not here.
        (_("Company"), {"fields": ("company", "company_role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Made by an operator: signs in at once, like users made through the API.
            mark_email_verified(user=obj)


@admin.register(ProducerProfile)
class ProducerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "city",
        "province",
        "verified",
        "verified_at",
        "open_to_any_market",
        "created_at",
    ]
    list_filter = ["verified", "province", "open_to_any_market", "created_at"]
    search_fields = ["name", "description", "owner__email", "email", "contact_name", "city"]
    raw_id_fields = ["owner", "declared_sectors"]
    list_select_related = ["owner"]

    def get_readonly_fields(self, request, obj=None):
        # The content is the producer's (edited through the services). "Verified" is no longer
        # a switch: it follows the verification review (accounts.verifications), which staff
        # decide on the review page (counsellors:verifications), evidence in hand.
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing here is edited (every field is read-only)."""


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["company_name", "owner", "country", "city", "annual_demand", "demand_unit", "created_at"]
    list_filter = ["country", "demand_unit", "created_at"]
    search_fields = ["company_name", "description", "owner__email", "email", "contact_name", "city"]
    list_select_related = ["owner"]

    def get_readonly_fields(self, request, obj=None):
        # The profile is the buyer's, edited through the services; staff inspect it here.
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False


@admin.register(ApiTokenConfig)
class ApiTokenConfigAdmin(admin.ModelAdmin):
    """The API tokens' lifetime: one row, which staff change (the setting is its default)."""

    list_display = ["__str__", "lifetime_days", "updated_at"]

    def has_add_permission(self, request):
        return not ApiTokenConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class VerificationDocumentInline(admin.TabularInline):
    model = VerificationDocument
    fields = ["kind", "certificate", "expires_on", "lapsed_at", "download", "size", "content_type"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("file"))
    def download(self, obj):
        # Through the checked view, never a storage URL.
        return format_html(
            '<a href="{}">{}</a>', reverse("accounts:verification_document", args=[obj.token]), obj.name
        )

    def has_add_permission(self, request, obj=None):
        return False


class VerificationEventInline(admin.TabularInline):
    model = VerificationEvent
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    """Requests and their history, to inspect: decisions are made on the review page (through
    accounts.verifications), not here."""

    list_display = ["company", "status", "reviewer", "reviewed_as", "decided_at", "expired_at", "created_at"]
    list_filter = ["status", "reviewed_as", "created_at"]
    inlines = [VerificationDocumentInline, VerificationEventInline]
    list_select_related = ["reviewer", "company__producer", "company__buyer"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing here is edited (every field is read-only)."""


class MemberInline(admin.TabularInline):
    model = User
    fields = ["email", "full_name", "company_role"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Companies and their members, to read: the owner manages them (accounts.teams); every
    change is in the audit log (auditlog's log entries)."""

    list_display = ["__str__", "kind", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "created_at"]
    inlines = [MemberInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "company",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = [
        "company",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False


# allauth.mfa's own admin shows an authenticator's data: its secret. Here staff see whose
# two-factor sign-in exists and when it was used, and delete it to reset it (a lost phone;
# `manage.py reset_mfa EMAIL` does the same), recorded in the audit trail; no secret shown.
# (allauth.mfa's admin module is imported first: it registers its own, replaced here.)
admin.site.unregister(allauth_mfa_admin.Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
