"""CloudWatch Logs filter patterns and metric-filter transformations, in pure Python (stdlib only).

This module is the engine behind the emulator's metric filters and ``TestMetricFilter``. It follows the
AWS CloudWatch Logs User Guide page "Filter pattern syntax for metric filters, subscription filters,
filter log events, and Live Tail" (FilterAndPatternSyntax) and its sub-pages, plus "Filter pattern syntax
for metric filters" (dimensions, default values, publishing numeric values) and the API reference
(MetricTransformation, TestMetricFilter).

Size: one grammar (the three pattern kinds share the tokenizer, quoting and number rules) and the
transformation rules that read what it extracts; it stays one module, with a section per kind.

Public API
----------
``compile_pattern(pattern) -> Pattern``
    Parse a filter pattern; raises :class:`InvalidFilterPattern` for bad syntax.
``Pattern.matches(message) -> bool``
    Whether one log event message matches.
``Pattern.extract(message) -> dict[str, str] | None``
    ``None`` when the message does not match, else the ``extractedValues`` map ``TestMetricFilter``
    returns: ``{}`` for term/regex patterns, ``{"$name": ..., "$7": ...}`` for space-delimited patterns,
    ``{"$.selector": ...}`` for JSON patterns. Values are strings, as in the API.
``validate_transformation(transformation, pattern=None)``
    Raises ``ValueError`` (AWS-like message) for an invalid ``MetricTransformation``.
``evaluate_transformation(pattern, transformation, message) -> MetricDatum | None``
    The datum one log event produces, or ``None`` when nothing is published.
``default_datum(transformation) -> MetricDatum | None``
    The ``defaultValue`` datum (for periods with ingested but unmatched events), or ``None``.

Pattern kinds (``Pattern.kind``)
--------------------------------
``"match_all"``       empty pattern, whitespace, ``""`` or ``" "``.
``"terms"``           unstructured terms: ``ERROR``, ``"exact phrase"``, ``-exclude``, ``?optional``.
``"regex"``           a standalone ``%regex%`` pattern.
``"json"``            ``{ $.selector = value && ... }``.
``"space_delimited"`` ``[ip, user, ..., status_code = 4*, bytes > 1000]``.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, NoReturn

__all__ = [
    "InvalidFilterPattern",
    "MetricDatum",
    "Pattern",
    "compile_pattern",
    "default_datum",
    "evaluate_transformation",
    "validate_transformation",
]

INVALID_PATTERN_MESSAGE = "Invalid metric filter pattern"
INVALID_CHARACTERS_MESSAGE = "Invalid character(s) in term"

# Quotas stated in the filter pattern syntax page.
MAX_REGEX_PER_STRUCTURED_PATTERN = 2  # "a limit of 2 regex for each ... delimited or JSON filter pattern"
MAX_WILDCARDS_PER_SELECTOR = 1  # "up to one wildcard selector in a property selector"
MAX_WILDCARD_SELECTORS_PER_PATTERN = 3  # "up to three wildcard selectors in a filter pattern"
MAX_DIMENSIONS = 3  # MetricTransformation: "as many as three dimensions"
# Bound on the candidate field assignments tried for space-delimited patterns with several ellipses.
_MAX_ASSIGNMENTS = 10_000

# CloudWatch StandardUnit values (MetricDatum in the CloudWatch API reference).
STANDARD_UNITS = frozenset(
    {
        "Seconds", "Microseconds", "Milliseconds",
        "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
        "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
        "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
        "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
        "Count/Second", "None",
    }
)  # fmt: skip


class InvalidFilterPattern(ValueError):
    """A filter pattern AWS would reject.

    ``message`` (also ``str(error)``) is the text AWS returns in its ``InvalidParameterException``
    (``"Invalid metric filter pattern"``, or ``"Invalid character(s) in term"`` for characters a regex
    may not contain); ``detail`` says what exactly is wrong, for logs and debugging.
    """

    def __init__(self, message: str = INVALID_PATTERN_MESSAGE, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"InvalidFilterPattern({self.message!r}, detail={self.detail!r})"


@dataclass(frozen=True)
class MetricDatum:
    """One value a metric filter publishes to CloudWatch (``PutMetricData``-shaped)."""

    name: str
    namespace: str
    value: float
    unit: str = "None"
    dimensions: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# numbers and value comparison (shared by JSON and space-delimited patterns)
# --------------------------------------------------------------------------------------------------

# A number in a pattern: "integers that contain plus or minus symbols and follow scientific notation".
_NUMBER_LITERAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# A number held in a string (JSON string value or space-delimited field): "Strings don't support
# scientific notation", so no exponent.
_PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _plain_number(text: str) -> Decimal | None:
    return Decimal(text) if _PLAIN_NUMBER_RE.fullmatch(text) else None


def _wildcard_equals(pattern: str, value: str) -> bool:
    """``*`` matches any text at the start and/or the end of a value; an inner ``*`` is literal
    ("*Event matches PutEvent ... Ev*ent will only match the actual string Ev*ent")."""
    if pattern == "*":
        return True
    lead = pattern.startswith("*")
    trail = len(pattern) > 1 and pattern.endswith("*")
    core = pattern[1 if lead else 0 : len(pattern) - 1 if trail else len(pattern)]
    if lead and trail:
        return core in value
    if lead:
        return value.endswith(core)
    if trail:
        return value.startswith(core)
    return value == pattern


@dataclass(frozen=True)
class _Literal:
    """The right-hand side of a comparison: a string (wildcards allowed), a number, or a regex."""

    text: str
    number: Decimal | None = None  # set for an unquoted numeric literal
    regex: re.Pattern[str] | None = None

    def equals(self, text: str, number: Decimal | None) -> bool:
        if self.regex is not None:
            return self.regex.search(text) is not None
        if self.number is not None and number is not None:
            return number == self.number
        return _wildcard_equals(self.text, text)


def _compare(op: str, literal: _Literal, text: str, number: Decimal | None) -> bool:
    if op == "=":
        return literal.equals(text, number)
    if op == "!=":
        return not literal.equals(text, number)
    if number is None or literal.number is None:
        return False
    if op == "<":
        return number < literal.number
    if op == ">":
        return number > literal.number
    if op == "<=":
        return number <= literal.number
    return number >= literal.number  # ">="


_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_NUMERIC_ONLY_OPERATORS = frozenset({"<", ">", "<=", ">="})

# --------------------------------------------------------------------------------------------------
# regular expressions: the documented subset, translated to Python's ``re``
# --------------------------------------------------------------------------------------------------

_REGEX_SYMBOLS = frozenset(":_#=@/;,-")
_REGEX_OPERATORS = frozenset("^$?[]{}|\\*+.")
# The documented examples use spaces ("%^shutting down%", '" at"'), so a space is accepted too.
_REGEX_ALLOWED = frozenset(string.ascii_letters + string.digits + " ") | _REGEX_SYMBOLS | _REGEX_OPERATORS
_REGEX_CLASS_ESCAPES = frozenset("dDsSwW")
_QUANTIFIER_RE = re.compile(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}")


def _compile_regex(body: str) -> re.Pattern[str]:
    """Translate the body of a ``%...%`` regex (the documented subset) into a compiled Python regex.

    Allowed: ASCII letters and digits, the symbols ``: _ # = @ / ; , -``, the operators
    ``^ $ ? [ ] { } | \\ * +  .``, and the escapes ``\\d \\D \\s \\S \\w \\W \\xhh``. Parentheses and
    multi-byte characters are not supported. Matching is a search (anywhere in the text); ``^`` and
    ``$`` anchor to the start and end of the whole text; ``.`` matches any character.
    """
    if not body:
        raise InvalidFilterPattern(detail="empty regular expression")
    bad = sorted({c for c in body if c not in _REGEX_ALLOWED})
    if bad:
        raise InvalidFilterPattern(
            INVALID_CHARACTERS_MESSAGE,
            detail=f"unsupported character(s) in regular expression: {''.join(bad)!r}",
        )
    out: list[str] = []
    i, n = 0, len(body)
    in_class = False

    def escape(at: int) -> tuple[str, int]:
        if at + 1 >= n:
            raise InvalidFilterPattern(detail="regular expression ends with an escape character")
        e = body[at + 1]
        if e in _REGEX_CLASS_ESCAPES:
            return "\\" + e, at + 2
        if e == "x":
            digits = body[at + 2 : at + 4]
            if len(digits) != 2 or any(d not in string.hexdigits for d in digits):
                raise InvalidFilterPattern(detail="\\x must be followed by two hexadecimal digits")
            return "\\x" + digits, at + 4
        if e.isalnum():
            raise InvalidFilterPattern(detail=f"unsupported escape sequence \\{e}")
        return re.escape(e), at + 2

    while i < n:
        c = body[i]
        if c == "\\":
            piece, i = escape(i)
            out.append(piece)
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append("]")
            elif c == "-":
                out.append("-")
            else:
                out.append(re.escape(c))
            i += 1
            continue
        if c == "[":
            out.append("[")
            i += 1
            if i < n and body[i] == "^":
                out.append("^")
                i += 1
            if i < n and body[i] == "]":  # a leading "]" is a literal member of the class
                out.append("\\]")
                i += 1
            in_class = True
            continue
        if c == "{":
            m = _QUANTIFIER_RE.match(body, i)
            if m and (m.group(1) or m.group(3)):
                out.append("{" + m.group(1) + m.group(2) + m.group(3) + "}")
                i = m.end()
            else:
                out.append("\\{")
                i += 1
            continue
        if c == "$":
            out.append(r"\Z")
        elif c in "^.?*+|":
            out.append(c)
        else:
            out.append(re.escape(c))
        i += 1
    if in_class:
        raise InvalidFilterPattern(detail="unterminated character class in regular expression")
    try:
        return re.compile("".join(out), re.ASCII | re.DOTALL)
    except re.error as error:
        raise InvalidFilterPattern(detail=f"invalid regular expression: {error}") from None


# --------------------------------------------------------------------------------------------------
# a small scanner for the structured pattern grammars
# --------------------------------------------------------------------------------------------------


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def eof(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def startswith(self, s: str) -> bool:
        return self.text.startswith(s, self.pos)

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, s: str) -> None:
        if not self.startswith(s):
            self.fail(f"expected {s!r}")
        self.pos += len(s)

    def operator(self) -> str | None:
        for op in _OPERATORS:
            if self.startswith(op):
                self.pos += len(op)
                return op
        return None

    def fail(self, detail: str, message: str = INVALID_PATTERN_MESSAGE) -> NoReturn:
        raise InvalidFilterPattern(message, f"{detail} at position {self.pos} of {self.text!r}")


def _read_quoted(sc: _Scanner, quote: str = '"') -> str:
    """Read a quoted string at the scanner position; backslash escapes the next character."""
    sc.expect(quote)
    chars: list[str] = []
    while not sc.eof():
        c = sc.peek()
        if c == "\\" and sc.pos + 1 < len(sc.text):
            chars.append(sc.text[sc.pos + 1])
            sc.pos += 2
            continue
        sc.pos += 1
        if c == quote:
            return "".join(chars)
        chars.append(c)
    sc.fail("unterminated quoted string")


# An unquoted value may not contain these ("Strings that have ... characters such as '@', '$', '\'
# must be enclosed in double quotes"), nor the pattern's own punctuation.
_UNQUOTED_FORBIDDEN = frozenset("\"'(){}[]%$@\\<>=!,&|")


class _ParseContext:
    def __init__(self) -> None:
        self.regex_count = 0
        self.wildcard_selectors = 0


def _parse_literal(sc: _Scanner, op: str, stop: str, ctx: _ParseContext) -> _Literal:
    sc.skip_ws()
    c = sc.peek()
    if c == '"':
        literal = _Literal(text=_read_quoted(sc))
    elif c == "%":
        end = sc.text.find("%", sc.pos + 1)
        if end < 0:
            sc.fail("unterminated regular expression")
        regex = _compile_regex(sc.text[sc.pos + 1 : end])
        sc.pos = end + 1
        ctx.regex_count += 1
        literal = _Literal(text=regex.pattern, regex=regex)
    else:
        start = sc.pos
        while not sc.eof() and not sc.peek().isspace() and sc.peek() not in stop:
            sc.pos += 1
        token = sc.text[start : sc.pos]
        if not token:
            sc.fail(f"expected a value after {op!r}")
        bad = sorted(set(token) & _UNQUOTED_FORBIDDEN)
        if bad:
            sc.fail(f"value {token!r} contains {''.join(bad)!r} and must be enclosed in double quotes")
        number = Decimal(token) if _NUMBER_LITERAL_RE.fullmatch(token) else None
        literal = _Literal(text=token, number=number)
    if op in _NUMERIC_ONLY_OPERATORS and literal.number is None:
        sc.fail(f"operator {op!r} needs a number")
    if op in _NUMERIC_ONLY_OPERATORS and literal.regex is not None:
        sc.fail(f"operator {op!r} cannot be used with a regular expression")
    return literal


# --------------------------------------------------------------------------------------------------
# boolean expression nodes shared by JSON and space-delimited patterns
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _And:
    items: tuple[Any, ...]

    def evaluate(self, subject: Any) -> bool:
        return all(item.evaluate(subject) for item in self.items)

    def leaves(self) -> Iterator[Any]:
        for item in self.items:
            yield from item.leaves()


@dataclass(frozen=True)
class _Or:
    items: tuple[Any, ...]

    def evaluate(self, subject: Any) -> bool:
        return any(item.evaluate(subject) for item in self.items)

    def leaves(self) -> Iterator[Any]:
        for item in self.items:
            yield from item.leaves()


def _parse_boolean(sc: _Scanner, primary: Any) -> Any:
    """``or := and ('||' and)*``; ``and := primary ('&&' primary)*``: && binds tighter than ||."""

    def parse_or() -> Any:
        items = [parse_and()]
        while True:
            sc.skip_ws()
            if not sc.startswith("||"):
                break
            sc.pos += 2
            items.append(parse_and())
        return items[0] if len(items) == 1 else _Or(tuple(items))

    def parse_and() -> Any:
        items = [parse_primary()]
        while True:
            sc.skip_ws()
            if not sc.startswith("&&"):
                break
            sc.pos += 2
            items.append(parse_primary())
        return items[0] if len(items) == 1 else _And(tuple(items))

    def parse_primary() -> Any:
        sc.skip_ws()
        if sc.startswith("("):
            sc.pos += 1
            inner = parse_or()
            sc.skip_ws()
            sc.expect(")")
            return inner
        return primary()

    return parse_or()


# --------------------------------------------------------------------------------------------------
# the match result
# --------------------------------------------------------------------------------------------------


@dataclass
class _Match:
    values: dict[str, str] = field(default_factory=dict)  # extractedValues
    numbers: dict[str, Decimal | None] = field(default_factory=dict)  # numeric reading of values
    positional: dict[int, str] = field(default_factory=dict)  # space-delimited "$N" references


# --------------------------------------------------------------------------------------------------
# unstructured patterns: terms, phrases, include/exclude/optional, match-all, standalone regex
# --------------------------------------------------------------------------------------------------


class _MatchAll:
    kind = "match_all"

    def test(self, message: str) -> bool:
        return True

    def match(self, message: str) -> _Match | None:
        return _Match()


@dataclass(frozen=True)
class _Terms:
    """Case-sensitive substring terms. All include terms must appear and no exclude term may; ``?``
    terms are ORed, and are ignored when combined with include or exclude terms (documented)."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    optional: tuple[str, ...]
    kind = "terms"

    def test(self, message: str) -> bool:
        if self.include or self.exclude:
            return all(t in message for t in self.include) and not any(t in message for t in self.exclude)
        return any(t in message for t in self.optional)

    def match(self, message: str) -> _Match | None:
        return _Match() if self.test(message) else None


@dataclass(frozen=True)
class _Regex:
    regex: re.Pattern[str]
    kind = "regex"

    def test(self, message: str) -> bool:
        return self.regex.search(message) is not None

    def match(self, message: str) -> _Match | None:
        return _Match() if self.test(message) else None


def _parse_terms(text: str) -> _Terms | _MatchAll:
    sc = _Scanner(text)
    include: list[str] = []
    exclude: list[str] = []
    optional: list[str] = []
    while True:
        sc.skip_ws()
        if sc.eof():
            break
        prefix = ""
        if sc.peek() in "?-":
            prefix = sc.peek()
            sc.pos += 1
            if sc.eof() or sc.peek().isspace():
                # A detached operator applies to the next term (the guide shows: "ERROR" - "Exiting").
                sc.skip_ws()
                if sc.eof():
                    sc.fail(f"{prefix!r} is not followed by a term")
            if sc.peek() in "?-":
                sc.fail("a term may carry only one of '?' and '-'")
        if sc.peek() == '"':
            term = _read_quoted(sc)
            if not sc.eof() and not sc.peek().isspace():
                sc.fail("a quoted term must be followed by whitespace")
            if not term.strip():
                continue  # "" and " " match everything, so they add no constraint
        else:
            start = sc.pos
            while not sc.eof() and not sc.peek().isspace():
                sc.pos += 1
            term = sc.text[start : sc.pos]
            if '"' in term:
                sc.fail(f"unexpected double quote in term {term!r}")
            if term[0] in "{[%":
                sc.fail(f"term {term!r} must be enclosed in double quotes")
        {"": include, "-": exclude, "?": optional}[prefix].append(term)
    if not (include or exclude or optional):
        return _MatchAll()
    return _Terms(tuple(include), tuple(exclude), tuple(optional))


# --------------------------------------------------------------------------------------------------
# JSON patterns
# --------------------------------------------------------------------------------------------------

_SELECTOR_NAME_RE = re.compile(r"[\w\-]+")


class _JsonNumber:
    """A JSON number that keeps its source text (for wildcard/regex matching and extractedValues)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


_NOT_JSON = object()


def _load_json(message: str) -> Any:
    try:
        document = json.loads(
            message, parse_int=_JsonNumber, parse_float=_JsonNumber, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError):
        return _NOT_JSON
    # A JSON log event is an object (or array); a bare scalar line such as "42" is not.
    return document if isinstance(document, (dict, list)) else _NOT_JSON


def _value_node(node: Any) -> tuple[str, Decimal | None] | None:
    """(text, number) of a value node (string or number); None for null, booleans, arrays, objects."""
    if isinstance(node, str):
        return node, _plain_number(node)
    if isinstance(node, _JsonNumber):
        return node.text, Decimal(node.text)
    return None


@dataclass(frozen=True)
class _Selector:
    """``$.a.b[0]``, ``$.['key.with.dots']``, ``$.list[*]``, ``$.*``."""

    steps: tuple[tuple[str, Any], ...]  # ("key", name) | ("index", n) | ("wild", dotted)

    @property
    def text(self) -> str:
        parts = ["$"]
        for kind, value in self.steps:
            if kind == "key":
                simple = _SELECTOR_NAME_RE.fullmatch(value)
                parts.append(f".{value}" if simple else f".['{value}']")
            elif kind == "index":
                parts.append(f"[{value}]")
            else:
                parts.append(".*" if value else "[*]")
        return "".join(parts)

    @property
    def wildcards(self) -> int:
        return sum(1 for kind, _ in self.steps if kind == "wild")

    def resolve(self, root: Any) -> list[Any]:
        nodes = [root]
        for kind, value in self.steps:
            found: list[Any] = []
            for node in nodes:
                if kind == "key":
                    if isinstance(node, dict) and value in node:
                        found.append(node[value])
                elif kind == "index":
                    if isinstance(node, list) and value < len(node):
                        found.append(node[value])
                elif isinstance(node, dict):
                    found.extend(node.values())
                elif isinstance(node, list):
                    found.extend(node)
            nodes = found
            if not nodes:
                break
        return nodes


def _parse_selector(sc: _Scanner) -> _Selector:
    sc.expect("$")
    if not sc.startswith("."):
        sc.fail("a property selector starts with '$.'")
    steps: list[tuple[str, Any]] = []
    while True:
        if sc.startswith(".["):
            sc.pos += 1
            steps.append(_parse_bracket_step(sc))
        elif sc.startswith(".*"):
            sc.pos += 2
            steps.append(("wild", True))
        elif sc.startswith("."):
            sc.pos += 1
            m = _SELECTOR_NAME_RE.match(sc.text, sc.pos)
            if not m:
                sc.fail("expected a property name")
            steps.append(("key", m.group()))
            sc.pos = m.end()
        elif sc.startswith("["):
            steps.append(_parse_bracket_step(sc))
        else:
            break
    return _Selector(tuple(steps))


def _parse_bracket_step(sc: _Scanner) -> tuple[str, Any]:
    sc.expect("[")
    sc.skip_ws()
    c = sc.peek()
    if c == "*":
        sc.pos += 1
        step: tuple[str, Any] = ("wild", False)
    elif c.isdigit():
        start = sc.pos
        while sc.peek().isdigit():
            sc.pos += 1
        step = ("index", int(sc.text[start : sc.pos]))
    elif c in "'\"":
        step = ("key", _read_quoted(sc, c))
    else:
        sc.fail("expected an array index, '*' or a quoted property name")
    sc.skip_ws()
    sc.expect("]")
    return step


@dataclass(frozen=True)
class _JsonCompare:
    selector: _Selector
    op: str
    literal: _Literal

    def test_node(self, node: Any) -> bool:
        value = _value_node(node)
        return value is not None and _compare(self.op, self.literal, *value)

    def evaluate(self, document: Any) -> bool:
        return any(self.test_node(node) for node in self.selector.resolve(document))

    def leaves(self) -> Iterator[Any]:
        yield self


@dataclass(frozen=True)
class _JsonIs:
    selector: _Selector
    expected: Any  # None, True or False

    def test_node(self, node: Any) -> bool:
        return node is self.expected

    def evaluate(self, document: Any) -> bool:
        return any(self.test_node(node) for node in self.selector.resolve(document))

    def leaves(self) -> Iterator[Any]:
        yield self


@dataclass(frozen=True)
class _JsonNotExists:
    selector: _Selector

    def test_node(self, node: Any) -> bool:
        return False

    def evaluate(self, document: Any) -> bool:
        return not self.selector.resolve(document)

    def leaves(self) -> Iterator[Any]:
        yield self


_KEYWORD_RE = re.compile(r"[A-Za-z]+")


def _parse_json_condition(sc: _Scanner, ctx: _ParseContext) -> Any:
    sc.skip_ws()
    if not sc.startswith("$"):
        sc.fail("expected a property selector such as $.field")
    selector = _parse_selector(sc)
    if selector.wildcards > MAX_WILDCARDS_PER_SELECTOR:
        sc.fail(f"a property selector may use at most {MAX_WILDCARDS_PER_SELECTOR} wildcard")
    if selector.wildcards:
        ctx.wildcard_selectors += 1
    sc.skip_ws()
    keyword = _KEYWORD_RE.match(sc.text, sc.pos)
    if keyword:
        word = keyword.group().upper()
        sc.pos = keyword.end()
        sc.skip_ws()
        if word == "IS":
            value = _KEYWORD_RE.match(sc.text, sc.pos)
            expected = {"NULL": None, "TRUE": True, "FALSE": False}
            if not value or value.group().upper() not in expected:
                sc.fail("IS must be followed by NULL, TRUE or FALSE (IS NOT is not supported)")
            sc.pos = value.end()
            return _JsonIs(selector, expected[value.group().upper()])
        if word == "NOT":
            value = _KEYWORD_RE.match(sc.text, sc.pos)
            if not value or value.group().upper() != "EXISTS":
                sc.fail("NOT must be followed by EXISTS")
            sc.pos = value.end()
            return _JsonNotExists(selector)
        sc.fail(f"unsupported keyword {keyword.group()!r} (EXISTS is not supported; use = *)")
    op = sc.operator()
    if op is None:
        sc.fail("expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS")
    return _JsonCompare(selector, op, _parse_literal(sc, op, ")&|}", ctx))


@dataclass(frozen=True)
class _JsonPattern:
    expression: Any
    conditions: tuple[Any, ...]
    kind = "json"

    def test(self, message: str) -> bool:
        document = _load_json(message)
        return document is not _NOT_JSON and self.expression.evaluate(document)

    def match(self, message: str) -> _Match | None:
        document = _load_json(message)
        if document is _NOT_JSON or not self.expression.evaluate(document):
            return None
        result = _Match()
        for condition in self.conditions:
            key = condition.selector.text
            if key in result.values:
                continue
            nodes = condition.selector.resolve(document)
            chosen = None
            for node in nodes:  # prefer the node the condition holds for
                if condition.test_node(node) and _value_node(node) is not None:
                    chosen = _value_node(node)
                    break
            if chosen is None:
                for node in nodes:
                    if _value_node(node) is not None:
                        chosen = _value_node(node)
                        break
            if chosen is not None:
                result.values[key], result.numbers[key] = chosen
        return result


def _parse_json_pattern(text: str) -> tuple[_JsonPattern, int]:
    sc = _Scanner(text)
    ctx = _ParseContext()
    sc.expect("{")
    sc.skip_ws()
    if sc.startswith("}"):
        sc.fail("empty JSON filter pattern")
    expression = _parse_boolean(sc, lambda: _parse_json_condition(sc, ctx))
    sc.skip_ws()
    if not sc.startswith("}"):
        sc.fail("expected '&&', '||', ')' or '}'")
    sc.pos += 1
    sc.skip_ws()
    if not sc.eof():
        sc.fail("unexpected text after '}'")
    if ctx.regex_count > MAX_REGEX_PER_STRUCTURED_PATTERN:
        sc.fail(
            f"at most {MAX_REGEX_PER_STRUCTURED_PATTERN} regular expressions are allowed in a JSON pattern"
        )
    if ctx.wildcard_selectors > MAX_WILDCARD_SELECTORS_PER_PATTERN:
        sc.fail(f"at most {MAX_WILDCARD_SELECTORS_PER_PATTERN} wildcard selectors are allowed in a pattern")
    return _JsonPattern(expression, tuple(expression.leaves())), ctx.regex_count


def _parse_selector_reference(text: str) -> _Selector | None:
    """Parse a ``$.selector`` used as a metric value or dimension; None when it is not one."""
    sc = _Scanner(text.strip())
    try:
        selector = _parse_selector(sc)
    except InvalidFilterPattern:
        return None
    return selector if sc.eof() else None


# --------------------------------------------------------------------------------------------------
# space-delimited patterns
# --------------------------------------------------------------------------------------------------

_FIELD_NAME_RE = re.compile(r"[\w\-]+")


@dataclass(frozen=True)
class _FieldCompare:
    name: str
    op: str
    literal: _Literal

    def evaluate(self, env: dict[str, tuple[str, Decimal | None]]) -> bool:
        text, number = env[self.name]
        return _compare(self.op, self.literal, text, number)

    def leaves(self) -> Iterator[Any]:
        yield self


@dataclass(frozen=True)
class _FieldRef:
    """A bare field name (no condition)."""

    name: str

    def evaluate(self, env: dict[str, tuple[str, Decimal | None]]) -> bool:
        return True

    def leaves(self) -> Iterator[Any]:
        yield self


@dataclass(frozen=True)
class _Slot:
    ellipsis: bool = False
    name: str | None = None
    condition: Any = None


def _parse_field_primary(sc: _Scanner, ctx: _ParseContext) -> Any:
    sc.skip_ws()
    m = _FIELD_NAME_RE.match(sc.text, sc.pos)
    if not m:
        sc.fail("expected a field name")
    sc.pos = m.end()
    sc.skip_ws()
    op = sc.operator()
    if op is None:
        return _FieldRef(m.group())
    return _FieldCompare(m.group(), op, _parse_literal(sc, op, ",]&|)", ctx))


def _parse_slot(sc: _Scanner, ctx: _ParseContext) -> _Slot:
    sc.skip_ws()
    if sc.peek() in (",", "]"):
        return _Slot()  # an unnamed field, e.g. the trailing one in "[..., status_code=4*,]"
    for ellipsis in ("...", "\u2026"):
        if sc.startswith(ellipsis):
            sc.pos += len(ellipsis)
            return _Slot(ellipsis=True)
    expression = _parse_boolean(sc, lambda: _parse_field_primary(sc, ctx))
    leaves = list(expression.leaves())
    if isinstance(expression, _FieldRef):
        return _Slot(name=expression.name)
    if any(isinstance(leaf, _FieldRef) for leaf in leaves):
        sc.fail("a field name inside a compound condition needs an operator and a value")
    return _Slot(name=leaves[0].name, condition=expression)


def _split_fields(message: str) -> list[tuple[str, int]]:
    """Split a log event into (value, start offset) fields: whitespace separates fields; the text
    between a pair of square brackets or double quotes is one field (without the delimiters)."""
    fields: list[tuple[str, int]] = []
    i, n = 0, len(message)
    while i < n:
        c = message[i]
        if c.isspace():
            i += 1
            continue
        start = i
        closer = {"[": "]", '"': '"'}.get(c)
        end = -1
        if closer == "]":
            end = message.find("]", i + 1)
        elif closer == '"':
            j = i + 1
            while j < n and message[j] != '"':
                j += 2 if message[j] == "\\" else 1
            end = j if j < n else -1
        if end >= 0:
            fields.append((message[i + 1 : end], start))
            i = end + 1
            continue
        while i < n and not message[i].isspace():
            i += 1
        fields.append((message[start:i], start))
    return fields


@dataclass(frozen=True)
class _SpaceDelimitedPattern:
    slots: tuple[_Slot, ...]
    kind = "space_delimited"

    def _assignments(self, message: str) -> Iterator[list[tuple[_Slot | None, int, str]]]:
        """Candidate (slot, 1-based position, value) lists; slot None marks a field an ellipsis took."""
        tokens = _split_fields(message)
        slots = self.slots
        if not any(slot.ellipsis for slot in slots):
            if len(tokens) < len(slots):
                return
            assigned: list[tuple[_Slot | None, int, str]] = []
            for index, slot in enumerate(slots):
                if index == len(slots) - 1 and len(tokens) > len(slots):
                    # The last field takes the rest of the line, which is why "[w1=ERROR, w2]" needs w2.
                    value = message[tokens[index][1] :].rstrip()
                else:
                    value = tokens[index][0]
                assigned.append((slot, index + 1, value))
            yield assigned
            return
        budget = [_MAX_ASSIGNMENTS]

        def walk(slot_index: int, token_index: int, acc: list) -> Iterator[list]:
            if budget[0] <= 0:
                return
            if slot_index == len(slots):
                if token_index == len(tokens):
                    budget[0] -= 1
                    yield acc
                return
            slot = slots[slot_index]
            if slot.ellipsis:
                after = sum(1 for s in slots[slot_index + 1 :] if not s.ellipsis)
                for take in range(len(tokens) - token_index - after + 1):
                    taken = [(None, p + 1, tokens[p][0]) for p in range(token_index, token_index + take)]
                    yield from walk(slot_index + 1, token_index + take, acc + taken)
            elif token_index < len(tokens):
                entry = (slot, token_index + 1, tokens[token_index][0])
                yield from walk(slot_index + 1, token_index + 1, acc + [entry])

        yield from walk(0, 0, [])

    def match(self, message: str) -> _Match | None:
        for assigned in self._assignments(message):
            env = {
                slot.name: (value, _plain_number(value))
                for slot, _, value in assigned
                if slot is not None and slot.name is not None
            }
            if all(slot.condition.evaluate(env) for slot, _, _ in assigned if slot and slot.condition):
                result = _Match()
                for slot, position, value in assigned:
                    key = f"${slot.name}" if slot is not None and slot.name is not None else f"${position}"
                    result.values[key] = value
                    result.numbers[key] = _plain_number(value)
                    result.positional[position] = value
                return result
        return None

    def test(self, message: str) -> bool:
        return self.match(message) is not None


def _parse_space_delimited(text: str) -> tuple[_SpaceDelimitedPattern, int]:
    sc = _Scanner(text)
    ctx = _ParseContext()
    sc.expect("[")
    sc.skip_ws()
    slots: list[_Slot] = []
    if sc.startswith("]"):
        sc.pos += 1
        slots.append(_Slot(ellipsis=True))  # "[]" extracts every field as $1, $2, ...
    else:
        while True:
            slots.append(_parse_slot(sc, ctx))
            sc.skip_ws()
            if sc.startswith(","):
                sc.pos += 1
                continue
            if sc.startswith("]"):
                sc.pos += 1
                break
            sc.fail("expected ',' or ']'")
    sc.skip_ws()
    if not sc.eof():
        sc.fail("unexpected text after ']'")
    names = [slot.name for slot in slots if slot.name is not None]
    for name in names:
        if name.isdigit():
            sc.fail(f"field name {name!r} must not be a number")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        sc.fail(f"duplicate field name(s) {duplicates}")
    for slot in slots:
        if slot.condition is None:
            continue
        for leaf in slot.condition.leaves():
            if leaf.name not in names:
                # AWS rejects e.g. "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]"
                sc.fail(f"condition refers to {leaf.name!r}, which is not a field of the pattern")
    if ctx.regex_count > MAX_REGEX_PER_STRUCTURED_PATTERN:
        sc.fail(
            f"at most {MAX_REGEX_PER_STRUCTURED_PATTERN} regular expressions are allowed in a space-delimited pattern"
        )
    return _SpaceDelimitedPattern(tuple(slots)), ctx.regex_count


# --------------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------------


class Pattern:
    """A compiled filter pattern (immutable; build it with :func:`compile_pattern`).

    Attributes: ``source`` (the pattern text), ``kind`` (``"match_all"``, ``"terms"``, ``"regex"``,
    ``"json"`` or ``"space_delimited"``), ``regex_count`` (``%regex%`` terms used; AWS allows at most 5
    regex filter patterns per log group, which is for the caller to enforce).
    """

    __slots__ = ("_impl", "kind", "regex_count", "source")

    def __init__(self, source: str, impl: Any, regex_count: int = 0) -> None:
        self.source = source
        self.kind: str = impl.kind
        self.regex_count = regex_count
        self._impl = impl

    def __repr__(self) -> str:
        return f"Pattern({self.source!r}, kind={self.kind!r})"

    @property
    def supports_dimensions(self) -> bool:
        """Dimensions are "only available for JSON and space-delimited filter patterns"."""
        return self.kind in ("json", "space_delimited")

    def matches(self, message: str) -> bool:
        """Whether the log event message matches the pattern."""
        return self._impl.test(message)

    def extract(self, message: str) -> dict[str, str] | None:
        """``TestMetricFilter``'s ``extractedValues`` for the message, or ``None`` when it does not match.

        Space-delimited: ``"$<name>"`` for named fields, ``"$<position>"`` (1-based) for unnamed ones and
        for fields an ellipsis covers. JSON: ``"$.selector"`` for each selector in the pattern that points
        to a string or number. Term and regex patterns: ``{}``.
        """
        result = self._match(message)
        return None if result is None else dict(result.values)

    def _match(self, message: str) -> _Match | None:
        return self._impl.match(message)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Pattern:
    """Compile a CloudWatch Logs filter pattern.

    Raises :class:`InvalidFilterPattern` when AWS would reject the pattern.
    """
    if not isinstance(pattern, str):
        raise TypeError(f"filter pattern must be a str, not {type(pattern).__name__}")
    text = pattern.strip()
    if text.startswith("{"):
        json_pattern, regex_count = _parse_json_pattern(text)
        return Pattern(pattern, json_pattern, regex_count)
    if text.startswith("["):
        space_delimited, regex_count = _parse_space_delimited(text)
        return Pattern(pattern, space_delimited, regex_count)
    if len(text) >= 2 and text.startswith("%") and text.endswith("%"):
        body = text[1:-1]
        if "%" in body:
            raise InvalidFilterPattern(detail="a regular expression pattern is a single %regex%")
        return Pattern(pattern, _Regex(_compile_regex(body)), 1)
    return Pattern(pattern, _parse_terms(text))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# CloudWatch's namespace rule ("Namespaces" in the CloudWatch concepts page): 1 to 255 characters from
# 0-9A-Za-z . - _ / # : and space, at least one non-whitespace; PutMetricData's Namespace pattern [^:].*
# adds that it does not start with ':'. The Logs API's `[^:*$]*` for metricNamespace is an unanchored
# Smithy pattern (it matches any string), and CloudWatch Logs accepts namespaces such as "App:Cart".
_NAMESPACE_RE = re.compile(r"[0-9A-Za-z._/#: -]{1,255}")
NAMESPACE_RULE = (
    "must be 1 to 255 characters from 0-9 A-Z a-z . - _ / # : and space, with at least one non-space "
    "character, and must not start with ':'"
)


def valid_namespace(namespace: str) -> bool:
    """Whether ``namespace`` follows CloudWatch's namespace rule (see ``NAMESPACE_RULE``)."""
    return bool(
        isinstance(namespace, str)
        and _NAMESPACE_RE.fullmatch(namespace)
        and namespace.strip()
        and not namespace.startswith(":")
    )


def validate_transformation(transformation: dict, pattern: Pattern | None = None) -> None:
    """Validate a ``MetricTransformation`` (AWS API field names); raise ``ValueError`` when invalid.

    Checks: required ``metricName``/``metricNamespace``/``metricValue``; name constraints (at most 255
    characters, none of ``:*$``); the namespace follows CloudWatch's rule (:func:`valid_namespace`); ``metricValue`` is a number or a ``$`` field reference of
    at most 100 characters; ``defaultValue`` is a number; at most 3 ``dimensions`` with non-empty string
    names and values; ``dimensions`` and ``defaultValue`` not both set; ``unit`` a CloudWatch unit.
    With ``pattern``: dimensions only for JSON and space-delimited patterns.
    """
    if not isinstance(transformation, dict):
        raise ValueError("Invalid metric transformation: expected an object")  # noqa: TRY004 (API error)
    for key in ("metricName", "metricNamespace"):
        value = transformation.get(key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"Invalid metric transformation: {key} is required")
    name = transformation["metricName"]
    if len(name) > 255 or any(c in name for c in ":*$"):
        raise ValueError(
            "Invalid metric transformation: metricName must match [^:*$]* and be at most 255 characters"
        )
    if not valid_namespace(transformation["metricNamespace"]):
        raise ValueError(f"Invalid metric transformation: metricNamespace {NAMESPACE_RULE}")
    metric_value = transformation.get("metricValue")
    if not isinstance(metric_value, str) or not metric_value.strip():
        raise ValueError("Invalid metric transformation: metricValue is required")
    if len(metric_value) > 100:
        raise ValueError("Invalid metric transformation: metricValue must be at most 100 characters")
    stripped = metric_value.strip()
    if not (stripped.startswith("$") and len(stripped) > 1) and not _NUMBER_LITERAL_RE.fullmatch(stripped):
        raise ValueError(
            "Invalid metric transformation: metricValue must be a number or a field reference such as "
            "$.latency or $size"
        )
    default_value = transformation.get("defaultValue")
    if default_value is not None and not _is_number(default_value):
        raise ValueError("Invalid metric transformation: defaultValue must be a number")
    dimensions = transformation.get("dimensions")
    if dimensions is not None:
        if not isinstance(dimensions, dict):
            raise ValueError("Invalid metric transformation: dimensions must be a map of names to fields")
        if len(dimensions) > MAX_DIMENSIONS:
            raise ValueError(
                f"Invalid metric transformation: a metric filter can include as many as {MAX_DIMENSIONS} dimensions"
            )
        for name, value in dimensions.items():
            if not isinstance(name, str) or not name or not isinstance(value, str) or not value:
                raise ValueError(
                    "Invalid metric transformation: dimension names and values must be non-empty strings"
                )
        if dimensions and default_value is not None:
            raise ValueError(
                "Invalid metric transformation: dimensions and default value are mutually exclusive properties"
            )
        if dimensions and pattern is not None and not pattern.supports_dimensions:
            raise ValueError("The specified filter pattern does not support dimensions")
    unit = transformation.get("unit")
    if unit is not None and unit not in STANDARD_UNITS:
        raise ValueError(f"Invalid metric transformation: unit {unit!r} is not a CloudWatch standard unit")


def _resolve_reference(pattern: Pattern, result: _Match, reference: str) -> tuple[str | None, Decimal | None]:
    """Text and numeric reading of a ``$.selector`` (JSON) or ``$name`` / ``$N`` (space-delimited)
    reference; (None, None) when the field was not extracted by the pattern."""
    reference = reference.strip()
    if pattern.kind == "json":
        selector = _parse_selector_reference(reference)
        if selector is None:
            return None, None
        key = selector.text
        return result.values.get(key), result.numbers.get(key)
    if pattern.kind == "space_delimited" and reference.startswith("$"):
        name = reference[1:]
        text = result.positional.get(int(name)) if name.isdigit() else result.values.get(f"${name}")
        return text, (None if text is None else _plain_number(text))
    return None, None


def default_datum(transformation: dict) -> MetricDatum | None:
    """The datum published for ingested events that did not match, or None without ``defaultValue``."""
    default_value = transformation.get("defaultValue")
    if default_value is None:
        return None
    return MetricDatum(
        name=transformation["metricName"],
        namespace=transformation["metricNamespace"],
        value=float(default_value),
        unit=transformation.get("unit") or "None",
        dimensions={},
    )


def evaluate_transformation(pattern: Pattern, transformation: dict, message: str) -> MetricDatum | None:
    """The metric datum one log event produces under a metric filter (pattern + transformation).

    * Not matched: the ``defaultValue`` datum when ``defaultValue`` is set, else None.
    * Matched: ``metricValue`` is a literal number, or a field the pattern extracted (``$.selector`` for
      JSON, ``$name`` or ``$N`` for space-delimited). A field the pattern does not mention, or a value
      that is not a number, publishes nothing (None).
    * Dimensions (``{"Name": "$.field"}``): every one must resolve to a non-empty value, else None.

    Raises ``ValueError`` when the transformation is invalid (see :func:`validate_transformation`).
    """
    validate_transformation(transformation, pattern)
    result = pattern._match(message)
    if result is None:
        return default_datum(transformation)
    reference = transformation["metricValue"].strip()
    if reference.startswith("$"):
        _, number = _resolve_reference(pattern, result, reference)
    else:
        number = Decimal(reference)
    if number is None or not number.is_finite():
        return None
    value = float(number)
    if value in (float("inf"), float("-inf")):
        return None
    dimensions: dict[str, str] = {}
    for name, source in (transformation.get("dimensions") or {}).items():
        text = _resolve_reference(pattern, result, source)[0] if source.strip().startswith("$") else source
        if not text:
            return None
        dimensions[name] = text
    return MetricDatum(
        name=transformation["metricName"],
        namespace=transformation["metricNamespace"],
        value=value,
        unit=transformation.get("unit") or "None",
        dimensions=dimensions,
    )
