"""The HS code picker: a form widget for any form that takes an HS code."""

from django import forms
from django.forms import Script
from django.urls import reverse

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
