"""Deterministic stand-ins for the commands AWS computes with machine learning: ``pattern`` groups messages
on the shape of their tokens (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Pattern.html).

AWS does not publish its clustering, so the emulator's rule is documented in docs/insights-emulation.md:
split the text on whitespace; a token holding a digit is dynamic and becomes ``<Type-n>`` (n counts the
dynamic tokens from 1); every other token must match exactly. Messages with the same shape share a pattern.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

_SEPARATORS = re.compile(r"(\s+)")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Punctuation that wraps a value in structured text (quotes, brackets, a trailing comma) stays in the pattern.
_WRAPPED = re.compile(r"^([\"'(\[{<]*)(.*?)([\"')\]}>,;:.]*)$")
_SEVERITIES = (
    (re.compile(r"\b(?:ERROR|ERR|FATAL|CRITICAL|SEVERE)\b", re.IGNORECASE), "Error"),
    (re.compile(r"\b(?:WARN|WARNING)\b", re.IGNORECASE), "Warning"),
    (re.compile(r"\bINFO\b", re.IGNORECASE), "Info"),
    (re.compile(r"\b(?:DEBUG|TRACE)\b", re.IGNORECASE), "Debug"),
)
PATTERN_COLUMNS = ["@pattern", "@ratio", "@sampleCount", "@severityLabel"]
# CWL_AnalyzeLogData_Compare names the columns Pattern, Event count, Difference event count, Difference
# description and Severity type, but not their field names: these are the emulator's.
DIFF_COLUMNS = ["@pattern", "@eventCount", "@diffEventCount", "@diffDescription", "@severityLabel"]


def _token_type(core: str) -> str:
    """The type named in a dynamic token, as far as the text shows it; ``Token`` when it does not."""
    if _TIME.fullmatch(core):
        return "Time"
    if _NUMBER.fullmatch(core):
        return "Number"
    if _UUID.fullmatch(core):
        return "ID"
    try:
        ipaddress.ip_address(core)
    except ValueError:
        return "Token"
    return "IP"


def _shape(text: str) -> str:
    """The message's pattern: tokens with a digit replaced by ``<Type-n>``."""
    parts = _SEPARATORS.split(text.strip())
    dynamic = 0
    for index in range(0, len(parts), 2):
        token = parts[index]
        if not any(ch.isdigit() for ch in token):
            continue
        match = _WRAPPED.match(token)
        assert match is not None  # the expression matches every string
        opening, core, closing = match.groups()
        if not any(ch.isdigit() for ch in core):
            continue
        dynamic += 1
        parts[index] = f"{opening}<{_token_type(core)}-{dynamic}>{closing}"
    return "".join(" " if index % 2 else part for index, part in enumerate(parts))


def _severity(text: str) -> str:
    for expression, label in _SEVERITIES:
        if expression.search(text):
            return label
    return "Unknown"


def cluster(texts: list[str | None]) -> list[dict[str, Any]]:
    """One row per pattern: its text, share of all input rows, count and the severity of its first sample;
    most frequent first, ties by pattern text. Rows without a value count in the ratio's denominator."""
    total = len(texts)
    groups: dict[str, list[str]] = {}
    for text in texts:
        if text is not None:
            groups.setdefault(_shape(text), []).append(text)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {
            "@pattern": pattern,
            "@ratio": len(samples) / total,
            "@sampleCount": len(samples),
            "@severityLabel": _severity(samples[0]),
        }
        for pattern, samples in ordered
    ]


def compare(current: list[str | None], previous: list[str | None]) -> list[dict[str, Any]]:
    """``diff``: each pattern's count now, its change from the comparison period (positive: more now) and a
    short description; patterns seen only in the comparison period are listed with an event count of 0.
    Ordered by the size of the change, largest first, then by pattern text."""
    now: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    for texts, groups in ((current, now), (previous, before)):
        for text in texts:
            if text is not None:
                groups.setdefault(_shape(text), []).append(text)
    rows: list[dict[str, Any]] = []
    for pattern in set(now) | set(before):
        count, earlier = len(now.get(pattern, [])), len(before.get(pattern, []))
        change = count - earlier
        if earlier == 0:
            description = "New pattern"
        elif count == 0:
            description = "Not seen in the current period"
        elif change > 0:
            description = f"Increased by {change}"
        elif change < 0:
            description = f"Decreased by {-change}"
        else:
            description = "No change"
        sample = (now.get(pattern) or before[pattern])[0]
        rows.append(
            {
                "@pattern": pattern,
                "@eventCount": count,
                "@diffEventCount": change,
                "@diffDescription": description,
                "@severityLabel": _severity(sample),
            }
        )
    rows.sort(key=lambda values: (-abs(values["@diffEventCount"]), values["@pattern"]))
    return rows
