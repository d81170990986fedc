"""Every interface string is translated (issue 15): each msgid of the source, as makemessages
extracts it, has a translation in every interface language but English, in the catalogues
Django reads (locale/<lang>/ and matchmaking/locale/<lang>/, the project's first): present,
translated, not fuzzy, and with the same python-format placeholders as the msgid (a plural's
forms may leave out a placeholder, such as the count in Arabic's "one" form, but never add one).

A language whose catalogue directory does not exist yet is skipped. The failure lists, per
language, what is missing, untranslated or fuzzy, and which placeholders differ.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from .catalogues import Entry, catalogue_roots, placeholders, read_po, source_msgids

REPO = Path(settings.BASE_DIR)
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
SHOWN = 40


@pytest.fixture(scope="module")
def source() -> dict:
    return source_msgids(REPO)


def catalogues(language: str) -> list[dict]:
    found = []
    for root in catalogue_roots(REPO):
        po = REPO / root / language / "LC_MESSAGES" / "django.po"
        if po.exists():
            found.append(read_po(po))
    return found


def placeholder_problem(source_entry: Entry, entry: Entry) -> str | None:
    if entry.plural is None:
        expected, got = placeholders(entry.msgid), placeholders(entry.strings[0])
        return None if expected == got else f"{got} instead of {expected}"
    allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.plural))
    for index, form in enumerate(entry.strings):
        extra = set(placeholders(form)) - allowed
        if extra:
            return f"form {index} adds {sorted(extra)}"
    last = set(placeholders(entry.strings[-1]))
    if last != set(placeholders(entry.plural)):
        return f"its last form has {sorted(last)} instead of {sorted(set(placeholders(entry.plural)))}"
    return None


def problems(source: dict, language: str) -> list[str]:
    found = catalogues(language)
    missing, untranslated, fuzzy, mismatched = [], [], [], []
    for key, source_entry in sorted(source.items(), key=lambda item: (item[0][1], item[0][0] or "")):
        shown = f"{key[1]!r}" + (f" (context {key[0]!r})" if key[0] else "")
        entries = [catalogue[key] for catalogue in found if key in catalogue]
        if not entries:
            missing.append(shown)
            continue
        usable = [entry for entry in entries if entry.translated and not entry.fuzzy]
        if not usable:
            (fuzzy if any(entry.fuzzy for entry in entries) else untranslated).append(shown)
            continue
        if "python-format" in source_entry.flags:
            for entry in usable:
                problem = placeholder_problem(source_entry, entry)
                if problem:
                    mismatched.append(f"{shown}: {problem}")
    report = []
    for label, items in [
        ("missing", missing),
        ("untranslated", untranslated),
        ("fuzzy", fuzzy),
        ("with other placeholders", mismatched),
    ]:
        if items:
            report.append(f"{language}: {len(items)} {label}:")
            report.extend(f"  {item}" for item in items[:SHOWN])
            if len(items) > SHOWN:
                report.append(f"  ... and {len(items) - SHOWN} more")
    return report


def test_the_source_has_the_interface_strings(source):
    """The extraction itself works: strings from Python, templates and the matchmaking app."""
    msgids = {msgid for _context, msgid in source}
    assert "Export Bridge" in msgids  # templates
    assert "Choose Persian or English." not in msgids  # gone from the source
    assert "same HS heading %(code)s" in msgids  # matchmaking/reasons.py
    assert ("quantity unit", "units") in source  # a context
    assert len(source) > 1000


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_interface_string_is_translated(source, language):
    if not any((REPO / root / language).is_dir() for root in catalogue_roots(REPO)):
        pytest.skip(f"no {language} catalogue yet")
    report = problems(source, language)
    assert not report, "\n" + "\n".join(report)
