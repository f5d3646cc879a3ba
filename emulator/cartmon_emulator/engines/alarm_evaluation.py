"""CloudWatch metric-alarm evaluation, in pure Python (stdlib only).

The emulator's CloudWatch provider calls :func:`evaluate_metric_alarm` for every metric alarm on a short
fixed cadence and applies the returned state (``SetAlarmState``-like) when it differs from the current
one. The engine reads raw samples through a callback, aggregates them per period into the alarm's
statistic, evaluates metric math, applies the missing-data treatment and the M-out-of-N rule, and
builds an AWS-like ``StateReason`` / ``StateReasonData``. Whatever it cannot evaluate faithfully gives
``Evaluation(state=None, reason="unsupported: ...")``: never a guessed state.

Sources (Amazon CloudWatch User Guide; the archived revisions are in ``awsdocs/amazon-cloudwatch-user-guide``,
``doc_source/AlarmThatSendsEmail.md`` and ``doc_source/using-metric-math.md``):

* "Using Amazon CloudWatch alarms" > "Evaluating an alarm" (Period, Evaluation Periods = N, Datapoints to
  Alarm = M; breaching datapoints need not be consecutive, they must be among the last N).
* "Configuring how CloudWatch alarms treat missing data" > "How alarm state is evaluated when data is
  missing" (the *evaluation range*, the two tables of datapoint patterns) and "Avoiding premature
  transitions to alarm state".
* "Percentile-based alarms and low data samples" and ``PutMetricAlarm`` ``EvaluateLowSampleCountPercentile``.
* "CloudWatch statistics definitions" (Statistics-definitions.html).
* "Using metric math" (syntax, arithmetic, comparison/logical operators, IF, FILL, functions) and
  "Create a CloudWatch alarm based on a metric math expression".
* "Alarm events and EventBridge" (sample ``reason`` / ``reasonData``: their formats and timestamps).

Public API
----------
``evaluate_metric_alarm(alarm, fetch, now) -> Evaluation``
    ``alarm`` is one ``DescribeAlarms`` ``MetricAlarms[i]`` dict; ``fetch(metric, start, end)`` returns the
    raw samples ``[(epoch_s, value)]`` of ``metric`` (``{"Namespace", "MetricName", "Dimensions":
    [{"Name", "Value"}]}``) with ``start <= epoch_s < end``; ``now`` is the evaluation time (epoch s).
    Exceptions raised by ``fetch`` propagate.
``supported(alarm) -> (bool, str)``
    Whether the engine can evaluate the alarm, and if not why (the text after ``"unsupported: "``).
``compute_statistic(statistic, values) -> float | None``
    One period's statistic over raw values (``None``: no datapoint).
``evaluate_expression(expression, series, period=60) -> list[float | None] | float | None``
    Metric math over aligned series (test and debugging aid; same evaluator as the alarms).
``evaluation_range(evaluation_periods) -> int``
    How many periods are retrieved for an alarm (see "Evaluation range").

Decisions
---------
Alignment (sliding, minute-aligned window).
    The periods end at the evaluation time truncated to the minute (to the period for 10/20/30 s
    high-resolution periods): with ``end = floor(now / 60) * 60``, datapoint ``i`` (0 = newest) covers
    ``[end - (i + 1) * Period, end - i * Period)`` and is timestamped with its start. The minute in
    progress is never evaluated. The windows are *not* aligned to multiples of the period: the
    EventBridge sample events show ``queryDate 17:04:40.985``, ``startDate 16:59:00`` and the datapoint
    ``(02/10/19 16:59:00)`` for a 300 s alarm, and ``queryDate 12:31:29`` with datapoints 12:30, 12:29, ...
    for a 60 s one.
Evaluation range.
    "CloudWatch attempts to retrieve a higher number of data points than specified by Evaluation
    Periods ... The exact number ... depends on the length of the alarm period and whether it is based on
    a metric with standard resolution or high resolution." The only number the docs give is 5 for
    N = 3; this engine retrieves ``N + 2`` periods (:func:`evaluation_range`).
Missing data (the tables of "How alarm state is evaluated when data is missing"; R = range, r = real
datapoints in it).
    * r >= N: the N most recent real datapoints are evaluated; the treatment is not used.
    * r < N, ``breaching`` / ``notBreaching``: all r real datapoints plus N - r missing ones filled with
      the treatment ("uses missing data points only as few times as possible").
    * r < N, ``missing`` / ``ignore``: no real datapoint -> ``INSUFFICIENT_DATA`` (missing) or the current
      state (ignore). Otherwise, with b breaching and nb non-breaching real datapoints: b >= M -> ALARM;
      nb == 0 and the oldest breaching datapoint is at least M periods old (premature-transition rule)
      -> ALARM (missing) or current state (ignore); nb == 0 otherwise -> ``INSUFFICIENT_DATA`` (missing)
      or current state (ignore); else OK. This reproduces every row of both current tables and of the
      older revision (``- - - - X`` -> Insufficient data / Retain; ``X - - - -`` -> ALARM / Retain).
    * ``TreatMissingData`` omitted: ``missing``; for a single-metric alarm in the ``AWS/DynamoDB`` namespace
      ``ignore`` ("Alarms that evaluate metrics in the AWS/DynamoDB namespace by default ignore missing
      data"). An explicit value is honoured.
    * For metric math alarms the treatment applies to the datapoints of the returned expression.
Percentiles.
    ``pNN`` / ``pNN.NN`` is the nearest-rank percentile, without interpolation: the smallest sample
    such that at least NN % of the period's samples are lower or equal (sorted ascending, 1-based rank
    ``ceil(NN/100 * n)``; p0 = Minimum). It is always one of the published values ("p95 ... means that 95
    percent of the data within the period is lower than this value and 5 percent of the data is
    higher"). Samples 1..100 give p99 = 99, p50 = 50, p99.5 = 100.
Trimmed statistics (TM, WM, TC, TS, IQM, PR).
    Percentage bounds ``TM(a%:b%)`` drop ``floor(a/100 * n)`` lowest and ``floor((100-b)/100 * n)``
    highest samples (tm90 of 1..10 drops only 10); absolute bounds keep ``a < v <= b`` ("TM(150:1000)
    ... removing all datapoints that are lower than or equal to 150, or higher than 1000"; "Percentile
    rank is exclusive on the lower bound and inclusive on the upper bound"). WM replaces dropped values
    by the nearest kept value (percentage bounds) or by the bound (absolute bounds). ``tmNN`` = ``TM(:NN%)``,
    IQM = ``TM(25%:75%)``, ``PR(a:b)`` = percentage of samples with ``a < v <= b``.
Low samples (``EvaluateLowSampleCountPercentile``).
    Only for an ``ExtendedStatistic`` ``pNN`` with 0 < NN < 100: an evaluated datapoint with fewer than
    ``10 / (1 - NN/100)`` samples (NN >= 50) or ``10 / (NN/100)`` samples (NN < 50) is statistically
    insignificant; with ``ignore`` the state is then left unchanged (``state=None``), with ``evaluate``
    (or omitted) the alarm is evaluated anyway.
Metric math.
    Time series are sparse (a datapoint per period that has one). Arithmetic between two series runs on
    the union of their timestamps with "missing values in a time series treated as 0"; with a scalar, on
    the series' timestamps. A datapoint whose computation divides by zero is dropped ("If the value of a
    data point causes a function to attempt to divide by zero, the data point is dropped"); a scalar
    division by zero gives no value, which makes any series it touches empty. The same applies to
    ``^`` and LOG errors and to non-finite results. Comparisons and AND/OR/NOT give 1/0 ("when only one
    of the time series has a value for a particular time stamp, the function treats the missing value in
    the other time series as 0"). ``IF`` follows the table of "Using IF expressions" exactly (a true
    condition with the TS missing gives 0; a false one with the else-TS missing or omitted drops the
    point). ``FILL(m, S | TS | REPEAT | LINEAR)`` fills every period of the evaluation range; REPEAT and
    LINEAR leave a leading gap (and LINEAR a trailing gap) empty. ``SUM/AVG/MIN/MAX`` of a single series
    is a scalar over the evaluation range; over ``[m1, m2]`` / ``METRICS()`` it is a series on the union
    of timestamps with missing values as 0 (the AVG rule of the docs applied to all four).
    Also: unary minus, ``^``, ``ABS``, ``CEIL``, ``FLOOR``, ``LOG``, ``LOG10``, ``TIME_SERIES``,
    ``METRICS(["substring"])``, ``PERIOD``. Anything else is unsupported.
Reasons.
    ``"Threshold Crossed: 1 datapoint [7.0 (28/11/26 10:05:00)] was greater than the threshold (5.0)."``
    when all N evaluated datapoints agree, else the long form of the EventBridge samples
    ``"Threshold Crossed: 2 out of the last 3 datapoints [...] were greater than the threshold (5.0)
    (minimum 2 datapoints for OK -> ALARM transition)."`` (the ALARM -> OK minimum is N - M + 1);
    ``"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as
    [NonBreaching]."``; ``"Insufficient Data: 5 datapoints were unknown."``. Values print like Java doubles
    (``7.0``, ``1.0E7``); datapoints are listed newest first, ``recentDatapoints`` oldest first.
    ``reason_data`` holds ``version``, ``queryDate``, ``startDate`` (oldest evaluated datapoint),
    ``statistic`` or ``extendedStatistic``, ``unit``, ``period``, ``recentDatapoints``, ``threshold`` and
    ``evaluatedDatapoints`` (newest first: ``timestamp``, ``sampleCount``, ``value``).
The returned state may equal the current one: the caller records a transition only when it differs.

Not implemented (reported as unsupported): anomaly-detection operators and ``ThresholdMetricId``,
Metrics Insights (``SELECT``) queries, functions other than the above (``ANOMALY_DETECTION_BAND``, ``RATE``,
``DIFF``, ``SORT``, ``SEARCH``, ``INSIGHT_RULE_METRIC``, ``SERVICE_QUOTA``, time functions, ...), metric
math queries with different periods, expressions whose result is not a single time series. Ignored:
``Unit`` filtering (the fetch callback's business), cross-account ``AccountId``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

__all__ = [
    "Evaluation",
    "FetchSamples",
    "Unsupported",
    "compute_statistic",
    "evaluate_expression",
    "evaluate_metric_alarm",
    "evaluation_range",
    "supported",
]

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

FetchSamples = Callable[[dict, float, float], list[tuple[float, float]]]

#: Extra periods retrieved beyond EvaluationPeriods (the docs' example: 5 for N = 3).
EXTRA_PERIODS = 2

_COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
_ANOMALY_OPERATORS = {
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
}
_TREATMENTS = {"missing", "ignore", "breaching", "notBreaching"}
_TREATMENT_LABELS = {"breaching": "Breaching", "notBreaching": "NonBreaching"}


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one evaluation.

    ``state``: ``"OK"``, ``"ALARM"``, ``"INSUFFICIENT_DATA"``, or ``None`` to keep the current state
    (``TreatMissingData=ignore``, low-sample percentiles with ``ignore``, unsupported alarms).
    ``reason`` / ``reason_data``: AWS-like ``StateReason`` and ``StateReasonData`` (a JSON-ready dict).
    """

    state: str | None
    reason: str
    reason_data: dict = field(default_factory=dict)


class Unsupported(ValueError):
    """The alarm (or expression) cannot be evaluated faithfully by this engine."""


def evaluation_range(evaluation_periods: int) -> int:
    """Number of most recent periods retrieved for an alarm with ``evaluation_periods`` (N + 2)."""
    return evaluation_periods + EXTRA_PERIODS


# ---------------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_PERCENTILE_RE = re.compile(rf"p({_NUM})")
_SHORT_TRIM_RE = re.compile(rf"(tm|wm|tc|ts)({_NUM})")
_LONG_TRIM_RE = re.compile(rf"(TM|WM|TC|TS|PR)\(\s*({_NUM}%?)?\s*:\s*({_NUM}%?)?\s*\)")
_SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass(frozen=True)
class _Statistic:
    name: str
    compute: Callable[[list[float]], float | None]
    percentile: float | None = None  # for pNN: NN


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100.0 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _bound(text: str | None) -> tuple[bool, float] | None:
    if not text:
        return None
    is_percent = text.endswith("%")
    return is_percent, float(text.rstrip("%"))


def _trimmed(values: list[float], lower, upper) -> tuple[list[float], list[float]]:
    """(kept values, winsorized values) for bounds ``(is_percent, number)`` or None."""
    ordered = sorted(values)
    n = len(ordered)
    kinds = {b[0] for b in (lower, upper) if b is not None}
    if kinds == {True}:
        drop_low = math.floor(lower[1] * n / 100.0 + 1e-9) if lower else 0
        drop_high = math.floor((100.0 - upper[1]) * n / 100.0 + 1e-9) if upper else 0
        kept = ordered[drop_low : max(drop_low, n - drop_high)]
        if not kept:
            return [], []
        low_edge, high_edge = kept[0], kept[-1]
    else:
        lo = lower[1] if lower else -math.inf
        hi = upper[1] if upper else math.inf
        kept = [v for v in ordered if lo < v <= hi]
        low_edge, high_edge = lo, hi
    winsorized = [min(max(v, low_edge), high_edge) for v in ordered]
    return kept, winsorized


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _trim_statistic(kind: str, lower, upper) -> Callable[[list[float]], float | None]:
    def compute(values: list[float]) -> float | None:
        if not values:
            return None
        kept, winsorized = _trimmed(values, lower, upper)
        if kind == "TM":
            return _mean(kept)
        if kind == "WM":
            return _mean(winsorized) if kept else None
        if kind == "TC":
            return float(len(kept))
        if kind == "TS":
            return math.fsum(kept)
        return 100.0 * len(kept) / len(values)  # PR

    return compute


def _parse_statistic(name: str) -> _Statistic:
    if not isinstance(name, str):
        raise Unsupported(f"statistic {name!r} is not a string")
    simple = {
        "SampleCount": lambda v: float(len(v)) if v else None,
        "Average": _mean,
        "Sum": lambda v: math.fsum(v) if v else None,
        "Minimum": lambda v: min(v) if v else None,
        "Maximum": lambda v: max(v) if v else None,
    }
    if name in simple:
        return _Statistic(name, simple[name])
    if name == "IQM":
        return _Statistic(name, _trim_statistic("TM", (True, 25.0), (True, 75.0)))
    if m := _PERCENTILE_RE.fullmatch(name):
        p = float(m.group(1))
        if p > 100:
            raise Unsupported(f"statistic {name}: percentile above 100")
        return _Statistic(name, lambda v, p=p: _percentile(v, p), percentile=p)
    if m := _SHORT_TRIM_RE.fullmatch(name):
        p = float(m.group(2))
        if p > 100:
            raise Unsupported(f"statistic {name}: percentage above 100")
        return _Statistic(name, _trim_statistic(m.group(1).upper(), None, (True, p)))
    if m := _LONG_TRIM_RE.fullmatch(name):
        kind, lower, upper = m.group(1), _bound(m.group(2)), _bound(m.group(3))
        bounds = [b for b in (lower, upper) if b is not None]
        if not bounds:
            raise Unsupported(f"statistic {name}: no bound")
        if len({b[0] for b in bounds}) > 1:
            raise Unsupported(f"statistic {name}: mixes percentage and absolute bounds")
        if bounds[0][0] and (kind == "PR" or any(b[1] > 100 for b in bounds)):
            raise Unsupported(f"statistic {name}: invalid percentage bounds")
        if lower and upper and lower[1] > upper[1]:
            raise Unsupported(f"statistic {name}: lower bound above upper bound")
        return _Statistic(name, _trim_statistic(kind, lower, upper))
    raise Unsupported(f"statistic {name!r} is not a CloudWatch statistic")


def compute_statistic(statistic: str, values: Sequence[float]) -> float | None:
    """One period's ``statistic`` (``Sum``, ``p99``, ``TM(10%:90%)``, ...) over raw ``values``.

    ``None`` when the period has no datapoint (no values, or an empty trimmed mean).
    Raises :class:`Unsupported` for an unknown statistic.
    """
    return _parse_statistic(statistic).compute([float(v) for v in values])


def _low_sample_minimum(percentile: float) -> float | None:
    fraction = percentile / 100.0
    if 0.0 < fraction < 0.5:
        return 10.0 / fraction
    if 0.5 <= fraction < 1.0:
        return 10.0 / (1.0 - fraction)
    return None


# ---------------------------------------------------------------------------------------------------
# Metric math: tokens, parser, values, evaluator
# ---------------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<str>"[^"]*"|“[^”]*”)
      | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/^()\[\],<>!])
    )""",
    re.VERBOSE,
)
_ID_RE = re.compile(r"[a-z][A-Za-z0-9_]*")
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
        value = m.group(kind)
        if kind == "name":
            if value in ("AND", "OR", "NOT"):
                kind, value = "op", {"AND": "&&", "OR": "||", "NOT": "!"}[value]
            elif _ID_RE.fullmatch(value):
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


def _ids_in(node) -> set[str]:
    if node[0] == "id":
        return {node[1]}
    if node[0] in ("neg", "not"):
        return _ids_in(node[1])
    if node[0] == "bin":
        return _ids_in(node[2]) | _ids_in(node[3])
    if node[0] in ("call", "list"):
        items = node[2] if node[0] == "call" else node[1]
        return set().union(*(_ids_in(a) for a in items)) if items else set()
    return set()


@dataclass(frozen=True)
class _S:
    """A scalar; ``None`` when its computation was dropped (division by zero, ...)."""

    value: float | None


@dataclass(frozen=True)
class _TS:
    """A sparse time series: period index (0 = oldest of the range) -> value."""

    points: dict[int, float]


@dataclass(frozen=True)
class _Arr:
    """An array of time series (``[m1, m2]``, ``METRICS()``)."""

    items: tuple[_TS, ...]


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
    if isinstance(a, _Arr) and isinstance(b, _Arr):
        raise Unsupported(f"metric math: {op} between two arrays of time series")
    if isinstance(a, _Arr):
        return _Arr(tuple(_broadcast(op, item, b) for item in a.items))
    if isinstance(b, _Arr):
        return _Arr(tuple(_broadcast(op, a, item) for item in b.items))
    if isinstance(a, _S) and isinstance(b, _S):
        if a.value is None or b.value is None:
            return _S(None)
        return _S(_apply(fn, a.value, b.value))
    if isinstance(a, _TS) and isinstance(b, _TS):
        out = {}
        for t in sorted(a.points.keys() | b.points.keys()):
            r = _apply(fn, a.points.get(t, 0.0), b.points.get(t, 0.0))
            if r is not None:
                out[t] = r
        return _TS(out)
    if isinstance(a, _TS) and isinstance(b, _S):
        if b.value is None:
            return _TS({})
        pairs = ((t, _apply(fn, x, b.value)) for t, x in a.points.items())
        return _TS({t: r for t, r in pairs if r is not None})
    if isinstance(a, _S) and isinstance(b, _TS):
        if a.value is None:
            return _TS({})
        pairs = ((t, _apply(fn, a.value, y)) for t, y in b.points.items())
        return _TS({t: r for t, r in pairs if r is not None})
    raise Unsupported(f"metric math: invalid operands for {op}")


def _map(fn: Callable[[float], float | None], v):
    if isinstance(v, _S):
        return _S(None if v.value is None else _finite(fn(v.value)))
    if isinstance(v, _TS):
        pairs = ((t, _finite(fn(x))) for t, x in v.points.items())
        return _TS({t: r for t, r in pairs if r is not None})
    if isinstance(v, _Arr):
        return _Arr(tuple(_map(fn, item) for item in v.items))
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


class _Evaluator:
    def __init__(self, size: int, period: int, metric_series: dict[str, _TS], expressions: dict[str, tuple]):
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
            return _S(node[1])
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
                if isinstance(value, _TS):
                    items.append(value)
                elif isinstance(value, _Arr):
                    items.extend(value.items)
                else:
                    raise Unsupported("metric math: an array can only hold time series")
            return _Arr(tuple(items))
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
            if v is not None and not isinstance(v, _S | _TS):
                raise Unsupported("metric math: IF takes time series or scalars")
        if isinstance(cond, _S):
            if isinstance(true_v, _S) and isinstance(false_v, _S | None):
                chosen = true_v if cond.value else false_v
                return chosen if chosen is not None else _S(None)
            if isinstance(true_v, _TS) and isinstance(false_v, _TS | None):
                chosen = true_v if cond.value else false_v
                return chosen if chosen is not None else _TS({})
            raise Unsupported("metric math: IF with a scalar condition needs two time series or two scalars")
        out: dict[int, float] = {}
        for t, c in cond.points.items():
            if c != 0:
                v = true_v.points.get(t, 0.0) if isinstance(true_v, _TS) else true_v.value
            elif isinstance(false_v, _TS):
                v = false_v.points.get(t)
            else:
                v = false_v.value if false_v is not None else None
            if v is not None:
                out[t] = v
        return _TS(out)

    def fn_FILL(self, args):
        if len(args) != 2:
            raise Unsupported("metric math: FILL takes 2 arguments")
        series = self.eval(args[0])
        how = args[1][1] if args[1][0] == "kw" else self.eval(args[1])
        if isinstance(series, _Arr):
            return _Arr(tuple(self._fill(item, how) for item in series.items))
        if not isinstance(series, _TS):
            raise Unsupported("metric math: FILL needs a time series")
        return self._fill(series, how)

    def _fill(self, series: _TS, how) -> _TS:
        points = dict(series.points)
        if isinstance(how, _S):
            if how.value is not None:
                for t in range(self.size):
                    points.setdefault(t, how.value)
        elif isinstance(how, _TS):
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
        return _TS(dict(sorted(points.items())))

    def _aggregate(self, name: str, args):
        (value,) = self._args(args, 1, 1, name)
        agg = _AGGREGATES[name]
        if isinstance(value, _TS):
            return _S(_finite(agg(list(value.points.values()))) if value.points else None)
        if isinstance(value, _Arr):
            if not value.items:
                return _TS({})
            stamps = sorted(set().union(*(item.points.keys() for item in value.items)))
            out = {t: _finite(agg([item.points.get(t, 0.0) for item in value.items])) for t in stamps}
            return _TS({t: v for t, v in out.items() if v is not None})
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
        if isinstance(value, _S):
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
        if not isinstance(value, _S):
            raise Unsupported("metric math: TIME_SERIES needs a scalar")
        return _TS({} if value.value is None else {t: value.value for t in range(self.size)})

    def fn_METRICS(self, args):
        if len(args) > 1 or (args and args[0][0] != "str"):
            raise Unsupported('metric math: METRICS takes nothing or one "string"')
        needle = args[0][1] if args else ""
        return _Arr(tuple(ts for ident, ts in self.metric_series.items() if needle in ident))

    def fn_PERIOD(self, args):
        (value,) = self._args(args, 1, 1, "PERIOD")
        if not isinstance(value, _TS):
            raise Unsupported("metric math: PERIOD needs a metric")
        return _S(float(self.period))


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
        k: _TS({i: float(x) for i, x in enumerate(v) if x is not None}) for k, v in series.items()
    }
    result = _Evaluator(size, period, metric_series, {}).eval(_Parser(expression).parse())
    if isinstance(result, _TS):
        return [result.points.get(i) for i in range(size)]
    if isinstance(result, _S):
        return result.value
    raise Unsupported("metric math: the result is an array of time series")


# ---------------------------------------------------------------------------------------------------
# Alarm plan (validation) and evaluation
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    ident: str
    metric: dict
    statistic: _Statistic


@dataclass(frozen=True)
class _Plan:
    period: int
    n: int
    m: int
    treatment: str
    threshold: float
    operator: str
    queries: tuple[_Query, ...]  # MetricStat queries
    expressions: dict[str, tuple]  # expression id -> AST
    return_id: str
    statistic_field: tuple[str, str] | None  # ("statistic", "Sum") / ("extendedStatistic", "p99")
    low_sample_minimum: float | None  # samples needed for a significant pNN datapoint, with "ignore"


def _metric(namespace, name, dimensions) -> dict:
    if not name or not namespace:
        raise Unsupported("the metric needs a Namespace and a MetricName")
    return {"Namespace": namespace, "MetricName": name, "Dimensions": list(dimensions or [])}


def _positive_int(alarm: Mapping, key: str, default=None) -> int:
    value = alarm.get(key)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise Unsupported(f"{key} must be a positive integer (got {value!r})")
    return int(value)


def _plan(alarm: Mapping) -> _Plan:
    operator = alarm.get("ComparisonOperator")
    if operator in _ANOMALY_OPERATORS:
        raise Unsupported(f"anomaly detection comparison operator {operator}")
    if operator not in _COMPARISONS:
        raise Unsupported(f"comparison operator {operator!r}")
    if alarm.get("ThresholdMetricId"):
        raise Unsupported("ThresholdMetricId (anomaly detection band threshold)")
    threshold = alarm.get("Threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise Unsupported(f"Threshold {threshold!r}")
    n = _positive_int(alarm, "EvaluationPeriods")
    m = _positive_int(alarm, "DatapointsToAlarm", n)
    if m > n:
        raise Unsupported(f"DatapointsToAlarm {m} exceeds EvaluationPeriods {n}")
    treatment = alarm.get("TreatMissingData")
    if treatment is not None and treatment not in _TREATMENTS:
        raise Unsupported(f"TreatMissingData {treatment!r}")
    low_sample = alarm.get("EvaluateLowSampleCountPercentile") or "evaluate"
    if low_sample not in ("evaluate", "ignore"):
        raise Unsupported(f"EvaluateLowSampleCountPercentile {low_sample!r}")

    metrics = alarm.get("Metrics")
    if metrics:
        if alarm.get("MetricName") or alarm.get("Statistic") or alarm.get("ExtendedStatistic"):
            raise Unsupported("an alarm sets either a metric or Metrics, not both")
        queries, expressions, return_ids, periods = [], {}, [], set()
        for q in metrics:
            ident = q.get("Id")
            if not isinstance(ident, str) or not _ID_RE.fullmatch(ident):
                raise Unsupported(f"metric data query Id {ident!r} (must start with a lowercase letter)")
            if ident in expressions or any(x.ident == ident for x in queries):
                raise Unsupported(f"duplicate metric data query Id {ident!r}")
            if q.get("ReturnData") is not False:  # the API default is true
                return_ids.append(ident)
            stat, expression = q.get("MetricStat"), q.get("Expression")
            if bool(stat) == bool(expression):
                raise Unsupported(f"query {ident!r} must have exactly one of MetricStat and Expression")
            if stat:
                metric = stat.get("Metric") or {}
                queries.append(
                    _Query(
                        ident,
                        _metric(metric.get("Namespace"), metric.get("MetricName"), metric.get("Dimensions")),
                        _parse_statistic(stat.get("Stat")),
                    )
                )
                periods.add(_positive_int(stat, "Period"))
            else:
                if re.match(r"\s*SELECT\b", expression, re.IGNORECASE):
                    raise Unsupported(f"Metrics Insights query in {ident!r}")
                expressions[ident] = _Parser(expression).parse()
        if len(return_ids) != 1:
            raise Unsupported(f"exactly one query must have ReturnData true (found {len(return_ids)})")
        if not periods:
            raise Unsupported("metric math without any MetricStat query")
        if len(periods) > 1:
            raise Unsupported(f"metric math over different periods {sorted(periods)}")
        known = set(expressions) | {q.ident for q in queries}
        for ident, ast in expressions.items():
            if unknown := _ids_in(ast) - known:
                raise Unsupported(f"expression {ident!r} refers to unknown id(s) {sorted(unknown)}")
        plan = _Plan(
            period=periods.pop(), n=n, m=m, treatment=treatment or "missing", threshold=float(threshold),
            operator=operator, queries=tuple(queries), expressions=expressions, return_id=return_ids[0],
            statistic_field=None, low_sample_minimum=None,
        )  # fmt: skip
        # Type-check on empty data: the result's type does not depend on the values.
        _series(plan, {q.ident: _TS({}) for q in plan.queries}, evaluation_range(n))
        return plan

    statistic, extended = alarm.get("Statistic"), alarm.get("ExtendedStatistic")
    if bool(statistic) == bool(extended):
        raise Unsupported("a metric alarm needs exactly one of Statistic and ExtendedStatistic")
    if statistic and statistic not in _SIMPLE_STATISTICS:
        raise Unsupported(f"Statistic {statistic!r}")
    parsed = _parse_statistic(statistic or extended)
    metric = _metric(alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions"))
    if treatment is None and metric["Namespace"] == "AWS/DynamoDB":
        treatment = "ignore"
    minimum = None
    if extended and low_sample == "ignore" and parsed.percentile is not None:
        minimum = _low_sample_minimum(parsed.percentile)
    return _Plan(
        period=_positive_int(alarm, "Period"), n=n, m=m, treatment=treatment or "missing",
        threshold=float(threshold), operator=operator, queries=(_Query("m1", metric, parsed),), expressions={},
        return_id="m1", statistic_field=("statistic", statistic) if statistic else ("extendedStatistic", extended),
        low_sample_minimum=minimum,
    )  # fmt: skip


def _series(plan: _Plan, metric_series: dict[str, _TS], size: int) -> _TS:
    if plan.return_id in metric_series:
        return metric_series[plan.return_id]
    result = _Evaluator(size, plan.period, metric_series, plan.expressions).resolve(plan.return_id)
    if not isinstance(result, _TS):
        kind = "a scalar" if isinstance(result, _S) else "an array of time series"
        raise Unsupported(f"the expression {plan.return_id!r} returns {kind}, not a single time series")
    return result


def supported(alarm: Mapping) -> tuple[bool, str]:
    """``(True, "")`` when :func:`evaluate_metric_alarm` can evaluate ``alarm``, else ``(False, why)``."""
    try:
        _plan(alarm)
    except Unsupported as exc:
        return False, str(exc)
    return True, ""


@dataclass(frozen=True)
class _Point:
    index: int  # period index in the range, 0 = oldest
    value: float | None  # None: missing
    breaching: bool
    filled: bool = False
    samples: int | None = None


@dataclass(frozen=True)
class _Decision:
    state: str | None
    kind: str  # "threshold", "all_filled", "premature", "insufficient", "retain"
    evaluated: tuple[_Point, ...]  # newest first


def _decide(points: list[_Point | None], n: int, m: int, treatment: str) -> _Decision:
    """Missing-data treatment and M out of N over the evaluation range (oldest first, None = missing)."""
    real = [p for p in points if p is not None]
    if len(real) >= n:
        evaluated = real[-n:]
        state = ALARM if sum(p.breaching for p in evaluated) >= m else OK
        return _Decision(state, "threshold", tuple(reversed(evaluated)))
    missing = [i for i, p in enumerate(points) if p is None]
    if treatment in ("breaching", "notBreaching"):
        breaching = treatment == "breaching"
        fills = [_Point(i, None, breaching, filled=True) for i in missing[len(missing) - (n - len(real)) :]]
        evaluated = sorted(real + fills, key=lambda p: p.index, reverse=True)
        state = ALARM if sum(p.breaching for p in evaluated) >= m else OK
        return _Decision(state, "all_filled" if not real else "threshold", tuple(evaluated))
    unknown = [_Point(i, None, False) for i in missing[len(missing) - (n - len(real)) :]]
    evaluated = tuple(sorted(real + unknown, key=lambda p: p.index, reverse=True))
    keep_or = (lambda state: state) if treatment == "missing" else (lambda state: None)
    if not real:
        return _Decision(
            keep_or(INSUFFICIENT_DATA), "insufficient" if treatment == "missing" else "retain", evaluated
        )
    breaching = sum(p.breaching for p in real)
    if breaching >= m:
        return _Decision(ALARM, "threshold", evaluated)
    if breaching == len(real):  # no non-breaching datapoint in the evaluation range
        oldest_age = len(points) - real[0].index
        if oldest_age >= m:
            return _Decision(keep_or(ALARM), "premature" if treatment == "missing" else "retain", evaluated)
        return _Decision(
            keep_or(INSUFFICIENT_DATA), "insufficient" if treatment == "missing" else "retain", evaluated
        )
    return _Decision(OK, "threshold", evaluated)


def _java_double(x: float) -> str:
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0 or 1e-3 <= abs(x) < 1e7:
        return repr(x)
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) + exponent - 1}"


def _iso(epoch: float) -> str:
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def _short(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%d/%m/%y %H:%M:%S")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def evaluate_metric_alarm(alarm: Mapping, fetch: FetchSamples, now: float) -> Evaluation:
    """Evaluate one metric alarm at ``now`` (see the module docstring for every rule applied)."""
    try:
        plan = _plan(alarm)
    except Unsupported as exc:
        return Evaluation(None, f"unsupported: {exc}", {})

    period, n, m = plan.period, plan.n, plan.m
    size = evaluation_range(n)
    granularity = 60 if period % 60 == 0 else period
    end = math.floor(now / granularity) * granularity
    start = end - size * period

    def slot_start(index: int) -> float:
        return start + index * period

    fetched: dict[tuple, list[tuple[float, float]]] = {}
    metric_series: dict[str, _TS] = {}
    sample_counts: dict[int, int] = {}
    for query in plan.queries:
        key = (
            query.metric["Namespace"],
            query.metric["MetricName"],
            tuple(sorted((d.get("Name"), d.get("Value")) for d in query.metric["Dimensions"])),
        )
        if key not in fetched:
            fetched[key] = list(fetch(dict(query.metric), float(start), float(end)))
        buckets: dict[int, list[float]] = {}
        for timestamp, value in fetched[key]:
            value = float(value)
            if start <= timestamp < end and math.isfinite(value):
                buckets.setdefault(int((timestamp - start) // period), []).append(value)
        points = {i: query.statistic.compute(vs) for i, vs in sorted(buckets.items())}
        metric_series[query.ident] = _TS({i: v for i, v in points.items() if v is not None})
        if query.ident == plan.return_id:
            sample_counts = {i: len(vs) for i, vs in buckets.items()}
    try:
        result = _series(plan, metric_series, size)
    except Unsupported as exc:
        return Evaluation(None, f"unsupported: {exc}", {})

    compare, phrase = _COMPARISONS[plan.operator]
    points: list[_Point | None] = [None] * size
    for i, v in result.points.items():
        points[i] = _Point(i, v, compare(v, plan.threshold), samples=sample_counts.get(i))
    decision = _decide(points, n, m, plan.treatment)
    evaluated = decision.evaluated
    real = [p for p in evaluated if p.value is not None]

    reason_data: dict = {"version": "1.0", "queryDate": _iso(now)}
    if evaluated:
        reason_data["startDate"] = _iso(slot_start(min(p.index for p in evaluated)))
    if plan.statistic_field:
        reason_data[plan.statistic_field[0]] = plan.statistic_field[1]
    if alarm.get("Unit"):
        reason_data["unit"] = alarm["Unit"]
    reason_data["period"] = period
    reason_data["recentDatapoints"] = [p.value for p in reversed(real)]
    reason_data["threshold"] = plan.threshold
    evaluated_data = []
    for p in evaluated:
        entry: dict = {"timestamp": _iso(slot_start(p.index))}
        if p.value is not None:
            if p.samples is not None:
                entry["sampleCount"] = float(p.samples)
            entry["value"] = p.value
        evaluated_data.append(entry)
    reason_data["evaluatedDatapoints"] = evaluated_data

    threshold = _java_double(plan.threshold)

    def listed(points) -> str:
        return ", ".join(f"{_java_double(p.value)} ({_short(slot_start(p.index))})" for p in points)

    if decision.kind == "retain":
        return Evaluation(
            None,
            f"Unchanged: {_plural(size - len(real), 'datapoint')} of the last {size} periods "
            f"{_was(size - len(real))} missing and missing data is treated as [Ignore].",
            reason_data,
        )
    if decision.kind == "insufficient":
        unknown = size - len(real)
        return Evaluation(
            INSUFFICIENT_DATA,
            f"Insufficient Data: {_plural(unknown, 'datapoint')} {_was(unknown)} unknown.",
            reason_data,
        )

    if plan.low_sample_minimum is not None:
        thin = [p for p in real if (p.samples or 0) < plan.low_sample_minimum]
        if thin:
            return Evaluation(
                None,
                f"Unchanged: {_plural(len(thin), 'datapoint')} had fewer than {math.ceil(plan.low_sample_minimum)} "
                f"samples, too few for {reason_data['extendedStatistic']} "
                "(EvaluateLowSampleCountPercentile is ignore).",
                reason_data,
            )

    state = decision.state
    if decision.kind == "all_filled":
        label = _TREATMENT_LABELS[plan.treatment]
        return Evaluation(
            state,
            f"Threshold Crossed: no datapoints were received for {_plural(n, 'period')} and "
            f"{_plural(n, 'missing datapoint')} {_was(n)} treated as [{label}].",
            reason_data,
        )
    if decision.kind == "premature":
        breaching = [p for p in evaluated if p.value is not None and p.breaching]
        return Evaluation(
            ALARM,
            f"Threshold Crossed: {len(breaching)} out of the last {n} datapoints [{listed(breaching)}] "
            f"{_was(len(breaching))} {phrase} the threshold ({threshold}) and the more recent datapoints were "
            f"missing (no non-breaching datapoint in the last {size} periods).",
            reason_data,
        )

    agreeing = [p for p in evaluated if p.breaching == (state == ALARM) and (p.value is not None or p.filled)]
    shown = [p for p in agreeing if p.value is not None]
    filled = len(agreeing) - len(shown)
    verb = f"{_was(len(agreeing))} {'' if state == ALARM else 'not '}{phrase}"
    if len(agreeing) == n and not filled:
        reason = f"Threshold Crossed: {_plural(n, 'datapoint')} [{listed(shown)}] {verb} the threshold ({threshold})."
    else:
        current = alarm.get("StateValue") or INSUFFICIENT_DATA
        if state == ALARM:
            minimum, transition = m, f"{current if current != ALARM else OK} -> ALARM"
        else:
            minimum, transition = n - m + 1, f"{current if current != OK else ALARM} -> OK"
        treated = ""
        if filled:
            label = _TREATMENT_LABELS[plan.treatment]
            treated = f", including {_plural(filled, 'missing datapoint')} treated as [{label}]"
        reason = (
            f"Threshold Crossed: {len(agreeing)} out of the last {n} datapoints [{listed(shown)}] {verb} "
            f"the threshold ({threshold}){treated} (minimum {_plural(minimum, 'datapoint')} for {transition} "
            "transition)."
        )
    return Evaluation(state, reason, reason_data)
