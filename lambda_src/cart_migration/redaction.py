"""Privacy filter applied to every structured log record before it is written.

It runs inside the logging path, so no call site can leak by forgetting it:

* ``customer_id`` (at any depth) becomes a keyed HMAC-SHA256 digest, ``cust_`` + 16 hex;
* values under keys that name personal data (name, email, phone, card...) are replaced;
* emails found anywhere in a string are masked (``use***@example.com``); phone numbers and
  Luhn-valid card numbers are replaced.

Hand-written: Powertools' DataMasking erases fields at known paths, and this must also find
personal data by value, in any field.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

HASH_KEY_ENV = "LOG_HASH_KEY"
# Only for local runs: the Terraform module sets a real key, or hashes could be brute-forced.
DEVELOPMENT_HASH_KEY = "cart-migration-development-log-hash-key"
CUSTOMER_HASH_PREFIX = "cust_"

REDACTED = "[REDACTED]"
REDACTED_PHONE = "[REDACTED_PHONE]"
REDACTED_CARD = "[REDACTED_CARD]"
TRUNCATED = "[TRUNCATED]"

MAX_DEPTH = 12
MAX_STRING_LENGTH = 4096
# Scrubbed past the cut, so personal data that ends before the cut is scrubbed whole.
SCRUB_MARGIN = 256

# Keys the logging framework itself writes; callers cannot set them (see metrics.py).
FRAMEWORK_KEYS = frozenset(
    {"timestamp", "level", "service", "event_type", "xray_trace_id", "sampling_rate", "exception_name"}
)
CUSTOMER_ID_KEY = "customerid"
PERSONAL_KEY_TOKENS = frozenset(
    {
        "name",
        "names",
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "givenname",
        "familyname",
        "middlename",
        "displayname",
        "username",
        "customername",
        "email",
        "emails",
        "mail",
        "emailaddress",
        "phone",
        "phones",
        "phonenumber",
        "mobile",
        "mobilenumber",
        "telephone",
        "tel",
        "msisdn",
        "card",
        "cards",
        "cardnumber",
        "creditcard",
        "creditcardnumber",
        "pan",
        "cvv",
        "cvc",
        "iban",
    }
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# Matched from the start of a whitespace-separated token, without backtracking: linear time.
_EMAIL = re.compile(r"(?<!\S)[^\s@]++(?:@[^\s@]++)+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Digit groups joined by spaces, hyphens or brackets: the shapes phone and card numbers take.
_DIGIT_RUN = re.compile(r"(?<!\d)\+?\(?\d(?:[ ()\-]{0,2}\d)+(?!\d)")


def hash_customer_id(customer_id: Any) -> str:
    """Stable, keyed pseudonym of a customer id, so log queries can still group by customer."""
    key = os.environ.get(HASH_KEY_ENV) or DEVELOPMENT_HASH_KEY
    digest = hmac.new(
        key.encode("utf-8"), str(customer_id).encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()
    return CUSTOMER_HASH_PREFIX + digest[:16]


def mask_email(email: str) -> str:
    """``username@example.com`` -> ``use***@example.com``."""
    local, at, domain = email.rpartition("@")
    if not at:
        return "***"
    visible = local.split("@", 1)[0][:3]
    return f"{visible}***@{domain}"


def passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _classify_digit_run(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if 13 <= len(digits) <= 19 and passes_luhn(digits):
        return REDACTED_CARD
    if 10 <= len(digits) <= 15 or (text.startswith("+") and 8 <= len(digits) <= 15):
        return REDACTED_PHONE
    return text


def scrub_string(value: str) -> str:
    """Mask emails and remove phone and card numbers from free text; UUIDs are left intact."""
    too_long = len(value) > MAX_STRING_LENGTH
    value = value[: MAX_STRING_LENGTH + SCRUB_MARGIN]
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written
    value = _EMAIL.sub(lambda match: mask_email(match.group(0)), value)
    pieces: list[str] = []
    position = 0
    for uuid_match in _UUID.finditer(value):
        pieces.append(_DIGIT_RUN.sub(_classify_digit_run, value[position : uuid_match.start()]))
        pieces.append(uuid_match.group(0))
        position = uuid_match.end()
    pieces.append(_DIGIT_RUN.sub(_classify_digit_run, value[position:]))
    scrubbed = "".join(pieces)
    if too_long or len(scrubbed) > MAX_STRING_LENGTH:
        return scrubbed[:MAX_STRING_LENGTH] + TRUNCATED
    return scrubbed


def _key_tokens(key: str) -> set[str]:
    snake = _CAMEL_BOUNDARY.sub("_", key).lower()
    tokens = {token for token in _KEY_TOKEN_SPLIT.split(snake) if token}
    tokens.add(re.sub(r"[^a-z0-9]", "", snake))
    return tokens


def is_personal_key(key: str) -> bool:
    return not _key_tokens(key).isdisjoint(PERSONAL_KEY_TOKENS)


def _is_customer_id_key(key: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", key.lower()) == CUSTOMER_ID_KEY


def _scrub_number(value: int | float | Decimal) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        # Money keeps its decimals ("630.00" -> 630.0); whole counts stay integers.
        value = int(value) if value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and abs(value) >= 10**9:
        # Ten digits or more can be a phone or card number stored as a number.
        scrubbed = scrub_string(str(value))
        return value if scrubbed == str(value) else scrubbed
    return value


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` with personal data removed."""
    if depth > MAX_DEPTH:
        return TRUNCATED
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _scrub_number(value)
    if isinstance(value, str):
        return scrub_string(value)
    if isinstance(value, Mapping):
        return dict(_scrub_entry(str(key), item, depth + 1) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [scrub_value(item, depth + 1) for item in items]
    return scrub_string(str(value))


def _scrub_entry(key: str, value: Any, depth: int) -> tuple[str, Any]:
    safe_key = scrub_string(key)
    if _is_customer_id_key(key):
        return safe_key, None if value is None else hash_customer_id(value)
    if is_personal_key(key):
        if isinstance(value, str) and "@" in value:
            return safe_key, scrub_string(value)
        return safe_key, REDACTED
    return safe_key, scrub_value(value, depth)


def redact_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Redact one top-level log record; keys the logging framework writes itself pass through."""
    redacted: dict[str, Any] = {}
    for key, value in record.items():
        if key in FRAMEWORK_KEYS:
            redacted[key] = value
        else:
            safe_key, safe_value = _scrub_entry(str(key), value, depth=0)
            redacted[safe_key] = safe_value
    return redacted
