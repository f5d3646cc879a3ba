"""Privacy filter applied to every structured log record before it is written.

It runs inside the logging path, so no call site can leak by forgetting it:

* ``customer_id`` (at any depth) becomes a keyed HMAC-SHA256 digest, ``cust_`` + 16 hex, keyed
  with ``LOG_HASH_KEY`` (never with a public fallback key);
* ``guest_session_id`` (at any depth), and any guest session id (``guest-...``) inside free text,
  becomes ``gsess_`` + 16 hex under the same key: the session id is the only proof that a guest
  cart is the caller's (migrate and cleanup take it as such), so a raw one in the logs would let
  anyone who reads them claim that cart with any customer token;
* values under keys that name personal data (name, email, phone, card...) are replaced whole,
  whatever they look like;
* emails found anywhere in a string are masked (``use***@example.com``); phone numbers and
  Luhn-valid card numbers, their digits grouped by spaces, hyphens, brackets or dots, are replaced;
* whole numbers of ten digits or more (a phone or card number stored as a number) are replaced.

Cost: this runs for every line, so the work is proportional to what can hold personal data.
Numbers below a billion, booleans and None pass untouched; key classification, short strings and
customer-id digests are memoised (a request logs the same ids and keys on every line); the
patterns are compiled once and run only on strings that could match (an ``@`` for emails, a digit
for numbers).

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
from functools import lru_cache
from typing import Any

HASH_KEY_ENV = "LOG_HASH_KEY"
# Shortest key the function accepts (config.py) and the module allows (variables-function.tf).
MIN_HASH_KEY_LENGTH = 16
CUSTOMER_HASH_PREFIX = "cust_"
GUEST_SESSION_HASH_PREFIX = "gsess_"

REDACTED = "[REDACTED]"
REDACTED_PHONE = "[REDACTED_PHONE]"
REDACTED_CARD = "[REDACTED_CARD]"
REDACTED_NUMBER = "[REDACTED_NUMBER]"
TRUNCATED = "[TRUNCATED]"

MAX_DEPTH = 12
MAX_STRING_LENGTH = 4096
# Scrubbed past the cut, so personal data that ends before the cut is scrubbed whole.
SCRUB_MARGIN = 256
# Whole numbers from here up have ten digits or more: the length of a phone or card number.
LARGE_NUMBER = 10**9
# Strings up to this length are memoised: ids, codes and messages repeat on every line.
MEMOISED_STRING_LENGTH = 256

# Keys the logging framework itself writes; callers cannot set them (see event_log.py).
FRAMEWORK_KEYS = frozenset(
    {
        "timestamp",
        "level",
        "service",
        "event_type",
        "xray_trace_id",
        "sampling_rate",
        "exception_name",
        # Powertools' Lambda-context keys and the correlation id (event_log.set_lambda_context):
        # the function ARN holds the 12-digit account id, which must not read as a phone number.
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "correlation_id",
    }
)
CUSTOMER_ID_KEY = "customerid"
GUEST_SESSION_ID_KEY = "guestsessionid"
# A guest session id as validation.py accepts it, wherever it appears in free text (a path, an error).
_GUEST_SESSION_ID = re.compile(r"guest-[A-Za-z0-9_-]{1,128}")
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
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")
_NOT_DIGIT = re.compile(r"\D")
_DIGIT = re.compile(r"\d")
# Matched from the start of a whitespace-separated token, without backtracking: linear time.
_EMAIL = re.compile(r"(?<!\S)[^\s@]++(?:@[^\s@]++)+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Digit groups joined by spaces, hyphens, brackets or dots: the shapes phone and card numbers take.
_DIGIT_RUN = re.compile(r"(?<![\d.])\+?\(?\d(?:[ ().\-]{0,2}\d)+(?!\d)")
# Dotted digits that are not a phone or card: an IPv4 address, a decimal number.
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+\.\d+")

_KEY_PLAIN, _KEY_CUSTOMER_ID, _KEY_PERSONAL, _KEY_GUEST_SESSION_ID = 0, 1, 2, 3


class _KeyedDigests:
    """HMAC digests of customer ids, memoised per key: a request hashes its customer once, not
    once per line. Bounded, so a flood of distinct ids cannot grow it."""

    MAX_ENTRIES = 1024

    def __init__(self) -> None:
        self._key: str | None = None
        self._digests: dict[str, str] = {}

    def digest(self, key: str, identifier: str, prefix: str = CUSTOMER_HASH_PREFIX) -> str:
        if key != self._key:
            self._key, self._digests = key, {}
        memo_key = identifier if prefix == CUSTOMER_HASH_PREFIX else f"{prefix}\x00{identifier}"
        cached = self._digests.get(memo_key)
        if cached is None:
            mac = hmac.new(key.encode("utf-8"), identifier.encode("utf-8", "surrogatepass"), hashlib.sha256)
            cached = prefix + mac.hexdigest()[:16]
            if len(self._digests) >= self.MAX_ENTRIES:
                self._digests.clear()
            self._digests[memo_key] = cached
        return cached


_digests = _KeyedDigests()


# Used only where LOG_HASH_KEY is unset, which the function itself refuses (config.py): tools and
# tests that log outside it. Random per process, so it is never public, and pseudonyms stay stable
# within the process, so their lines still group by customer.
_PROCESS_HASH_KEY = os.urandom(32).hex()


def hash_customer_id(customer_id: Any) -> str:
    """Stable, keyed pseudonym of a customer id, so log queries can still group by customer.

    Keyed with ``LOG_HASH_KEY``; there is no built-in key, since a hash under a public key can be
    reversed by trying ids. Without the setting, a random key of this process is used."""
    return _digests.digest(os.environ.get(HASH_KEY_ENV) or _PROCESS_HASH_KEY, str(customer_id))


def hash_guest_session_id(guest_session_id: Any) -> str:
    """Keyed pseudonym of a guest session id (``gsess_`` + 16 hex), like ``hash_customer_id``."""
    return _digests.digest(
        os.environ.get(HASH_KEY_ENV) or _PROCESS_HASH_KEY, str(guest_session_id), GUEST_SESSION_HASH_PREFIX
    )


def _hash_guest_sessions_in(text: str) -> str:
    return _GUEST_SESSION_ID.sub(lambda match: hash_guest_session_id(match.group(0)), text)


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


def _classify_digit_run(match: re.Match[str]) -> str:
    text = match.group(0)
    if "." in text and (_IPV4.fullmatch(text) or _DECIMAL.fullmatch(text)):
        return text
    digits = _NOT_DIGIT.sub("", text)
    if 13 <= len(digits) <= 19 and passes_luhn(digits):
        return REDACTED_CARD
    if 10 <= len(digits) <= 15 or (text.startswith("+") and 8 <= len(digits) <= 15):
        return REDACTED_PHONE
    return text


def _scrub_digits(text: str) -> str:
    if not _DIGIT.search(text):
        return text
    if len(text) < 36 or "-" not in text:  # too short or no hyphen: cannot hold a UUID
        return _DIGIT_RUN.sub(_classify_digit_run, text)
    pieces: list[str] = []
    position = 0
    for uuid_match in _UUID.finditer(text):
        pieces.append(_DIGIT_RUN.sub(_classify_digit_run, text[position : uuid_match.start()]))
        pieces.append(uuid_match.group(0))
        position = uuid_match.end()
    pieces.append(_DIGIT_RUN.sub(_classify_digit_run, text[position:]))
    return "".join(pieces)


def _scrub_text(value: str) -> str:
    too_long = len(value) > MAX_STRING_LENGTH
    value = value[: MAX_STRING_LENGTH + SCRUB_MARGIN]
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written
    if "guest-" in value:
        value = _hash_guest_sessions_in(value)
    if "@" in value:
        value = _EMAIL.sub(lambda match: mask_email(match.group(0)), value)
    scrubbed = _scrub_digits(value)
    if too_long or len(scrubbed) > MAX_STRING_LENGTH:
        return scrubbed[:MAX_STRING_LENGTH] + TRUNCATED
    return scrubbed


_scrub_short_text = lru_cache(maxsize=2048)(_scrub_text)


def scrub_string(value: str) -> str:
    """Mask emails and remove phone and card numbers from free text; UUIDs are left intact."""
    if len(value) <= MEMOISED_STRING_LENGTH:
        return _scrub_short_text(value)
    return _scrub_text(value)


def _key_tokens(key: str) -> set[str]:
    snake = _CAMEL_BOUNDARY.sub("_", key).lower()
    tokens = {token for token in _KEY_TOKEN_SPLIT.split(snake) if token}
    tokens.add(_NOT_ALPHANUMERIC.sub("", snake))
    return tokens


def is_personal_key(key: str) -> bool:
    return not _key_tokens(key).isdisjoint(PERSONAL_KEY_TOKENS)


@lru_cache(maxsize=1024)
def _classify_key(key: str) -> tuple[str, int]:
    """(the key as it may be written, what its value is). Keys repeat on every line: memoised."""
    compact = _NOT_ALPHANUMERIC.sub("", key.lower())
    if compact == CUSTOMER_ID_KEY:
        kind = _KEY_CUSTOMER_ID
    elif compact == GUEST_SESSION_ID_KEY:
        kind = _KEY_GUEST_SESSION_ID
    elif is_personal_key(key):
        kind = _KEY_PERSONAL
    else:
        kind = _KEY_PLAIN
    return scrub_string(key), kind


def _scrub_large_whole_number(value: int) -> Any:
    # Ten digits or more can be a phone or card number stored as a number; never written as is.
    text = str(abs(value))
    scrubbed = scrub_string(text)
    return scrubbed if scrubbed in (REDACTED_PHONE, REDACTED_CARD) else REDACTED_NUMBER


def _scrub_number(value: int | float | Decimal) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        # Money keeps its decimals ("630.00" -> 630.0); whole counts stay integers.
        exponent = value.as_tuple().exponent  # an int for every finite value ("n", "N", "F" are not)
        value = int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) >= LARGE_NUMBER:
            return _scrub_large_whole_number(int(value))
        return value
    if abs(value) >= LARGE_NUMBER:
        return _scrub_large_whole_number(value)
    return value


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` with personal data removed."""
    kind = type(value)
    # The common types first, by exact type: no isinstance chain for a string or a small int.
    if kind is str:
        return scrub_string(value)
    if kind is int:
        return value if -LARGE_NUMBER < value < LARGE_NUMBER else _scrub_large_whole_number(value)
    if value is None or kind is bool:
        return value
    if depth > MAX_DEPTH:
        return TRUNCATED
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _scrub_number(value)
    if isinstance(value, str):
        return scrub_string(str(value))
    if isinstance(value, Mapping):
        return dict(_scrub_entry(str(key), item, depth + 1) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [scrub_value(item, depth + 1) for item in items]
    return scrub_string(str(value))


def _scrub_entry(key: str, value: Any, depth: int) -> tuple[str, Any]:
    safe_key, kind = _classify_key(key)
    if kind == _KEY_CUSTOMER_ID:
        return safe_key, None if value is None else hash_customer_id(value)
    if kind == _KEY_GUEST_SESSION_ID:
        return safe_key, None if value is None else hash_guest_session_id(value)
    if kind == _KEY_PERSONAL:
        # Whole, whatever the value looks like: "Jane Doe @home" is a name, not an email to mask.
        return safe_key, REDACTED
    return safe_key, scrub_value(value, depth)


def redact_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Redact one top-level log record; keys the logging framework writes itself pass through."""
    redacted: dict[str, Any] = {}
    for key, value in record.items():
        if key in FRAMEWORK_KEYS:
            redacted[key] = value
        else:
            safe_key, safe_value = _scrub_entry(key if type(key) is str else str(key), value, 0)
            redacted[safe_key] = safe_value
    return redacted
