"""The parse command's logfmt and csv modes, and the json command's path lookup
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html). Choices where the page
says nothing are in docs/insights-emulation.md."""

from __future__ import annotations

import csv
import re
from typing import Any

from cartmon_emulator.engines.insights.rows import _JSON_DECODER
from cartmon_emulator.engines.insights.values import _member, _render

# key=value, key="quoted \"value\"", key= (empty) or a bare key; pairs are separated by whitespace.
_LOGFMT_PAIR = re.compile(r'([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?')


def _parse_logfmt(text: str) -> dict[str, Any] | None:
    """A map of the line's keys; a bare key is "true" (the logfmt convention); None when there is no key."""
    pairs: dict[str, Any] = {}
    for match in _LOGFMT_PAIR.finditer(text):
        key, value = match.group(1), match.group(2)
        if value is None:
            pairs[key] = "true"
        elif value.startswith('"') and value.endswith('"') and len(value) >= 2:
            pairs[key] = re.sub(r"\\(.)", r"\1", value[1:-1])
        else:
            pairs[key] = value
    return pairs or None


def _parse_csv(text: str, count: int) -> list[str | None]:
    """The first ``count`` comma-separated values (RFC 4180 quoting); missing positions have no value."""
    values = next(csv.reader([text]), [])
    return [values[index] if index < len(values) else None for index in range(count)]


def _json_path(value: Any, path: str) -> Any:
    """``json field=name "key.subkey"``: the member at the dotted path of a map, or of JSON object text."""
    if value is None:
        return None
    if not isinstance(value, (dict, list)):
        try:
            value = _JSON_DECODER.decode(_render(value).strip())
        except ValueError:
            return None
    for part in path.split("."):
        value = _member(value, part)
        if value is None:
            return None
    return value
