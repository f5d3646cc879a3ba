"""Cleanup and get-all failures are events too: whatever the exception, the operation's
`performance_metric` names it (`error_type`), and a failed cleanup is audited as failed."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from cart_migration import handler
from tests.unit.support import LambdaContext as Context
from tests.unit.support import (
    api_event,
    bearer,
    captured_stdout,
    item,
    new_guest_session,
    record_dynamodb_calls,
    seed_guest_cart,
    table_state,
)


def call(event):
    """The handler's answer (None if it raised) and its log lines."""
    with captured_stdout() as lines:
        try:
            return handler.lambda_handler(event, Context()), lines
        except handler.UnhandledError:
            return None, lines


def fail_with(error: Exception, operation: str):
    def before(name, _number, _params):
        if name == operation:
            raise error

    return before


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "Query"), 503),
        (RuntimeError("unexpected"), None),
    ],
)
def test_a_failed_cleanup_is_audited_as_failed_and_its_metric_names_the_error(
    aws, api, monkeypatch, error, status
):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))
    record_dynamodb_calls(monkeypatch, before=fail_with(error, "query"))

    response, lines = call(
        api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer())
    )

    assert (response or {}).get("statusCode") == status
    (audit,) = lines.of_type("audit_log")
    expected_type = "StorageError" if isinstance(error, ClientError) else "RuntimeError"
    assert (audit["outcome"], audit["error_type"]) == ("failed", expected_type)
    (performance,) = lines.of_type("performance_metric")
    assert (performance["operation"], performance["error_type"]) == ("cleanup_guest_cart", expected_type)
    assert not lines.of_type("cleanup_success")
    assert table_state(aws) == {(session, "S1"): {"p": 1}}


def test_a_failed_listing_is_an_event_that_names_the_error(aws, api, monkeypatch):
    record_dynamodb_calls(monkeypatch, before=fail_with(TypeError("unexpected"), "query"))

    response, lines = call(api_event(api, "GET", "/api/v1/cart/all", headers=bearer()))

    assert response is None  # raised, so that Lambda counts an Error
    (performance,) = lines.of_type("performance_metric")
    assert (performance["operation"], performance["error_type"]) == ("get_all_carts", "TypeError")
