"""Every table that may scroll sideways (Bootstrap's `.table-responsive`, on a phone) can be
reached and scrolled with the keyboard and is announced with a name (WCAG 2.1.1; axe's
`scrollable-region-focusable`). axe sees only the pages the browser tests visit with enough
rows to scroll; this reads every template, so a new table cannot forget it."""

import re
from pathlib import Path

from django.conf import settings

WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-responsive\b[^\"]*\"[^>]*>")


def templates() -> list[Path]:
    root = Path(settings.BASE_DIR)
    skipped = {".venv", "node_modules", "static"}
    return [
        path for path in root.rglob("templates/**/*.html") if not skipped & set(path.relative_to(root).parts)
    ]


def test_every_scrolling_table_is_focusable_and_named():
    wrappers = {
        f"{path.relative_to(settings.BASE_DIR)}: {tag}"
        for path in templates()
        for tag in WRAPPER.findall(path.read_text(encoding="utf-8"))
    }
    assert len(wrappers) >= 10, "the templates' tables were not found"
    unreachable = [wrapper for wrapper in wrappers if 'tabindex="0"' not in wrapper]
    # allauth's table element has no caption to give it a name; the others have one.
    unnamed = [
        wrapper
        for wrapper in wrappers
        if "aria-label=" not in wrapper and "allauth/elements/table.html" not in wrapper
    ]
    assert not unreachable, "\n".join(sorted(unreachable))
    assert not unnamed, "\n".join(sorted(unnamed))
