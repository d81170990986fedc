"""The API's JSON parser: DRF's, with limits a hostile body cannot get past.

Python's json decoder recurses once per nested array or object: a body of 100,000 "[" ran
out of stack (a RecursionError, a 500). Here a body nested deeper than `MAX_DEPTH`, or
carrying a lone surrogate (valid JSON escape, not encodable text: the database and the
response's UTF-8 refuse it), is a 400 like any other malformed JSON. The body's size is
capped before any parser runs (portal.request_guard).
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from portal.validation import is_printable_text

# No request body of the API nests deeper than a list inside an object; 32 leaves room.
MAX_DEPTH = 32


def check_structure(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse `data` nested deeper than `max_depth` or holding a lone surrogate (iteratively:
    the check itself must not recurse)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
            for key, item in value.items():
                if not _printable(key):
                    raise ParseError("JSON parse error - a string holds a lone surrogate.")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _printable(value):
            raise ParseError("JSON parse error - a string holds a lone surrogate.")


def _printable(text: str) -> bool:
    # NUL is valid text: the fields refuse it with a field error (DRF's CharField).
    return is_printable_text(text.replace("\x00", ""))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity), bounded in depth."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        check_structure(data)
        return data
