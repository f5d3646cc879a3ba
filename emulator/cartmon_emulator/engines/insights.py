"""A pure-Python engine for a subset of the CloudWatch Logs Insights query language (Logs Insights QL).

LocalStack's ``StartQuery`` ignores ``filter``/``stats``/``parse``; this module evaluates a query the way the
real service does (as far as AWS documents it) so ``GetQueryResults`` can return faithful rows.

Size: this file holds one language (tokenizer, parser, the commands and the ~90 functions, each tied to
the grammar and to the row model), which is why it is larger than the other engines; splitting it would
scatter the grammar over modules that only make sense together.

Public API
----------
``parse_query(text) -> Query``
    Parses and validates a query.  Raises :class:`MalformedQuery` (syntax error, with line/column) or
    :class:`UnsupportedQuery` (valid Logs Insights QL that this engine does not implement).  Nothing is ever
    silently ignored.
``run_query(query_text, events, start_time, end_time, limit=None) -> list[list[dict]]``
    Rows shaped like ``GetQueryResults.results``: each row is a list of ``{"field": name, "value": str}`` in
    column order; fields with no value in a row are omitted (as AWS does).
``execute(query_text, events, start_time, end_time, limit=None) -> QueryOutcome``
    The rows plus ``records_matched`` / ``records_scanned`` / ``bytes_scanned`` (``QueryOutcome.statistics``
    gives the ``GetQueryResults.statistics`` dict).
``LogEvent``
    One stored log event.

Supported: commands ``fields``, ``display``, ``filter``, ``parse`` (glob and regex), ``stats`` (at most two, as
AWS allows), ``sort``, ``limit``, ``dedup``; ``#`` comments; aggregates ``count``, ``count_distinct``, ``sum``,
``avg``, ``min``, ``max``, ``pct``; functions ``ispresent``, ``coalesce``, ``strcontains``, ``bin``,
``datefloor``, ``dateceil``, ``toMillis``, ``fromMillis``, ``abs``, ``ceil``, ``floor``, ``greatest``,
``least``, ``concat``, ``strlen``, ``toupper``, ``tolower``, ``isempty``, ``isblank``, ``trim``, ``ltrim``,
``rtrim``, ``substr``, ``replace``.  Everything else raises :class:`UnsupportedQuery` naming it.

Where AWS documents no answer, this engine chooses (and the tests pin down):

* Unsorted event rows come newest first (the documented default for dedup); ``sort x`` without a direction
  sorts descending; missing values sort last in either direction.
* ``stats`` groups come out in order of first appearance while scanning newest first, so time bins are newest
  first; by-columns precede aggregate columns; an ungrouped ``stats`` over no events gives no row.
* A comparison with a missing field is unknown (three-valued logic): ``!=``, ``not like``, ``not in`` and
  ``not (...)`` do not select events that lack the field.
* Booleans render as ``1``/``0``; whole doubles render without ``.0``; JSON numbers keep their logged text.
* ``pct`` is exact nearest-rank (an actual field value); ``count_distinct`` is exact.
* The time range is inclusive at one-second resolution (StartQuery's epoch seconds).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

__all__ = [
    "DEFAULT_RESULT_LIMIT",
    "InsightsQueryError",
    "LogEvent",
    "MalformedQuery",
    "Query",
    "QueryOutcome",
    "UnsupportedQuery",
    "execute",
    "parse_query",
    "run_query",
]

#: Rows returned when neither the query (``limit``) nor the API call (``limit``) asks for fewer.
DEFAULT_RESULT_LIMIT = 10_000
_MAX_LIMIT = 10_000
_MAX_STATS_COMMANDS = 2


# ----------------------------------------------------------------------------------------------------------
# Errors and public data types
# ----------------------------------------------------------------------------------------------------------


class InsightsQueryError(ValueError):
    """Base class of the two query errors; ``message``, ``line`` and ``column`` (1-based, or None)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class MalformedQuery(InsightsQueryError):
    """The query is not valid Logs Insights QL (AWS answers MalformedQueryException)."""


class UnsupportedQuery(InsightsQueryError):
    """The query uses a command or function that is valid Logs Insights QL but not implemented here."""


@dataclasses.dataclass(frozen=True)
class LogEvent:
    """One log event as CloudWatch Logs stores it."""

    timestamp_ms: int
    message: str
    log_stream: str = ""
    log_group: str = ""
    ingestion_time_ms: int | None = None
    account_id: str = "000000000000"


@dataclasses.dataclass(frozen=True)
class QueryOutcome:
    """Result of :func:`execute`: rows as ``GetQueryResults`` shapes them, plus the statistics."""

    rows: list[list[dict[str, str]]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int

    @property
    def statistics(self) -> dict[str, float]:
        """The ``statistics`` member of a ``GetQueryResults`` response (AWS sends doubles)."""
        return {
            "recordsMatched": float(self.records_matched),
            "recordsScanned": float(self.records_scanned),
            "bytesScanned": float(self.bytes_scanned),
        }


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
    def __new__(cls, text: str) -> Self:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


class _JsonFloat(float):
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
    return str(value)


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
    chunks = []
    for run in _DIGIT_RUN.findall(_render(value)):
        if run[0] in "0123456789":
            chunks.append((0x30, len(run), int(run)))
        else:
            chunks.append(tuple(ord(c) for c in run))
    return (0, tuple(chunks))


# ----------------------------------------------------------------------------------------------------------
# Periods (bin/datefloor/dateceil)
# ----------------------------------------------------------------------------------------------------------

_UNIT_ALIASES = {
    "ms": ("millisecond", "milliseconds", "ms", "msec", "msecs"),
    "s": ("second", "seconds", "s", "sec", "secs"),
    "m": ("minute", "minutes", "m", "min", "mins"),
    "h": ("hour", "hours", "h", "hr", "hrs"),
    "d": ("day", "days", "d"),
    "w": ("week", "weeks", "w"),
    "mo": ("month", "months", "mo", "mon", "mons"),
    "q": ("quarter", "quarters", "q", "qtr", "qtrs"),
    "y": ("year", "years", "y", "yr", "yrs"),
}
_UNITS = {alias: canonical for canonical, aliases in _UNIT_ALIASES.items() for alias in aliases}
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# "CloudWatch Logs caps your request according to the time unit": bin(300s) is implemented as 60 seconds.
_UNIT_CAP = {"ms": 1000, "s": 60, "m": 60, "h": 24}
_UNIT_MONTHS = {"mo": 1, "q": 3, "y": 12}


@dataclasses.dataclass(frozen=True)
class _Period:
    amount: int
    unit: str  # canonical unit

    def floor(self, ms: int) -> int | None:
        if self.unit in _UNIT_MS:
            size = self.amount * _UNIT_MS[self.unit]
            return (ms // size) * size
        months = self.amount * _UNIT_MONTHS[self.unit]
        moment = _EPOCH + _dt.timedelta(milliseconds=ms)
        index = ((moment.year * 12 + moment.month - 1) // months) * months
        year, month = divmod(index, 12)
        if year < 1:
            return None
        start = _dt.datetime(year, month + 1, 1, tzinfo=_dt.UTC)
        return (start - _EPOCH) // _dt.timedelta(milliseconds=1)

    def ceil(self, ms: int) -> int | None:
        floored = self.floor(ms)
        if floored is None or floored == ms:
            return floored
        if self.unit in _UNIT_MS:
            return floored + self.amount * _UNIT_MS[self.unit]
        months = self.amount * _UNIT_MONTHS[self.unit]
        moment = _EPOCH + _dt.timedelta(milliseconds=floored)
        year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
        if year > 9999:
            return None
        start = _dt.datetime(year, month + 1, 1, tzinfo=_dt.UTC)
        return (start - _EPOCH) // _dt.timedelta(milliseconds=1)


# ----------------------------------------------------------------------------------------------------------
# Lexer
# ----------------------------------------------------------------------------------------------------------

_KEYWORDS = frozenset({"and", "or", "not", "like", "in", "as", "by", "asc", "desc"})
_OPERATORS = (
    "!=",
    "<=",
    ">=",
    "=~",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "(",
    ")",
    "[",
    "]",
    ",",
    "|",
)
_IDENT_START = re.compile(r"[A-Za-z_@$]")
_IDENT = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$.]*")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_UNIT_WORD = re.compile(r"[A-Za-z]+")
_DIGITS = "0123456789"


@dataclasses.dataclass
class _Token:
    kind: str  # IDENT, STRING, REGEX, NUMBER, DURATION, OP, EOF
    value: Any
    start: int
    end: int
    quoted: bool = False  # backticked identifier
    command_start: bool = False

    def is_word(self, word: str) -> bool:
        return self.kind == "IDENT" and not self.quoted and self.value.lower() == word

    def is_op(self, op: str) -> bool:
        return self.kind == "OP" and self.value == op


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _regex_allowed(tokens: list[_Token]) -> bool:
    """Whether a '/' starts a regular expression (rather than being the division operator)."""
    if not tokens:
        return True
    prev = tokens[-1]
    if prev.kind == "OP":
        return prev.value not in (")", "]")
    if prev.kind != "IDENT":
        return False
    if not prev.quoted:
        word = prev.value.lower()
        if word in ("like", "and", "or", "not", "in"):
            return True
        if prev.command_start and word == "parse":  # parse /regex/ (field defaults to @message)
            return True
    # parse <field> /regex/
    return len(tokens) >= 2 and tokens[-2].command_start and tokens[-2].is_word("parse")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)

    def fail(message: str, offset: int) -> MalformedQuery:
        return MalformedQuery(message, *_position(text, offset))

    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":  # comment to end of line
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        start = i
        command_start = not tokens or tokens[-1].is_op("|")
        if c in "\"'":
            chars: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise fail("unterminated string literal", start)
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    chars.append(
                        {"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt) if nxt in "ntr\"'\\" else "\\" + nxt
                    )
                    i += 2
                    continue
                if ch == c:
                    i += 1
                    break
                chars.append(ch)
                i += 1
            tokens.append(_Token("STRING", "".join(chars), start, i, command_start=command_start))
            continue
        if c == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise fail("unterminated backtick field name", start)
            name = text[i + 1 : close]
            if not name:
                raise fail("empty backtick field name", start)
            i = close + 1
            tokens.append(_Token("IDENT", name, start, i, quoted=True, command_start=command_start))
            continue
        if c == "/" and _regex_allowed(tokens):
            i += 1
            in_class = False
            while True:
                if i >= n:
                    raise fail("unterminated regular expression (missing closing '/')", start)
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    i += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                i += 1
            pattern = text[start + 1 : i]
            i += 1
            if i < n and (text[i].isalpha()):
                raise fail(
                    "regular expression flags after the closing '/' are not supported by Logs Insights; "
                    "put an inline flag such as (?i) at the start of the pattern",
                    i,
                )
            tokens.append(_Token("REGEX", pattern, start, i, command_start=command_start))
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None
            i = match.end()
            literal = match.group()
            number: int | float = float(literal) if any(ch in literal for ch in ".eE") else int(literal)
            unit = _UNIT_WORD.match(text, i)
            if unit:
                i = unit.end()
                tokens.append(
                    _Token("DURATION", (number, unit.group()), start, i, command_start=command_start)
                )
            else:
                if i < n and (text[i] == "_" or text[i] == "@"):
                    raise fail(f"unexpected character {text[i]!r} after number", i)
                tokens.append(_Token("NUMBER", number, start, i, command_start=command_start))
            continue
        if _IDENT_START.match(c):
            match = _IDENT.match(text, i)
            assert match is not None
            i = match.end()
            tokens.append(_Token("IDENT", match.group(), start, i, command_start=command_start))
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                i += len(op)
                tokens.append(_Token("OP", op, start, i, command_start=command_start))
                break
        else:
            raise fail(f"unexpected character {c!r}", i)
    tokens.append(_Token("EOF", None, n, n))
    return tokens


# ----------------------------------------------------------------------------------------------------------
# Regular expressions: translate the RE2 dialect AWS documents into Python's ``re``
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Regex:
    source: str
    compiled: re.Pattern[str]
    names: tuple[tuple[str, str], ...]  # (python group name, Logs Insights field name)


def _translate_regex(source: str, error: Callable[[str], InsightsQueryError]) -> _Regex:
    out: list[str] = []
    names: list[tuple[str, str]] = []
    # One entry per open group: the flags of a scoped "(?i)" wrapper opened inside it, if any.
    stack: list[str | None] = [None]
    multiline = False
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            if i + 1 >= n:
                raise error("regular expression ends with a lone backslash")
            nxt = source[i + 1]
            if nxt == "z":
                out.append(r"\Z")
            elif nxt in "pPC":
                raise UnsupportedQuery(
                    f"regular expression escape '\\{nxt}' is not supported by this emulator"
                )
            elif nxt == "Q":
                end = source.find("\\E", i + 2)
                literal = source[i + 2 :] if end < 0 else source[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            else:
                out.append(source[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            if j >= n:
                raise error("unterminated character class in regular expression")
            out.append(source[i : j + 1])
            i = j + 1
            continue
        if c == "(":
            if (
                source.startswith("(?<", i)
                and not source.startswith(("(?<=", "(?<!"), i)
                or source.startswith("(?P<", i)
            ):
                name_start = source.index("<", i) + 1
                name_end = source.find(">", name_start)
                if name_end < 0:
                    raise error("unterminated group name in regular expression")
                name = source[name_start:name_end]
                if not re.fullmatch(r"[A-Za-z_@][A-Za-z0-9_@.]*", name):
                    raise error(f"invalid capture group name {name!r} in regular expression")
                python_name = f"_g{len(names)}"
                names.append((python_name, name))
                out.append(f"(?P<{python_name}>")
                stack.append(None)
                i = name_end + 1
                continue
            flags = re.match(r"\(\?([a-zA-Z-]+)\)", source[i:])
            if flags:
                letters = flags.group(1)
                if set(letters) - set("imsx-"):
                    raise UnsupportedQuery(f"regular expression flags '(?{letters})' are not supported")
                if "m" in letters.split("-")[0]:
                    multiline = True
                i += flags.end()
                if not out and len(stack) == 1 and stack[-1] is None:
                    # leading global flag: Python accepts it as is
                    out.append(f"(?{letters})")
                    continue
                if stack[-1] is not None:
                    out.append(")")
                out.append(f"(?{letters}:")
                stack[-1] = letters
                continue
            out.append("(")
            stack.append(None)
            i += 1
            continue
        if c == ")":
            if len(stack) == 1:
                raise error("unbalanced ')' in regular expression")
            if stack.pop() is not None:
                out.append(")")
            out.append(")")
            i += 1
            continue
        if c == "|" and stack[-1] is not None:
            out.append(f")|(?{stack[-1]}:")
            i += 1
            continue
        if c == "$" and not multiline:
            out.append(r"\Z")  # RE2's $ (without m) matches only at the very end
            i += 1
            continue
        out.append(c)
        i += 1
    if len(stack) > 1:
        raise error("unbalanced '(' in regular expression")
    if stack[-1] is not None:
        out.append(")")
    python_source = "".join(out)
    try:
        compiled = re.compile(python_source)
    except re.error as exc:
        raise error(f"invalid regular expression /{source}/: {exc}") from None
    return _Regex(source, compiled, tuple(names))


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """parse glob: each '*' captures; inner ones lazily, a trailing one to the end of the value."""
    parts = pattern.split("*")
    out = [re.escape(parts[0])]
    for index, literal in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        out.append("(.*)" if last and literal == "" else "(.*?)")
        out.append(re.escape(literal))
    return re.compile("".join(out), re.DOTALL)


# ----------------------------------------------------------------------------------------------------------
# Rows
# ----------------------------------------------------------------------------------------------------------

_BUILTIN_FIELDS = frozenset({"@timestamp", "@message", "@logStream", "@log", "@ingestionTime", "@ptr"})


def _flatten_json(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if not prefix and key.startswith("@"):
                key = "@" + key  # "If the name of a discovered log field starts with @ ... an additional @"
            _flatten_json(item, f"{prefix}.{key}" if prefix else key, into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten_json(item, f"{prefix}.{index}" if prefix else str(index), into)
    elif value is None:
        return
    elif isinstance(value, bool):
        into[prefix] = "true" if value else "false"
    else:
        into[prefix] = value


_JSON_DECODER = json.JSONDecoder(parse_float=_JsonFloat, parse_int=_JsonInt)


def _discover_fields(event: LogEvent) -> dict[str, Any]:
    message = event.message
    stripped = message.strip()
    document: Any = None
    if stripped.startswith("{"):
        try:
            document = _JSON_DECODER.decode(stripped)
        except ValueError:
            document = None
    if document is None and event.log_group.startswith("/aws/lambda/"):
        # Lambda logs: Insights discovers the first embedded JSON fragment of each event.
        brace = message.find("{")
        if brace >= 0:
            try:
                document, _ = _JSON_DECODER.raw_decode(message, brace)
            except ValueError:
                document = None
    fields: dict[str, Any] = {}
    if isinstance(document, dict):
        _flatten_json(document, "", fields)
    return fields


class _EventRow:
    __slots__ = ("_discovered", "derived", "event", "index")

    def __init__(self, event: LogEvent, index: int):
        self.event = event
        self.index = index
        self.derived: dict[str, Any] = {}
        self._discovered: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        if name in self.derived:
            return self.derived[name]
        if name in _BUILTIN_FIELDS:
            event = self.event
            if name == "@timestamp":
                return _Timestamp(event.timestamp_ms)
            if name == "@message":
                return event.message
            if name == "@logStream":
                return event.log_stream
            if name == "@log":
                return f"{event.account_id}:{event.log_group}"
            if name == "@ingestionTime":
                ingested = event.ingestion_time_ms
                return _Timestamp(event.timestamp_ms if ingested is None else ingested)
            return _pointer(event, self.index)
        if self._discovered is None:
            self._discovered = _discover_fields(self.event)
        return self._discovered.get(name)

    def set(self, name: str, value: Any) -> None:
        self.derived[name] = value


class _DictRow:
    """A row produced by ``stats``: only its columns exist."""

    __slots__ = ("derived",)

    def __init__(self, values: dict[str, Any]):
        self.derived = values

    def get(self, name: str) -> Any:
        return self.derived.get(name)

    def set(self, name: str, value: Any) -> None:
        self.derived[name] = value


class _AggregateRow:
    """Evaluation context of a ``stats`` item: aggregate nodes read their computed value."""

    __slots__ = ("aggregates",)

    def __init__(self, aggregates: dict[_Aggregate, Any]):
        self.aggregates = aggregates

    def get(self, name: str) -> Any:
        return None


def _pointer(event: LogEvent, index: int) -> str:
    raw = f"{event.account_id}:{event.log_group}:{event.log_stream}:{event.timestamp_ms}:{index}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# ----------------------------------------------------------------------------------------------------------
# Expressions
# ----------------------------------------------------------------------------------------------------------


class _Node:
    text: str = ""
    start: int = 0

    def eval(self, row: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def children(self) -> Sequence[_Node]:
        return ()

    def walk(self) -> Iterable[_Node]:
        yield self
        for child in self.children():
            yield from child.walk()


class _Literal(_Node):
    def __init__(self, value: Any):
        self.value = value

    def eval(self, row: Any) -> Any:
        return self.value


class _PeriodLiteral(_Node):
    def __init__(self, period: _Period):
        self.period = period

    def eval(self, row: Any) -> Any:
        return None


class _Field(_Node):
    def __init__(self, name: str):
        self.name = name

    def eval(self, row: Any) -> Any:
        return row.get(self.name)


class _Negate(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        number = _to_number(self.operand.eval(row))
        return None if number is None else -number


class _Arithmetic(_Node):
    def __init__(self, op: str, left: _Node, right: _Node):
        self.op, self.left, self.right = op, left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = _to_number(self.left.eval(row))
        b = _to_number(self.right.eval(row))
        if a is None or b is None:
            return None
        op = self.op
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return None if b == 0 else a / b
            if op == "%":
                if b == 0:
                    return None
                if isinstance(a, int) and isinstance(b, int):
                    remainder = abs(a) % abs(b)  # sign follows the dividend (truncating remainder)
                    return remainder if a >= 0 else -remainder
                return math.fmod(a, b)
            result = a**b  # "^"
            return None if isinstance(result, complex) else result
        except (OverflowError, ZeroDivisionError):
            return None


class _Comparison(_Node):
    def __init__(self, op: str, left: _Node, right: _Node):
        self.op, self.left, self.right = op, left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = self.left.eval(row)
        b = self.right.eval(row)
        if a is None or b is None:
            return None
        op = self.op
        if op == "=":
            return _values_equal(a, b)
        if op == "!=":
            return not _values_equal(a, b)
        order = _compare(a, b)
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


class _Match(_Node):
    """``like`` / ``not like`` / ``=~``: substring match for a string, search for a /regex/."""

    def __init__(self, operand: _Node, substring: str | None, regex: _Regex | None, negate: bool):
        self.operand, self.substring, self.regex, self.negate = operand, substring, regex, negate

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        value = self.operand.eval(row)
        if value is None:
            return None
        text = _render(value)
        if self.regex is not None:
            found = self.regex.compiled.search(text) is not None
        else:
            assert self.substring is not None
            found = self.substring in text
        return found != self.negate


class _Membership(_Node):
    def __init__(self, operand: _Node, items: list[Any], negate: bool):
        self.operand, self.items, self.negate = operand, items, negate

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        value = self.operand.eval(row)
        if value is None:
            return None
        found = any(_values_equal(value, item) for item in self.items)
        return found != self.negate


class _Not(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        truth = _truth(self.operand.eval(row))
        return None if truth is None else not truth


class _And(_Node):
    def __init__(self, left: _Node, right: _Node):
        self.left, self.right = left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = _truth(self.left.eval(row))
        if a is False:
            return False
        b = _truth(self.right.eval(row))
        if b is False:
            return False
        if a is None or b is None:
            return None
        return True


class _Or(_Node):
    def __init__(self, left: _Node, right: _Node):
        self.left, self.right = left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = _truth(self.left.eval(row))
        if a is True:
            return True
        b = _truth(self.right.eval(row))
        if b is True:
            return True
        if a is None or b is None:
            return None
        return False


# -- scalar functions ------------------------------------------------------------------------------------------


def _fn_ispresent(row: Any, args: list[_Node]) -> Any:
    return args[0].eval(row) is not None


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
    "strcontains": (_fn_strcontains, 2, 3, ()),
    "bin": (_fn_bin, 1, 1, (0,)),
    "datefloor": (_fn_date_round(False), 2, 2, (1,)),
    "dateceil": (_fn_date_round(True), 2, 2, (1,)),
    "tomillis": (_fn_tomillis, 1, 1, ()),
    "frommillis": (_fn_frommillis, 1, 1, ()),
    "abs": (_numeric_function(abs), 1, 1, ()),
    "ceil": (_numeric_function(math.ceil), 1, 1, ()),
    "floor": (_numeric_function(math.floor), 1, 1, ()),
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
}

_AGGREGATE_FUNCTIONS = frozenset({"count", "count_distinct", "sum", "avg", "min", "max", "pct"})
# Documented Logs Insights functions this engine does not implement (reported as unsupported, not malformed).
_KNOWN_UNSUPPORTED_FUNCTIONS = frozenset(
    {
        "stddev",
        "earliest",
        "latest",
        "sortsfirst",
        "sortslast",
        "rate",
        "count_over_time",
        "sum_over_time",
        "histogram",
        "log",
        "sqrt",
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
        "jsonparse",
        "jsonstringify",
        "jsonarraysize",
        "jsonarraycontains",
        "isvalidip",
        "isvalidipv4",
        "isvalidipv6",
        "isipinsubnet",
        "isipv4insubnet",
        "isipv6insubnet",
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


class _Call(_Node):
    def __init__(self, name: str, args: list[_Node], function: Callable[[Any, list[_Node]], Any]):
        self.name, self.args, self.function = name, args, function

    def children(self) -> Sequence[_Node]:
        return self.args

    def eval(self, row: Any) -> Any:
        return self.function(row, self.args)


class _Aggregate(_Node):
    """An aggregate call inside ``stats``; its value is computed per group by an accumulator."""

    def __init__(self, name: str, args: list[_Node], star: bool, percentile: float | None = None):
        self.name, self.args, self.star, self.percentile = name, args, star, percentile

    def children(self) -> Sequence[_Node]:
        return self.args

    def eval(self, row: Any) -> Any:
        return row.aggregates[self]

    def accumulator(self) -> _Accumulator:
        return _Accumulator(self)


class _Accumulator:
    __slots__ = ("count", "distinct", "node", "values")

    def __init__(self, node: _Aggregate):
        self.node = node
        self.count = 0
        self.values: list[Any] = []
        self.distinct: set[str] = set()

    def add(self, row: Any) -> None:
        node = self.node
        if node.star:
            self.count += 1
            return
        value = node.args[0].eval(row)
        if value is None:
            return
        if node.name == "count":
            self.count += 1
        elif node.name == "count_distinct":
            self.distinct.add(_render(value))
        else:
            self.values.append(value)

    def result(self) -> Any:
        name = self.node.name
        if name == "count":
            return self.count
        if name == "count_distinct":
            return len(self.distinct)
        if name in ("sum", "avg"):
            numbers = [n for n in map(_to_number, self.values) if n is not None]
            if not numbers:
                return None
            if name == "avg":
                return math.fsum(numbers) / len(numbers)
            if all(isinstance(n, int) for n in numbers):
                return int(sum(numbers))
            return math.fsum(numbers)
        if name in ("min", "max"):
            if not self.values:
                return None
            if all(_to_number(v) is not None for v in self.values):
                key: Callable[[Any], Any] = _to_number
            else:
                key = _natural_key
            return (min if name == "min" else max)(self.values, key=key)
        # pct: nearest rank, an actual value of the field
        numeric = sorted((v for v in self.values if _to_number(v) is not None), key=_to_number)
        if not numeric:
            return None
        assert self.node.percentile is not None
        rank = math.ceil(self.node.percentile / 100.0 * len(numeric))
        return numeric[min(max(rank, 1), len(numeric)) - 1]


# ----------------------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Item:
    expr: _Node
    name: str  # output column name: alias, field name, or the expression's text
    aliased: bool


@dataclasses.dataclass
class _FieldsCommand:
    keyword: str  # "fields" or "display"
    items: list[_Item]


@dataclasses.dataclass
class _FilterCommand:
    condition: _Node


@dataclasses.dataclass
class _ParseCommand:
    source: _Node
    regex: re.Pattern[str]
    groups: list[tuple[str | int, str]]  # (python group name or index, output field)


@dataclasses.dataclass
class _StatsCommand:
    items: list[_Item]
    by: list[_Item]
    aggregates: list[_Aggregate]

    @property
    def columns(self) -> list[str]:
        return [item.name for item in self.by] + [item.name for item in self.items]


@dataclasses.dataclass
class _SortCommand:
    keys: list[tuple[_Node, bool]]  # (expression, descending)


@dataclasses.dataclass
class _LimitCommand:
    count: int


@dataclasses.dataclass
class _DedupCommand:
    fields: list[str]


_Command = (
    _FieldsCommand
    | _FilterCommand
    | _ParseCommand
    | _StatsCommand
    | _SortCommand
    | _LimitCommand
    | _DedupCommand
)

_UNSUPPORTED_COMMANDS = frozenset(
    {
        "anomaly",
        "pattern",
        "diff",
        "filterindex",
        "unmask",
        "unnest",
        "lookup",
        "join",
        "source",
        "addtotals",
        "head",
        "tail",
        "json",
        "fieldsummary",
    }
)


# ----------------------------------------------------------------------------------------------------------
# Parser
# ----------------------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    # -- token helpers ------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def last_end(self) -> int:
        return self.tokens[self.index - 1].end if self.index else 0

    def error(self, message: str, offset: int | None = None, cls: type[InsightsQueryError] = MalformedQuery):
        where = self.peek().start if offset is None else offset
        return cls(message, *_position(self.text, where))

    def describe(self, token: _Token) -> str:
        if token.kind == "EOF":
            return "end of query"
        return repr(self.text[token.start : token.end])

    def expect_op(self, op: str) -> _Token:
        token = self.peek()
        if not token.is_op(op):
            raise self.error(f"expected '{op}' but found {self.describe(token)}")
        return self.advance()

    def at_command_end(self) -> bool:
        token = self.peek()
        return token.kind == "EOF" or token.is_op("|")

    def finish(self, node: _Node, start: int) -> _Node:
        node.start = start
        node.text = self.text[start : self.last_end()].strip()
        return node

    # -- query --------------------------------------------------------------------------------------------
    def parse(self) -> list[_Command]:
        if self.peek().kind == "EOF":
            raise MalformedQuery("the query is empty", 1, 1)
        commands: list[_Command] = []
        while True:
            commands.append(self.command())
            token = self.peek()
            if token.kind == "EOF":
                return commands
            if not token.is_op("|"):
                raise self.error(f"unexpected {self.describe(token)}; expected '|' or the end of the query")
            self.advance()
            if self.peek().kind == "EOF":
                raise self.error("expected a command after '|'")

    def command(self) -> _Command:
        token = self.peek()
        if token.kind != "IDENT" or token.quoted:
            raise self.error(f"expected a command but found {self.describe(token)}")
        word = token.value.lower()
        handler = {
            "fields": self.fields_command,
            "display": self.fields_command,
            "filter": self.filter_command,
            "parse": self.parse_command,
            "stats": self.stats_command,
            "sort": self.sort_command,
            "limit": self.limit_command,
            "dedup": self.dedup_command,
        }.get(word)
        if handler is None:
            if word in _UNSUPPORTED_COMMANDS:
                raise self.error(
                    f"the '{token.value}' command is not supported by this emulator", cls=UnsupportedQuery
                )
            raise self.error(f"unknown or unsupported command '{token.value}'", cls=UnsupportedQuery)
        self.advance()
        if self.at_command_end():
            raise self.error(f"the '{word}' command needs arguments")
        command = handler(word)
        command.offset = token.start  # type: ignore[union-attr]  # for errors found by _validate
        return command

    def item_list(self, allow_alias: bool = True) -> list[_Item]:
        items: list[_Item] = []
        while True:
            expr = self.expression()
            name, aliased = (expr.name, False) if isinstance(expr, _Field) else (expr.text, False)
            if allow_alias and self.peek().is_word("as"):
                self.advance()
                name, aliased = self.alias(), True
            items.append(_Item(expr, name, aliased))
            if self.peek().is_op(","):
                self.advance()
                continue
            return items

    def alias(self) -> str:
        token = self.peek()
        if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
            raise self.error(f"expected a name after 'as' but found {self.describe(token)}")
        self.advance()
        return token.value

    def fields_command(self, word: str) -> _Command:
        return _FieldsCommand(word, self.item_list())

    def filter_command(self, word: str) -> _Command:
        return _FilterCommand(self.expression())

    def parse_command(self, word: str) -> _Command:
        token = self.peek()
        if token.kind in ("STRING", "REGEX"):
            source: _Node = _Field("@message")
            source.text = "@message"
        else:
            start = token.start
            if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
                raise self.error(
                    f"expected a field, a \"glob\" or a /regex/ after 'parse' but found {self.describe(token)}"
                )
            source = self.finish(_Field(self.advance().value), start)
        token = self.peek()
        if token.kind == "IDENT" and not token.quoted and token.value.lower() in ("logfmt", "csv"):
            raise self.error(
                f"'parse ... {token.value}' is not supported by this emulator", cls=UnsupportedQuery
            )
        if token.kind == "STRING":
            self.advance()
            pattern = token.value
            wildcards = pattern.count("*")
            if wildcards == 0:
                raise self.error("a parse glob needs at least one '*' wildcard", token.start)
            if not self.peek().is_word("as"):
                raise self.error("a parse glob needs 'as' followed by one field name per '*'")
            self.advance()
            names = self.name_list()
            if len(names) != wildcards:
                raise self.error(
                    f"the parse glob has {wildcards} '*' wildcard(s) but {len(names)} field name(s) after 'as'",
                    token.start,
                )
            groups: list[tuple[str | int, str]] = [(index + 1, name) for index, name in enumerate(names)]
            command = _ParseCommand(source, _glob_regex(pattern), groups)
        elif token.kind == "REGEX":
            self.advance()
            regex = _translate_regex(
                token.value, lambda message: MalformedQuery(message, *_position(self.text, token.start))
            )
            if self.peek().is_word("as"):
                self.advance()
                names = self.name_list()
                if regex.names:
                    raise self.error("use either named capture groups or 'as', not both", token.start)
                if len(names) != regex.compiled.groups:
                    raise self.error(
                        f"the regular expression has {regex.compiled.groups} capture group(s) but {len(names)} "
                        "field name(s) after 'as'",
                        token.start,
                    )
                groups = [(index + 1, name) for index, name in enumerate(names)]
            else:
                if not regex.names:
                    raise self.error(
                        "a parse regular expression needs named capture groups such as (?<name>...)",
                        token.start,
                    )
                groups = list(regex.names)
            command = _ParseCommand(source, regex.compiled, groups)
        else:
            raise self.error(
                f"expected a \"glob\" or a /regex/ after 'parse' but found {self.describe(token)}"
            )
        if self.peek().is_word("multi"):
            raise self.error("'parse ... multi' is not supported by this emulator", cls=UnsupportedQuery)
        return command

    def name_list(self) -> list[str]:
        names = [self.alias()]
        while self.peek().is_op(","):
            self.advance()
            names.append(self.alias())
        return names

    def stats_command(self, word: str) -> _Command:
        items = self.item_list()
        by: list[_Item] = []
        if self.peek().is_word("by"):
            self.advance()
            by = self.item_list()
        aggregates: list[_Aggregate] = []
        for item in items:
            found = [node for node in item.expr.walk() if isinstance(node, _Aggregate)]
            if not found:
                raise MalformedQuery(
                    f"'{item.expr.text}' in stats must use an aggregate function such as count() or avg()",
                    *_position(self.text, item.expr.start),
                )
            for node in found:
                for inner in node.args:
                    if any(isinstance(n, _Aggregate) for n in inner.walk()):
                        raise MalformedQuery(
                            f"aggregate functions cannot be nested: '{node.text}'",
                            *_position(self.text, node.start),
                        )
            for node in self._outside_aggregates(item.expr):
                if isinstance(node, _Field):
                    raise MalformedQuery(
                        f"field '{node.name}' in stats must be inside an aggregate function or listed after 'by'",
                        *_position(self.text, node.start),
                    )
            aggregates.extend(found)
        for item in by:
            for node in item.expr.walk():
                if isinstance(node, _Aggregate):
                    raise MalformedQuery(
                        f"aggregate function '{node.text}' cannot be used after 'by'",
                        *_position(self.text, node.start),
                    )
        return _StatsCommand(items, by, aggregates)

    @staticmethod
    def _outside_aggregates(node: _Node) -> Iterable[_Node]:
        if isinstance(node, _Aggregate):
            return
        yield node
        for child in node.children():
            yield from _Parser._outside_aggregates(child)

    def sort_command(self, word: str) -> _Command:
        keys: list[tuple[_Node, bool]] = []
        while True:
            expr = self.expression()
            descending = True  # Logs Insights sorts descending unless told otherwise
            if self.peek().is_word("asc"):
                self.advance()
                descending = False
            elif self.peek().is_word("desc"):
                self.advance()
            keys.append((expr, descending))
            if not self.peek().is_op(","):
                return _SortCommand(keys)
            self.advance()

    def limit_command(self, word: str) -> _Command:
        token = self.peek()
        if token.kind != "NUMBER" or not isinstance(token.value, int):
            raise self.error(f"limit needs a whole number but found {self.describe(token)}")
        if not 1 <= token.value <= _MAX_LIMIT:
            raise self.error(f"limit must be between 1 and {_MAX_LIMIT}")
        self.advance()
        return _LimitCommand(token.value)

    def dedup_command(self, word: str) -> _Command:
        names = [self.field_name()]
        while self.peek().is_op(","):
            self.advance()
            names.append(self.field_name())
        return _DedupCommand(names)

    def field_name(self) -> str:
        token = self.peek()
        if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
            raise self.error(f"expected a field name but found {self.describe(token)}")
        self.advance()
        return token.value

    # -- expressions --------------------------------------------------------------------------------------
    def expression(self) -> _Node:
        return self.or_expr()

    def or_expr(self) -> _Node:
        start = self.peek().start
        node = self.and_expr()
        while self.peek().is_word("or"):
            self.advance()
            node = self.finish(_Or(node, self.and_expr()), start)
        return node

    def and_expr(self) -> _Node:
        start = self.peek().start
        node = self.not_expr()
        while self.peek().is_word("and"):
            self.advance()
            node = self.finish(_And(node, self.not_expr()), start)
        return node

    def not_expr(self) -> _Node:
        start = self.peek().start
        if self.peek().is_word("not"):
            self.advance()
            return self.finish(_Not(self.not_expr()), start)
        return self.comparison()

    def comparison(self) -> _Node:
        start = self.peek().start
        left = self.additive()
        token = self.peek()
        if token.kind == "OP" and token.value in ("=", "!=", "<", "<=", ">", ">="):
            self.advance()
            return self.finish(_Comparison(token.value, left, self.additive()), start)
        if token.is_op("=~"):
            self.advance()
            return self.finish(self.match(left, negate=False, operator="=~"), start)
        negate = False
        if token.is_word("not") and (self.peek(1).is_word("like") or self.peek(1).is_word("in")):
            self.advance()
            negate = True
            token = self.peek()
        if token.is_word("like"):
            self.advance()
            return self.finish(self.match(left, negate=negate, operator="like"), start)
        if token.is_word("in"):
            self.advance()
            return self.finish(_Membership(left, self.literal_list(), negate), start)
        return left

    def match(self, operand: _Node, negate: bool, operator: str) -> _Node:
        token = self.peek()
        if token.kind == "STRING":
            self.advance()
            return _Match(operand, token.value, None, negate)
        if token.kind == "REGEX":
            self.advance()
            regex = _translate_regex(
                token.value, lambda message: MalformedQuery(message, *_position(self.text, token.start))
            )
            return _Match(operand, None, regex, negate)
        raise self.error(
            f"expected a \"string\" or a /regex/ after '{operator}' but found {self.describe(token)}"
        )

    def literal_list(self) -> list[Any]:
        self.expect_op("[")
        items: list[Any] = []
        if self.peek().is_op("]"):
            self.advance()
            return items
        while True:
            token = self.peek()
            sign = 1
            if token.is_op("-"):
                self.advance()
                sign = -1
                token = self.peek()
            if token.kind == "NUMBER":
                items.append(sign * token.value)
            elif token.kind == "STRING" and sign == 1:
                items.append(token.value)
            else:
                raise self.error(f"expected a string or number in the list but found {self.describe(token)}")
            self.advance()
            if self.peek().is_op(","):
                self.advance()
                continue
            self.expect_op("]")
            return items

    def additive(self) -> _Node:
        start = self.peek().start
        node = self.multiplicative()
        while self.peek().kind == "OP" and self.peek().value in ("+", "-"):
            op = self.advance().value
            node = self.finish(_Arithmetic(op, node, self.multiplicative()), start)
        return node

    def multiplicative(self) -> _Node:
        start = self.peek().start
        node = self.power()
        while self.peek().kind == "OP" and self.peek().value in ("*", "/", "%"):
            op = self.advance().value
            node = self.finish(_Arithmetic(op, node, self.power()), start)
        return node

    def power(self) -> _Node:
        start = self.peek().start
        node = self.unary()
        if self.peek().is_op("^"):
            self.advance()
            node = self.finish(_Arithmetic("^", node, self.power()), start)
        return node

    def unary(self) -> _Node:
        start = self.peek().start
        if self.peek().is_op("-"):
            self.advance()
            return self.finish(_Negate(self.unary()), start)
        if self.peek().is_op("+"):
            self.advance()
            return self.unary()
        return self.primary()

    def primary(self) -> _Node:
        token = self.peek()
        start = token.start
        if token.kind == "NUMBER":
            self.advance()
            return self.finish(_Literal(token.value), start)
        if token.kind == "STRING":
            self.advance()
            return self.finish(_Literal(token.value), start)
        if token.kind == "DURATION":
            self.advance()
            return self.finish(_PeriodLiteral(self.period(token)), start)
        if token.kind == "REGEX":
            raise self.error("a /regex/ is only allowed after 'like', 'not like', '=~' or in 'parse'")
        if token.is_op("("):
            self.advance()
            inner = self.expression()
            self.expect_op(")")
            return self.finish(inner, start)
        if token.kind == "IDENT":
            if token.quoted:
                self.advance()
                return self.finish(_Field(token.value), start)
            word = token.value.lower()
            if self.peek(1).is_op("("):
                return self.call()
            if word in _KEYWORDS:
                raise self.error(f"unexpected keyword '{token.value}'")
            self.advance()
            if word in ("true", "false"):
                return self.finish(_Literal(word == "true"), start)
            return self.finish(_Field(token.value), start)
        raise self.error(f"expected a field, literal or function but found {self.describe(token)}")

    def period(self, token: _Token) -> _Period:
        amount, unit_text = token.value
        unit = _UNITS.get(unit_text.lower())
        if unit is None:
            raise self.error(
                f"unknown time unit '{unit_text}' in '{self.text[token.start : token.end]}'", token.start
            )
        if not isinstance(amount, int) or amount <= 0:
            raise self.error("a time period needs a positive whole number", token.start)
        if unit == "w":
            raise self.error(
                "time periods in weeks are not supported by this emulator", token.start, UnsupportedQuery
            )
        return _Period(min(amount, _UNIT_CAP.get(unit, amount)), unit)

    def call(self) -> _Node:
        name_token = self.advance()
        start = name_token.start
        name = name_token.value
        lower = name.lower()
        self.expect_op("(")
        args: list[_Node] = []
        star = False
        if self.peek().is_op("*"):
            if lower != "count":
                raise self.error(f"'*' is only allowed in count(*), not in {name}()")
            self.advance()
            star = True
        elif not self.peek().is_op(")"):
            while True:
                args.append(self.expression())
                if not self.peek().is_op(","):
                    break
                self.advance()
        self.expect_op(")")
        if lower in _AGGREGATE_FUNCTIONS:
            return self.finish(self.aggregate(lower, name, args, star, start), start)
        if lower in _SCALAR_FUNCTIONS:
            function, minimum, maximum, period_positions = _SCALAR_FUNCTIONS[lower]
            if len(args) < minimum or (maximum is not None and len(args) > maximum):
                expected = (
                    f"{minimum}"
                    if minimum == maximum
                    else f"{minimum} or more"
                    if maximum is None
                    else f"{minimum} to {maximum}"
                )
                raise self.error(f"{name}() takes {expected} argument(s), got {len(args)}", start)
            for position, arg in enumerate(args):
                if (position in period_positions) != isinstance(arg, _PeriodLiteral):
                    if position in period_positions:
                        raise self.error(
                            f"argument {position + 1} of {name}() must be a time period such as 5m", arg.start
                        )
                    raise self.error(
                        f"a time period such as '{arg.text}' is only allowed in bin(), datefloor() and dateceil()",
                        arg.start,
                    )
            return self.finish(_Call(lower, args, function), start)
        if lower in _KNOWN_UNSUPPORTED_FUNCTIONS:
            raise self.error(
                f"the function '{name}' is not supported by this emulator", start, UnsupportedQuery
            )
        raise self.error(f"unknown or unsupported function '{name}'", start, UnsupportedQuery)

    def aggregate(self, lower: str, name: str, args: list[_Node], star: bool, start: int) -> _Aggregate:
        for arg in args:
            if isinstance(arg, _PeriodLiteral):
                raise self.error(f"a time period is not a valid argument of {name}()", arg.start)
        if lower == "count":
            if star or not args:
                return _Aggregate(lower, [], star=True)  # count() == count(*)
            if len(args) != 1:
                raise self.error(f"{name}() takes one argument, got {len(args)}", start)
            return _Aggregate(lower, args, star=False)
        if star:
            raise self.error(f"'*' is only allowed in count(*), not in {name}()", start)
        if lower == "pct":
            if len(args) != 2:
                raise self.error(f"{name}() takes a field and a percentile, e.g. pct(latency, 95)", start)
            percentile = args[1]
            value = percentile.value if isinstance(percentile, _Literal) else None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise self.error(
                    "the percentile of pct() must be a number between 0 and 100", percentile.start
                )
            return _Aggregate(lower, args[:1], star=False, percentile=float(value))
        if len(args) != 1:
            raise self.error(f"{name}() takes one argument, got {len(args)}", start)
        return _Aggregate(lower, args, star=False)


# ----------------------------------------------------------------------------------------------------------
# Validation across commands
# ----------------------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _resolve_after_stats(node: _Node, columns: dict[str, str]) -> _Node:
    """After stats, an expression spelled like an unaliased stats column (e.g. ``count(*)``) names it."""
    if not isinstance(node, (_Field, _Literal, _PeriodLiteral)):
        name = columns.get(_normalise(node.text))
        if name is not None:
            field = _Field(name)
            field.text, field.start = node.text, node.start
            return field
    for attribute in ("operand", "left", "right"):
        child = getattr(node, attribute, None)
        if isinstance(child, _Node):
            setattr(node, attribute, _resolve_after_stats(child, columns))
    if isinstance(node, (_Call, _Aggregate)):
        node.args = [_resolve_after_stats(arg, columns) for arg in node.args]
    return node


def _command_expressions(command: _Command) -> list[tuple[Any, str]]:
    """(holder, attribute) pairs for every top-level expression of a command, so they can be replaced."""
    if isinstance(command, (_FieldsCommand,)):
        return [(item, "expr") for item in command.items]
    if isinstance(command, _FilterCommand):
        return [(command, "condition")]
    if isinstance(command, _ParseCommand):
        return [(command, "source")]
    if isinstance(command, _StatsCommand):
        return [(item, "expr") for item in command.by + command.items]
    return []


def _validate(text: str, commands: list[_Command]) -> None:
    def fail(message: str, node: _Node | None = None, command: _Command | None = None) -> MalformedQuery:
        offset = node.start if node is not None else getattr(command, "offset", None)
        if offset is None:
            return MalformedQuery(message)
        return MalformedQuery(message, *_position(text, offset))

    stats_seen = 0
    available: set[str] | None = None  # field names that exist after a stats command
    unaliased: dict[str, str] = {}
    for position, command in enumerate(commands):
        if isinstance(command, _DedupCommand):
            for later in commands[position + 1 :]:
                if not isinstance(later, _LimitCommand):
                    raise fail("the only command allowed after dedup is limit", command=later)
        if isinstance(command, _StatsCommand):
            stats_seen += 1
            if stats_seen > _MAX_STATS_COMMANDS:
                raise fail(f"a query can have at most {_MAX_STATS_COMMANDS} stats commands", command=command)
            if stats_seen == 2:
                for earlier in commands[:position]:
                    if isinstance(earlier, (_SortCommand, _LimitCommand)):
                        raise fail("sort and limit must come after the second stats command", command=earlier)
        if available is not None:
            for holder, attribute in _command_expressions(command):
                setattr(holder, attribute, _resolve_after_stats(getattr(holder, attribute), unaliased))
            if isinstance(command, _SortCommand):
                command.keys = [(_resolve_after_stats(expr, unaliased), desc) for expr, desc in command.keys]
            expressions = [getattr(h, a) for h, a in _command_expressions(command)]
            if isinstance(command, _SortCommand):
                expressions += [expr for expr, _ in command.keys]
            for expr in expressions:
                for node in expr.walk():
                    if isinstance(node, _Field) and node.name not in available:
                        raise fail(
                            f"field '{node.name}' is not available after stats; only the stats results "
                            f"({', '.join(sorted(available))}) can be referenced",
                            node,
                        )
                    if isinstance(node, _Call) and node.name == "bin" and "@timestamp" not in available:
                        raise fail(
                            "bin() uses @timestamp, which is not available after stats unless the first stats "
                            "command defines it",
                            node,
                        )
            if isinstance(command, _DedupCommand):
                for name in command.fields:
                    if name not in available:
                        raise fail(f"field '{name}' is not available after stats", command=command)
        # aggregates are only meaningful inside stats items
        if not isinstance(command, _StatsCommand):
            expressions = [getattr(h, a) for h, a in _command_expressions(command)]
            if isinstance(command, _SortCommand):
                expressions += [expr for expr, _ in command.keys]
            for expr in expressions:
                for node in expr.walk():
                    if isinstance(node, _Aggregate):
                        raise fail(f"aggregate function '{node.text}' can only be used in stats", node)
        # what exists afterwards
        if isinstance(command, _StatsCommand):
            available = set(command.columns)
            unaliased = {
                _normalise(item.name): item.name for item in command.by + command.items if not item.aliased
            }
        elif available is not None:
            if isinstance(command, _FieldsCommand):
                available.update(item.name for item in command.items)
            elif isinstance(command, _ParseCommand):
                available.update(name for _, name in command.groups)


def _output_columns(commands: list[_Command]) -> tuple[list[str], bool]:
    """Columns of the result, and whether rows are aggregated (no @ptr)."""
    columns: list[str] = []
    has_fields = False
    aggregated = False
    display: list[str] | None = None
    for command in commands:
        if isinstance(command, _FieldsCommand):
            names = [item.name for item in command.items]
            if command.keyword == "display":
                display = names
            else:
                columns.extend(names)
                has_fields = True
        elif isinstance(command, _ParseCommand):
            columns.extend(name for _, name in command.groups)
        elif isinstance(command, _StatsCommand):
            columns = list(command.columns)
            aggregated = True
            display = None  # a display before stats names fields that no longer exist
    if display is not None:
        chosen = display
    elif aggregated or has_fields:
        chosen = columns
    else:
        chosen = ["@timestamp", "@message", *columns]
    return list(dict.fromkeys(chosen)), aggregated


# ----------------------------------------------------------------------------------------------------------
# Query
# ----------------------------------------------------------------------------------------------------------


class Query:
    """A parsed, validated query; run it with :meth:`execute`."""

    def __init__(self, text: str, commands: list[_Command]):
        self.text = text
        self._commands = commands
        self.columns, self.aggregated = _output_columns(commands)

    @property
    def commands(self) -> tuple[str, ...]:
        """The command keywords, in order (e.g. ``("filter", "stats", "sort")``)."""
        names = []
        for command in self._commands:
            if isinstance(command, _FieldsCommand):
                names.append(command.keyword)
            else:
                names.append(type(command).__name__.removeprefix("_").removesuffix("Command").lower())
        return tuple(names)

    def execute(
        self,
        events: Iterable[LogEvent],
        start_time: int,
        end_time: int,
        limit: int | None = None,
        *,
        include_ptr: bool = False,
    ) -> QueryOutcome:
        if end_time < start_time:
            raise ValueError("end_time must not be before start_time")
        if limit is not None and not 1 <= limit <= _MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {_MAX_LIMIT}")
        scanned: list[LogEvent] = [
            event for event in events if start_time <= event.timestamp_ms // 1000 <= end_time
        ]
        bytes_scanned = sum(len(event.message.encode("utf-8")) for event in scanned)
        # Newest first: the order Logs Insights uses when the query does not sort.
        order = sorted(
            range(len(scanned)),
            key=lambda i: (
                scanned[i].timestamp_ms,
                scanned[i].ingestion_time_ms
                if scanned[i].ingestion_time_ms is not None
                else scanned[i].timestamp_ms,
                i,
            ),
            reverse=True,
        )
        rows: list[Any] = [_EventRow(scanned[i], i) for i in order]
        matched: int | None = None
        stats_seen = False
        for command in self._commands:
            rows = _run_command(command, rows)
            if isinstance(command, _StatsCommand):
                stats_seen = True
            elif isinstance(command, _FilterCommand) and not stats_seen:
                matched = len(rows)
        if matched is None:
            matched = len(scanned)
        cap = _MAX_LIMIT if limit is None else min(limit, _MAX_LIMIT)
        rendered: list[list[dict[str, str]]] = []
        for row in rows[:cap]:
            fields = []
            for name in self.columns:
                value = row.get(name)
                if value is not None:
                    fields.append({"field": name, "value": _render(value)})
            if include_ptr and isinstance(row, _EventRow):
                fields.append({"field": "@ptr", "value": _pointer(row.event, row.index)})
            rendered.append(fields)
        return QueryOutcome(rendered, matched, len(scanned), bytes_scanned)


def _run_command(command: _Command, rows: list[Any]) -> list[Any]:
    if isinstance(command, _FilterCommand):
        condition = command.condition
        return [row for row in rows if _truth(condition.eval(row)) is True]
    if isinstance(command, _FieldsCommand):
        computed = [
            item
            for item in command.items
            if not (isinstance(item.expr, _Field) and item.name == item.expr.name)
        ]
        if computed:
            for row in rows:
                values = [(item.name, item.expr.eval(row)) for item in computed]
                for name, value in values:
                    row.set(name, value)
        return rows
    if isinstance(command, _ParseCommand):
        for row in rows:
            value = command.source.eval(row)
            match = None if value is None else command.regex.search(_render(value))
            for group, name in command.groups:
                row.set(name, None if match is None else match.group(group))
        return rows
    if isinstance(command, _StatsCommand):
        return _run_stats(command, rows)
    if isinstance(command, _SortCommand):
        return _run_sort(command, rows)
    if isinstance(command, _LimitCommand):
        return rows[: command.count]
    assert isinstance(command, _DedupCommand)
    seen: set[tuple[str, ...]] = set()
    kept = []
    for row in rows:
        values = [row.get(name) for name in command.fields]
        if any(value is None for value in values):
            kept.append(row)  # "Null values are not considered duplicates"
            continue
        key = tuple(_render(value) for value in values)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _run_stats(command: _StatsCommand, rows: list[Any]) -> list[Any]:
    groups: dict[tuple[str | None, ...], tuple[list[Any], list[_Accumulator]]] = {}
    for row in rows:
        by_values = [item.expr.eval(row) for item in command.by]
        key = tuple(None if value is None else _render(value) for value in by_values)
        group = groups.get(key)
        if group is None:
            group = groups[key] = (by_values, [node.accumulator() for node in command.aggregates])
        for accumulator in group[1]:
            accumulator.add(row)
    output = []
    for by_values, accumulators in groups.values():
        values: dict[str, Any] = {}
        for item, value in zip(command.by, by_values, strict=True):
            values[item.name] = value
        context = _AggregateRow({acc.node: acc.result() for acc in accumulators})
        for item in command.items:
            values[item.name] = item.expr.eval(context)
        output.append(_DictRow(values))
    return output


def _run_sort(command: _SortCommand, rows: list[Any]) -> list[Any]:
    keyed = [([expr.eval(row) for expr, _ in command.keys], row) for row in rows]
    # Stable multi-pass sort, least significant key first; missing values sort last in either direction.
    for position in range(len(command.keys) - 1, -1, -1):
        descending = command.keys[position][1]
        present, missing = (1, 0) if descending else (0, 1)

        def key(
            entry: tuple[list[Any], Any],
            position: int = position,
            present: int = present,
            missing: int = missing,
        ):
            value = entry[0][position]
            return (missing,) if value is None else (present, _natural_key(value))

        keyed.sort(key=key, reverse=descending)
    return [row for _, row in keyed]


# ----------------------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------------------


def parse_query(text: str) -> Query:
    """Parse and validate ``text``; raises :class:`MalformedQuery` or :class:`UnsupportedQuery`."""
    if not isinstance(text, str):
        raise TypeError("the query must be a string")
    parser = _Parser(text)
    commands = parser.parse()
    _validate(text, commands)
    return Query(text, commands)


def execute(
    query_text: str,
    events: Iterable[LogEvent],
    start_time: int,
    end_time: int,
    limit: int | None = None,
    *,
    include_ptr: bool = False,
) -> QueryOutcome:
    """Run a query over ``events`` whose timestamps fall in ``[start_time, end_time]`` (epoch seconds,
    inclusive at one-second resolution); ``limit`` is StartQuery's ``limit`` (default 10,000)."""
    return parse_query(query_text).execute(events, start_time, end_time, limit, include_ptr=include_ptr)


def run_query(
    query_text: str,
    events: Iterable[LogEvent],
    start_time: int,
    end_time: int,
    limit: int | None = None,
    *,
    include_ptr: bool = False,
) -> list[list[dict[str, str]]]:
    """Rows of a query as ``GetQueryResults.results`` shapes them."""
    return execute(query_text, events, start_time, end_time, limit, include_ptr=include_ptr).rows
