from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.content import localized_name

from .hs import name_languages
from .models import Sector
from .search import add_terms, filter_sectors


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "name", "name_fa", "section"]
    list_filter = ["level", "section"]
    list_select_related = ["section"]
    list_per_page = 100
    search_fields = ["code", "name", "name_fa"]
    search_help_text = _("A code prefix (8418) or words of the name in any language.")
    autocomplete_fields = ["parent", "section"]

    def get_fields(self, request, obj=None):
        names = [localized_name("name", language) for language in name_languages()]
        return ["code", "level", "name", *names, "parent", "section", "position"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for language in name_languages():
            field = form.base_fields.get(localized_name("name", language))
            if field is not None:
                field.required = False  # a code may have no name yet in a language
        return form

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key (products point at it): editing it would make a new sector.
        return ["code"] if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        """Code prefix or name words in any language, Persian variants (ي/ی, ك/ک, ZWNJ) folded alike."""
        return filter_sectors(queryset, search_term), False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """A name written here is an operator's: `import_hs_codes` keeps it rather than the
        shipped translation (a name emptied here goes back to the files')."""
        edited = list(obj.edited_names or [])
        for language in name_languages():
            column = localized_name("name", language)
            if column not in form.changed_data:
                continue
            setattr(obj, column, getattr(obj, column) or None)  # no name is NULL, as everywhere
            filled = bool(getattr(obj, column))
            if filled and language not in edited:
                edited.append(language)
            elif not filled and language in edited:
                edited.remove(language)
        obj.edited_names = edited
        super().save_model(request, obj, form, change)  # Sector.save recomputes its search keys
        add_terms([obj.search_keys])
