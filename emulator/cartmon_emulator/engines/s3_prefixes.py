"""Firehose's S3 object keys, in pure Python (stdlib only).

Sources: "Custom Prefixes for Amazon S3 Objects" (firehose/latest/dev/s3-prefixes.html) and "Configure
Amazon S3 object name format" (firehose/latest/dev/s3-object-name.html). A key is
``<evaluated prefix><stream name>-<stream version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><file extension>``.
A prefix may hold ``!{timestamp:<Java DateTimeFormatter pattern>}``, ``!{firehose:random-string}`` and,
in ``ErrorOutputPrefix`` only, ``!{firehose:error-output-type}``. A prefix without a timestamp
expression gets ``!{timestamp:yyyy/MM/dd/HH/}`` appended. Every timestamp expression of one key
evaluates the same instant; every random-string is a new 11-character string.

Dynamic partitioning (``partitionKeyFromQuery``, ``partitionKeyFromLambda``) and the pattern letters
outside ``y u M d H m s`` are refused with :class:`PrefixError` rather than written literally.

Public API: :class:`PrefixError`, :func:`check_prefixes`, :func:`evaluate_prefix`, :func:`object_key`.
"""

from __future__ import annotations

import datetime
import re
import secrets
import string
import uuid

__all__ = ["PrefixError", "check_prefixes", "evaluate_prefix", "object_key"]

DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH/}"
_EXPRESSION_RE = re.compile(r"!\{([^{}:]*):([^{}]*)\}")
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_RANDOM_ALPHABET = string.ascii_lowercase + string.digits


class PrefixError(ValueError):
    """The prefix breaks Firehose's rules, or uses something the emulator does not evaluate."""


def _expressions(template: str, field: str) -> list[tuple[str, str]]:
    found = [(m.group(1), m.group(2)) for m in _EXPRESSION_RE.finditer(template)]
    if template.count("!{") != len(found):
        raise PrefixError(f"{field}: the sequence '!{{' can only appear in !{{namespace:value}} expressions.")
    for namespace, value in found:
        if namespace == "timestamp":
            _java_pattern(value, field)  # raises on a pattern the emulator cannot format
        elif namespace == "firehose":
            if value not in ("random-string", "error-output-type"):
                raise PrefixError(f"{field}: unknown firehose namespace value '{value}'.")
        elif namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
            raise PrefixError(
                f"{field}: the emulator does not run dynamic partitioning, so '!{{{namespace}:{value}}}' "
                "cannot be evaluated."
            )
        else:
            raise PrefixError(f"{field}: unknown namespace '{namespace}'.")
    return found


def check_prefixes(prefix: str | None, error_output_prefix: str | None) -> None:
    """Firehose's semantic rules for a destination's ``Prefix`` and ``ErrorOutputPrefix``."""
    in_prefix = _expressions(prefix or "", "Prefix")
    in_error = _expressions(error_output_prefix or "", "ErrorOutputPrefix")
    if ("firehose", "error-output-type") in in_prefix:
        raise PrefixError("Prefix can't contain !{firehose:error-output-type}.")
    if in_prefix and not error_output_prefix:
        raise PrefixError("ErrorOutputPrefix can't be null when Prefix contains expressions.")
    if in_error and ("firehose", "error-output-type") not in in_error:
        raise PrefixError(
            "ErrorOutputPrefix must contain at least one instance of !{firehose:error-output-type} "
            "when it contains expressions."
        )


def _java_pattern(pattern: str, field: str = "Prefix") -> list[tuple[str, str]]:
    """Tokens ``("literal", text)`` or ``(letter, run)`` of a DateTimeFormatter pattern."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            if pattern.startswith("''", i):
                tokens.append(("literal", "'"))
                i += 2
                continue
            end = i + 1
            text = ""
            while True:
                if end >= len(pattern):
                    raise PrefixError(f"{field}: unterminated quote in the timestamp pattern '{pattern}'.")
                if pattern.startswith("''", end):
                    text += "'"
                    end += 2
                elif pattern[end] == "'":
                    break
                else:
                    text += pattern[end]
                    end += 1
            tokens.append(("literal", text))
            i = end + 1
        elif char.isascii() and char.isalpha():
            run = len(pattern[i:]) - len(pattern[i:].lstrip(char))
            if char not in "yuMdHms":
                raise PrefixError(
                    f"{field}: the emulator formats the timestamp pattern letters y, u, M, d, H, m and s; "
                    f"'{char}' in '{pattern}' is not evaluated."
                )
            tokens.append((char, pattern[i : i + run]))
            i += run
        elif char in "[]{}#":
            raise PrefixError(f"{field}: '{char}' is reserved in a DateTimeFormatter pattern ('{pattern}').")
        else:
            tokens.append(("literal", char))
            i += 1
    return tokens


def _format(pattern: str, moment: datetime.datetime) -> str:
    out = []
    for kind, text in _java_pattern(pattern):
        if kind == "literal":
            out.append(text)
            continue
        width = len(text)
        if kind in "yu":
            out.append(f"{moment.year % 100:02d}" if width == 2 else f"{moment.year:0{width}d}")
        elif kind == "M" and width >= 3:
            name = _MONTH_NAMES[moment.month - 1]
            out.append(name if width == 4 else name[:3])
        else:
            value = {
                "M": moment.month,
                "d": moment.day,
                "H": moment.hour,
                "m": moment.minute,
                "s": moment.second,
            }
            out.append(f"{value[kind]:0{width}d}")
    return "".join(out)


def evaluate_prefix(template: str, moment: datetime.datetime, error_output_type: str | None = None) -> str:
    """The prefix at ``moment`` (the arrival of the oldest record, in the destination's time zone)."""

    def replace(match: re.Match) -> str:
        namespace, value = match.group(1), match.group(2)
        if namespace == "timestamp":
            return _format(value, moment)
        if value == "random-string":
            return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(11))
        if error_output_type is None:
            raise PrefixError("!{firehose:error-output-type} is only evaluated in ErrorOutputPrefix.")
        return error_output_type

    return _EXPRESSION_RE.sub(replace, template)


def object_key(
    prefix: str | None,
    stream_name: str,
    version: str,
    moment: datetime.datetime,
    file_extension: str = "",
    error_output_type: str | None = None,
) -> str:
    """The S3 key of one delivered object. A prefix without expressions keeps LocalStack's reading
    (a '/' is added before the default time prefix, as the documented example shows)."""
    prefix = prefix or ""
    expressions = _expressions(prefix, "ErrorOutputPrefix" if error_output_type else "Prefix")
    if not expressions and prefix and not prefix.endswith("/"):
        prefix += "/"
    if not any(namespace == "timestamp" for namespace, _ in expressions):
        prefix += DEFAULT_TIME_PREFIX
    evaluated = evaluate_prefix(prefix, moment, error_output_type)
    suffix = f"{stream_name}-{version}-{moment:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{file_extension or ''}"
    return evaluated + suffix
