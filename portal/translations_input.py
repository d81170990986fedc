"""The `language` and `translations` a writer sends with a text, checked and applied.

Services of every app that owns translated texts (profiles, products, briefs) call
`apply_texts_input`: `language` is the original's language, `translations` maps other
portal languages to texts of the translated fields, `{"en": {"name": "…"}}`; an empty text
removes a translation. Errors land under "language" and "translations" like any field's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import content
from . import validation as rules

TEXT_INPUTS = ("language", "translations")
# Texts that hold several lines (descriptions, a brief's body); the rest are one line.
MULTI_LINE_FIELDS = frozenset({"description", "body"})


def _language(value) -> str:
    code = str(value or "").strip().lower()
    if code not in content.portal_languages():
        raise ValidationError(
            _("“%(code)s” is not a language of the portal (%(languages)s).")
            % {"code": rules.shown(value), "languages": ", ".join(content.portal_languages())}
        )
    return code


def _translations(obj, value, original: str) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise ValidationError(_('Give an object of languages, e.g. {"en": {"name": "…"}}.'))
    fields = content.translated_fields(type(obj))
    messages, result = [], {}
    for language, texts in value.items():
        code = str(language).strip().lower()
        if code not in content.portal_languages():
            messages.append(
                _("“%(code)s” is not a language of the portal.") % {"code": rules.shown(language)}
            )
            continue
        if code == original and isinstance(texts, Mapping) and not any(texts.values()):
            continue  # no translation in the original's language: nothing to remove
        if code == original:
            messages.append(
                _("%(code)s is the original's language: write the original itself, not a translation.")
                % {"code": code}
            )
            continue
        if not isinstance(texts, Mapping):
            messages.append(_('%(code)s: give an object of texts, e.g. {"name": "…"}.') % {"code": code})
            continue
        cleaned = {}
        for field, text in texts.items():
            if field not in fields:
                messages.append(
                    _("%(code)s: “%(field)s” cannot be translated (only %(fields)s).")
                    % {"code": code, "field": rules.shown(field), "fields": ", ".join(fields)}
                )
                continue
            if text is not None and not isinstance(text, str):
                messages.append(_("%(code)s: %(field)s must be text.") % {"code": code, "field": field})
                continue
            try:
                cleaned[field] = rules.text_field(
                    text or "",
                    max_length=rules.max_length(type(obj), field),
                    lines=field in MULTI_LINE_FIELDS,
                )
            except ValidationError as error:
                messages.extend(f"{code} {field}: {message}" for message in error.messages)
        result[code] = cleaned
    if messages:
        raise ValidationError(messages)
    return result


def apply_texts_input(obj, data: Mapping[str, Any], errors: rules.FieldErrors) -> None:
    """Check `data`'s "language" and "translations" and write them onto `obj` (not saved)."""
    original = content.original_language(obj)
    if "language" in data:
        language = errors.check("language", _language, data["language"])
        if language:
            original = language
            # The original texts move with their language; the base columns already hold them.
            content.set_original(obj, {}, language)
    if "translations" in data:
        translations = errors.check("translations", _translations, obj, data["translations"], original)
        if translations:
            content.set_translations(obj, translations)


def initial_language(data: Mapping[str, Any], texts: list, fallback: str | None = None) -> str:
    """The original's language of a new object: as given, else as its texts look, else `fallback`."""
    given = str(data.get("language") or "").strip().lower()
    if given in content.portal_languages():
        return given
    return content.guess_language(" ".join(text for text in texts if isinstance(text, str)), default=fallback)
