"""The interface strings of the source and of the translation catalogues, for
test_translations.py.

`source_msgids` extracts the strings the way `make messages` does (Django's makemessages over
the same files, the same directories left out), but on a temporary copy of the tree and for a
scratch locale, so the real catalogues are never touched. `read_po` reads a .po file: enough
of the format for what makemessages and translators write (comments, flags, contexts, plurals,
continued lines; obsolete `#~` entries dropped).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.test.utils import override_settings

# As the Makefile's `messages` target (makemessages --ignore=...): these are not the interface.
LEFT_OUT = {"tests", "benchmarks", "node_modules", "staticfiles", ".venv", ".git"}
EXTENSIONS = (".py", ".html", ".txt")
SCRATCH_LOCALE = "xx"


@dataclass
class Entry:
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    strings: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.strings) and all(self.strings)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def read_po(path: Path) -> dict[tuple[str | None, str], Entry]:
    entries: dict[tuple[str | None, str], Entry] = {}
    entry, last = Entry(), None

    def close():
        nonlocal entry, last
        if last is not None and entry.msgid:
            entries[entry.key] = entry
        entry, last = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#~"):  # obsolete: no longer in the source
            continue
        if line.startswith("#"):
            if last is not None and last.startswith("msgstr"):
                close()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        found = _KEYWORD.match(line)
        if found:
            keyword, text = found.group(1), ast.literal_eval(found.group(2))
            if keyword in ("msgctxt", "msgid") and last is not None and last.startswith("msgstr"):
                close()
            if keyword == "msgctxt":
                entry.context = text
            elif keyword == "msgid":
                entry.msgid = text
            elif keyword == "msgid_plural":
                entry.plural = text
            else:
                entry.strings.append(text)
            last = keyword
        elif line.startswith('"') and last is not None:
            text = ast.literal_eval(line)
            if last == "msgctxt":
                entry.context += text
            elif last == "msgid":
                entry.msgid += text
            elif last == "msgid_plural":
                entry.plural += text
            else:
                entry.strings[-1] += text
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    close()
    return entries


def catalogue_roots(repo: Path) -> list[Path]:
    """The project's `locale` directories (locale/, matchmaking/locale/), the project's first."""
    roots = [repo / "locale"] + sorted(path for path in repo.glob("*/locale") if path.is_dir())
    return [root.relative_to(repo) for root in roots]


def _source_files(repo: Path) -> list[str]:
    """The tracked files (and new ones not ignored) when git can tell, else the tree."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=repo,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = [str(path.relative_to(repo)) for path in repo.rglob("*") if path.is_file()]
    return [
        name
        for name in listed
        if name.endswith(EXTENSIONS) and not set(Path(name).parts[:-1]) & LEFT_OUT and (repo / name).is_file()
    ]


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def source_msgids(repo: Path) -> dict[tuple[str | None, str], Entry]:
    """Every msgid of the interface, from the union of the catalogues makemessages would write."""
    if shutil.which("xgettext") is None:
        raise RuntimeError("xgettext is not installed (apt-get install gettext)")
    with tempfile.TemporaryDirectory(prefix="msgids-") as scratch:
        copy = Path(scratch)
        for name in _source_files(repo):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / name, copy / name)
        roots = catalogue_roots(repo)
        for root in roots:
            (copy / root).mkdir(parents=True, exist_ok=True)
        # makemessages writes into the first of LOCALE_PATHS and the `locale` directories it
        # finds beside the files (an app's strings into the app's catalogue).
        with _working_directory(copy), override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=[SCRATCH_LOCALE], no_location=True, verbosity=0)
        extracted: dict[tuple[str | None, str], Entry] = {}
        for root in roots:
            po = copy / root / SCRATCH_LOCALE / "LC_MESSAGES" / "django.po"
            if po.exists():
                extracted.update(read_po(po))
        return extracted


_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXoc%]")


def placeholders(text: str) -> list[str]:
    """The python-format placeholders of `text`, sorted ("%(n)s" → "n", "%s" → "s"); "%%" is text."""
    found = []
    for match in _PLACEHOLDER.finditer(text):
        spec = match.group(0)
        if spec == "%%":
            continue
        found.append(match.group(1) or spec[-1])
    return sorted(found)
