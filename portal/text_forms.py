"""Form fields for texts in several languages: the original's language and the translations.

A form that edits translated texts (a product, a company, a brief) mixes in
`TranslatedTextsForm` and names its translated fields. It gains a `language` field (the
language the texts are written in) and, for every translated field and every other portal
language, a field such as `name_en`; English is asked up front, right after the original
(buyers abroad read it, and it is every reader's fallback), the other languages further
down (`later_fields`, shown folded). `service_data()` hands the services `language` and
`translations` (portal/translations_input.py rules on them).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from . import content

UP_FRONT_LANGUAGE = content.FALLBACK_LANGUAGE


class TranslatedTextsForm:
    """Mixin for a ServiceForm; `translated = {"name": _("Product name"), ...}` (field: label)."""

    translated: dict[str, Any] = {}
    # Which translated fields are asked in English up front (the rest fold away with the others).
    up_front: tuple[str, ...] = ("name", "company_name", "title")

    def __init__(self, *args, original_language: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present = [field for field in self.translated if field in self.fields]
        self.text_fields = present
        if not present:
            self.later_fields = set()
            return
        original = content.reader_language(
            original_language or self.initial.get("language") or get_language()
        )
        self.texts_language = original
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of these texts"),
            choices=settings.LANGUAGES,
            required=False,  # left out: as it was (a new text: as it looks, else the page's)
            initial=original,
            help_text=_(
                "The language you write the texts above in; readers of other languages see a translation."
            ),
        )
        self.later_fields: set[str] = set()
        order = list(self.fields)
        for field in present:
            original_field = self.fields[field]
            anchor = order.index(field)
            for language in content.portal_languages():
                if language == original:
                    continue
                name = content.localized_name(field, language)
                self.fields[name] = self._translation_field(original_field, field, language)
                if language == UP_FRONT_LANGUAGE and field in self.up_front:
                    anchor += 1
                    order.insert(anchor, name)
                else:
                    order.append(name)
                    self.later_fields.add(name)
        order.insert(order.index(present[-1]) + 1 if present[-1] in order else len(order), "language")
        self.order_fields(dict.fromkeys(order))

    def _translation_field(self, original_field: forms.Field, field: str, language: str) -> forms.Field:
        language_name = get_language_info(language)["name_translated"]
        widget = type(original_field.widget)(
            attrs={**original_field.widget.attrs, "lang": language, "dir": "auto"}
        )
        help_text = (
            _("Buyers abroad read this; leave it empty to show the original.")
            if language == UP_FRONT_LANGUAGE
            else ""
        )
        return forms.CharField(
            label=_("%(label)s in %(language)s")
            % {"label": self.translated[field], "language": language_name},
            required=False,
            max_length=original_field.max_length,
            widget=widget,
            help_text=help_text,
        )

    @property
    def later_errors(self) -> bool:
        return any(name in self.errors for name in self.later_fields)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if not self.text_fields:
            return data
        if not data.get("language"):
            data.pop("language", None)
        original = data.get("language") or self.texts_language
        translations: dict[str, dict[str, str]] = {}
        for field in self.text_fields:
            for language in content.portal_languages():
                name = content.localized_name(field, language)
                value = data.pop(name, None)
                if language != original and name in self.fields:
                    translations.setdefault(language, {})[field] = value or ""
        if translations:
            data["translations"] = translations
        return data


def texts_initial(obj, fields) -> dict[str, Any]:
    """Initial values for a TranslatedTextsForm on `obj`: the originals, the language, the translations."""
    if obj is None:
        return {}
    initial: dict[str, Any] = {field: content.original_text(obj, field) for field in fields}
    initial["language"] = content.original_language(obj)
    for language, texts in content.translations_of(obj, fields).items():
        for field, text in texts.items():
            initial[content.localized_name(field, language)] = text
    return initial
