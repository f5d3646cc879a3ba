"""Requests that cross the emulator's API Gateway, on the session's feature stack (tests/feature_stack.py:
the REST API in front of the created function, with several CORS origins), and the idempotency table
the module created, used by the deployed environment through the local runtime.

The emulator serves a REST API stage at `<endpoint>/restapis/<api_id>/<stage>/_user_request_/<path>`
(https://docs.localstack.cloud/aws/services/apigateway/). It runs no function code itself: the
function's deployed environment runs in `LocalLambda`, which `cartmon.local.api_runtime.serving` hands
the emulator's Invoke calls to, so a request crosses API Gateway, the function and back.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid

import pytest

from cartmon.local.api_runtime import serving
from cartmon.local.events import api_event
from cartmon.local.runtime import LocalLambda
from cartmon.local.tokens import make_token
from tests.feature_stack import CORS_ORIGINS, FUNCTION, RUN

# One worker for the group: the root with every optional feature on, applied once (tests/feature_stack.py).
pytestmark = pytest.mark.xdist_group("feature-stack")

OTHER_ORIGIN = "https://elsewhere.example.net"


def send(url: str, method: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


@pytest.fixture(scope="module")
def stage_url(feature_stack, aws_endpoint) -> str:
    return f"{aws_endpoint.rstrip('/')}/restapis/{feature_stack['api_id']}/live/_user_request_"


# ------------------------------------------------------------------ API Gateway's own answers


@pytest.mark.parametrize("origin", CORS_ORIGINS)
def test_api_gateways_own_answer_carries_the_callers_allowed_origin(stage_url, origin):
    """A path the API does not serve is answered by API Gateway (403 Missing Authentication Token),
    through the DEFAULT_4XX gateway response: with several origins it echoes the caller's."""
    status, headers, body = send(f"{stage_url}/api/v1/cart/nowhere", "GET", {"Origin": origin})
    assert status == 403, body
    assert headers.get("Access-Control-Allow-Origin") == origin
    assert headers.get("Vary") == "Origin"


def test_without_an_origin_api_gateways_own_answer_has_no_cors_header(stage_url):
    status, headers, body = send(f"{stage_url}/api/v1/cart/nowhere", "GET", {})
    assert status == 403, body
    assert "Access-Control-Allow-Origin" not in headers
    assert headers.get("Vary") == "Origin"


# ------------------------------------------------------------------ the idempotency table


@pytest.fixture(scope="module")
def function_config(feature_stack, aws_client) -> dict:
    return aws_client("lambda").get_function_configuration(FunctionName=FUNCTION)


def test_the_idempotency_table_has_the_key_and_ttl_powertools_uses(function_config, aws_client):
    """Powertools' DynamoDBPersistenceLayer defaults: partition key `id` (string), expiry in
    `expiration` (epoch seconds, so it is the table's TTL attribute)
    https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/#dynamodbpersistencelayer"""
    table = function_config["Environment"]["Variables"]["IDEMPOTENCY_TABLE"]
    dynamodb = aws_client("dynamodb")
    described = dynamodb.describe_table(TableName=table)["Table"]
    assert described["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert described["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")


@pytest.fixture
def deployed_runtime(function_config, aws_client, monkeypatch):
    """The function's deployed environment, as is, in the local runtime (secrets from the
    emulator's SSM, tables on the emulator)."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base as parameters_base

    from cart_migration import clients

    for name in ("JWT_SECRET", "LOG_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in function_config["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    clients.reset()
    yield LocalLambda(
        function_name=FUNCTION,
        log_group=f"/aws/lambda/{FUNCTION}",
        logs_client=aws_client("logs"),
        cloudwatch_client=aws_client("cloudwatch"),
        environment={},
    )
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    clients.reset()


def test_a_retried_migration_gets_the_first_answer_from_the_applied_table(
    deployed_runtime, function_config, aws_client
):
    """The first migration moves the guest cart; a guest cart that appears afterwards stays where
    it is on the retry, which gets the first answer again from the applied table."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from cart_migration import clients
    from cart_migration.merge import CartItem
    from cart_migration.storage import CartTable, to_item
    from tests.feature_stack import JWT_SECRET

    variables = function_config["Environment"]["Variables"]
    carts = CartTable(clients.dynamodb(), variables["CARTS_TABLE"])
    session, key = f"guest-{uuid.uuid4()}", str(uuid.uuid4())
    carts.put_guest_cart(
        session, "S1", (CartItem("p1", 2, Decimal("100.00"), None, None),), datetime.now(UTC), 86_400
    )
    headers = {
        "Authorization": f"Bearer {make_token(f'customer-{RUN}-{key[:8]}', JWT_SECRET)}",
        "Idempotency-Key": key,
        "Origin": CORS_ORIGINS[1],
    }
    body = {"guest_session_id": session, "store_id": "S1"}

    def migrate():
        return deployed_runtime.invoke(api_event("rest_v1", "POST", "/api/v1/cart/migrate", body, headers))

    first = migrate()
    assert first.error is None and first.status_code == 200 and first.body["status"] == "success", first.body
    records = aws_client("dynamodb").scan(TableName=variables["IDEMPOTENCY_TABLE"], ConsistentRead=True)[
        "Items"
    ]
    assert any(record.get("status", {}).get("S") == "COMPLETED" for record in records)
    carts.put_guest_cart(
        session, "S1", (CartItem("p9", 1, Decimal("5.00"), None, None),), datetime.now(UTC), 86_400
    )

    retry = migrate()

    assert (retry.status_code, retry.body) == (first.status_code, first.body)
    assert [e for e in retry.events if e["event_type"] == "migration_start"] == []
    left = clients.dynamodb().get_item(
        TableName=variables["CARTS_TABLE"],
        Key=to_item({"customer_id": session, "store_id": "S1"}),
        ConsistentRead=True,
    )
    assert "Item" in left  # the guest cart added after the first answer was not migrated
    # A REST API answer carries its headers as multiValueHeaders.
    assert retry.response["multiValueHeaders"]["Access-Control-Allow-Origin"] == [CORS_ORIGINS[1]]


# ------------------------------------------------------------------ CORS preflights through the API


def preflight(stage_url: str, origin: str, method: str) -> tuple[int, dict[str, str], bytes]:
    return send(
        f"{stage_url}/api/v1/cart/all",
        "OPTIONS",
        {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_a_preflight_through_the_api_is_answered_for_an_allowed_origin_only(
    deployed_runtime, stage_url, aws_endpoint
):
    with serving(deployed_runtime, aws_endpoint, FUNCTION) as invocations:
        allowed_status, allowed, _ = preflight(stage_url, CORS_ORIGINS[0], "GET")
        other_status, other, _ = preflight(stage_url, OTHER_ORIGIN, "GET")

    # both reached the function
    assert [i.status_code for i in invocations] == [204, 204], [(i.response, i.lines) for i in invocations]
    assert allowed_status == 204
    assert allowed["Access-Control-Allow-Origin"] == CORS_ORIGINS[0]
    assert "GET" in allowed["Access-Control-Allow-Methods"]
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    assert allowed["Vary"] == "Origin"
    assert other_status == 204
    assert not [name for name in other if name.lower().startswith("access-control-")]


class FailingRuntime:
    """A function that raises on every invocation (what Invoke reports as FunctionError Unhandled)."""

    def invoke(self, event):
        from cartmon.local.runtime import Invocation

        return Invocation(
            response=None, lines=[], duration_ms=1.0, error="RuntimeError: down", status="error"
        )


def test_api_gateways_502_for_a_failed_function_carries_the_callers_allowed_origin(stage_url, aws_endpoint):
    """The function fails: API Gateway answers 502 itself (DEFAULT_5XX), with the caller's origin."""
    with serving(FailingRuntime(), aws_endpoint, FUNCTION) as invocations:
        status, headers, body = send(f"{stage_url}/api/v1/cart/all", "GET", {"Origin": CORS_ORIGINS[1]})
    assert len(invocations) == 1
    assert status == 502, body
    assert headers.get("Access-Control-Allow-Origin") == CORS_ORIGINS[1]
    assert headers.get("Vary") == "Origin"
