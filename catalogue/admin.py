from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .hs import filter_sectors
from .models import Product, Sector
from .services import PRODUCT_FIELDS, product_update

# --- Sector -------------------------------------------------------------------


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "name", "name_fa", "section"]
    list_filter = ["level", "section"]
    list_select_related = ["section"]
    list_per_page = 100
    search_fields = ["code", "name", "name_fa"]
    search_help_text = _("A code prefix (8418) or words of the English or Persian name.")
    autocomplete_fields = ["parent", "section"]
    fields = ["code", "level", "name", "name_fa", "parent", "section", "position"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key (products point at it): editing it would make a new sector.
        return ["code"] if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        """Code prefix or name words, with Persian variants (ي/ی, ك/ک, ZWNJ) folded alike."""
        return filter_sectors(queryset, search_term), False


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
