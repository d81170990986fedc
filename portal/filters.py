"""Filters every app's filter sets share (NetBox's `utilities/filters.py`): an object's id, a
country code, and the page styling of a filter form. Invalid values are form errors (the API
answers 400, a page shows them beside the field), never a server error."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.validation import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 to the largest bigint (else a field error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CountryCodeField(forms.ChoiceField):
    """An ISO 3166-1 alpha-2 code, in either case."""

    def to_python(self, value) -> str:
        return super().to_python(value).strip().upper()


class CountryCodeFilter(django_filters.CharFilter):
    field_class = CountryCodeField


def country_choices() -> list[tuple[str, str]]:
    """A page's country picker: "Any country", then every country."""
    return [("", _("Any country")), *countries]


class FacetSelect(forms.Select):
    """A select whose options that would give nothing (`disabled`, a set of values) stay listed
    but cannot be chosen: a filter showing how many results each value gives."""

    def __init__(self, *args, disabled=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled = set(disabled)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled and not selected:
            option["attrs"]["disabled"] = True
        return option


def style_filter_form(form: forms.Form) -> None:
    """Bootstrap classes on a filter form's inputs, for the pages that show it."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")
        else:
            field.widget.attrs.setdefault("class", "form-control")
