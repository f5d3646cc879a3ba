"""Every line carries Powertools' Lambda-context keys and API Gateway's request id as
correlation_id; an unexpected exception's line always ends with its `Type: message`."""

from __future__ import annotations

import json

import pytest

from cart_migration import event_log, handler
from cart_migration.catalogue import COMMON_FIELDS
from cart_migration.handler import lambda_handler
from cart_migration.redaction import MAX_STRING_LENGTH
from tests.unit.support import LambdaContext, api_event, bearer, captured_stdout, invoke, new_guest_session

CONTEXT_KEYS = ["cold_start", "function_name", "function_memory_size", "function_arn", "function_request_id"]


def test_each_line_carries_the_lambda_context_and_the_correlation_id(aws, api):
    event = api_event(
        api, "POST", "/api/v1/cart/migrate", {"guest_session_id": new_guest_session()}, bearer()
    )
    context = LambdaContext()

    with captured_stdout() as lines:
        lambda_handler(event, context)

    assert lines.records
    for record in lines.records:
        if "event_type" in record:  # operational lines have no event_type; the rest is the same
            assert list(record)[:12] == [
                "timestamp",
                "level",
                "message",
                "event_type",
                "service",
                *CONTEXT_KEYS,
                "request_id",
                "correlation_id",
            ]
        assert record["function_name"] == context.function_name
        assert record["function_arn"] == context.invoked_function_arn  # not redacted as a phone number
        assert record["function_memory_size"] == context.memory_limit_in_mb
        assert record["function_request_id"] == record["request_id"] == context.aws_request_id
        assert record["correlation_id"] == event["requestContext"]["requestId"]
        assert isinstance(record["cold_start"], bool)
        assert set(COMMON_FIELDS) <= set(record)


def test_cold_start_is_true_only_on_the_first_invocation(aws, monkeypatch):
    monkeypatch.setattr(event_log, "_cold_start", True)
    first = invoke(api_event("http_v2", "GET", "/api/v1/cart/all", headers=bearer()))
    second = invoke(api_event("http_v2", "GET", "/api/v1/cart/all", headers=bearer()))

    assert {record["cold_start"] for record in first.lines.records} == {True}
    assert {record["cold_start"] for record in second.lines.records} == {False}


def test_a_caller_cannot_overwrite_the_envelope():
    with captured_stdout() as lines:
        event_log.log_operational("INFO", "probe", correlation_id="forged", function_arn="forged")

    (record,) = lines.records
    assert record["field_correlation_id"] == "forged" and record["field_function_arn"] == "forged"


def deep_failure(depth: int, message: str):
    if depth:
        return deep_failure(depth - 1, message)
    raise LookupError(message)


@pytest.mark.parametrize(("depth", "message"), [(5, "short"), (400, "the cart vanished"), (3, "m" * 10_000)])
def test_an_unexpected_exception_line_ends_with_its_type_and_message(aws, monkeypatch, depth, message):
    monkeypatch.setattr(handler, "handle_all_carts", lambda event: deep_failure(depth, message))
    monkeypatch.setattr(handler, "router", handler._build_router())

    with captured_stdout() as lines, pytest.raises(handler.UnhandledError):
        lambda_handler(api_event("http_v2", "GET", "/api/v1/cart/all", headers=bearer()), LambdaContext())

    (record,) = [record for record in lines.records if record.get("exception_name")]
    assert record["exception_name"] == "LookupError"
    assert len(record["exception"]) <= MAX_STRING_LENGTH
    last_line = record["exception"].splitlines()[-1]
    assert last_line.startswith("LookupError: " + message[:100])
    assert "Traceback (most recent call last)" in record["exception"]
    json.dumps(record)
