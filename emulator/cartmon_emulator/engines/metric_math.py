"""CloudWatch metric math, in pure Python (stdlib only): one engine for alarms, GetMetricData and the
dashboard renderer.

Source: "Using metric math" (Amazon CloudWatch User Guide: syntax, arithmetic, comparison and logical
operators, IF, FILL, functions). The semantics applied (sparse series, missing values as 0 between two
series, dropped points on division by zero, ...) are described in ``alarm_evaluation``'s opening docstring.

Public API
----------
``parse_expression(text) -> node``; ``ids_in(node) -> set[str]``
``Evaluator(size, period, metric_series, expressions).resolve(id) / .eval(node)`` over
``TimeSeries`` (period index -> value, 0 = oldest), ``Scalar`` and ``SeriesArray`` values.
``evaluate_expression(expression, series, period=60)`` over aligned lists (oldest first, ``None`` = no
datapoint).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cartmon_emulator.engines.statistics import Unsupported

__all__ = [
    "ID_RE",
    "Evaluator",
    "Scalar",
    "SeriesArray",
    "TimeSeries",
    "Unsupported",
    "evaluate_expression",
    "ids_in",
    "parse_expression",
]

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<str>"[^"]*"|“[^”]*”)
      | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/^()\[\],<>!])
    )""",
    re.VERBOSE,
)
ID_RE = re.compile(r"[a-z][A-Za-z0-9_]*")
_UPPER_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_FUNCTIONS = {
    "IF", "FILL", "SUM", "AVG", "MIN", "MAX", "ABS", "CEIL", "FLOOR", "LOG", "LOG10",
    "TIME_SERIES", "METRICS", "PERIOD",
}  # fmt: skip
_KEYWORDS = {"REPEAT", "LINEAR"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"metric math syntax error at {text[pos : pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind is None:  # unreachable: every alternative of _TOKEN_RE is a named group
            raise Unsupported(f"metric math syntax error at {text[pos : pos + 20]!r}")
        value = m.group(kind)
        if kind == "name":
            if value in ("AND", "OR", "NOT"):
                kind, value = "op", {"AND": "&&", "OR": "||", "NOT": "!"}[value]
            elif ID_RE.fullmatch(value):
                kind = "id"
            elif _UPPER_RE.fullmatch(value):
                kind = "upper"
            else:
                raise Unsupported(f"metric math: {value!r} is neither an id (lowercase first) nor a function")
        elif kind == "str":
            value = value[1:-1]
        tokens.append((kind, value))
    tokens.append(("end", ""))
    return tokens


class _Parser:
    """Precedence, loosest first: OR, AND, NOT, comparison, + -, * /, unary minus, ^."""

    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        tok = self.tokens[self.i]
        if (kind and tok[0] != kind) or (value and tok[1] != value):
            raise Unsupported(
                f"metric math syntax error: expected {value or kind}, found {tok[1] or 'end'!r}"
            )
        self.i += 1
        return tok

    def accept(self, *values: str) -> str | None:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in values:
            self.i += 1
            return tok[1]
        return None

    def parse(self):
        node = self.parse_or()
        self.take("end")
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.accept("||"):
            node = ("bin", "||", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.accept("&&"):
            node = ("bin", "&&", node, self.parse_not())
        return node

    def parse_not(self):
        if self.accept("!"):
            return ("not", self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self):
        node = self.parse_additive()
        if op := self.accept("==", "!=", "<=", ">=", "<", ">"):
            node = ("bin", op, node, self.parse_additive())
        return node

    def parse_additive(self):
        node = self.parse_multiplicative()
        while op := self.accept("+", "-"):
            node = ("bin", op, node, self.parse_multiplicative())
        return node

    def parse_multiplicative(self):
        node = self.parse_unary()
        while op := self.accept("*", "/"):
            node = ("bin", op, node, self.parse_unary())
        return node

    def parse_unary(self):
        if self.accept("-"):
            return ("neg", self.parse_unary())
        if self.accept("+"):
            return self.parse_unary()
        return self.parse_power()

    def parse_power(self):
        node = self.parse_primary()
        if self.accept("^"):
            node = ("bin", "^", node, self.parse_unary())
        return node

    def parse_primary(self):
        kind, value = self.peek()
        if kind == "num":
            self.i += 1
            return ("num", float(value))
        if kind == "id":
            self.i += 1
            return ("id", value)
        if kind == "str":
            self.i += 1
            return ("str", value)
        if kind == "upper":
            self.i += 1
            if self.accept("("):
                if value not in _FUNCTIONS:
                    raise Unsupported(f"metric math function {value} is not supported")
                args = []
                if not self.accept(")"):
                    args.append(self.parse_or())
                    while self.accept(","):
                        args.append(self.parse_or())
                    self.take("op", ")")
                return ("call", value, args)
            if value in _KEYWORDS:
                return ("kw", value)
            raise Unsupported(f"metric math: {value} is not supported")
        if self.accept("("):
            node = self.parse_or()
            self.take("op", ")")
            return node
        if self.accept("["):
            items = [self.parse_or()]
            while self.accept(","):
                items.append(self.parse_or())
            self.take("op", "]")
            return ("list", items)
        raise Unsupported(f"metric math syntax error at {value or 'end'!r}")


def ids_in(node) -> set[str]:
    if node[0] == "id":
        return {node[1]}
    if node[0] in ("neg", "not"):
        return ids_in(node[1])
    if node[0] == "bin":
        return ids_in(node[2]) | ids_in(node[3])
    if node[0] in ("call", "list"):
        items = node[2] if node[0] == "call" else node[1]
        return set().union(*(ids_in(a) for a in items)) if items else set()
    return set()


@dataclass(frozen=True)
class Scalar:
    """A scalar; ``None`` when its computation was dropped (division by zero, ...)."""

    value: float | None


@dataclass(frozen=True)
class TimeSeries:
    """A sparse time series: period index (0 = oldest of the range) -> value."""

    points: dict[int, float]


@dataclass(frozen=True)
class SeriesArray:
    """An array of time series (``[m1, m2]``, ``METRICS()``)."""

    items: tuple[TimeSeries, ...]


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _div(x: float, y: float) -> float | None:
    return None if y == 0 else x / y


def _pow(x: float, y: float) -> float | None:
    try:
        r = x**y
    except (OverflowError, ZeroDivisionError):
        return None
    return r if isinstance(r, float | int) else None


_BINARY: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": _div,
    "^": _pow,
    "==": lambda x, y: float(x == y),
    "!=": lambda x, y: float(x != y),
    "<=": lambda x, y: float(x <= y),
    ">=": lambda x, y: float(x >= y),
    "<": lambda x, y: float(x < y),
    ">": lambda x, y: float(x > y),
    "&&": lambda x, y: float(x != 0 and y != 0),
    "||": lambda x, y: float(x != 0 or y != 0),
}


def _apply(fn: Callable[[float, float], float | None], x: float, y: float) -> float | None:
    return _finite(fn(float(x), float(y)))


def _broadcast(op: str, a, b):
    fn = _BINARY[op]
    if isinstance(a, SeriesArray) and isinstance(b, SeriesArray):
        raise Unsupported(f"metric math: {op} between two arrays of time series")
    if isinstance(a, SeriesArray):
        return SeriesArray(tuple(_broadcast(op, item, b) for item in a.items))
    if isinstance(b, SeriesArray):
        return SeriesArray(tuple(_broadcast(op, a, item) for item in b.items))
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        if a.value is None or b.value is None:
            return Scalar(None)
        return Scalar(_apply(fn, a.value, b.value))
    if isinstance(a, TimeSeries) and isinstance(b, TimeSeries):
        out = {}
        for t in sorted(a.points.keys() | b.points.keys()):
            r = _apply(fn, a.points.get(t, 0.0), b.points.get(t, 0.0))
            if r is not None:
                out[t] = r
        return TimeSeries(out)
    if isinstance(a, TimeSeries) and isinstance(b, Scalar):
        if b.value is None:
            return TimeSeries({})
        pairs = ((t, _apply(fn, x, b.value)) for t, x in a.points.items())
        return TimeSeries({t: r for t, r in pairs if r is not None})
    if isinstance(a, Scalar) and isinstance(b, TimeSeries):
        if a.value is None:
            return TimeSeries({})
        pairs = ((t, _apply(fn, a.value, y)) for t, y in b.points.items())
        return TimeSeries({t: r for t, r in pairs if r is not None})
    raise Unsupported(f"metric math: invalid operands for {op}")


def _map(fn: Callable[[float], float | None], v):
    if isinstance(v, Scalar):
        return Scalar(None if v.value is None else _finite(fn(v.value)))
    if isinstance(v, TimeSeries):
        pairs = ((t, _finite(fn(x))) for t, x in v.points.items())
        return TimeSeries({t: r for t, r in pairs if r is not None})
    if isinstance(v, SeriesArray):
        return SeriesArray(tuple(_map(fn, item) for item in v.items))
    raise Unsupported("metric math: invalid operand")


def _log(base: float | None) -> Callable[[float], float | None]:
    def fn(x: float) -> float | None:
        if x <= 0:
            return None
        return math.log(x) if base is None else math.log10(x)

    return fn


_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": math.fsum,
    "AVG": lambda v: math.fsum(v) / len(v),
    "MIN": min,
    "MAX": max,
}


class Evaluator:
    def __init__(
        self, size: int, period: int, metric_series: dict[str, TimeSeries], expressions: dict[str, tuple]
    ):
        self.size = size
        self.period = period
        self.metric_series = metric_series  # MetricStat ids, in definition order
        self.expressions = expressions  # expression ids -> AST
        self.cache: dict[str, object] = {}
        self.active: set[str] = set()

    def resolve(self, ident: str):
        if ident in self.metric_series:
            return self.metric_series[ident]
        if ident in self.cache:
            return self.cache[ident]
        if ident not in self.expressions:
            raise Unsupported(f"metric math: unknown id {ident!r}")
        if ident in self.active:
            raise Unsupported(f"metric math: circular reference through {ident!r}")
        self.active.add(ident)
        try:
            value = self.eval(self.expressions[ident])
        finally:
            self.active.discard(ident)
        self.cache[ident] = value
        return value

    def eval(self, node):
        kind = node[0]
        if kind == "num":
            return Scalar(node[1])
        if kind == "id":
            return self.resolve(node[1])
        if kind == "neg":
            return _map(lambda x: -x, self.eval(node[1]))
        if kind == "not":
            return _map(lambda x: float(x == 0), self.eval(node[1]))
        if kind == "bin":
            return _broadcast(node[1], self.eval(node[2]), self.eval(node[3]))
        if kind == "list":
            items = []
            for item in node[1]:
                value = self.eval(item)
                if isinstance(value, TimeSeries):
                    items.append(value)
                elif isinstance(value, SeriesArray):
                    items.extend(value.items)
                else:
                    raise Unsupported("metric math: an array can only hold time series")
            return SeriesArray(tuple(items))
        if kind == "call":
            return getattr(self, "fn_" + node[1])(node[2])
        raise Unsupported(f"metric math: {node[1]!r} is not valid here")

    def _args(self, args, low: int, high: int, name: str) -> list:
        if not low <= len(args) <= high:
            raise Unsupported(f"metric math: {name} takes {low}..{high} arguments, {len(args)} given")
        return [self.eval(a) for a in args]

    def fn_IF(self, args):
        cond, *rest = self._args(args, 2, 3, "IF")
        true_v = rest[0]
        false_v = rest[1] if len(rest) > 1 else None
        for v in (cond, true_v, false_v):
            if v is not None and not isinstance(v, Scalar | TimeSeries):
                raise Unsupported("metric math: IF takes time series or scalars")
        if isinstance(cond, Scalar):
            if isinstance(true_v, Scalar) and isinstance(false_v, Scalar | None):
                chosen = true_v if cond.value else false_v
                return chosen if chosen is not None else Scalar(None)
            if isinstance(true_v, TimeSeries) and isinstance(false_v, TimeSeries | None):
                chosen_series = true_v if cond.value else false_v
                return chosen_series if chosen_series is not None else TimeSeries({})
            raise Unsupported("metric math: IF with a scalar condition needs two time series or two scalars")
        out: dict[int, float] = {}
        for t, c in cond.points.items():
            if c != 0:
                v = true_v.points.get(t, 0.0) if isinstance(true_v, TimeSeries) else true_v.value
            elif isinstance(false_v, TimeSeries):
                v = false_v.points.get(t)
            else:
                v = false_v.value if false_v is not None else None
            if v is not None:
                out[t] = v
        return TimeSeries(out)

    def fn_FILL(self, args):
        if len(args) != 2:
            raise Unsupported("metric math: FILL takes 2 arguments")
        series = self.eval(args[0])
        how = args[1][1] if args[1][0] == "kw" else self.eval(args[1])
        if isinstance(series, SeriesArray):
            return SeriesArray(tuple(self._fill(item, how) for item in series.items))
        if not isinstance(series, TimeSeries):
            raise Unsupported("metric math: FILL needs a time series")
        return self._fill(series, how)

    def _fill(self, series: TimeSeries, how) -> TimeSeries:
        points = dict(series.points)
        if isinstance(how, Scalar):
            if how.value is not None:
                for t in range(self.size):
                    points.setdefault(t, how.value)
        elif isinstance(how, TimeSeries):
            for t, v in how.points.items():
                points.setdefault(t, v)
        elif how == "REPEAT":
            last = None
            for t in range(self.size):
                if t in series.points:
                    last = series.points[t]
                elif last is not None:
                    points[t] = last
        elif how == "LINEAR":
            known = sorted(series.points)
            for left, right in itertools.pairwise(known):
                a, b = series.points[left], series.points[right]
                for t in range(left + 1, right):
                    points[t] = a + (b - a) * (t - left) / (right - left)
        else:
            raise Unsupported("metric math: FILL value must be a number, a time series, REPEAT or LINEAR")
        return TimeSeries(dict(sorted(points.items())))

    def _aggregate(self, name: str, args):
        (value,) = self._args(args, 1, 1, name)
        agg = _AGGREGATES[name]
        if isinstance(value, TimeSeries):
            return Scalar(_finite(agg(list(value.points.values()))) if value.points else None)
        if isinstance(value, SeriesArray):
            if not value.items:
                return TimeSeries({})
            stamps = sorted(set().union(*(item.points.keys() for item in value.items)))
            out = {t: _finite(agg([item.points.get(t, 0.0) for item in value.items])) for t in stamps}
            return TimeSeries({t: v for t, v in out.items() if v is not None})
        raise Unsupported(f"metric math: {name} needs a time series or an array of time series")

    def fn_SUM(self, args):
        return self._aggregate("SUM", args)

    def fn_AVG(self, args):
        return self._aggregate("AVG", args)

    def fn_MIN(self, args):
        return self._aggregate("MIN", args)

    def fn_MAX(self, args):
        return self._aggregate("MAX", args)

    def _unary(self, name: str, args, fn):
        (value,) = self._args(args, 1, 1, name)
        if isinstance(value, Scalar):
            raise Unsupported(f"metric math: {name} needs a time series")
        return _map(fn, value)

    def fn_ABS(self, args):
        return self._unary("ABS", args, abs)

    def fn_CEIL(self, args):
        return self._unary("CEIL", args, lambda x: float(math.ceil(x)))

    def fn_FLOOR(self, args):
        return self._unary("FLOOR", args, lambda x: float(math.floor(x)))

    def fn_LOG(self, args):
        return self._unary("LOG", args, _log(None))

    def fn_LOG10(self, args):
        return self._unary("LOG10", args, _log(10))

    def fn_TIME_SERIES(self, args):
        (value,) = self._args(args, 1, 1, "TIME_SERIES")
        if not isinstance(value, Scalar):
            raise Unsupported("metric math: TIME_SERIES needs a scalar")
        return TimeSeries({} if value.value is None else {t: value.value for t in range(self.size)})

    def fn_METRICS(self, args):
        if len(args) > 1 or (args and args[0][0] != "str"):
            raise Unsupported('metric math: METRICS takes nothing or one "string"')
        needle = args[0][1] if args else ""
        return SeriesArray(tuple(ts for ident, ts in self.metric_series.items() if needle in ident))

    def fn_PERIOD(self, args):
        (value,) = self._args(args, 1, 1, "PERIOD")
        if not isinstance(value, TimeSeries):
            raise Unsupported("metric math: PERIOD needs a metric")
        return Scalar(float(self.period))


def evaluate_expression(
    expression: str, series: Mapping[str, Sequence[float | None]], period: int = 60
) -> list[float | None] | float | None:
    """Evaluate metric math over aligned series (oldest first, ``None`` = no datapoint).

    Returns a list (time series result, same length as the inputs), a float or ``None`` (scalar result,
    ``None`` when dropped). Raises :class:`Unsupported` for an unsupported or invalid expression or an
    array result.
    """
    lengths = {len(v) for v in series.values()}
    if len(lengths) > 1:
        raise ValueError("series must have the same length")
    size = lengths.pop() if lengths else 0
    metric_series = {
        k: TimeSeries({i: float(x) for i, x in enumerate(v) if x is not None}) for k, v in series.items()
    }
    result = Evaluator(size, period, metric_series, {}).eval(parse_expression(expression))
    if isinstance(result, TimeSeries):
        return [result.points.get(i) for i in range(size)]
    if isinstance(result, Scalar):
        return result.value
    raise Unsupported("metric math: the result is an array of time series")


def parse_expression(text: str):
    """The syntax tree of one metric math expression (raises :class:`Unsupported`)."""
    return _Parser(text).parse()
