"""Fixtures for the Lambda's unit tests: environment, moto-backed tables, tokens, log capture."""

from __future__ import annotations

import time
from typing import Any

import pytest
from moto import mock_aws

from cart_migration import clients, handler
from cart_migration.audit import AuditLogWriter
from cartmon.local import tables
from tests.unit.support import AUDIT_LOG_GROUP, CARTS_TABLE, JWT_SECRET, RATE_LIMIT_TABLE, REGION


def create_tables(dynamodb: Any) -> None:
    """Both tables with the key schema and TTL attribute the Lambda relies on."""
    tables.create_tables(dynamodb, CARTS_TABLE, RATE_LIMIT_TABLE)


LAMBDA_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "CARTS_TABLE": CARTS_TABLE,
    "RATE_LIMIT_TABLE": RATE_LIMIT_TABLE,
    "JWT_SECRET": JWT_SECRET,
    "LOG_HASH_KEY": "unit-test-log-hash-key",
    "LOG_SAMPLE_RATE": "1.0",
    "RATE_LIMIT_MAX_CALLS": "1000",
    "READ_RATE_LIMIT_MAX_CALLS": "1000",
}
UNSET_ENV = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_LOGS",
    "AWS_ENDPOINT_URL_SSM",
    "AUDIT_LOG_GROUP",
    "JWT_ALGORITHM",
    "JWT_PUBLIC_KEY",
    "RATE_LIMIT_WINDOW_SECONDS",
    "CUSTOMER_CART_TTL_DAYS",
)


@pytest.fixture(scope="module", autouse=True)
def clients_for_this_suite():
    """Clients cached by other suites may point at the emulator; these tests need moto's. Per module:
    a worker may run another suite's module (which sets AWS_ENDPOINT_URL) between two of these."""
    clients.reset()
    yield
    clients.reset()


@pytest.fixture(autouse=True)
def lambda_env(monkeypatch):
    """The environment the Terraform module gives the function. The rate limit is high by
    default so tests about other things never trip it; rate-limit tests lower it."""
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in LAMBDA_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler, "audit_writer", AuditLogWriter(lambda: clients.logs()))
    # Every request of a test is counted in one rate-limit window, whenever the test runs: a quota
    # test must not pass or fail by where a minute boundary falls between its calls.
    counted_at = float(int(time.time()) // 3600 * 3600 + 1)
    monkeypatch.setattr(handler, "rate_limit_clock", lambda: counted_at)


@pytest.fixture
def aws():
    """Moto-backed DynamoDB and CloudWatch Logs with both tables created as Terraform creates them.

    The Lambda's cached clients are reused across tests: moto intercepts any client created after
    it is imported, and each mock starts empty."""
    with mock_aws():
        create_tables(clients.dynamodb())
        yield clients.dynamodb()


@pytest.fixture
def audit_log_group(aws, monkeypatch):
    clients.logs().create_log_group(logGroupName=AUDIT_LOG_GROUP)
    monkeypatch.setenv("AUDIT_LOG_GROUP", AUDIT_LOG_GROUP)
    return AUDIT_LOG_GROUP


@pytest.fixture(params=["rest_v1", "http_v2"])
def api(request):
    """Each handler test runs once with a REST API (v1) event and once with an HTTP API (v2) event."""
    return request.param
