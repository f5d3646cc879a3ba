"""The alarm evaluation engine against the CloudWatch User Guide's own examples.

Sources: "How alarm state is evaluated when data is missing" (both tables of the current page, plus the rows
of the archived revision in awsdocs/amazon-cloudwatch-user-guide doc_source/AlarmThatSendsEmail.md),
"Avoiding premature transitions to alarm state", "CloudWatch statistics definitions", "Using metric math"
(operators table, IF tables), "Percentile-based alarms and low data samples".

Over 600 lines: the documentation's tables row by row, one parametrized case each.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cartmon_emulator.engines.alarm_evaluation import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    Evaluation,
    Unsupported,
    compute_statistic,
    evaluate_expression,
    evaluate_metric_alarm,
    evaluation_range,
    supported,
)

NS = "CartMigration"
# 2026-11-28 10:10:30 UTC: periods end at 10:10:00 (the minute in progress is not evaluated).
NOW = datetime(2026, 11, 28, 10, 10, 30, tzinfo=UTC).timestamp()
END = datetime(2026, 11, 28, 10, 10, 0, tzinfo=UTC).timestamp()
MINUTE = 60.0


class FakeMetrics:
    """Raw samples by metric, served like the emulator's store; records every fetch."""

    def __init__(self):
        self.samples: list[tuple[str, str, tuple, float, float]] = []
        self.calls: list[tuple[dict, float, float]] = []

    def put(self, name: str, timestamp: float, value: float, dimensions=None, namespace: str = NS):
        dims = tuple(sorted((dimensions or {}).items()))
        self.samples.append((namespace, name, dims, timestamp, value))

    def __call__(self, metric: dict, start: float, end: float) -> list[tuple[float, float]]:
        self.calls.append((metric, start, end))
        dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", [])))
        return [
            (t, v)
            for ns, name, d, t, v in self.samples
            if ns == metric["Namespace"] and name == metric["MetricName"] and d == dims and start <= t < end
        ]


def alarm(**overrides) -> dict:
    base = {
        "AlarmName": "test",
        "StateValue": "INSUFFICIENT_DATA",
        "Namespace": NS,
        "MetricName": "Errors",
        "Dimensions": [],
        "Statistic": "Maximum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": None,  # omitted: M = N
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "missing",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def slot_start(index_from_newest: int, period: float = 300, end: float = END) -> float:
    """Start of the period ``index_from_newest`` periods back (0 = newest)."""
    return end - (index_from_newest + 1) * period


def put_pattern(metrics: FakeMetrics, pattern: str, period: float = 300, name: str = "Errors") -> None:
    """Docs notation, oldest first: 0 = non-breaching (1.0), X = breaching (10.0), - = missing."""
    tokens = pattern.split()
    for k, token in enumerate(tokens):
        if token == "-":
            continue
        metrics.put(name, slot_start(len(tokens) - 1 - k, period) + 7, 10.0 if token == "X" else 1.0)


# ---------------------------------------------------------------------------------------------------
# The missing-data tables, row by row
# ---------------------------------------------------------------------------------------------------

TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
RETAIN = None  # "Retain current state"

# (pattern oldest -> newest, EvaluationPeriods, DatapointsToAlarm, MISSING, IGNORE, BREACHING, NOT BREACHING)
MISSING_DATA_TABLE = [
    # Current page, first table: Datapoints to Alarm = Evaluation Periods = 3, evaluation range 5.
    ("0 - X - X", 3, 3, OK, OK, OK, OK),
    ("- - - - 0", 3, 3, OK, OK, OK, OK),
    ("- - - - -", 3, 3, INSUFFICIENT_DATA, RETAIN, ALARM, OK),
    ("0 X X - X", 3, 3, ALARM, ALARM, ALARM, ALARM),
    ("- - X - -", 3, 3, ALARM, RETAIN, ALARM, OK),
    # Archived revisions of the same table (doc_source/AlarmThatSendsEmail.md).
    ("0 - - - -", 3, 3, OK, OK, OK, OK),
    ("- - - - X", 3, 3, INSUFFICIENT_DATA, RETAIN, ALARM, OK),
    ("X - - - -", 3, 3, ALARM, RETAIN, ALARM, OK),
    # Current page, second table: 2 out of 3.
    ("0 - X - X", 3, 2, ALARM, ALARM, ALARM, ALARM),
    ("0 0 X 0 X", 3, 2, ALARM, ALARM, ALARM, ALARM),
    ("0 - X - -", 3, 2, OK, OK, ALARM, OK),
    ("- - - - 0", 3, 2, OK, OK, ALARM, OK),
    ("- - - X -", 3, 2, ALARM, RETAIN, ALARM, OK),
    # Archived revision of the second table.
    ("- - - - X", 3, 2, INSUFFICIENT_DATA, RETAIN, ALARM, OK),
]


def table_cases():
    for pattern, n, m, *expected in MISSING_DATA_TABLE:
        for treatment, state in zip(TREATMENTS, expected, strict=True):
            yield pytest.param(pattern, n, m, treatment, state, id=f"{pattern}|{m}of{n}|{treatment}")


def test_the_tables_evaluation_range_is_five_for_three_evaluation_periods():
    assert evaluation_range(3) == 5


@pytest.mark.parametrize(("pattern", "n", "m", "treatment", "expected"), list(table_cases()))
@pytest.mark.parametrize("current", [OK, ALARM])
def test_missing_data_table(pattern, n, m, treatment, expected, current):
    metrics = FakeMetrics()
    put_pattern(metrics, pattern)
    result = evaluate_metric_alarm(
        alarm(EvaluationPeriods=n, DatapointsToAlarm=m, TreatMissingData=treatment, StateValue=current),
        metrics,
        NOW,
    )
    assert result.state == expected, result.reason
    assert not result.reason.startswith("unsupported")


def test_alarm_does_not_go_to_alarm_prematurely_and_recovers_when_the_next_datapoint_is_ok():
    """'- - - - X' or '- - - X -' with 3 of 3 do not alarm; '- - - X 0' is then OK."""
    for pattern in ("- - - - X", "- - - X -"):
        metrics = FakeMetrics()
        put_pattern(metrics, pattern)
        assert evaluate_metric_alarm(alarm(EvaluationPeriods=3), metrics, NOW).state != ALARM
    metrics = FakeMetrics()
    put_pattern(metrics, "- - - X 0")
    assert evaluate_metric_alarm(alarm(EvaluationPeriods=3), metrics, NOW).state == OK


def test_breaching_missing_data_alarms_once_the_last_real_datapoint_leaves_the_range():
    """'0 - - - -' is OK with breaching; the next evaluation, the 0 is out of the range: ALARM."""
    metrics = FakeMetrics()
    put_pattern(metrics, "0 - - - -")
    definition = alarm(EvaluationPeriods=3, TreatMissingData="breaching")
    assert evaluate_metric_alarm(definition, metrics, NOW).state == OK
    later = evaluate_metric_alarm(definition, metrics, NOW + 300)
    assert later.state == ALARM
    assert later.reason == (
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were "
        "treated as [Breaching]."
    )


def test_a_new_breaching_alarm_on_a_metric_never_reported_alarms_at_its_first_evaluation():
    """NoSuccessfulMigrations' shape (Sum <= 0 over one 1800 s period, missing data breaching) on a stack
    whose function has never logged: the whole evaluation range is missing ('- - - - -' -> ALARM with
    BREACHING), and CloudWatch has nothing from before the alarm was created to use instead. So it goes to
    ALARM at its first evaluation, within about a minute of the deploy, not 30 minutes later.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html"""
    created = NOW  # the alarm is put at NOW, evaluated for the first time at the next minute
    definition = alarm(
        MetricName="MigrationSuccessCount",
        Statistic="Sum",
        Period=1800,
        Threshold=0.0,
        ComparisonOperator="LessThanOrEqualToThreshold",
        TreatMissingData="breaching",
    )
    first = evaluate_metric_alarm(definition, FakeMetrics(), created + MINUTE)
    assert first.state == ALARM
    assert first.reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[Breaching]."
    )
    # With waits_for_traffic (missing data missing) the same account stays INSUFFICIENT_DATA.
    waiting = evaluate_metric_alarm(
        {**definition, "TreatMissingData": "missing"}, FakeMetrics(), created + MINUTE
    )
    assert waiting.state == INSUFFICIENT_DATA


def test_all_missing_reasons():
    metrics = FakeMetrics()
    quiet = evaluate_metric_alarm(alarm(TreatMissingData="notBreaching"), metrics, NOW)
    assert quiet == Evaluation(OK, quiet.reason, quiet.reason_data)
    assert quiet.reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[NonBreaching]."
    )
    insufficient = evaluate_metric_alarm(alarm(TreatMissingData="missing"), metrics, NOW)
    assert insufficient.state == INSUFFICIENT_DATA
    assert insufficient.reason == "Insufficient Data: 3 datapoints were unknown."
    assert evaluate_metric_alarm(alarm(TreatMissingData=None), metrics, NOW).state == INSUFFICIENT_DATA


def test_dynamodb_metrics_ignore_missing_data_unless_told_otherwise():
    metrics = FakeMetrics()
    dynamo = {"Namespace": "AWS/DynamoDB", "MetricName": "ThrottledRequests", "StateValue": OK}
    assert evaluate_metric_alarm(alarm(TreatMissingData=None, **dynamo), metrics, NOW).state is None
    assert evaluate_metric_alarm(alarm(TreatMissingData="breaching", **dynamo), metrics, NOW).state == ALARM


# ---------------------------------------------------------------------------------------------------
# M out of N, comparison operators, alignment, reasons
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("0 0 X 0 X 0 X", ALARM),  # 3 breaching among the last 5
        ("0 0 X 0 X 0 0", OK),  # 2 breaching among the last 5
        ("X X X 0 0 0 0", OK),  # 3 breaching, but older than the last 5 (evaluation range 7)
        ("0 0 X X X 0 0", ALARM),  # not consecutive with the newest: still 3 of the last 5
    ],
)
def test_m_out_of_n(pattern, expected):
    metrics = FakeMetrics()
    put_pattern(metrics, pattern)
    result = evaluate_metric_alarm(alarm(EvaluationPeriods=5, DatapointsToAlarm=3), metrics, NOW)
    assert evaluation_range(5) == len(pattern.split())
    assert result.state == expected, result.reason


def test_m_out_of_n_reason_is_the_long_form_with_the_transition_minimum():
    metrics = FakeMetrics()
    put_pattern(metrics, "- - X 0 X")
    result = evaluate_metric_alarm(
        alarm(EvaluationPeriods=3, DatapointsToAlarm=2, StateValue=OK), metrics, NOW
    )
    assert result.state == ALARM
    assert result.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [10.0 (28/11/26 10:05:00), 10.0 (28/11/26 09:55:00)] "
        "were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition)."
    )
    metrics = FakeMetrics()
    put_pattern(metrics, "- - X 0 0")
    result = evaluate_metric_alarm(
        alarm(EvaluationPeriods=3, DatapointsToAlarm=2, StateValue=ALARM), metrics, NOW
    )
    assert result.state == OK
    assert result.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [1.0 (28/11/26 10:05:00), 1.0 (28/11/26 10:00:00)] "
        "were not greater than the threshold (5.0) (minimum 2 datapoints for ALARM -> OK transition)."
    )


@pytest.mark.parametrize(
    ("operator", "below", "equal", "above"),
    [
        ("GreaterThanOrEqualToThreshold", OK, ALARM, ALARM),
        ("GreaterThanThreshold", OK, OK, ALARM),
        ("LessThanThreshold", ALARM, OK, OK),
        ("LessThanOrEqualToThreshold", ALARM, ALARM, OK),
    ],
)
def test_comparison_operators(operator, below, equal, above):
    for value, expected in ((4.0, below), (5.0, equal), (6.0, above)):
        metrics = FakeMetrics()
        metrics.put("Errors", slot_start(0) + 1, value)
        assert evaluate_metric_alarm(alarm(ComparisonOperator=operator), metrics, NOW).state == expected


def test_single_datapoint_reason_and_reason_data():
    metrics = FakeMetrics()
    metrics.put("Errors", slot_start(0) + 30, 7.0)
    metrics.put("Errors", slot_start(0) + 90, 2.0)
    result = evaluate_metric_alarm(alarm(Unit="Count"), metrics, NOW)
    assert result.state == ALARM
    assert (
        result.reason
        == "Threshold Crossed: 1 datapoint [7.0 (28/11/26 10:05:00)] was greater than the threshold (5.0)."
    )
    assert result.reason_data == {
        "version": "1.0",
        "queryDate": "2026-11-28T10:10:30.000+0000",
        "startDate": "2026-11-28T10:05:00.000+0000",
        "statistic": "Maximum",
        "unit": "Count",
        "period": 300,
        "recentDatapoints": [7.0],
        "threshold": 5.0,
        "evaluatedDatapoints": [
            {"timestamp": "2026-11-28T10:05:00.000+0000", "sampleCount": 2.0, "value": 7.0}
        ],
    }


def test_periods_slide_with_the_minute_and_exclude_the_minute_in_progress():
    now = datetime(2026, 11, 28, 10, 12, 30, tzinfo=UTC).timestamp()
    end = datetime(2026, 11, 28, 10, 12, 0, tzinfo=UTC).timestamp()
    metrics = FakeMetrics()
    metrics.put("Errors", end - 1, 1.0)  # 10:11:59: newest period [10:07, 10:12)
    metrics.put("Errors", end, 100.0)  # 10:12:00: the minute in progress
    metrics.put("Errors", end - 301, 100.0)  # 10:06:59: the period before
    result = evaluate_metric_alarm(alarm(), metrics, now)
    assert result.state == OK
    assert "[1.0 (28/11/26 10:07:00)]" in result.reason
    assert metrics.calls == [
        ({"Namespace": NS, "MetricName": "Errors", "Dimensions": []}, end - 3 * 300, end)
    ]


def test_fetch_covers_the_evaluation_range_and_dimensions_are_passed():
    metrics = FakeMetrics()
    dims = [{"Name": "FunctionName", "Value": "cart"}]
    metrics.put("Errors", slot_start(4) + 1, 9.0, dimensions={"FunctionName": "cart"})
    metrics.put("Errors", slot_start(4) + 1, 1.0)  # same name, no dimensions: another metric
    result = evaluate_metric_alarm(
        alarm(Dimensions=dims, EvaluationPeriods=3, DatapointsToAlarm=1), metrics, NOW
    )
    assert metrics.calls == [({"Namespace": NS, "MetricName": "Errors", "Dimensions": dims}, END - 1500, END)]
    assert result.state == ALARM  # the one real datapoint, 5 periods back, is breaching (M = 1)


def test_java_style_numbers_in_reasons():
    metrics = FakeMetrics()
    metrics.put("Errors", slot_start(0) + 1, 25_000_000.0)
    result = evaluate_metric_alarm(alarm(Threshold=1e7), metrics, NOW)
    assert result.reason == (
        "Threshold Crossed: 1 datapoint [2.5E7 (28/11/26 10:05:00)] was greater than the threshold (1.0E7)."
    )


# ---------------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------------

VALUES = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [("SampleCount", 8.0), ("Sum", 40.0), ("Average", 5.0), ("Minimum", 2.0), ("Maximum", 9.0)],
)
def test_basic_statistics(statistic, expected):
    assert compute_statistic(statistic, VALUES) == expected
    metrics = FakeMetrics()
    for i, v in enumerate(VALUES):
        metrics.put("Errors", slot_start(0) + i, v)
    result = evaluate_metric_alarm(alarm(Statistic=statistic, Threshold=expected), metrics, NOW)
    assert result.reason_data["recentDatapoints"] == [expected]


@pytest.mark.parametrize(
    ("statistic", "values", "expected"),
    [
        # Nearest rank: the smallest sample with at least NN % of the samples lower or equal.
        ("p99", range(1, 101), 99.0),
        ("p99", range(1, 1001), 990.0),
        ("p50", range(1, 101), 50.0),
        ("p99.5", range(1, 101), 100.0),
        ("p99.9", range(1, 1001), 999.0),
        ("p90", [5.0], 5.0),
        ("p0", range(1, 11), 1.0),
        ("p100", range(1, 11), 10.0),
        ("tm90", range(1, 11), 5.0),  # drops the highest 10 %
        ("TM(10%:90%)", range(1, 11), 5.5),
        ("TM(2%:98%)", range(1, 101), 50.5),
        ("TM(2:8)", range(1, 11), 5.5),  # 2 < v <= 8
        ("TM(:5)", range(1, 11), 3.0),
        ("IQM", range(1, 9), 4.5),  # middle 50 %: 3..6
        ("wm90", range(1, 11), 5.4),  # 10 counted as 9
        ("WM(10%:90%)", range(1, 11), 5.5),
        ("tc90", range(1, 11), 9.0),
        ("TC(2:8)", range(1, 11), 6.0),
        ("ts90", range(1, 11), 45.0),
        ("PR(:5)", range(1, 11), 50.0),
        ("PR(3:7)", range(1, 11), 40.0),
    ],
)
def test_extended_statistics(statistic, values, expected):
    assert compute_statistic(statistic, list(values)) == pytest.approx(expected)


def test_statistics_of_an_empty_period_are_no_datapoint():
    assert compute_statistic("Sum", []) is None
    assert compute_statistic("p99", []) is None
    assert compute_statistic("TM(100:200)", [1.0, 2.0]) is None


@pytest.mark.parametrize("statistic", ["p101", "P99", "Median", "TM(10%:1000)", "PR(10%:90%)", "TM(9:2)"])
def test_invalid_statistics_are_rejected(statistic):
    with pytest.raises(Unsupported):
        compute_statistic(statistic, [1.0])


def p99_alarm(**overrides) -> dict:
    settings = {
        "Statistic": None,
        "ExtendedStatistic": "p99",
        "Threshold": 989.5,
        "MetricName": "OperationDuration",
    }
    return alarm(**(settings | overrides))


def test_p99_alarm_on_known_samples():
    metrics = FakeMetrics()
    for v in range(1, 1001):
        metrics.put("OperationDuration", slot_start(0) + v * 0.25, float(v))
    result = evaluate_metric_alarm(p99_alarm(), metrics, NOW)
    assert result.state == ALARM
    assert result.reason_data["recentDatapoints"] == [990.0]
    assert result.reason_data["extendedStatistic"] == "p99"
    assert result.reason_data["evaluatedDatapoints"][0]["sampleCount"] == 1000.0
    assert evaluate_metric_alarm(p99_alarm(Threshold=990.0), metrics, NOW).state == OK
    # 1000 samples are enough for p99 (10 / (1 - 0.99)): "ignore" still evaluates.
    assert (
        evaluate_metric_alarm(p99_alarm(EvaluateLowSampleCountPercentile="ignore"), metrics, NOW).state
        == ALARM
    )


def test_p99_with_too_few_samples():
    metrics = FakeMetrics()
    for v in range(1, 1000):  # 999 samples: fewer than 1000
        metrics.put("OperationDuration", slot_start(0) + v * 0.25, float(v) + 1)
    evaluated = evaluate_metric_alarm(p99_alarm(EvaluateLowSampleCountPercentile="evaluate"), metrics, NOW)
    assert evaluated.state == ALARM
    ignored = evaluate_metric_alarm(
        p99_alarm(EvaluateLowSampleCountPercentile="ignore", StateValue=OK), metrics, NOW
    )
    assert ignored.state is None
    assert "fewer than 1000 samples" in ignored.reason


# ---------------------------------------------------------------------------------------------------
# Metric math: the docs' operator and IF tables, alignment, division by zero
# ---------------------------------------------------------------------------------------------------

METRIC1 = [30.0, 20.0, 0.0, 0.0]
METRIC2 = [20.0, None, 20.0, None]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(metric1 < metric2)", [0.0, 0.0, 1.0, 0.0]),
        ("(metric1 >= 30)", [1.0, 0.0, 0.0, 0.0]),
        ("(metric1 > 15 AND metric2 > 15)", [1.0, 0.0, 0.0, 0.0]),
        ("metric1 > 15 && metric2 > 15", [1.0, 0.0, 0.0, 0.0]),
        ("metric1 > 25 OR metric2 > 15", [1.0, 0.0, 1.0, 0.0]),
        ("metric1 == 0 || metric2 != 20", [0.0, 0.0, 1.0, 1.0]),
        ("NOT (metric1 > 15)", [0.0, 0.0, 1.0, 1.0]),
        ("metric1 + metric2", [50.0, 20.0, 20.0, 0.0]),  # missing values count as 0
        ("metric2 * 2", [40.0, None, 40.0, None]),  # with a scalar: only the series' timestamps
        ("-metric2", [-20.0, None, -20.0, None]),
    ],
)
def test_operators_from_the_docs(expression, expected):
    assert evaluate_expression(expression, {"metric1": METRIC1, "metric2": METRIC2}) == expected


IF_SERIES = {
    "metric1": [1.0, 1.0, 0.0, 0.0, None],
    "metric2": [30.0, None, 0.0, 0.0, 30.0],
    "metric3": [0.0, 0.0, 20.0, None, 20.0],
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("IF(metric1, metric2, metric3)", [30.0, 0.0, 20.0, None, None]),
        ("IF(metric1, 5, metric3)", [5.0, 5.0, 20.0, None, None]),
        ("IF(metric1, metric2, 5)", [30.0, 0.0, 5.0, 5.0, None]),
        ("IF(metric1, metric2)", [30.0, 0.0, None, None, None]),
        ("IF(metric3 > 10, 1, 0)", [0.0, 0.0, 1.0, None, 1.0]),
        ("IF(1, metric2, metric3)", [30.0, None, 0.0, 0.0, 30.0]),
        ("IF(0, metric2)", [None] * 5),
    ],
)
def test_if_tables_from_the_docs(expression, expected):
    assert evaluate_expression(expression, IF_SERIES) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("m1 / m2", [2.0, None, None]),  # 4/0 and 0/0 (m1 missing counts as 0) are dropped
        ("m1 / 0", [None, None, None]),
        ("1 / 0", None),
        ("m1 * (1 / 0)", [None, None, None]),
        ("TIME_SERIES(1 / 0)", [None, None, None]),
        ("100 * m1 / (m1 + m2)", [200.0 / 3, 100.0, None]),
    ],
)
def test_division_by_zero_drops_the_datapoint(expression, expected):
    result = evaluate_expression(expression, {"m1": [4.0, 4.0, None], "m2": [2.0, 0.0, 0.0]})
    assert result == (pytest.approx(expected) if expected and None not in expected else expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("10 - 4 - 3", 3.0),
        ("-2 ^ 2", -4.0),
        ("2 ^ 3 ^ 2", 512.0),
        ("8 / 4 / 2", 1.0),
        ("1 + 1 > 1", 1.0),
        ("NOT 0", 1.0),
        ("1.5e2 + .5", 150.5),
    ],
)
def test_scalar_precedence(expression, expected):
    assert evaluate_expression(expression, {}) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("FILL(m1, 0)", [0.0, 2.0, 0.0, 0.0, 8.0]),
        ("FILL(m1, REPEAT)", [None, 2.0, 2.0, 2.0, 8.0]),
        ("FILL(m1, LINEAR)", [None, 2.0, 4.0, 6.0, 8.0]),
        ("FILL(m1, m2)", [1.0, 2.0, None, 1.0, 8.0]),
        ("SUM([m1, m2])", [1.0, 3.0, None, 1.0, 9.0]),
        ("AVG([m1, m2])", [0.5, 1.5, None, 0.5, 4.5]),
        ("MAX([m1, m2])", [1.0, 2.0, None, 1.0, 8.0]),
        ("SUM(METRICS())", [1.0, 3.0, None, 1.0, 9.0]),
        ('SUM(METRICS("2"))', [1.0, 1.0, None, 1.0, 1.0]),
        ("m1 - AVG(m1)", [None, -3.0, None, None, 3.0]),
        ("MAX(m1) - m1", [None, 6.0, None, None, 0.0]),
        ("ABS(m1 - 5)", [None, 3.0, None, None, 3.0]),
        ("CEIL(m1 / 3)", [None, 1.0, None, None, 3.0]),
        ("FLOOR(m1 / 3)", [None, 0.0, None, None, 2.0]),
        ("LOG10(m1 * 5)", [None, 1.0, None, None, pytest.approx(1.6020599913)]),
        ("m1 / PERIOD(m1)", [None, 2.0 / 60, None, None, 8.0 / 60]),
    ],
)
def test_functions(expression, expected):
    series = {"m1": [None, 2.0, None, None, 8.0], "m2": [1.0, 1.0, None, 1.0, 1.0]}
    assert evaluate_expression(expression, series) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "ANOMALY_DETECTION_BAND(m1)",
        "RATE(m1)",
        "m1 +",
        "M1 + 1",
        "m1 + unknown",
        "IF(1, m1, 2)",
        "[m1, m1] + [m1]",
        "FILL(m1, SOMETHING)",
        "METRICS()",
    ],
)
def test_unsupported_expressions(expression):
    with pytest.raises(Unsupported):
        evaluate_expression(expression, {"m1": [1.0, 2.0]})


def success_rate_alarm(**overrides) -> dict:
    """The module's LowSuccessRate alarm as DescribeAlarms returns it."""

    def query(ident: str, name: str) -> dict:
        metric = {"Namespace": NS, "MetricName": name, "Dimensions": []}
        return {
            "Id": ident,
            "MetricStat": {"Metric": metric, "Period": 300, "Stat": "Sum"},
            "ReturnData": False,
        }

    base = {
        "AlarmName": "cart-LowSuccessRate",
        "StateValue": "INSUFFICIENT_DATA",
        "EvaluationPeriods": 1,
        "Threshold": 90.0,
        "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "notBreaching",
        "Metrics": [
            query("s", "MigrationSuccessCount"),
            query("f", "MigrationFailureCount"),
            {
                "Id": "result",
                "Expression": "IF((s + f) > 0, 100 * s / (s + f), 100)",
                "Label": "Migration success rate (%)",
                "ReturnData": True,
            },
        ],
    }
    base.update(overrides)
    return base


def put_outcomes(
    metrics: FakeMetrics, successes: int | None, failures: int | None, index_from_newest: int = 0
):
    start = slot_start(index_from_newest)
    for i in range(successes or 0):
        metrics.put("MigrationSuccessCount", start + i, 1.0)
    for i in range(failures or 0):
        metrics.put("MigrationFailureCount", start + 100 + i, 1.0)
    if successes == 0:  # the filter's default value: published 0 when events do not match
        metrics.put("MigrationSuccessCount", start + 200, 0.0)
    if failures == 0:
        metrics.put("MigrationFailureCount", start + 200, 0.0)


def test_success_rate_with_traffic():
    metrics = FakeMetrics()
    put_outcomes(metrics, successes=8, failures=2)
    result = evaluate_metric_alarm(success_rate_alarm(), metrics, NOW)
    assert result.state == ALARM
    assert result.reason == (
        "Threshold Crossed: 1 datapoint [80.0 (28/11/26 10:05:00)] was less than the threshold (90.0)."
    )
    assert "statistic" not in result.reason_data and result.reason_data["period"] == 300
    assert {c[0]["MetricName"] for c in metrics.calls} == {"MigrationSuccessCount", "MigrationFailureCount"}
    metrics = FakeMetrics()
    put_outcomes(metrics, successes=19, failures=1)
    result = evaluate_metric_alarm(success_rate_alarm(), metrics, NOW)
    assert (result.state, result.reason_data["recentDatapoints"]) == (OK, [95.0])


def test_success_rate_when_quiet():
    metrics = FakeMetrics()
    result = evaluate_metric_alarm(success_rate_alarm(), metrics, NOW)
    assert result.state == OK
    assert "1 missing datapoint was treated as [NonBreaching]" in result.reason
    assert evaluate_metric_alarm(success_rate_alarm(TreatMissingData="missing"), metrics, NOW).state == (
        INSUFFICIENT_DATA
    )
    # Only non-matching events: both filters publish 0, the IF's else branch gives 100.
    put_outcomes(metrics, successes=0, failures=0)
    result = evaluate_metric_alarm(success_rate_alarm(), metrics, NOW)
    assert (result.state, result.reason_data["recentDatapoints"]) == (OK, [100.0])


@pytest.mark.parametrize(
    ("successes", "failures", "state", "rate"),
    [(None, 3, ALARM, 0.0), (3, None, OK, 100.0), (0, 3, ALARM, 0.0)],
)
def test_success_rate_with_one_series_missing(successes, failures, state, rate):
    metrics = FakeMetrics()
    put_outcomes(metrics, successes, failures)
    put_outcomes(metrics, successes=5, failures=None, index_from_newest=1)  # an older period does not count
    result = evaluate_metric_alarm(success_rate_alarm(), metrics, NOW)
    assert (result.state, result.reason_data["recentDatapoints"]) == (state, [rate])


def test_fill_in_an_alarm_covers_the_whole_evaluation_range():
    definition = success_rate_alarm(
        Threshold=0.0,
        ComparisonOperator="LessThanOrEqualToThreshold",
        TreatMissingData="missing",
        Metrics=[
            success_rate_alarm()["Metrics"][0],
            {"Id": "filled", "Expression": "FILL(s, 0)", "ReturnData": True},
        ],
    )
    result = evaluate_metric_alarm(definition, FakeMetrics(), NOW)
    assert result.state == ALARM
    assert result.reason_data["recentDatapoints"] == [0.0]


# ---------------------------------------------------------------------------------------------------
# Unsupported alarms never get a state
# ---------------------------------------------------------------------------------------------------


def math_alarm(expression: str, **overrides) -> dict:
    metrics = success_rate_alarm()["Metrics"][:2] + [
        {"Id": "e1", "Expression": expression, "ReturnData": True}
    ]
    return success_rate_alarm(Metrics=metrics, **overrides)


@pytest.mark.parametrize(
    ("definition", "why"),
    [
        (alarm(ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold"), "anomaly detection"),
        (alarm(ComparisonOperator="GreaterThanUpperThreshold", ThresholdMetricId="ad1"), "anomaly detection"),
        (alarm(ExtendedStatistic="p99"), "exactly one of Statistic and ExtendedStatistic"),
        (alarm(Statistic=None, ExtendedStatistic="p101"), "percentile above 100"),
        (alarm(DatapointsToAlarm=3, EvaluationPeriods=2), "DatapointsToAlarm"),
        (alarm(TreatMissingData="sometimes"), "TreatMissingData"),
        (math_alarm("ANOMALY_DETECTION_BAND(s)"), "ANOMALY_DETECTION_BAND"),
        (math_alarm("SUM(s)"), "scalar"),
        (math_alarm("[s, f]"), "array"),
        (math_alarm("s + x"), "unknown id"),
        (math_alarm('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda")'), "Metrics Insights"),
        (success_rate_alarm(Metrics=success_rate_alarm()["Metrics"][:2]), "ReturnData"),
    ],
)
def test_unsupported_alarms_keep_their_state(definition, why):
    metrics = FakeMetrics()
    metrics.put("Errors", slot_start(0), 100.0)
    result = evaluate_metric_alarm(definition, metrics, NOW)
    assert result.state is None
    assert result.reason.startswith("unsupported: ") and why in result.reason
    assert supported(definition) == (False, result.reason.removeprefix("unsupported: "))
    assert metrics.calls == []


def test_supported_alarms():
    assert supported(alarm()) == (True, "")
    assert supported(p99_alarm()) == (True, "")
    assert supported(success_rate_alarm()) == (True, "")
    assert supported(math_alarm("FILL(s, REPEAT) / MAX([s, f])")) == (True, "")


def test_reason_counts_missing_datapoints_filled_by_the_treatment():
    metrics = FakeMetrics()
    put_pattern(metrics, "0 - X - -")
    definition = alarm(EvaluationPeriods=3, DatapointsToAlarm=2, TreatMissingData="breaching", StateValue=OK)
    result = evaluate_metric_alarm(definition, metrics, NOW)
    assert result.state == ALARM
    assert result.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [10.0 (28/11/26 09:55:00)] were greater than the "
        "threshold (5.0), including 1 missing datapoint treated as [Breaching] (minimum 2 datapoints for "
        "OK -> ALARM transition)."
    )
    # Evaluated: the two real datapoints and the newest missing one, newest first.
    assert [d.get("value") for d in result.reason_data["evaluatedDatapoints"]] == [None, 10.0, 1.0]
    assert result.reason_data["startDate"] == "2026-11-28T09:45:00.000+0000"
