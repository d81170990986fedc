"""The province's own place names in the reader's language.

A producer's province and city are free text, stored as typed; the portal's own defaults were
stored in English ("East Azerbaijan", the model's default and the service's for an empty
province). The forms show those in the reader's language («آذربایجان شرقی») and store a
name typed in any of the portal's languages as the one English spelling, so the data keeps
one spelling per place whatever the language of the page it was typed on.
"""

from __future__ import annotations

import functools

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal import languages
from portal.normalization import normalize_text

HOME_PROVINCE = "East Azerbaijan"  # ProducerProfile.province's default
PLACE_NAMES = {
    HOME_PROVINCE: _("East Azerbaijan"),
    "Tabriz": _("Tabriz"),  # its capital, where most producers are
}


def place_shown(value: str) -> str:
    """A stored place name in the reader's language ("Tabriz" → «تبریز»); others unchanged."""
    name = PLACE_NAMES.get(value)
    return str(name) if name is not None else value


@functools.cache
def _spellings() -> dict[str, str]:
    """{normalised name in any language: stored name}."""
    found = {}
    for stored, name in PLACE_NAMES.items():
        found[normalize_text(stored)] = stored
        for code in languages.codes():
            with translation.override(code):
                found[normalize_text(str(name))] = stored
    return found


def place_stored(value: str) -> str:
    """A place name as typed, or its one stored spelling when it is one of ours in any
    language («تبريز» with an Arabic ي, "Tebriz" → "Tabriz")."""
    return _spellings().get(normalize_text(value), value) if value else value
