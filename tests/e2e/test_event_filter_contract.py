"""Contract between the Lambda's events and the deployed metric filters.

Every event type the Lambda can emit is produced by the real `CartMigrationMetrics` code, shipped
to the deployed function log group, and each catalogue metric must move by exactly what the
catalogue says: its value for its own event, its default value (once a minute) for any other,
nothing more. The lines go to the test's own copy of the function log group, which carries the
deployed filters as DescribeMetricFilters returns them, publishing into a namespace of its own
(tests/e2e/scenario_monitoring.py): no other test's traffic shares its datapoints, whatever ran before.
Each event type gets a minute of its own, in the past so that every minute is complete.
"""

from __future__ import annotations

import json

import pytest

from cart_migration import catalogue
from cart_migration.event_log import CartMigrationMetrics
from cartmon.local.stdout import captured_stdout
from cartmon.project import ROOT
from tests.e2e.scenario_monitoring import isolated_monitoring

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

CATALOGUE = json.loads((ROOT / "lambda_src" / "cart_migration" / catalogue.CATALOGUE_FILE).read_text())
NUMERIC_FIELDS = {
    "migrated_carts": 2,
    "total_items": 5,
    "total_value": 1250.0,
    "duration_ms": 245.3,
    "deleted_carts": 1,
    "items_migrated": 3,
    "cart_total": 640.5,
    "limit": 5,
    "window_seconds": 60,
    "retry_after_seconds": 17,
    "store_count": 2,
    "item_count": 5,
    "reraised": True,
}
SLOW_METRIC = CATALOGUE["slis"]["latency"]["slow_metric"]  # per operation, from the latency SLO's filters
TIMEOUT_METRIC = CATALOGUE["slis"]["timeouts"]["metric"]  # from the platform's report line, not an event
DURATION_BY_OPERATION = {name: 100.0 + 111.25 * index for index, name in enumerate(catalogue.OPERATIONS)}
HOUR = 3600


def sample_fields(event_type: str) -> dict:
    fields: dict[str, float | str | None] = {}
    for name in CATALOGUE["events"][event_type]["fields"]:
        fields[name] = NUMERIC_FIELDS.get(name, f"sample-{name}")
    fields["customer_id"] = "user-contract-1" if "customer_id" in fields else None
    fields["guest_session_id"] = "guest-3f1c2a9e" if "guest_session_id" in fields else None
    fields["merge_strategy"] = "merge" if "merge_strategy" in fields else None
    return {k: v for k, v in fields.items() if v is not None}


def emitted_lines(event_type: str) -> list[str]:
    """The lines the real code writes for one event type (one per operation for performance)."""
    log = getattr(CartMigrationMetrics, f"log_{event_type}")
    with captured_stdout() as out:
        if event_type == "performance_metric":
            for operation, duration in DURATION_BY_OPERATION.items():
                log(**{**sample_fields(event_type), "operation": operation, "duration_ms": duration})
        else:
            log(**sample_fields(event_type))
    return [line for line in out.getvalue().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def own_copy(applied_stack, aws_client):
    """The module's own copy of the function log group and its deployed filters (no alarms)."""
    with isolated_monitoring(applied_stack, aws_client, with_alarms=False) as monitoring:
        yield monitoring


@pytest.fixture(scope="module")
def shipped(own_copy, aws_client, emulator_clock):
    """Ship every event type's lines, each in its own minute; return (base_minute, event_types)."""
    logs = aws_client("logs")
    group = own_copy.log_group
    stream = "contract-test"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    base = (int(emulator_clock.now() - HOUR) // 60) * 60
    event_types = list(CATALOGUE["events"])
    for index, event_type in enumerate(event_types):
        lines = emitted_lines(event_type)
        assert lines, f"{event_type}: CartMigrationMetrics wrote nothing"
        timestamp_ms = (base + index * 60 + 5) * 1000
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": timestamp_ms, "message": line} for line in lines],
        )
    return base, event_types


def datapoints_by_minute(
    cloudwatch, namespace: str, metric: str, dimensions: list, base: int, minutes: int
) -> dict:
    found = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=dimensions,
        StartTime=base,
        EndTime=base + minutes * 60,
        Period=60,
        Statistics=["Sum", "SampleCount"],
    )["Datapoints"]
    return {(int(point["Timestamp"].timestamp()) - base) // 60: point for point in found}


def test_every_event_type_has_its_method_and_writes_one_json_object_per_line():
    for event_type, spec in CATALOGUE["events"].items():
        lines = emitted_lines(event_type)
        expected_lines = len(DURATION_BY_OPERATION) if event_type == "performance_metric" else 1
        assert len(lines) == expected_lines, event_type
        for line in lines:
            record = json.loads(line)
            assert record["event_type"] == event_type
            assert record["message"] == spec["message"]
            assert record["level"] == spec["level"]


def test_deployed_filters_are_exactly_the_catalogue_metrics(applied_stack, aws_client):
    group = applied_stack["log_group_names"]["function"]
    deployed = aws_client("logs").describe_metric_filters(logGroupName=group)["metricFilters"]
    by_metric = {f["metricTransformations"][0]["metricName"]: f for f in deployed}
    assert set(by_metric) == set(CATALOGUE["metrics"]) | {SLOW_METRIC, TIMEOUT_METRIC}, (
        "a filter or a catalogue metric has no counterpart"
    )
    # The latency SLI: one slow-request filter per operation, at the operation's SLO threshold.
    slow = sorted(
        f["filterPattern"] for f in deployed if f["metricTransformations"][0]["metricName"] == SLOW_METRIC
    )
    assert slow == sorted(
        f'{{ $.event_type = "performance_metric" && $.operation = "{op}" && $.duration_ms > {o["target_ms"]} }}'
        for op, o in CATALOGUE["operations"].items()
    )
    for name, metric in CATALOGUE["metrics"].items():
        deployed_filter = by_metric[name]
        transformation = deployed_filter["metricTransformations"][0]
        assert deployed_filter["filterPattern"] == metric["filter_pattern"]
        assert transformation["metricValue"] == metric["value"]
        assert transformation["metricNamespace"] == applied_stack["metric_namespace"]


def test_each_event_moves_exactly_its_metrics(own_copy, aws_client, shipped):
    base, event_types = shipped
    cloudwatch = aws_client("cloudwatch")
    namespace = own_copy.namespace
    moved_by_some_event = set()
    for name, metric in CATALOGUE["metrics"].items():
        dimension_sets: list[list[dict[str, str]]] = [[]]
        if metric.get("dimensions"):
            (dimension_name,) = metric["dimensions"]
            dimension_sets = [[{"Name": dimension_name, "Value": op}] for op in DURATION_BY_OPERATION]
        for dimensions in dimension_sets:
            points = datapoints_by_minute(cloudwatch, namespace, name, dimensions, base, len(event_types))
            for minute, event_type in enumerate(event_types):
                point = points.get(minute)
                if event_type == metric["event_type"]:
                    if dimensions:
                        expected = DURATION_BY_OPERATION[dimensions[0]["Value"]]
                    else:
                        expected = float(metric["value"])
                    assert point is not None, f"{event_type} did not move {name} {dimensions}"
                    assert (point["Sum"], point["SampleCount"]) == (pytest.approx(expected), 1.0), (
                        f"{name} {dimensions}"
                    )
                    moved_by_some_event.add(name)
                elif "default_value" in metric:
                    assert point is not None, f"{name}: no default value in the minute of {event_type}"
                    assert (point["Sum"], point["SampleCount"]) == (metric["default_value"], 1.0), (
                        f"{name} in the minute of {event_type}"
                    )
                else:
                    assert point is None, (
                        f"{event_type} moved {name} {dimensions}, which only {metric['event_type']} may move"
                    )
    assert moved_by_some_event == set(CATALOGUE["metrics"]), "a filter that no event type moves"


def test_no_metric_outside_the_catalogue_appears(applied_stack, own_copy, aws_client, shipped):
    cloudwatch = aws_client("cloudwatch")
    # The stack's namespace, whatever traffic the other tests sent, and the copy's, which every event
    # type has moved.
    for namespace in (applied_stack["metric_namespace"], own_copy.namespace):
        listed = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
        assert {m["MetricName"] for m in listed} <= set(CATALOGUE["metrics"]) | {SLOW_METRIC, TIMEOUT_METRIC}


def test_slow_request_count_moves_only_above_the_slo_threshold(own_copy, aws_client, shipped):
    base, event_types = shipped
    minute = event_types.index("performance_metric")
    cloudwatch = aws_client("cloudwatch")
    moved = {}
    for op in DURATION_BY_OPERATION:
        dimensions = [{"Name": "Operation", "Value": op}]
        points = datapoints_by_minute(
            cloudwatch, own_copy.namespace, SLOW_METRIC, dimensions, base, len(event_types)
        )
        moved[op] = points.get(minute, {}).get("Sum")
        assert set(points) <= {minute}, f"{SLOW_METRIC} {op} moved outside the performance_metric minute"
    expected = {
        op: (1.0 if duration > CATALOGUE["operations"][op]["target_ms"] else None)
        for op, duration in DURATION_BY_OPERATION.items()
    }
    assert moved == expected
    assert None in expected.values() and 1.0 in expected.values(), "both sides of a threshold are exercised"
