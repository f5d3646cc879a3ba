"""The alarm engine over every form of PutMetricData, the alarm's Unit, the exact low-sample rule and
the shape of StateReasonData (no emulator)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cartmon_emulator.engines.alarm_evaluation import evaluate_metric_alarm
from cartmon_emulator.engines.statistics import StatisticSet, low_sample_minimum, parse_statistic

NOW = datetime(2026, 11, 28, 10, 10, 30, tzinfo=UTC).timestamp()
NEWEST_MINUTE = datetime(2026, 11, 28, 10, 9, 0, tzinfo=UTC).timestamp()


class Store:
    """Samples by unit, filtered by the metric's Unit as the emulator's adapter does."""

    def __init__(self, samples):
        self.samples = samples  # [(timestamp, value or StatisticSet, unit)]

    def __call__(self, metric, start, end):
        return [
            (t, v)
            for t, v, unit in self.samples
            if start <= t < end and (not metric.get("Unit") or metric["Unit"] == (unit or "None"))
        ]


def alarm(**overrides):
    base = {
        "AlarmName": "a",
        "StateValue": "INSUFFICIENT_DATA",
        "Namespace": "CartMigration",
        "MetricName": "Errors",
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    base.update(overrides)
    return base


def test_statistic_sets_reach_the_alarm():
    """PutMetricData StatisticValues ("Publishing statistic sets") count in Sum, SampleCount, Average,
    Minimum and Maximum like raw values do.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html"""
    store = Store(
        [(NEWEST_MINUTE + 5, StatisticSet(4, 12.0, 1.0, 6.0), None), (NEWEST_MINUTE + 9, 2.0, None)]
    )
    outcome = evaluate_metric_alarm(alarm(), store, NOW)
    assert outcome.state == "ALARM" and "[14.0 " in outcome.reason
    average = evaluate_metric_alarm(alarm(Statistic="Average", Threshold=2.7), store, NOW)
    assert average.state == "ALARM" and "[2.8 " in average.reason
    count = evaluate_metric_alarm(alarm(Statistic="SampleCount", Threshold=5), store, NOW)
    assert count.state == "OK" and count.reason_data["evaluatedDatapoints"][0]["sampleCount"] == 5.0


def test_percentiles_use_a_statistic_set_only_when_its_values_are_known():
    """ "If you publish data using a statistic set ... you can only retrieve percentile statistics for this
    data if ... SampleCount of the statistic set is 1 [or] Min and Max ... are equal."
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles"""
    p50 = parse_statistic("p50")
    assert p50.compute_period([1.0], [StatisticSet(3, 9.0, 3.0, 3.0)]) == (3.0, 4)
    assert p50.compute_period([1.0], [StatisticSet(1, 7.0, 7.0, 7.0)]) == (1.0, 2)
    assert p50.compute_period([1.0], [StatisticSet(2, 9.0, 3.0, 6.0)])[0] is None


def test_alarm_unit_selects_the_data_published_with_that_unit():
    """PutMetricAlarm Unit: "If you specify a unit, you must use a unit that is appropriate for the
    metric. Otherwise, the CloudWatch alarm can get stuck in the INSUFFICIENT DATA state."
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"""
    store = Store([(NEWEST_MINUTE + 5, 9.0, None)])  # published without a unit: "None"
    assert evaluate_metric_alarm(alarm(Unit="Count"), store, NOW).state == "INSUFFICIENT_DATA"
    assert evaluate_metric_alarm(alarm(Unit="None"), store, NOW).state == "ALARM"
    assert evaluate_metric_alarm(alarm(), store, NOW).state == "ALARM"


def test_low_sample_minimum_is_exact_at_ten_over_one_minus_p():
    """Percentile-based alarms and low data samples: p90 needs 10 / (1 - 0.9) = 100 samples; 100 samples
    are enough (floating point would ask for 100.00000000000001).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#percentiles-with-low-samples"""
    assert low_sample_minimum("90") == 100
    assert low_sample_minimum(99.9) == 10000
    store = Store([(NEWEST_MINUTE + 1, float(v), None) for v in range(1, 101)])
    outcome = evaluate_metric_alarm(
        alarm(
            Statistic=None, ExtendedStatistic="p90", Threshold=50.0, EvaluateLowSampleCountPercentile="ignore"
        ),
        store,
        NOW,
    )
    assert outcome.state == "ALARM", outcome.reason
    thin = Store(store.samples[:99])
    assert (
        evaluate_metric_alarm(
            alarm(
                Statistic=None,
                ExtendedStatistic="p90",
                Threshold=50.0,
                EvaluateLowSampleCountPercentile="ignore",
            ),
            thin,
            NOW,
        ).state
        is None
    )


def test_reason_data_without_any_datapoint_has_no_start_date():
    """An alarm whose every datapoint was missing and treated as breaching records
    {"version", "queryDate", "statistic", "period", "recentDatapoints": [], "threshold"} (the sample
    reasonData of "Alarm events and EventBridge" and of real alarms): no startDate.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html"""
    outcome = evaluate_metric_alarm(alarm(TreatMissingData="breaching"), Store([]), NOW)
    assert outcome.state == "ALARM"
    assert outcome.reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[Breaching]."
    )
    assert list(outcome.reason_data) == [
        "version",
        "queryDate",
        "statistic",
        "period",
        "recentDatapoints",
        "threshold",
    ]
    assert json.loads(json.dumps(outcome.reason_data))["recentDatapoints"] == []


def test_ten_second_alarm_windows_follow_the_period():
    """High-resolution alarms: a 10-second alarm evaluates 10-second periods ending at the last full
    10 seconds. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#high-resolution-alarms"""
    now = NEWEST_MINUTE + 65.0  # 10:10:05: the newest full period is 10:09:50-10:10:00
    store = Store([(NEWEST_MINUTE + 52, 9.0, None)])
    outcome = evaluate_metric_alarm(alarm(Period=10), store, now)
    assert outcome.state == "ALARM"
    assert outcome.reason_data["evaluatedDatapoints"][0]["timestamp"] == "2026-11-28T10:09:50.000+0000"


def test_reason_when_real_datapoints_are_completed_by_filled_ones():
    """With fewer real datapoints than EvaluationPeriods, breaching/notBreaching fill the rest ("How alarm
    state is evaluated when data is missing"); the reason then names the real datapoints and the filled
    ones, as real alarms record it: "1 datapoint [0.0 (...)] was less than the threshold (1.0) and 1 missing
    datapoint was treated as [Breaching]."
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html"""
    store = Store([(NEWEST_MINUTE + 3, 0.0, None)])
    definition = alarm(
        ComparisonOperator="LessThanThreshold",
        Threshold=1.0,
        EvaluationPeriods=2,
        TreatMissingData="breaching",
    )
    outcome = evaluate_metric_alarm(definition, store, NOW)
    assert outcome.state == "ALARM"
    assert outcome.reason == (
        "Threshold Crossed: 1 datapoint [0.0 (28/11/26 10:09:00)] was less than the threshold (1.0) and 1 missing "
        "datapoint was treated as [Breaching]."
    )
    recovered = evaluate_metric_alarm(
        {**definition, "ComparisonOperator": "LessThanThreshold", "StateValue": "ALARM"},
        Store([(NEWEST_MINUTE + 3, 1.0, None)]),
        NOW,
    )
    assert recovered.state == "OK"
    assert recovered.reason == (
        "Threshold Crossed: 1 datapoint [1.0 (28/11/26 10:09:00)] was not less than the threshold (1.0) and 1 "
        "missing datapoint was treated as [Breaching]."
    )


def test_percentile_ranks_are_exact():
    """pNN is the smallest value such that NN % of the samples are lower or equal ("CloudWatch statistics
    definitions"); the rank ceil(NN/100 x n) is computed exactly: p99.9 of 1..1000 is 999, p10 of 1..10 is 1.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html"""
    assert parse_statistic("p99.9").compute([float(v) for v in range(1, 1001)]) == 999.0
    assert parse_statistic("p10").compute([float(v) for v in range(1, 11)]) == 1.0
    assert parse_statistic("TM(10%:90%)").compute([float(v) for v in range(1, 11)]) == 5.5
