from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Product
from .services import PRODUCT_FIELDS, product_update

# --- Product ------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Inspection and moderation: staff list or unlist a product; its content is the producer's.

    Listing goes through catalogue.services like every other write, so the
    search index and the rules stay the same as on the pages and the API.
    """

    list_display = [
        "name",
        "producer",
        "hs_code",
        "annual_capacity",
        "capacity_unit",
        "is_active",
        "created_at",
    ]
    list_filter = ["is_active", "capacity_unit", "hs_code__section", "created_at"]
    list_select_related = ["producer", "hs_code"]
    search_fields = ["name", "description", "producer__name", "hs_code__code"]
    fields = ["producer", *PRODUCT_FIELDS, "created_at", "updated_at"]
    readonly_fields = [field for field in fields if field != "is_active"]
    actions = ["list_products", "unlist_products"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        product_update(product=obj, actor=request.user, data={"is_active": obj.is_active})

    @admin.action(description=_("List the selected products in the catalogue"))
    def list_products(self, request, queryset):
        for product in queryset:
            product_update(product=product, actor=request.user, data={"is_active": True})

    @admin.action(description=_("Unlist the selected products"))
    def unlist_products(self, request, queryset):
        for product in queryset:
            product_update(product=product, actor=request.user, data={"is_active": False})
