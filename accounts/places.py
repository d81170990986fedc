"""The producers' place names in the reader's language.

A producer's province and city are free text. The province list (taxonomy.provinces: Iran's
provinces and their capitals in Persian and Latin letters, with their other spellings) is the
one rule for what a typed name means; here the forms store a province or a capital typed in any
of those spellings as its one Latin spelling ("East Azerbaijan", "Tabriz", as the model's
default and the importer write them), and show it back in the reader's language: Persian from
the list, the other languages from the catalogues for the home province and its capital (the
names nearly every producer has), Latin otherwise. Any other place stays as typed.
"""

from __future__ import annotations

import functools

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal import languages
from portal.normalization import normalize_text
from taxonomy.provinces import capital_of, province_of

HOME_PROVINCE = "East Azerbaijan"  # ProducerProfile.province's default
# The home province and its capital in the languages beyond the list's Persian and Latin.
TRANSLATED = {
    HOME_PROVINCE: _("East Azerbaijan"),
    "Tabriz": _("Tabriz"),
}


def _persian_page() -> bool:
    return (translation.get_language() or "").startswith("fa")


def place_shown(value: str) -> str:
    """A stored province or capital in the reader's language ("Tabriz" → «تبریز»); others unchanged."""
    if not value:
        return value
    province, capital = province_of(value), capital_of(value)
    if province is not None and value == province.name:
        return province.name_fa if _persian_page() else str(TRANSLATED.get(value, value))
    if capital is not None and value == capital.capital:
        return capital.capital_fa if _persian_page() else str(TRANSLATED.get(value, value))
    return value


@functools.cache
def _translated_spellings() -> dict[str, str]:
    """{normalised translation in any of the portal's languages: stored name}."""
    found = {}
    for stored, name in TRANSLATED.items():
        for code in languages.codes():
            with translation.override(code):
                found[normalize_text(str(name))] = stored
    return found


def province_stored(value: str) -> str:
    """A province as typed, or its one stored spelling when the list knows it («آذربايجان شرقي»
    with Arabic letters, "East Azarbaijan", its capital) or the catalogues do."""
    if not value:
        return value
    province = province_of(_translated_spellings().get(normalize_text(value), value))
    return province.name if province is not None else value


def city_stored(value: str) -> str:
    """A city as typed, or its one stored spelling when it is a province's capital («تبريز» → "Tabriz")."""
    if not value:
        return value
    capital = capital_of(_translated_spellings().get(normalize_text(value), value))
    return capital.capital if capital is not None else value
