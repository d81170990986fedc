from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .hs import filter_sectors
from .models import Sector


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
