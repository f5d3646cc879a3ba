"""CloudWatch metric-alarm evaluation, in pure Python (stdlib only).

The emulator's CloudWatch provider calls :func:`evaluate_metric_alarm` for every metric alarm on a short
fixed cadence and applies the returned state (``SetAlarmState``-like) when it differs from the current
one. The engine reads samples through a callback, aggregates them per period into the alarm's
statistic (``statistics``), evaluates metric math (``metric_math``), applies the missing-data treatment
and the M-out-of-N rule, and builds an AWS-like ``StateReason`` / ``StateReasonData``. Whatever it
cannot evaluate faithfully gives ``Evaluation(state=None, reason="unsupported: ...")``: never a guessed
state. (Its size, a little over 600 lines, is mostly this docstring: the rules applied and their sources
stay next to the code that applies them.)

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
    samples ``[(epoch_s, value)]`` of ``metric`` (``{"Namespace", "MetricName", "Dimensions":
    [{"Name", "Value"}], "Unit"?}``) with ``start <= epoch_s < end``; ``value`` is a float or a
    :class:`~cartmon_emulator.engines.statistics.StatisticSet` (``StatisticValues``); with ``"Unit"`` only
    the data published with that unit (``"None"`` for data published without one); ``now`` is the evaluation time (epoch s).
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
    ``10 / (1 - NN/100)`` samples (NN >= 50) or ``10 / (NN/100)`` samples (NN < 50), computed exactly
    (p90 with 100 samples is significant), is statistically
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
    [NonBreaching]."``; when real datapoints that agree with each other were completed by filled ones,
    ``"Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1
    missing datapoint was treated as [Breaching]."`` (the form real alarms record);
    ``"Insufficient Data: 5 datapoints were unknown."``. Values print like Java doubles (``7.0``, ``1.0E7``); datapoints are listed newest first, ``recentDatapoints`` oldest first.
    ``reason_data`` holds ``version``, ``queryDate``, ``startDate`` (oldest evaluated datapoint),
    ``statistic`` or ``extendedStatistic``, ``unit``, ``period``, ``recentDatapoints``, ``threshold`` and
    ``evaluatedDatapoints`` (newest first: ``timestamp``, ``sampleCount``, ``value``).
The returned state may equal the current one: the caller records a transition only when it differs.

Not implemented (reported as unsupported): anomaly-detection operators and ``ThresholdMetricId``,
Metrics Insights (``SELECT``) queries, functions other than the above (``ANOMALY_DETECTION_BAND``, ``RATE``,
``DIFF``, ``SORT``, ``SEARCH``, ``INSIGHT_RULE_METRIC``, ``SERVICE_QUOTA``, time functions, ...), metric
math queries with different periods, expressions whose result is not a single time series. Ignored:
cross-account ``AccountId``.
Units (``PutMetricAlarm`` ``Unit``): "If you specify a unit, you must use a unit that is appropriate for
the metric. Otherwise, the CloudWatch alarm can get stuck in the INSUFFICIENT DATA state": the alarm
(or a ``MetricStat``) with a unit sees only data published with that unit; without one it sees all.
Statistic sets (``StatisticValues``) count in the simple statistics; percentiles and trimmed
statistics use them only when SampleCount is 1 or Minimum equals Maximum (``statistics``).
``StateReasonData`` has no ``startDate`` and no ``evaluatedDatapoints`` when no datapoint was received
(a real alarm whose missing data was treated as breaching shows ``{"version", "queryDate", "statistic",
"period", "recentDatapoints": [], "threshold"}``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from cartmon_emulator.engines.metric_math import (
    ID_RE,
    Evaluator,
    Scalar,
    TimeSeries,
    evaluate_expression,
    ids_in,
    parse_expression,
)
from cartmon_emulator.engines.statistics import (
    SIMPLE_STATISTICS,
    Statistic,
    StatisticSet,
    Unsupported,
    compute_statistic,
    low_sample_minimum,
    parse_statistic,
)

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


def evaluation_range(evaluation_periods: int) -> int:
    """Number of most recent periods retrieved for an alarm with ``evaluation_periods`` (N + 2)."""
    return evaluation_periods + EXTRA_PERIODS


# ---------------------------------------------------------------------------------------------------
# Alarm plan (validation) and evaluation
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    ident: str
    metric: dict
    statistic: Statistic


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
    low_sample_minimum: Fraction | None  # samples needed for a significant pNN datapoint, with "ignore"


def _metric(namespace, name, dimensions, unit=None) -> dict:
    if not name or not namespace:
        raise Unsupported("the metric needs a Namespace and a MetricName")
    metric = {"Namespace": namespace, "MetricName": name, "Dimensions": list(dimensions or [])}
    if unit:
        metric["Unit"] = unit  # the fetch callback returns only data published with this unit
    return metric


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
        queries: list[_Query] = []
        expressions, return_ids, periods = {}, [], set()
        for q in metrics:
            ident = q.get("Id")
            if not isinstance(ident, str) or not ID_RE.fullmatch(ident):
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
                        _metric(
                            metric.get("Namespace"),
                            metric.get("MetricName"),
                            metric.get("Dimensions"),
                            stat.get("Unit"),
                        ),
                        parse_statistic(stat.get("Stat")),
                    )
                )
                periods.add(_positive_int(stat, "Period"))
            else:
                if re.match(r"\s*SELECT\b", expression, re.IGNORECASE):
                    raise Unsupported(f"Metrics Insights query in {ident!r}")
                expressions[ident] = parse_expression(expression)
        if len(return_ids) != 1:
            raise Unsupported(f"exactly one query must have ReturnData true (found {len(return_ids)})")
        if not periods:
            raise Unsupported("metric math without any MetricStat query")
        if len(periods) > 1:
            raise Unsupported(f"metric math over different periods {sorted(periods)}")
        known = set(expressions) | {q.ident for q in queries}
        for ident, ast in expressions.items():
            if unknown := ids_in(ast) - known:
                raise Unsupported(f"expression {ident!r} refers to unknown id(s) {sorted(unknown)}")
        plan = _Plan(
            period=periods.pop(), n=n, m=m, treatment=treatment or "missing", threshold=float(threshold),
            operator=operator, queries=tuple(queries), expressions=expressions, return_id=return_ids[0],
            statistic_field=None, low_sample_minimum=None,
        )  # fmt: skip
        # Type-check on empty data: the result's type does not depend on the values.
        _series(plan, {q.ident: TimeSeries({}) for q in plan.queries}, evaluation_range(n))
        return plan

    statistic, extended = alarm.get("Statistic"), alarm.get("ExtendedStatistic")
    if bool(statistic) == bool(extended):
        raise Unsupported("a metric alarm needs exactly one of Statistic and ExtendedStatistic")
    if statistic and statistic not in SIMPLE_STATISTICS:
        raise Unsupported(f"Statistic {statistic!r}")
    statistic_name = statistic or extended
    if not isinstance(statistic_name, str):
        raise Unsupported(f"Statistic {statistic_name!r}")
    parsed = parse_statistic(statistic_name)
    metric = _metric(
        alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions"), alarm.get("Unit")
    )
    if treatment is None and metric["Namespace"] == "AWS/DynamoDB":
        treatment = "ignore"
    minimum = None
    if extended and low_sample == "ignore" and parsed.percentile is not None:
        minimum = low_sample_minimum(parsed.percentile_text or parsed.percentile)
    return _Plan(
        period=_positive_int(alarm, "Period"), n=n, m=m, treatment=treatment or "missing",
        threshold=float(threshold), operator=operator, queries=(_Query("m1", metric, parsed),), expressions={},
        return_id="m1", statistic_field=("statistic" if statistic else "extendedStatistic", statistic_name),
        low_sample_minimum=minimum,
    )  # fmt: skip


def _series(plan: _Plan, metric_series: dict[str, TimeSeries], size: int) -> TimeSeries:
    if plan.return_id in metric_series:
        return metric_series[plan.return_id]
    result = Evaluator(size, plan.period, metric_series, plan.expressions).resolve(plan.return_id)
    if not isinstance(result, TimeSeries):
        kind = "a scalar" if isinstance(result, Scalar) else "an array of time series"
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
    evaluation_range = tuple(sorted(real + unknown, key=lambda p: p.index, reverse=True))
    keep_or = (lambda state: state) if treatment == "missing" else (lambda state: None)
    if not real:
        return _Decision(
            keep_or(INSUFFICIENT_DATA),
            "insufficient" if treatment == "missing" else "retain",
            evaluation_range,
        )
    breaching_count = sum(p.breaching for p in real)
    if breaching_count >= m:
        return _Decision(ALARM, "threshold", evaluation_range)
    if breaching_count == len(real):  # no non-breaching datapoint in the evaluation range
        oldest_age = len(points) - real[0].index
        if oldest_age >= m:
            return _Decision(
                keep_or(ALARM), "premature" if treatment == "missing" else "retain", evaluation_range
            )
        return _Decision(
            keep_or(INSUFFICIENT_DATA),
            "insufficient" if treatment == "missing" else "retain",
            evaluation_range,
        )
    return _Decision(OK, "threshold", evaluation_range)


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
    # A finite value's exponent is an int (as_tuple gives "n", "N", "F" for NaN and infinities only).
    return f"{'-' if sign else ''}{mantissa}E{len(text) + int(exponent) - 1}"


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
    metric_series: dict[str, TimeSeries] = {}
    sample_counts: dict[int, int] = {}
    for query in plan.queries:
        key = (
            query.metric["Namespace"],
            query.metric["MetricName"],
            tuple(sorted((d.get("Name"), d.get("Value")) for d in query.metric["Dimensions"])),
            query.metric.get("Unit"),
        )
        if key not in fetched:
            fetched[key] = list(fetch(dict(query.metric), float(start), float(end)))
        buckets: dict[int, tuple[list[float], list[StatisticSet]]] = {}
        for timestamp, value in fetched[key]:
            if not start <= timestamp < end:
                continue
            values, sets = buckets.setdefault(int((timestamp - start) // period), ([], []))
            if isinstance(value, StatisticSet):
                sets.append(value)
            elif math.isfinite(float(value)):
                values.append(float(value))
        computed = {i: query.statistic.compute_period(*vs) for i, vs in sorted(buckets.items())}
        metric_series[query.ident] = TimeSeries({i: v for i, (v, _) in computed.items() if v is not None})
        if query.ident == plan.return_id:
            sample_counts = {i: count for i, (_, count) in computed.items()}
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
    if real:  # CloudWatch leaves startDate out when every datapoint was missing
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
    if real:  # as startDate: absent when no datapoint was received
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

    filled_points = [p for p in evaluated if p.filled]
    if filled_points and real and len({p.breaching for p in real}) == 1:
        # The form real CloudWatch alarms record when missing datapoints were filled, e.g. "1 datapoint
        # [1.0 (25/09/26 21:51:00)] was not less than the threshold (1.0) and 1 missing datapoint was
        # treated as [Breaching]."
        verb = f"{_was(len(real))} {'' if real[0].breaching else 'not '}{phrase}"
        label = _TREATMENT_LABELS[plan.treatment]
        return Evaluation(
            state,
            f"Threshold Crossed: {_plural(len(real), 'datapoint')} [{listed(real)}] {verb} the threshold "
            f"({threshold}) and {_plural(len(filled_points), 'missing datapoint')} {_was(len(filled_points))} "
            f"treated as [{label}].",
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
