"""The pickers of the forms: the HS code picker (for any form that takes an HS code) and the
country picker (for any that takes several countries)."""

from django import forms
from django.forms import Script
from django.urls import reverse

from .countries import english_names, group_countries
from .models import Sector
from .sectors import split_codes

MAX_NAMED_CODES = 100  # codes named beside a box of several (the services take at most 100)


class HSCodePickerWidget(forms.TextInput):
    """An HS code input with a search box that lists matching codes as you type (htmx).

    Without JavaScript the code input still works on its own; with it, arrow keys
    and Enter (or a click) pick an option and fill in its code. `min_level=2`
    leaves the sections out, for fields that take a 2, 4 or 6-digit code.
    """

    template_name = "taxonomy/hs_picker_widget.html"
    multiple = False  # one code (HSCodesPickerWidget: several)

    def __init__(self, attrs=None, *, min_level: int | None = None):
        super().__init__(
            {"class": "form-control", "autocomplete": "off", "maxlength": "6", "dir": "ltr", **(attrs or {})}
        )
        self.min_level = min_level

    class Media:
        # The script kept the static path it had when the catalogue owned the picker.
        js = [Script("catalogue/hs-picker.js", defer=True)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"hs_picker_{name}"
        attrs = context["widget"]["attrs"]
        attrs["id"] = widget_id
        attrs["aria-describedby"] = " ".join(
            filter(None, [attrs.get("aria-describedby"), f"{widget_id}_selected"])
        )
        context["picker"] = {
            "id": widget_id,
            "url": reverse("catalogue:hs-picker"),
            "min_level": self.min_level,
            "multiple": self.multiple,
            **self.selected(value),
        }
        return context

    def selected(self, value) -> dict:
        code = str(value or "").strip()
        return {"selected": Sector.objects.filter(pk=code).first() if code else None}


class HSCodesPickerWidget(HSCodePickerWidget):
    """Several HS codes in one box, separated by commas (a buyer's sought sectors, a brief's),
    with the same search beside it: a pick adds its code to the box, and the codes in it are
    named below it in the reader's language."""

    multiple = True

    def __init__(self, attrs=None, *, min_level: int | None = None):
        super().__init__(attrs, min_level=min_level)
        self.attrs.pop("maxlength")  # the form field's own, for a list

    def selected(self, value) -> dict:
        codes = split_codes(str(value or ""))[:MAX_NAMED_CODES]
        found = Sector.objects.in_bulk(codes) if codes else {}
        return {"selected_all": [found[code] for code in dict.fromkeys(codes) if code in found]}


class CountryPickerWidget(forms.CheckboxSelectMultiple):
    """Several countries as checkboxes, named in the reader's language and sorted by their
    alphabet, a fieldset per world region with the province's usual markets first
    (taxonomy.countries). It posts what a `<select multiple>` of the same choices posts.

    Without JavaScript it is the plain list of checkboxes; with it (country-picker.js) a box
    above narrows the list as one types (a name in the reader's language or in English, or
    the ISO code), and the chosen countries show as chips that remove them.
    """

    template_name = "taxonomy/country_picker_widget.html"

    class Media:
        css = {"all": ["taxonomy/country-picker.css"]}
        js = [Script("taxonomy/country-picker.js", defer=True)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"country_picker_{name}"
        chosen = {str(code) for code in context["widget"]["value"]}
        english = english_names()
        groups = []
        for number, group in enumerate(group_countries(self.choices)):
            options = [
                {
                    "code": code,
                    "name": label,
                    "id": f"{widget_id}_{code}",
                    "search": " ".join(dict.fromkeys([label, english.get(code, ""), code])),
                    "checked": code in chosen,
                }
                for code, label in group.countries
            ]
            groups.append({"id": f"{widget_id}_group_{number}", "name": group.name, "options": options})
        context["picker"] = {"id": widget_id, "groups": groups}
        return context

    def id_for_label(self, id_, index=None):
        # The field's legend names the whole picker; no single checkbox is "the" control.
        return ""
