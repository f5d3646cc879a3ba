"""Scalar (non-aggregate) functions and the table the parser looks them up in."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from cartmon_emulator.engines.insights.expressions import (
    _Node,
)
from cartmon_emulator.engines.insights.ip_functions import IP_FUNCTIONS
from cartmon_emulator.engines.insights.periods import (
    _Period,
)
from cartmon_emulator.engines.insights.rows import _JSON_DECODER
from cartmon_emulator.engines.insights.values import (
    _render,
    _Timestamp,
    _to_number,
    _truth,
)


def _fn_ispresent(row: Any, args: list[_Node]) -> Any:
    return args[0].eval(row) is not None


def _fn_unmask(row: Any, args: list[_Node]) -> Any:
    # The engine reads stored (unmasked) events; masking is applied to results by the logs provider, which
    # leaves unmask(...) columns alone when the caller may unmask (Query.unmasks).
    return args[0].eval(row)


def _fn_json_parse(row: Any, args: list[_Node]) -> Any:
    """A map or list from a field holding JSON text of an object or array; no value otherwise."""
    value = args[0].eval(row)
    if isinstance(value, (dict, list)) or value is None:
        return value
    try:
        document = _JSON_DECODER.decode(_render(value).strip())
    except ValueError:
        return None
    return document if isinstance(document, (dict, list)) else None


def _fn_json_stringify(row: Any, args: list[_Node]) -> Any:
    value = args[0].eval(row)
    return _render(value) if isinstance(value, (dict, list)) else None


def _fn_coalesce(row: Any, args: list[_Node]) -> Any:
    for arg in args:
        value = arg.eval(row)
        if value is not None:
            return value
    return None


def _fn_strcontains(row: Any, args: list[_Node]) -> Any:
    haystack, needle = args[0].eval(row), args[1].eval(row)
    if haystack is None or needle is None:
        return 0
    a, b = _render(haystack), _render(needle)
    if len(args) > 2 and _truth(args[2].eval(row)):
        a, b = a.casefold(), b.casefold()
    return 1 if b in a else 0


def _string_function(transform: Callable[..., Any]) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        values = [arg.eval(row) for arg in args]
        if values[0] is None:
            return None
        return transform(_render(values[0]), *values[1:])

    return apply


def _numeric_function(transform: Callable[[int | float], Any]) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        number = _to_number(args[0].eval(row))
        if number is None:
            return None
        try:
            return transform(number)
        except (OverflowError, ValueError):
            return None

    return apply


def _fn_extreme(pick: Callable[..., Any]) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        numbers = [n for n in (_to_number(arg.eval(row)) for arg in args) if n is not None]
        return pick(numbers) if numbers else None

    return apply


def _fn_concat(row: Any, args: list[_Node]) -> Any:
    return "".join(_render(v) for v in (arg.eval(row) for arg in args) if v is not None)


def _fn_isempty(row: Any, args: list[_Node]) -> Any:
    value = args[0].eval(row)
    return 1 if value is None or _render(value) == "" else 0


def _fn_isblank(row: Any, args: list[_Node]) -> Any:
    value = args[0].eval(row)
    return 1 if value is None or _render(value).strip() == "" else 0


def _trim(method: str) -> Callable[..., Any]:
    def apply(text: str, chars: Any = None) -> Any:
        return getattr(text, method)() if chars is None else getattr(text, method)(_render(chars))

    return apply


def _substr(text: str, start: Any, length: Any = None) -> Any:
    begin = _to_number(start)
    if begin is None:
        return None
    begin = max(0, int(begin))
    if length is None:
        return text[begin:]
    size = _to_number(length)
    if size is None:
        return None
    return text[begin : begin + max(0, int(size))]


def _replace(text: str, search: Any, replacement: Any) -> Any:
    if search is None or replacement is None:
        return None
    needle = _render(search)
    return text if needle == "" else text.replace(needle, _render(replacement))


def _timestamp_of(value: Any) -> int | None:
    number = _to_number(value) if not isinstance(value, str) else None
    return None if number is None else int(number)


def _fn_bin(row: Any, args: list[_Node]) -> Any:
    ms = _timestamp_of(row.get("@timestamp"))
    if ms is None:
        return None
    floored = args[0].period.floor(ms)  # type: ignore[attr-defined]
    return None if floored is None else _Timestamp(floored)


def _fn_date_round(up: bool) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        ms = _timestamp_of(args[0].eval(row))
        if ms is None:
            return None
        period: _Period = args[1].period  # type: ignore[attr-defined]
        result = period.ceil(ms) if up else period.floor(ms)
        return None if result is None else _Timestamp(result)

    return apply


def _fn_tomillis(row: Any, args: list[_Node]) -> Any:
    ms = _timestamp_of(args[0].eval(row))
    return None if ms is None else ms


def _fn_frommillis(row: Any, args: list[_Node]) -> Any:
    number = _to_number(args[0].eval(row))
    return None if number is None else _Timestamp(int(number))


# name (lower case) -> (callable, min args, max args or None, positions that must be periods)
_SCALAR_FUNCTIONS: dict[str, tuple[Callable[[Any, list[_Node]], Any], int, int | None, tuple[int, ...]]] = {
    "ispresent": (_fn_ispresent, 1, 1, ()),
    "coalesce": (_fn_coalesce, 1, None, ()),
    "unmask": (_fn_unmask, 1, 1, ()),
    "jsonparse": (_fn_json_parse, 1, 1, ()),
    "jsonstringify": (_fn_json_stringify, 1, 1, ()),
    "strcontains": (_fn_strcontains, 2, 3, ()),
    "bin": (_fn_bin, 1, 1, (0,)),
    "datefloor": (_fn_date_round(False), 2, 2, (1,)),
    "dateceil": (_fn_date_round(True), 2, 2, (1,)),
    "tomillis": (_fn_tomillis, 1, 1, ()),
    "frommillis": (_fn_frommillis, 1, 1, ()),
    "abs": (_numeric_function(abs), 1, 1, ()),
    "ceil": (_numeric_function(math.ceil), 1, 1, ()),
    "floor": (_numeric_function(math.floor), 1, 1, ()),
    # log/sqrt outside their domain (log of 0 or less, sqrt of a negative) give no value, like division by 0.
    "log": (_numeric_function(math.log), 1, 1, ()),
    "sqrt": (_numeric_function(math.sqrt), 1, 1, ()),
    "greatest": (_fn_extreme(max), 1, None, ()),
    "least": (_fn_extreme(min), 1, None, ()),
    "concat": (_fn_concat, 1, None, ()),
    "strlen": (_string_function(len), 1, 1, ()),
    "toupper": (_string_function(str.upper), 1, 1, ()),
    "tolower": (_string_function(str.lower), 1, 1, ()),
    "isempty": (_fn_isempty, 1, 1, ()),
    "isblank": (_fn_isblank, 1, 1, ()),
    "trim": (_string_function(_trim("strip")), 1, 2, ()),
    "ltrim": (_string_function(_trim("lstrip")), 1, 2, ()),
    "rtrim": (_string_function(_trim("rstrip")), 1, 2, ()),
    "substr": (_string_function(_substr), 2, 3, ()),
    "replace": (_string_function(_replace), 3, 3, ()),
    **IP_FUNCTIONS,
}

# Function names Logs Insights tooling knows but this engine does not implement: reported as unsupported (valid
# Logs Insights QL the emulator cannot run), not as malformed.
_KNOWN_UNSUPPORTED_FUNCTIONS = frozenset(
    {
        "rate",
        "count_over_time",
        "sum_over_time",
        "histogram",
        "round",
        "haversine",
        "tonumber",
        "toint",
        "tolong",
        "todouble",
        "now",
        "parsedate",
        "formatdate",
        "strftime",
        "case",
        "if",
        "isnumeric",
        "messagesize",
        "querystarttime",
        "queryendtime",
        "querytimerange",
        "jsonarraysize",
        "jsonarraycontains",
        "ipv4tonumber",
        "isprivateip",
        "ispublicip",
        "isreservedip",
        "regexreplace",
        "startswith",
        "endswith",
        "urlencode",
        "urldecode",
        "base64encode",
        "base64decode",
        "split",
        "hextoascii",
        "hextodec",
        "dectohex",
    }
)
