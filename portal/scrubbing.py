"""The one rule for what an error report may not carry, for mails to ADMINS and Sentry alike.

An error report (portal/error_reports.py: the mail Django sends to ADMINS on a 500;
portal/sentry.py: an event to Sentry or GlitchTip) leaves the portal for an inbox or another
service: it carries no contact of a producer or buyer (email, phone, contact person, address),
no password, token, key or signature, and no session or CSRF cookie or Authorization header.
Two parts:
- by name: a value whose key (a form field, a header, a cookie, a setting, a local variable,
  a dictionary key in an event) matches SENSITIVE_KEY is replaced whole by FILTERED;
- by content: in any remaining text, email addresses, phone numbers, "key=value" pairs of a
  sensitive key, Authorization credentials and long token-like strings are replaced.
Nothing here imports Django or sentry-sdk: both sides use it as it is.
"""

import re
from typing import Any

FILTERED = "[Filtered]"

# Names of values that are never reported. Django's own list (API, AUTH, TOKEN, KEY, SECRET,
# PASS, SIGNATURE, HTTP_COOKIE), the cookies and the contacts of the portal's models.
SENSITIVE_KEY = re.compile(
    r"api|auth|token|key|secret|pass|pwd|signature|cookie|session|csrf|dsn|credential"
    r"|e-?mail|phone|mobile|fax|whatsapp|telegram|contact|address",
    re.IGNORECASE,
)

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers: the international form (+98 912 345 6789), and national numbers starting
# with 0 (09123456789, 021-1234-5678, (021) 1234 5678). Dates, times and line numbers do not
# start with + or 0 followed by this many digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d[\d \-().]{6,}\d|\(?0\d{2,4}\)?[ \-]?\d{3,4}[ \-]?\d{3,4})(?![\w])")
_CREDENTIALS = re.compile(r"\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=:-]+", re.IGNORECASE)
_KEY_VALUE = re.compile(
    r"(?P<key>\b[\w-]*(?:password|passwd|pwd|token|secret|signature|sessionid|csrf\w*|api_?key|key|sig)\b)"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?)(?!\[Filtered\])(?P<value>[^\s&'\",;)}\]]+)",
    re.IGNORECASE,
)
_TOKENISH = re.compile(r"(?<![\w.-])[A-Za-z0-9_:\-]{24,}(?![\w-])")


def _looks_like_a_token(text: str) -> bool:
    """A long run of letters and digits that is a secret, not a Python name: a part of 20 or
    more hexadecimal digits (tokens, reset keys), or at least 4 digits among upper- and
    lower-case letters (base64, signed values)."""
    if any(
        len(part) >= 20 and re.fullmatch(r"[0-9a-fA-F]*\d[0-9a-fA-F]*", part)
        for part in re.split(r"[-:_]", text)
    ):
        return True
    digits = sum(c.isdigit() for c in text)
    return digits >= 4 and any(c.isupper() for c in text) and any(c.islower() for c in text)


def scrub_text(text: str) -> str:
    """`text` with every contact, credential and token-like string replaced by FILTERED."""
    if not text:
        return text
    text = _EMAIL.sub(FILTERED, text)
    text = _CREDENTIALS.sub(lambda m: f"{m[1]} {FILTERED}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{FILTERED}", text)
    text = _TOKENISH.sub(lambda m: FILTERED if _looks_like_a_token(m[0]) else m[0], text)
    return _PHONE.sub(FILTERED, text)


def is_sensitive_key(key: Any) -> bool:
    return isinstance(key, str) and bool(SENSITIVE_KEY.search(key))


def scrub_data(value: Any, key: Any = None) -> Any:
    """`value` with every entry under a sensitive key replaced, and every text scrubbed;
    dictionaries, lists and tuples are walked (a new object is returned)."""
    if is_sensitive_key(key):
        return FILTERED
    if isinstance(value, dict):
        return {k: scrub_data(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_data(item) for item in value)
    if isinstance(value, str):
        return scrub_text(value)
    return value
