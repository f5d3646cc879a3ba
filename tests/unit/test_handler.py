"""The three routes end to end, with REST API v1 and HTTP API v2 events against moto tables.

Over 600 lines: one test module per public contract (the handler), each route's cases beside the
others so that a behaviour and its siblings read together.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from cart_migration import clients, handler
from cart_migration.catalogue import EVENTS
from cart_migration.migration import CartMigrator
from cart_migration.redaction import hash_customer_id, hash_guest_session_id
from tests.unit.support import (
    AUDIT_LOG_GROUP,
    CARTS_TABLE,
    CUSTOMER_ID,
    SOURCE_IP,
    api_event,
    bearer,
    cart_table,
    existing_cart,
    invoke,
    item,
    make_token,
    migrate,
    new_guest_session,
    record_dynamodb_calls,
    seed_customer_cart,
    seed_guest_cart,
    stored_cart,
    table_state,
)

# --- migrate ------------------------------------------------------------------------------------


def test_migrating_one_store_merges_caps_and_answers_like_the_original(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "STORE-1", (item("rice", 3, "60.00", max_stock=5), item("tea", 1, "120.00")))
    seed_guest_cart(session, "STORE-2", (item("soap", 1, "40.00"),))
    seed_customer_cart(CUSTOMER_ID, "STORE-1", (item("rice", 4, "55.00", max_stock=5),), version=7)

    result = migrate(api, {"guest_session_id": session, "store_id": "STORE-1"})

    assert result.status == 200
    assert result.body == {
        "status": "success",
        "migrated_carts": 1,
        "details": [{"success": True, "store_id": "STORE-1", "items_migrated": 2, "cart_total": 461.0}],
        "conflicts_resolved": [
            {
                "store_id": "STORE-1",
                "strategy": "merge",
                "resolution": "quantities_combined",
                "conflicting_products": ["rice"],
            }
        ],
    }
    # 5 x 60 + 120 = 420 subtotal, + 20 delivery (below 500), + 21 tax.
    customer = existing_cart(CUSTOMER_ID, "STORE-1")
    assert [(line["product_id"], line["quantity"]) for line in customer["items"]] == [("rice", 5), ("tea", 1)]
    assert (customer["subtotal"], customer["delivery_fee"], customer["tax"], customer["total"]) == (
        Decimal("420.00"),
        Decimal("20.00"),
        Decimal("21.00"),
        Decimal("461.00"),
    )
    assert customer["migrated_from"] == session
    assert customer["version"] == 8
    assert datetime.fromisoformat(customer["migration_timestamp"]) > datetime.now(UTC) - timedelta(minutes=1)
    assert customer["expires_at"] > time.time() + 29 * 86_400
    assert stored_cart(session, "STORE-1") is None
    assert stored_cart(session, "STORE-2") is not None  # other stores are not part of this request


def test_migrating_without_a_store_moves_every_guest_cart_with_constant_calls(aws, api, monkeypatch):
    session = new_guest_session()
    for store in ("S1", "S2", "S3"):
        seed_guest_cart(session, store, (item(f"{store}-p", 2),))
    seed_customer_cart(CUSTOMER_ID, "S2", (item("S2-p", 1), item("old", 1)))
    recorder = record_dynamodb_calls(monkeypatch)

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "success"
    assert result.body["migrated_carts"] == 3
    assert sorted(recorder.calls) == ["batch_get_item", "query", "transact_write_items", "update_item"]
    assert table_state() == {
        (CUSTOMER_ID, "S1"): {"S1-p": 2},
        (CUSTOMER_ID, "S2"): {"S2-p": 3, "old": 1},
        (CUSTOMER_ID, "S3"): {"S3-p": 2},
    }
    (performance,) = result.lines.of_type("performance_metric")
    assert (performance["operation"], performance["store_count"]) == ("migrate_multi_store", 3)


def test_a_single_store_migration_reads_once_and_writes_once(aws, api, monkeypatch):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))
    recorder = record_dynamodb_calls(monkeypatch)

    migrate(api, {"guest_session_id": session, "store_id": "S1"})

    assert recorder.calls == ["update_item", "batch_get_item", "transact_write_items"]


def test_replace_strategy_replaces_the_customer_cart(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("new", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("old", 4),))

    result = migrate(api, {"guest_session_id": session, "store_id": "S1", "merge_strategy": "replace"})

    assert result.body["conflicts_resolved"][0]["resolution"] == "guest_cart_replaced_customer_cart"
    assert table_state() == {(CUSTOMER_ID, "S1"): {"new": 1}}


@pytest.mark.parametrize(
    ("customer_updated_at", "expected"),
    [("2000-01-01T00:00:00.000Z", {"guest": 1}), ("2999-01-01T00:00:00.000Z", {"customer": 2})],
)
def test_keep_newest_keeps_the_later_cart_and_always_consumes_the_guest_cart(
    aws, api, customer_updated_at, expected
):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("guest", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("customer", 2),), updated_at=customer_updated_at)

    result = migrate(api, {"guest_session_id": session, "store_id": "S1", "merge_strategy": "keep_newest"})

    assert result.body["status"] == "success"
    assert table_state() == {(CUSTOMER_ID, "S1"): expected}


def test_a_retry_after_success_changes_nothing_and_finds_no_carts(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 2),))
    migrate(api, {"guest_session_id": session})
    state_after_first = table_state()

    retry = migrate(api, {"guest_session_id": session})

    assert retry.body == {
        "status": "no_carts_found",
        "migrated_carts": 0,
        "details": [],
        "conflicts_resolved": [],
    }
    assert table_state() == state_after_first
    assert [r["event_type"] for r in retry.lines.records] == [
        "migration_start",
        "no_guest_carts",
        "audit_log",
        "performance_metric",
    ]


def test_an_expired_guest_cart_is_treated_as_gone(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 2),), now=datetime.now(UTC) - timedelta(days=8))

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "no_carts_found"
    assert (CUSTOMER_ID, "S1") not in table_state()


def test_guest_carts_are_stored_with_a_week_long_expiry_by_default(aws):
    before = int(time.time())
    cart_table().put_guest_cart("guest-ttl", "S1", (item("p", 1),), datetime.now(UTC))

    assert before + 7 * 86_400 <= existing_cart("guest-ttl", "S1")["expires_at"] <= time.time() + 7 * 86_400


def test_a_corrupt_guest_cart_is_left_in_place_with_a_422(aws, api):
    aws.put_item(
        TableName=CARTS_TABLE,
        Item={
            "customer_id": {"S": "guest-corrupt"},
            "store_id": {"S": "S1"},
            "items": {"L": [{"M": {"product_id": {"S": "p"}, "quantity": {"N": "-3"}, "price": {"N": "1"}}}]},
        },
    )

    result = migrate(api, {"guest_session_id": "guest-corrupt"})

    assert result.status == 422
    assert result.body["details"] == [{"success": False, "store_id": "S1", "reason": "invalid_cart_data"}]
    assert stored_cart("guest-corrupt", "S1") is not None
    assert result.lines.of_type("migration_failure")[0]["error_type"] == "InvalidCartData"


def test_an_empty_guest_cart_is_consumed_without_creating_a_customer_cart(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", ())

    result = migrate(api, {"guest_session_id": session})

    assert result.body["details"] == [
        {"success": True, "store_id": "S1", "items_migrated": 0, "cart_total": 0.0}
    ]
    assert table_state(aws) == {}


def test_a_base64_encoded_body_is_accepted(aws, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))

    result = invoke(
        api_event(
            api, "POST", "/api/v1/cart/migrate", {"guest_session_id": session}, bearer(), is_base64=True
        )
    )

    assert result.body["status"] == "success"


# --- DynamoDB failures ----------------------------------------------------------------------------


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"simulated {code}"}}, operation)


@pytest.mark.parametrize(
    ("code", "status"), [("ProvisionedThroughputExceededException", 503), ("AccessDeniedException", 500)]
)
def test_a_dynamodb_error_is_a_5xx_with_dynamo_error_and_migration_failure(
    aws, api, monkeypatch, code, status
):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))

    def fail_transaction(operation, _number, _params):
        if operation == "transact_write_items":
            raise client_error(code, "TransactWriteItems")

    record_dynamodb_calls(monkeypatch, before=fail_transaction)

    result = migrate(api, {"guest_session_id": session})

    assert result.status == status
    (dynamo_error,) = result.lines.of_type("dynamo_error")
    assert (dynamo_error["operation"], dynamo_error["table"], dynamo_error["error_code"]) == (
        "TransactWriteItems",
        CARTS_TABLE,
        code,
    )
    (failure,) = result.lines.of_type("migration_failure")
    assert failure["error_type"] == code
    # Answered, not re-raised: Lambda counts no Error, the availability SLI counts this line once.
    assert failure["reraised"] is False
    assert not result.lines.of_type("migration_success")
    assert table_state() == {(session, "S1"): {"p": 1}}


def test_a_rate_limit_table_failure_is_a_503_not_a_free_pass(aws, api, monkeypatch):
    def fail_rate_limit(operation, _number, _params):
        if operation == "update_item":
            raise client_error("InternalServerError", "UpdateItem")

    record_dynamodb_calls(monkeypatch, before=fail_rate_limit)

    result = migrate(api, {"guest_session_id": new_guest_session()})

    assert result.status == 503
    assert result.headers["Retry-After"] == "1"
    assert result.lines.of_type("dynamo_error")[0]["operation"] == "UpdateItem"


def test_an_unexpected_error_is_logged_redacted_and_raised_without_its_message(aws, api, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("crash while handling priya.sharma@example.com")

    monkeypatch.setattr(CartMigrator, "migrate", explode)

    with pytest.raises(handler.UnhandledError) as raised:
        migrate(api, {"guest_session_id": new_guest_session()})

    assert "priya" not in str(raised.value)
    assert raised.value.__suppress_context__


# --- rate limit -----------------------------------------------------------------------------------


def test_the_sixth_call_in_a_window_is_a_429_with_retry_after(aws, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "5")
    statuses = [migrate(api, {"guest_session_id": "guest-x"}).status for _ in range(5)]

    limited = migrate(api, {"guest_session_id": "guest-x"})

    assert statuses == [200] * 5
    assert limited.status == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    (event,) = limited.lines.of_type("rate_limit_exceeded")
    assert (event["limit"], event["window_seconds"], event["endpoint"]) == (
        5,
        60,
        "POST /api/v1/cart/migrate",
    )
    assert event["customer_id"] == hash_customer_id(CUSTOMER_ID)
    assert event["retry_after_seconds"] == int(limited.headers["Retry-After"])
    assert not limited.lines.of_type("migration_start")


def test_the_limit_is_per_customer_and_per_endpoint(aws, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "1")
    assert migrate(api, {"guest_session_id": "guest-x"}).status == 200

    assert migrate(api, {"guest_session_id": "guest-x"}).status == 429
    assert migrate(api, {"guest_session_id": "guest-x"}, token=make_token("user-other")).status == 200
    assert invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer())).status == 200


def get_all(api: str):
    return invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer()))


def test_reads_have_their_own_quota_of_sixty_by_default(aws, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "5")
    monkeypatch.delenv("READ_RATE_LIMIT_MAX_CALLS", raising=False)

    statuses = [get_all(api).status for _ in range(60)]
    limited = get_all(api)

    assert statuses == [200] * 60
    assert limited.status == 429
    (event,) = limited.lines.of_type("rate_limit_exceeded")
    assert (event["limit"], event["endpoint"]) == (60, "GET /api/v1/cart/all")


def test_the_read_quota_and_the_migrate_quota_are_apart(aws, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "1")
    monkeypatch.setenv("READ_RATE_LIMIT_MAX_CALLS", "2")

    assert [get_all(api).status for _ in range(3)] == [200, 200, 429]
    assert migrate(api, {"guest_session_id": "guest-x"}).status == 200
    limited = migrate(api, {"guest_session_id": "guest-x"})
    assert limited.status == 429
    assert limited.lines.of_type("rate_limit_exceeded")[0]["limit"] == 1


def test_invalid_requests_do_not_use_up_the_quota(aws, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "1")
    for _ in range(3):
        assert migrate(api, {"guest_session_id": "not-a-guest"}).status == 400

    assert migrate(api, {"guest_session_id": "guest-x"}).status == 200


# --- all carts, cleanup ---------------------------------------------------------------------------


def test_all_carts_summarises_the_customers_carts(aws, api):
    seed_customer_cart(CUSTOMER_ID, "S1", (item("a", 2, "300.00"),))
    seed_customer_cart(CUSTOMER_ID, "S2", (item("b", 1, "10.00", name="Tea"),))
    seed_customer_cart("someone-else", "S1", (item("c", 1),))

    result = invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer()))

    assert result.status == 200
    assert (result.body["total_carts"], result.body["total_items"], result.body["total_value"]) == (
        2,
        3,
        660.5,
    )
    first, second = result.body["carts"]
    assert (first["store_id"], first["subtotal"], first["delivery_fee"], first["tax"], first["total"]) == (
        "S1",
        600.0,
        0.0,
        30.0,
        630.0,
    )
    assert second["items"] == [{"product_id": "b", "name": "Tea", "quantity": 1, "price": 10.0}]
    (performance,) = result.lines.of_type("performance_metric")
    assert (performance["operation"], performance["store_count"], performance["item_count"]) == (
        "get_all_carts",
        2,
        3,
    )


def test_cleanup_deletes_every_guest_cart_of_the_session_and_nothing_else(aws, api):
    session = new_guest_session()
    for store in ("S1", "S2"):
        seed_guest_cart(session, store, (item("p", 1),))
    seed_guest_cart("guest-other", "S1", (item("p", 1),))

    result = invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer()))

    assert (result.status, result.body) == (
        200,
        {"success": True, "deleted_carts": 2, "message": "Deleted 2 guest cart(s)"},
    )
    assert table_state() == {("guest-other", "S1"): {"p": 1}}
    (cleanup,) = result.lines.of_type("cleanup_success")
    # The session id proves ownership of the guest carts: logged only as its keyed pseudonym.
    assert (cleanup["deleted_carts"], cleanup["guest_session_id"]) == (2, hash_guest_session_id(session))
    assert session not in result.lines.text
    assert result.lines.of_type("performance_metric")[0]["operation"] == "cleanup_guest_cart"
    assert result.lines.of_type("audit_log")[0]["action"] == "guest_cart_cleanup"


def test_cleanup_of_many_carts_is_done_in_transactions_of_at_most_100(aws, api, monkeypatch):
    session = new_guest_session()
    for index in range(130):
        seed_guest_cart(session, f"S{index:03d}", (item("p", 1),))
    recorder = record_dynamodb_calls(monkeypatch)

    result = invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer()))

    assert result.body["deleted_carts"] == 130
    assert recorder.calls == ["update_item", "query", "transact_write_items", "transact_write_items"]
    assert table_state(aws) == {}


def test_cleanup_that_keeps_conflicting_is_a_503_and_audited_as_failed(aws, api, monkeypatch):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))

    def conflict(operation, _number, _params):
        if operation == "transact_write_items":
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}],
                },
                "TransactWriteItems",
            )

    record_dynamodb_calls(monkeypatch, before=conflict)

    result = invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer()))

    assert result.status == 503
    assert result.lines.of_type("audit_log")[0]["outcome"] == "failed"
    assert result.lines.of_type("dynamo_error")[0]["error_code"] == "TransactionConflict"
    assert not result.lines.of_type("cleanup_success")


def test_the_function_only_uses_the_dynamodb_actions_its_role_grants(aws, api, monkeypatch):
    """Transactions are authorised per item as PutItem, DeleteItem and ConditionCheckItem."""
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))
    seed_guest_cart(session, "S2", (item("p", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("q", 1),), updated_at="2999-01-01T00:00:00.000Z")
    recorder = record_dynamodb_calls(monkeypatch)

    migrate(api, {"guest_session_id": session, "store_id": "S1", "merge_strategy": "keep_newest"})
    migrate(api, {"guest_session_id": session})
    invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer()))
    invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer()))

    assert set(recorder.calls) == {"update_item", "batch_get_item", "query", "transact_write_items"}


# --- audit ----------------------------------------------------------------------------------------


def audit_entries(logs) -> list[dict]:
    streams = logs.describe_log_streams(logGroupName=AUDIT_LOG_GROUP)["logStreams"]
    return [
        json.loads(event["message"])
        for stream in streams
        for event in logs.get_log_events(logGroupName=AUDIT_LOG_GROUP, logStreamName=stream["logStreamName"])[
            "events"
        ]
    ]


def test_each_migration_is_audited_to_stdout_and_to_the_audit_log_group(aws, api, audit_log_group):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))

    first = migrate(api, {"guest_session_id": session})
    migrate(api, {"guest_session_id": session})

    (stdout_entry,) = first.lines.of_type("audit_log")
    entries = audit_entries(clients.logs())
    assert [entry["outcome"] for entry in entries] == ["success", "no_carts_found"]
    assert len(clients.logs().describe_log_streams(logGroupName=audit_log_group)["logStreams"]) == 1
    for entry in (stdout_entry, entries[0]):
        assert entry["customer_id"] == hash_customer_id(CUSTOMER_ID)
        assert (entry["action"], entry["ip_address"], entry["guest_session_id"]) == (
            "cart_migration",
            SOURCE_IP,
            hash_guest_session_id(session),
        )
    assert CUSTOMER_ID not in json.dumps(entries)
    assert session not in json.dumps(entries) and session not in first.lines.text
    assert datetime.fromisoformat(entries[0]["timestamp"]).tzinfo is not None


def test_an_audit_write_failure_does_not_fail_the_migration_but_is_logged(aws, api, monkeypatch):
    monkeypatch.setenv("AUDIT_LOG_GROUP", "/no/such/group")
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "success"
    warnings = [r for r in result.lines.records if r["message"] == "Audit log write failed"]
    assert [w["error_code"] for w in warnings] == ["ResourceNotFoundException"]
    assert result.lines.of_type("audit_log")  # the stdout copy is still there


def test_without_an_audit_log_group_no_logs_api_call_is_made(aws, api, monkeypatch):
    def no_logs_client():
        raise AssertionError("the logs client must not be used")

    monkeypatch.setattr(clients, "logs", no_logs_client)

    result = migrate(api, {"guest_session_id": new_guest_session()})

    assert result.status == 200
    assert result.lines.of_type("audit_log")


# --- every event type -----------------------------------------------------------------------------


def test_the_handler_emits_all_thirteen_event_types_across_scenarios(aws, api, monkeypatch):
    seen: set[str] = set()
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("p", 1),))
    seen.update(migrate(api, {"guest_session_id": session}).lines.event_types)  # success, conflict...
    seen.update(migrate(api, {"guest_session_id": session}).lines.event_types)  # no guest carts
    seen.update(
        invoke(
            api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer())
        ).lines.event_types
    )
    seen.update(migrate(api, {"guest_session_id": session}, token="forged").lines.event_types)
    seen.update(migrate(api, {"guest_session_id": 42}).lines.event_types)

    broken_session = new_guest_session()
    seed_guest_cart(broken_session, "S1", (item("p", 1),))

    def fail_transaction(operation, _number, _params):
        if operation == "transact_write_items":
            raise client_error("InternalServerError", "TransactWriteItems")

    with monkeypatch.context() as patch:
        record_dynamodb_calls(patch, before=fail_transaction)
        seen.update(migrate(api, {"guest_session_id": broken_session}).lines.event_types)

    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "1")
    seen.update(migrate(api, {"guest_session_id": session}).lines.event_types)

    assert seen == set(EVENTS)


def test_an_http_api_v2_request_with_a_stage_prefix_still_routes(aws):
    event = api_event("http_v2", "GET", "/prod/api/v1/cart/all", headers=bearer())
    event["requestContext"]["stage"] = "prod"
    event["requestContext"]["http"]["path"] = "/prod/api/v1/cart/all"
    event["routeKey"] = "GET /api/v1/cart/all"  # the route API Gateway matched: no stage in it

    assert invoke(event).status == 200


@pytest.mark.parametrize("path", ["/api/v1/cart/all/", "/api/v1/cart/all//"])
def test_a_trailing_slash_reaches_the_route(aws, api, path):
    assert invoke(api_event(api, "GET", path, headers=bearer())).status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/cart/migrate"), ("PUT", "/api/v1/cart/all"), ("GET", "/api/v1/cart/cleanup-guest/a/b")],
)
def test_an_unknown_route_is_a_404_and_a_validation_error(aws, api, method, path):
    result = invoke(api_event(api, method, path, headers=bearer()))

    assert result.status == 404
    assert result.body == {"message": "Not found"}
    (event,) = result.lines.of_type("validation_error")
    assert event["endpoint"] == "unmatched route"


def test_headers_are_found_whatever_their_case(aws):
    event = api_event(
        "rest_v1", "GET", "/api/v1/cart/all", headers={"AUTHORIZATION": bearer()["Authorization"]}
    )

    assert invoke(event).status == 200


def test_each_api_gets_its_own_response_shape(aws):
    rest = handler.lambda_handler(api_event("rest_v1", "GET", "/api/v1/cart/all", headers=bearer()), None)
    http = handler.lambda_handler(api_event("http_v2", "GET", "/api/v1/cart/all", headers=bearer()), None)

    assert rest["multiValueHeaders"]["Content-Type"] == ["application/json"] and "headers" not in rest
    assert http["headers"]["Content-Type"] == "application/json" and http["cookies"] == []
    assert rest["isBase64Encoded"] is http["isBase64Encoded"] is False
    assert json.loads(rest["body"]) == json.loads(http["body"])


def test_the_body_is_json_and_the_content_type_says_so(aws, api):
    result = invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer()))

    assert result.headers["Content-Type"] == "application/json"


def test_the_handler_imports_no_powertools_and_no_crypto_for_hs256():
    """Cold start: the router and the line writer are the module's own, and HS256 needs neither
    PyJWT nor cryptography (RS256 imports them on first use)."""
    probe = (
        "import sys, boto3\n"
        "runtime = set(sys.modules)\n"  # what the zip's boto3 loads anyway, whatever the handler needs
        "import cart_migration.handler\n"
        "print(sorted({name.split('.')[0] for name in set(sys.modules) - runtime}))\n"
    )

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "['boto3', 'cart_migration']"
