"""Showing user-written text (names, titles, notes) without letting it reorder what follows.

A name may hold bidi control characters (U+202E RIGHT-TO-LEFT OVERRIDE…) or mix Persian and
Latin; printed as given, it can reorder the text after it (a queue row, a digest line). On
pages each such value is isolated with `<bdi>` (the `|bdi` template filter,
portal/templatetags/bidi.py), which keeps it as written but contains it; in plain text (text
emails, subjects, digest lines) it is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL
ISOLATE, after removing the explicit bidi controls (a stray PDI would end the isolate early)
and line breaks (a name is one line).
"""

from __future__ import annotations

import re

FSI = "\u2068"
PDI = "\u2069"
# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI); LRM/RLM/ALM are marks
# and cannot leak, so they stay.
EXPLICIT_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def isolate(value) -> str:
    """`value` as one isolated line of plain text ("" stays "")."""
    if value is None:
        return ""
    text = LINE_BREAKS.sub(" ", EXPLICIT_BIDI.sub("", str(value))).strip()
    return f"{FSI}{text}{PDI}" if text else ""


def isolate_lines(value) -> str:
    """A note of several lines, as plain text: each line isolated, its explicit controls removed."""
    if value is None:
        return ""
    lines = re.split(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]", EXPLICIT_BIDI.sub("", str(value)))
    return "\n".join(f"{FSI}{line}{PDI}" if line.strip() else "" for line in lines)
