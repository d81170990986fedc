"""Text people write in one language and read in another: which language a reader is shown.

Names, descriptions and briefs have a column per portal language (django-modeltranslation,
registered in each app's `translation.py`): the original, as its author wrote it, in the
language recorded in the object's `original_language`, and translations added by the author
or by the counsellor of a market. The base column (`name`) keeps the original too, so every
query, uniqueness check and import keeps comparing what was typed.

The rule, in one place: a reader gets their own language, else English, else the original,
and is told which (`Shown.language`, `Shown.is_original`). `obj.name` follows the same rule
for the active language (our descriptor replaces the library's), so every page, email and
digest that prints a name prints the reader's; a page that says which language it shows asks
`shown()` (the `{% shown %}` tag). Assigning `obj.name` writes the original.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import translation
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.manager import MultilingualManager
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import get_language as active_column_language

FALLBACK_LANGUAGE = "en"


def portal_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def reader_language(language: str | None = None) -> str:
    """The language asked for, or the active one, as a portal language code ("fa" if none)."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return language if language in portal_languages() else settings.LANGUAGE_CODE


def localized_name(field: str, language: str) -> str:
    """The column of `field` in `language`: ("name", "en") → "name_en"."""
    return f"{field}_{language}"


# The translated fields of each model, in the order registered (`register_texts`): the first is
# the one a text's `language` is reported for (the name, the title).
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {}


def translated_fields(model) -> tuple[str, ...]:
    """The fields of `model` that have a column per language, main one first (empty when none)."""
    for cls in getattr(model, "__mro__", ()):
        if cls in _TEXT_FIELDS:
            return _TEXT_FIELDS[cls]
    return ()


def language_attribute(model) -> str | None:
    """The field holding the original's language (None: fixed by the class, ORIGINAL_LANGUAGE)."""
    name = getattr(model, "ORIGINAL_LANGUAGE_FIELD", "original_language")
    return name if hasattr(model, name) else None


def original_language(obj) -> str:
    attribute = language_attribute(type(obj))
    value = getattr(obj, attribute, "") if attribute else ""
    return value or getattr(type(obj), "ORIGINAL_LANGUAGE", settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Shown:
    """The text a reader is shown, the language it is in, and whether it is the original."""

    text: str
    language: str
    is_original: bool

    def __str__(self) -> str:
        return self.text


def _value(obj, field: str, language: str) -> str:
    return getattr(obj, localized_name(field, language), None) or ""


def shown(obj, field: str, language: str | None = None) -> Shown:
    """`field` of `obj` for a reader of `language` (default: the active language)."""
    wanted = reader_language(language)
    original = original_language(obj)
    for candidate in dict.fromkeys((wanted, FALLBACK_LANGUAGE, original)):
        text = _value(obj, field, candidate)
        if text:
            return Shown(text, candidate, candidate == original)
    # Not saved through `set_texts` (a row older than the columns, a bare instance in a test).
    text = obj.__dict__.get(field) or ""
    return Shown(text, original, True)


def original_text(obj, field: str) -> str:
    """`field` as its author wrote it (the base column)."""
    return obj.__dict__.get(field) or ""


def shown_text(obj, field: str, language: str | None = None) -> str:
    return shown(obj, field, language).text


def translations_of(obj, fields: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """Every language's texts of `obj` other than the original: {"en": {"name": ..., ...}, ...}."""
    fields = tuple(fields or translated_fields(type(obj)))
    original = original_language(obj)
    result: dict[str, dict[str, str]] = {}
    for language in portal_languages():
        if language == original:
            continue
        texts = {field: _value(obj, field, language) for field in fields}
        if any(texts.values()):
            result[language] = texts
    return result


def set_original(obj, values: Mapping[str, str], language: str | None = None) -> None:
    """Write the original texts of `obj` in `language` (default: the language it has).

    Moving the original to another language clears the old language's columns, which held
    the original, not a translation.
    """
    fields = translated_fields(type(obj))
    old, new = original_language(obj), language or original_language(obj)
    if new != old:
        for field in fields:
            setattr(obj, localized_name(field, old), None)
        setattr(obj, language_attribute(type(obj)), new)
    for field in fields:
        setattr(obj, field, values[field] if field in values else obj.__dict__.get(field) or "")


def set_translations(obj, translations: Mapping[str, Mapping[str, str]]) -> None:
    """Write translations: {"en": {"name": "…"}}; an empty text removes that translation.

    The original's language is not touched here (its text is the original's).
    """
    fields = translated_fields(type(obj))
    original = original_language(obj)
    for language, texts in translations.items():
        if language == original:
            continue
        for field, text in texts.items():
            if field in fields:
                setattr(obj, localized_name(field, language), text or None)


def columns(field: str, prefix: str = "") -> list[str]:
    """`field` and its column in every language, for `only()`: "name" → name, name_fa, …"""
    return [
        f"{prefix}{name}" for name in (field, *(localized_name(field, lang) for lang in portal_languages()))
    ]


def text_fields(obj) -> list[str]:
    """Every column of every translated field of `obj` (for `save(update_fields=...)`)."""
    fields = translated_fields(type(obj))
    columns = [*fields, *(localized_name(f, lang) for f in fields for lang in portal_languages())]
    if language_attribute(type(obj)):
        columns.append(language_attribute(type(obj)))
    return columns


# --- Which language a text is in --------------------------------------------------------

_PERSIAN_ONLY = set("پچژگکیۀ")
_ARABIC_ONLY = set("يكةىإأ")
_TURKISH_ONLY = set("ğışİĞŞ")


def guess_language(text: str | None, default: str | None = None) -> str:
    """The portal language `text` is most likely written in (`default` if it has no letters).

    The script of its first letter decides: a Persian name often carries its English one in
    brackets after it ("ماشین‌سازی تبریز (Tabriz Machinery Co.)"), an English description a
    Persian word at its end. Within Arabic script, letters only Persian or only Arabic has
    tell the two apart; within Latin, Turkish letters tell Turkish from English.
    """
    text = unicodedata.normalize("NFC", text or "")
    first = next((char for char in text if char.isalpha()), None)
    if first is None:
        return reader_language(default)
    name = unicodedata.name(first, "")
    if name.startswith("ARABIC") or first in _PERSIAN_ONLY:
        persian = sum(char in _PERSIAN_ONLY for char in text)
        arabic = sum(char in _ARABIC_ONLY for char in text)
        return "ar" if arabic > persian else "fa"
    if name.startswith("CYRILLIC"):
        return "ru"
    if name.startswith("LATIN"):
        return "tr" if any(char in _TURKISH_ONLY for char in text) else "en"
    return reader_language(default)


# While set, `obj.name` reads and writes the base column only: Django copying a row's fields
# from one instance to another (`refresh_from_db`) must copy what is stored, not what is shown.
_AS_STORED: ContextVar[bool] = ContextVar("texts_as_stored", default=False)


class _OriginalFirstDescriptor(TranslationFieldDescriptor):
    """The library's descriptor, following our rule (`shown`) and writing the original.

    Reading `obj.name` gives the text `shown` picks for the active language. Assigning
    `obj.name = …` writes the original (the base column and the original language's),
    never silently the active language's column.
    """

    def __get__(self, instance, owner):
        if instance is None:
            return self
        if _AS_STORED.get():
            return instance.__dict__.get(self.field.name)
        return shown(instance, self.field.name).text

    def __set__(self, instance, value):
        instance.__dict__[self.field.name] = value
        if not getattr(instance, "_mt_init", False) and not _AS_STORED.get():
            setattr(instance, localized_name(self.field.name, original_language(instance)), value or None)


def _save_the_original(base) -> None:
    """Django saves (`pre_save`) and forms read (`value_from_object`) a field through its
    descriptor, which gives the reader's language: the base column and an edit form take the
    original instead."""

    def original(instance, *_args, **_kwargs):
        return instance.__dict__.get(base.attname, base.get_default())

    base.pre_save = original
    base.value_from_object = original


def _construct_with_originals(model, fields: tuple[str, ...]) -> None:
    """`Model(name=…)` is the original: the library's constructor would also copy it into the
    active language's column (a Persian name in `name_en` when built on an English page)."""
    library_init = model.__init__

    def __init__(self, *args, **kwargs):
        active = active_column_language()
        for field in fields:
            if field in kwargs:
                kwargs.setdefault(localized_name(field, active), None)
        library_init(self, *args, **kwargs)

    model.__init__ = __init__


def register_texts(model, *fields: str) -> None:
    """Give `fields` of `model` a column per portal language (call from the app's translation.py)."""
    options = type(f"{model.__name__}Texts", (TranslationOptions,), {"fields": fields})
    translator.register(model, options)
    _TEXT_FIELDS[model] = fields
    _construct_with_originals(model, fields)
    for field in fields:
        _save_the_original(model._meta.get_field(field))
        library = model.__dict__[field]
        setattr(
            model,
            field,
            _OriginalFirstDescriptor(
                library.field,
                fallback_languages=library.fallback_languages,
                fallback_value=library.fallback_value,
                fallback_undefined=library.fallback_undefined,
            ),
        )


class OriginalTexts:
    """Model mixin: on save, the original language's column holds the base column's text."""

    def refresh_from_db(self, *args, **kwargs):
        token = _AS_STORED.set(True)
        try:
            return super().refresh_from_db(*args, **kwargs)
        finally:
            _AS_STORED.reset(token)

    def save(self, *args, **kwargs):
        fields = translated_fields(type(self))
        language = original_language(self)
        update_fields = kwargs.get("update_fields")
        for field in fields:
            setattr(self, localized_name(field, language), self.__dict__.get(field) or None)
        if update_fields is not None:
            touched = [field for field in fields if field in update_fields]
            if language_attribute(type(self)) in update_fields:
                touched = list(fields)
            kwargs["update_fields"] = {
                *update_fields,
                *(localized_name(field, lang) for field in touched for lang in portal_languages()),
            }
        return super().save(*args, **kwargs)


class OriginalTextManager(MultilingualManager):
    """The default manager of a model with translated fields, its lookups left alone.

    django-modeltranslation rewrites `filter(name=…)` to the active language's column; ours
    keep meaning the base column, the original, whatever language the request is in.
    """

    def get_queryset(self):
        return super().get_queryset().rewrite(False)


def language_field() -> models.CharField:
    """The `original_language` column: the language the original texts are written in."""
    return models.CharField(
        translation.gettext_lazy("language of the original"),
        max_length=2,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )


def fill_language_columns(
    model, fields: tuple[str, ...], *, language: str | None = None, language_field: str | None = None
) -> None:
    """Migrations: copy each row's original texts into its language's column.

    `model` is a historical model. The original's language is `language`, or the row's
    `language_field` where it has one, or else guessed from the texts and stored in
    `original_language` (a Latin name → English…).
    """
    guessing = language is None and language_field is None
    columns = [localized_name(field, lang) for field in fields for lang in portal_languages()]
    if guessing:
        columns.append("original_language")
    changed = []
    for row in model.objects.order_by("pk").iterator(chunk_size=1000):
        if language_field:
            row_language = getattr(row, language_field) or settings.LANGUAGE_CODE
        else:
            row_language = language or guess_language(" ".join(getattr(row, f) or "" for f in fields))
        if guessing:
            row.original_language = row_language
        for field in fields:
            setattr(row, localized_name(field, row_language), getattr(row, field) or None)
        changed.append(row)
        if len(changed) >= 1000:
            model.objects.bulk_update(changed, columns)
            changed = []
    if changed:
        model.objects.bulk_update(changed, columns)
