"""One metric-math engine: the alarms, GetMetricData and the dashboard renderer share `engines.metric_math`."""

from __future__ import annotations

import pytest

from cartmon_emulator.engines import alarm_evaluation, metric_math


def test_alarm_evaluation_reexports_the_engine():
    assert alarm_evaluation.evaluate_expression is metric_math.evaluate_expression


def test_series_and_scalars():
    """ "Using metric math": arithmetic between series treats a missing value as 0; a division by zero
    drops the datapoint. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html"""
    series: dict[str, list[float | None]] = {"m1": [3.0, None, 0.0], "m2": [1.0, 2.0, 0.0]}
    assert metric_math.evaluate_expression("100 * m1 / (m1 + m2)", series) == [75.0, 0.0, None]
    assert metric_math.evaluate_expression("SUM(m2)", series) == 3.0
    assert metric_math.evaluate_expression("PERIOD(m1)", series, period=300) == 300.0


def test_evaluator_over_period_indexes():
    tree = metric_math.parse_expression("FILL(m1, 0) + 1")
    assert metric_math.ids_in(tree) == {"m1"}
    evaluator = metric_math.Evaluator(3, 60, {"m1": metric_math.TimeSeries({1: 4.0})}, {"e1": tree})
    assert evaluator.resolve("e1") == metric_math.TimeSeries({0: 1.0, 1: 5.0, 2: 1.0})


def test_unsupported_functions_say_so():
    with pytest.raises(metric_math.Unsupported, match="ANOMALY_DETECTION_BAND"):
        metric_math.parse_expression("ANOMALY_DETECTION_BAND(m1, 2)")
