"""CartMigrationMetrics: one method per catalogue event, the line format the filters match, sampling."""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest

from cart_migration.catalogue import COMMON_FIELDS, EVENTS, OPERATIONS
from cart_migration.event_log import (
    LEVELS,
    CartMigrationMetrics,
    log_operational,
    log_unhandled_error,
    set_request_id,
    writer,
)
from cart_migration.event_methods import EventType
from cartmon.dev import generate_event_methods
from tests.unit.support import captured_stdout

CATALOGUE = json.loads(
    (
        Path(__file__).resolve().parents[2] / "lambda_src" / "cart_migration" / "event_catalogue.json"
    ).read_text()
)
ISO_UTC_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def sample_value(field: str):
    numbers = {
        "migrated_carts": 2,
        "total_items": 5,
        "total_value": 1250.0,
        "duration_ms": 245.3,
        "deleted_carts": 1,
        "items_migrated": 3,
        "cart_total": 630.0,
        "limit": 5,
        "window_seconds": 60,
        "retry_after_seconds": 12,
        "store_count": 2,
        "item_count": 4,
    }
    return numbers.get(field, f"{field}-value")


def emit_every_event() -> dict[str, dict]:
    # Lines inside an invocation, whichever test ran before: the envelope's Lambda-context keys
    # are common fields too (set_lambda_context, which test_envelope covers, would flip cold_start).
    saved = writer.request_id, writer.context_fields
    writer.request_id = "request-1"
    writer.context_fields = {
        "cold_start": False,
        "function_name": "cart-migration",
        "function_memory_size": 256,
        "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:cart-migration",
        "function_request_id": "request-1",
        "request_id": "request-1",
        "correlation_id": "correlation-1",
    }
    try:
        with captured_stdout() as lines:
            for event_type, spec in EVENTS.items():
                getattr(CartMigrationMetrics, f"log_{event_type}")(
                    **{f: sample_value(f) for f in spec.fields}
                )
    finally:
        writer.request_id, writer.context_fields = saved
    return {record["event_type"]: record for record in lines.records}


def test_the_catalogue_defines_the_thirteen_event_types_of_the_guide():
    assert sorted(EVENTS) == sorted(
        [
            "migration_start",
            "migration_success",
            "migration_failure",
            "no_guest_carts",
            "merge_conflict",
            "rate_limit_exceeded",
            "cleanup_success",
            "store_cart_migrated",
            "auth_failure",
            "validation_error",
            "dynamo_error",
            "performance_metric",
            "audit_log",
        ]
    )


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_each_event_has_a_classmethod_whose_parameters_are_the_catalogue_fields(event_type):
    method = getattr(CartMigrationMetrics, f"log_{event_type}")

    parameters = list(inspect.signature(method).parameters)
    assert parameters == [*EVENTS[event_type].fields, "extra_fields"]


def test_the_guide_examples_work_as_written():
    with captured_stdout() as lines:
        CartMigrationMetrics.log_migration_start(
            customer_id="user-123",
            guest_session_id="guest-abc-123",
            merge_strategy="merge",
            store_id="STORE-001",
        )
        CartMigrationMetrics.log_migration_success(
            customer_id="user-123",
            guest_session_id="guest-abc-123",
            migrated_carts=2,
            total_items=5,
            total_value=1250.00,
            merge_strategy="merge",
            duration_ms=245.3,
        )
        CartMigrationMetrics.log_migration_failure(
            customer_id="user-123",
            guest_session_id="guest-abc-123",
            error_message="DynamoDB timeout",
            error_type="ServiceUnavailable",
            merge_strategy="merge",
        )

    start, success, failure = lines.records
    assert start["store_id"] == "STORE-001"
    assert success["duration_ms"] == 245.3 and success["total_value"] == 1250.0
    assert (failure["level"], failure["error_type"]) == ("ERROR", "ServiceUnavailable")


def test_every_line_carries_the_catalogue_message_level_and_fields_in_order():
    records = emit_every_event()

    assert sorted(records) == sorted(EVENTS)
    for event_type, record in records.items():
        spec = EVENTS[event_type]
        assert list(record)[:4] == ["timestamp", "level", "message", "event_type"]
        assert set(COMMON_FIELDS) <= set(record)
        assert (record["message"], record["level"]) == (spec.message, spec.level)
        assert ISO_UTC_MILLIS.fullmatch(record["timestamp"])
        assert datetime.fromisoformat(record["timestamp"]).utcoffset() == timedelta(0)
        assert set(spec.fields) <= set(record)
        assert "location" not in record


def test_duration_is_a_json_number():
    records = emit_every_event()

    for record in records.values():
        if "duration_ms" in record:
            assert isinstance(record["duration_ms"], (int, float)) and not isinstance(
                record["duration_ms"], bool
            )


def _matches(filter_pattern: str, record: dict) -> bool:
    """The subset of the CloudWatch JSON filter syntax the catalogue uses: `$.k = "v"`, `$.k = *`."""
    for key, value in re.findall(r'\$\.(\w+)\s*=\s*("[^"]*"|\*)', filter_pattern):
        if key not in record:
            return False
        if value != "*" and record[key] != value.strip('"'):
            return False
    return True


def test_each_metric_filter_of_the_catalogue_matches_its_event_and_no_other():
    records = emit_every_event()

    for metric, definition in CATALOGUE["metrics"].items():
        matching = [
            event_type
            for event_type, record in records.items()
            if _matches(definition["filter_pattern"], record)
        ]
        assert matching == [definition["event_type"]], metric


def test_operation_duration_lines_carry_a_catalogue_operation_and_a_number():
    with captured_stdout() as lines:
        for operation in OPERATIONS:
            CartMigrationMetrics.log_performance_metric(operation, 12.5, store_count=1)

    assert [record["operation"] for record in lines.records] == list(OPERATIONS)
    assert all(isinstance(record["duration_ms"], float) for record in lines.records)


def test_sampled_events_are_dropped_at_rate_zero_but_alarm_events_never_are(monkeypatch):
    monkeypatch.setenv("LOG_SAMPLE_RATE", "0")

    records = emit_every_event()

    sampleable = {name for name, spec in EVENTS.items() if spec.sampleable}
    assert sampleable == {"store_cart_migrated"}
    assert set(records) == set(EVENTS) - sampleable


def test_no_event_a_metric_filter_counts_can_be_sampled():
    counted = {definition["event_type"] for definition in CATALOGUE["metrics"].values()}

    assert "performance_metric" in counted  # the p99 latency alarms read OperationDuration
    assert not any(EVENTS[event_type].sampleable for event_type in counted)
    # The catalogue says so itself, so that no reader of the JSON is misled.
    assert not any(CATALOGUE["events"][event_type]["sampleable"] for event_type in counted)


def test_performance_metric_is_written_for_every_call_at_any_sample_rate(monkeypatch):
    monkeypatch.setenv("LOG_SAMPLE_RATE", "0")

    assert all(CartMigrationMetrics.log_performance_metric("get_all_carts", 1.0) for _ in range(50))


def test_a_partial_sample_rate_keeps_roughly_that_share(monkeypatch):
    monkeypatch.setenv("LOG_SAMPLE_RATE", "0.5")

    kept = sum(CartMigrationMetrics.log_store_cart_migrated("user-1", "guest-1", "S1") for _ in range(400))

    assert 120 < kept < 280


@pytest.mark.parametrize("unreadable", ["abc", "nan", ""])
def test_an_unreadable_sample_rate_logs_everything(monkeypatch, unreadable):
    monkeypatch.setenv("LOG_SAMPLE_RATE", unreadable)

    assert all(CartMigrationMetrics.log_store_cart_migrated("user-1", "guest-1", "S1") for _ in range(50))


def test_extra_keyword_fields_are_logged_and_cannot_overwrite_the_envelope():
    with captured_stdout() as lines:
        CartMigrationMetrics.log_no_guest_carts(
            "user-1", "guest-1", attempt=2, message="spoofed", level="DEBUG"
        )

    (record,) = lines.records
    assert record["attempt"] == 2
    assert (record["message"], record["level"]) == ("No guest carts found", "INFO")
    assert (record["field_message"], record["field_level"]) == ("spoofed", "DEBUG")


def test_a_field_named_like_a_key_the_logger_owns_is_renamed_and_still_redacted():
    with captured_stdout() as lines:
        CartMigrationMetrics.log_no_guest_carts("user-1", "guest-1", exception_name="Priya Zqxyzabc")

    (record,) = lines.records
    assert "exception_name" not in record
    assert record["field_exception_name"] == "[REDACTED]"


def test_none_fields_are_left_out_rather_than_logged_as_null():
    with captured_stdout() as lines:
        CartMigrationMetrics.log_migration_start("user-1", "guest-1", "merge")

    assert "store_id" not in lines.records[0]


def test_lines_carry_the_request_id_and_the_trace_id_as_powertools_wrote_them(monkeypatch):
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    )
    set_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    try:
        with captured_stdout() as lines:
            CartMigrationMetrics.log_migration_start("user-1", "guest-1", "merge")
    finally:
        set_request_id(None)

    (record,) = lines.records
    assert list(record)[:7] == [
        "timestamp",
        "level",
        "message",
        "event_type",
        "service",
        "request_id",
        "xray_trace_id",
    ]
    assert record["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert record["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


def test_the_level_threshold_drops_operational_lines_but_never_counted_events(monkeypatch):
    # POWERTOOLS_LOG_LEVEL=WARNING: the INFO events the metric filters count are still written.
    monkeypatch.setattr(writer, "threshold", LEVELS["WARNING"])

    with captured_stdout() as lines:
        CartMigrationMetrics.log_migration_start("user-1", "guest-1", "merge")  # INFO
        CartMigrationMetrics.log_performance_metric("migrate_single_store", 12.5)  # INFO
        CartMigrationMetrics.log_migration_failure("user-1", "guest-1", "boom", "RuntimeError")  # ERROR
        log_operational("INFO", "An operational detail")
        log_operational("WARNING", "An operational warning")

    assert lines.event_types == ["migration_start", "performance_metric", "migration_failure"]
    assert [record["message"] for record in lines.records if "event_type" not in record] == [
        "An operational warning"
    ]


def test_an_unhandled_error_is_logged_with_its_class_and_a_redacted_traceback():
    with captured_stdout() as lines:
        try:
            raise RuntimeError("crash while handling priya.sharma@example.com")
        except RuntimeError:
            log_unhandled_error("Unhandled error")

    (record,) = lines.records
    assert (record["level"], record["message"], record["exception_name"]) == (
        "ERROR",
        "Unhandled error",
        "RuntimeError",
    )
    assert "Traceback" in record["exception"] and "pri***@example.com" in record["exception"]
    assert "priya.sharma" not in lines.text


def test_a_positional_field_given_again_by_name_is_a_type_error():
    # mypy rejects both calls too (the methods are real source); the runtime must refuse them as well.
    with pytest.raises(TypeError):
        CartMigrationMetrics.log_migration_start("user-1", customer_id="user-2")  # type: ignore[misc]
    with pytest.raises(TypeError):
        CartMigrationMetrics.log_migration_start("user-1", "guest-1", "merge", "S1", "one too many")  # type: ignore[call-arg]


def test_the_generated_event_methods_module_is_what_the_catalogue_generates():
    # event_methods.py is written from the catalogue (`make docs`); a change to either alone fails here.
    assert generate_event_methods.TARGET.read_text(encoding="utf-8") == generate_event_methods.wanted()


def test_the_generated_methods_follow_a_change_of_the_catalogue():
    changed = json.loads(json.dumps(CATALOGUE))
    changed["events"]["migration_start"]["fields"].append("attempt")
    source = generate_event_methods.render(changed)

    assert source != generate_event_methods.wanted()
    namespace: dict[str, Any] = {}
    exec(compile(source, "event_methods.py", "exec"), namespace)
    method = namespace["CatalogueEvents"].log_migration_start
    assert list(inspect.signature(method).parameters)[-2:] == ["attempt", "extra_fields"]


@pytest.mark.parametrize("field", ["not-an-identifier", "class", "extra_fields"])
def test_the_generator_refuses_a_field_no_method_can_take(field):
    changed = json.loads(json.dumps(CATALOGUE))
    changed["events"]["audit_log"]["fields"].append(field)
    with pytest.raises(ValueError, match="audit_log|not a Python identifier"):
        generate_event_methods.render(changed)


def test_the_event_type_literal_names_every_catalogue_event():
    assert get_args(EventType) == tuple(CATALOGUE["events"])
