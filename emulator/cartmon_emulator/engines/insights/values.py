"""Field values: how they render in results, convert to numbers, compare, and sort (AWS's natural order)."""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Any, Self

# ----------------------------------------------------------------------------------------------------------
# Values
#
# A field value is None (absent), str, bool (results of comparisons/ispresent; rendered "1"/"0" as AWS does),
# int, float, _Timestamp (epoch ms), or _JsonInt/_JsonFloat (numbers discovered in JSON, which keep their
# original text for rendering).
# ----------------------------------------------------------------------------------------------------------


class _Timestamp(int):
    """Epoch milliseconds that render as ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC), like @timestamp in results."""


class _JsonInt(int):
    """An integer discovered in JSON; renders as logged (``text``)."""

    text: str

    def __new__(cls, text: str) -> Self:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


class _JsonFloat(float):
    """A number with a fraction or exponent discovered in JSON; renders as logged (``text``)."""

    text: str

    def __new__(cls, text: str) -> Self:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _format_timestamp(ms: int) -> str:
    seconds, millis = divmod(int(ms), 1000)
    moment = _EPOCH + _dt.timedelta(seconds=seconds)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{millis:03d}"


def _format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _render(value: Any) -> str:
    """A value as GetQueryResults shows it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _Timestamp):
        return _format_timestamp(value)
    if isinstance(value, (_JsonInt, _JsonFloat)):
        return value.text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, (dict, list)):  # a map or list from jsonParse: its compact JSON text
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _member(value: Any, key: Any) -> Any:
    """``map.key`` / ``list[index]`` (structure types); None when the value has no such member."""
    if isinstance(value, dict):
        return value.get(_render(key))
    if isinstance(value, list):
        index = _to_number(key)
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(value):
            return value[index]
    return None


def _resolve_path(derived: dict[str, Any], name: str) -> Any:
    """A dotted name whose head is a map or list made by jsonParse (``json_message.users.0.action``)."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        value = derived.get(".".join(parts[:cut]))
        if isinstance(value, (dict, list)):
            for part in parts[cut:]:
                value = _member(value, part)
            return value
    return None


def _to_number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT.fullmatch(text):
            if any(c in text for c in ".eE"):
                return float(text)
            return int(text)
    return None


def _is_typed_number(value: Any) -> bool:
    return isinstance(value, (int, float))  # includes bool and _Timestamp


def _values_equal(left: Any, right: Any) -> bool:
    if _is_typed_number(left) or _is_typed_number(right):
        a, b = _to_number(left), _to_number(right)
        if a is not None and b is not None:
            return a == b
        return _render(left) == _render(right)
    return _render(left) == _render(right)


def _compare(left: Any, right: Any) -> int:
    """Ordering used by < <= > >=: numeric when both sides are numbers, otherwise by Unicode text."""
    a, b = _to_number(left), _to_number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    sa, sb = _render(left), _render(right)
    return (sa > sb) - (sa < sb)


def _truth(value: Any) -> bool | None:
    """Three-valued truth of a filter condition: None means unknown (a missing field) and drops the row."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    number = _to_number(value)
    if number is not None:
        return number != 0
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


_DIGIT_RUN = re.compile(r"[0-9]+|[^0-9]+")


def _natural_key(value: Any) -> tuple:
    """AWS's documented ``sort`` order (ascending): non-number values first, ordered chunk by chunk (digit
    runs by length then value, other runs by Unicode code point); then number values by numeric value."""
    number = _to_number(value)
    if number is not None and not (isinstance(number, float) and math.isnan(number)):
        return (1, number, value if isinstance(value, str) else "")  # "01" before "1"
    chunks: list[tuple[int, ...]] = []
    for run in _DIGIT_RUN.findall(_render(value)):
        if run[0] in "0123456789":
            chunks.append((0x30, len(run), int(run)))
        else:
            chunks.append(tuple(ord(c) for c in run))
    return (0, tuple(chunks))
