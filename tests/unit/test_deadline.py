"""The function answers before its deadline, against a dependency that accepts and never answers.

The stalled endpoint is a real TCP server on 127.0.0.1 (support.StalledEndpoint; no moto here:
moto would answer).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cart_migration import clients, deadline, handler
from cart_migration.deadline import (
    MIN_FUNCTION_TIMEOUT_SECONDS,
    SAFETY_MARGIN_SECONDS,
    CallLimits,
    Deadline,
    DeadlineExceeded,
    call_limits,
)
from tests.unit.support import (
    LambdaContext,
    StalledEndpoint,
    api_event,
    bearer,
    captured_stdout,
    unit_settings,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stalled(monkeypatch) -> Iterator[StalledEndpoint]:
    """DynamoDB, CloudWatch Logs and SSM all pointed at one stalled endpoint."""
    endpoint = StalledEndpoint()
    for service in ("DYNAMODB", "LOGS", "SSM"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", endpoint.url)
    clients.reset()
    yield endpoint
    endpoint.stop()
    clients.reset()


@pytest.fixture
def recorded_calls(monkeypatch) -> list[tuple[str, str, float, CallLimits | None]]:
    """Every dependency call's (service, operation, budget when it was asked, limits given)."""
    calls: list[tuple[str, str, float, CallLimits | None]] = []
    original = deadline.limits_for

    def recording(service: str, operation: str) -> CallLimits:
        current = deadline.current()
        budget = current.budget_seconds() if current else float("inf")
        try:
            limits = original(service, operation)
        except DeadlineExceeded:
            calls.append((service, operation, budget, None))
            raise
        calls.append((service, operation, budget, limits))
        return limits

    monkeypatch.setattr(deadline, "limits_for", recording)
    return calls


@pytest.fixture
def deadlines(monkeypatch) -> list[Deadline]:
    started: list[Deadline] = []
    original = deadline.start

    def recording(context: Any) -> Deadline | None:
        result = original(context)
        if result is not None:
            started.append(result)
        return result

    monkeypatch.setattr(deadline, "start", recording)
    return started


def migrate_event() -> dict[str, Any]:
    body = {"guest_session_id": "guest-4f1c2d9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "merge_strategy": "merge"}
    return api_event("http_v2", "POST", "/api/v1/cart/migrate", body, bearer())


def invoke_with(remaining_ms: int, event: dict[str, Any]) -> tuple[dict[str, Any], Any, float]:
    with captured_stdout() as lines:
        response = handler.lambda_handler(event, LambdaContext(timeout_ms=remaining_ms))
        returned_at = time.monotonic()
    return response, lines, returned_at


# --- the arithmetic ---------------------------------------------------------------------------


@unit_settings
@given(budget=st.floats(min_value=-5, max_value=900, allow_nan=False))
def test_the_limits_of_a_call_always_fit_in_its_budget(budget):
    limits = call_limits(budget)
    if limits is None:
        assert budget < deadline.MIN_ATTEMPT_SECONDS + deadline.STEP_SECONDS
        return
    assert limits.worst_case_seconds <= budget + 1e-9
    assert limits.attempts >= 1 and limits.connect_timeout > 0 and limits.read_timeout > 0
    assert limits.connect_timeout <= deadline.MAX_CONNECT_TIMEOUT_SECONDS
    assert limits.read_timeout <= deadline.MAX_READ_TIMEOUT_SECONDS


def test_the_limits_shrink_with_the_time_left():
    # 15 s function, at the start of the invocation: three attempts, the longest that fit.
    assert call_limits(15 - SAFETY_MARGIN_SECONDS) == CallLimits(1.1, 2.5, 3)
    # The shortest timeout the module accepts leaves one call that can be retried once.
    assert call_limits(MIN_FUNCTION_TIMEOUT_SECONDS - SAFETY_MARGIN_SECONDS) == CallLimits(0.1, 0.4, 2)
    assert call_limits(0.5) == CallLimits(0.1, 0.4, 1)
    assert call_limits(0.1) is None


def test_the_modules_minimum_timeout_is_the_functions():
    variables = "\n".join(path.read_text() for path in sorted(ROOT.glob("variables*.tf")))
    block = variables[variables.index('variable "lambda_timeout"') :]
    block = block[: block.index("\n}\n")]
    assert f"var.lambda_timeout >= {MIN_FUNCTION_TIMEOUT_SECONDS}" in block
    assert re.search(rf"at least {MIN_FUNCTION_TIMEOUT_SECONDS} seconds", block)


def test_without_an_invocation_the_longest_limits_apply():
    deadline.clear()
    assert deadline.limits_for("dynamodb", "query") == deadline.UNBOUNDED


# --- a stalled DynamoDB -------------------------------------------------------------------------


def test_a_migration_against_a_stalled_table_answers_503_with_its_lines_before_the_deadline(
    stalled, recorded_calls, deadlines
):
    response, lines, returned_at = invoke_with(5_000, migrate_event())

    assert response["statusCode"] == 503
    assert int(response["headers"]["Retry-After"]) >= 1
    events = lines.event_types
    assert events.count("migration_failure") == 1
    (failure,) = lines.of_type("migration_failure")
    assert failure["error_type"] == "ReadTimeoutError"
    (performance,) = lines.of_type("performance_metric")
    assert performance["operation"] == "migrate_multi_store" and performance["error_type"] == "StorageError"
    (audit,) = lines.of_type("audit_log")
    assert audit["outcome"] == "failed" and audit["action"] == "cart_migration"
    assert stalled.accepted >= 1, "the call really reached the stalled endpoint"

    # Every call was given limits whose worst case fits in the time it had left ...
    assert recorded_calls, "no dependency call was made"
    for service, operation, budget, limits in recorded_calls:
        assert limits is not None and limits.worst_case_seconds <= budget, (
            service,
            operation,
            budget,
            limits,
        )
    # ... and the answer came before the invocation's deadline.
    (invocation,) = deadlines
    assert 4_000 < invocation.remaining_ms_at_start <= 5_000  # the fake context counts down
    assert returned_at < invocation.expires_at


def test_with_too_little_time_left_no_call_is_made_and_the_answer_is_still_503_with_its_lines(
    stalled, recorded_calls, deadlines
):
    response, lines, returned_at = invoke_with(int((SAFETY_MARGIN_SECONDS + 0.1) * 1000), migrate_event())

    assert response["statusCode"] == 503 and "Retry-After" in response["headers"]
    assert [record["error_code"] for record in lines.of_type("dynamo_error")] == ["DeadlineExceeded"]
    (failure,) = lines.of_type("migration_failure")
    assert failure["error_type"] == "DeadlineExceeded"
    assert len(lines.of_type("performance_metric")) == 1 and len(lines.of_type("audit_log")) == 1
    assert stalled.accepted == 0, "the call was refused before it was sent"
    assert [(service, limits) for service, _, _, limits in recorded_calls] == [("dynamodb", None)]
    assert returned_at < deadlines[0].expires_at


def test_the_audit_write_is_skipped_not_waited_for_when_time_is_short(stalled, recorded_calls, monkeypatch):
    monkeypatch.setenv("AUDIT_LOG_GROUP", "/unit/cart-migration/audit")
    response, lines, _ = invoke_with(5_000, migrate_event())

    assert response["statusCode"] == 503
    assert len(lines.of_type("audit_log")) == 1, "the audit entry is on stdout whatever happens"
    warnings = [record for record in lines.records if record.get("message") == "Audit log write failed"]
    assert len(warnings) == 1
    logs_calls = [(budget, limits) for service, _, budget, limits in recorded_calls if service == "logs"]
    assert logs_calls, "the audit write was attempted"
    assert all(limits is None or limits.worst_case_seconds <= budget for budget, limits in logs_calls)


@pytest.mark.parametrize(
    ("method", "path", "operation", "audited"),
    [
        ("GET", "/api/v1/cart/all", "get_all_carts", False),
        (
            "DELETE",
            "/api/v1/cart/cleanup-guest/guest-4f1c2d9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
            "cleanup_guest_cart",
            True,
        ),
    ],
)
def test_a_read_or_a_cleanup_out_of_time_still_writes_its_latency_and_audit_lines(
    stalled, recorded_calls, deadlines, method, path, operation, audited
):
    event = api_event("http_v2", method, path, None, bearer())
    response, lines, returned_at = invoke_with(int((SAFETY_MARGIN_SECONDS + 0.1) * 1000), event)

    assert response["statusCode"] == 503 and "Retry-After" in response["headers"]
    (performance,) = lines.of_type("performance_metric")
    assert performance["operation"] == operation and performance["error_type"] == "StorageError"
    audits = lines.of_type("audit_log")
    assert [(a["action"], a["outcome"]) for a in audits] == (
        [("guest_cart_cleanup", "failed")] if audited else []
    )
    assert stalled.accepted == 0
    assert returned_at < deadlines[0].expires_at
