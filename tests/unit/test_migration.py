"""Atomicity of migration: faults at every DynamoDB call, races, retries, chunking, conservation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from cart_migration import clients, handler, migration
from cart_migration.merge import Cart, CartItem, MergeStrategy, merge_carts
from cart_migration.migration import (
    MAX_COMMIT_ATTEMPTS,
    CartMigrator,
    FailureReason,
    MigrationRequest,
    MigrationStatus,
)
from cart_migration.storage import CartTable
from tests.unit.conftest import create_tables
from tests.unit.support import (
    CARTS_TABLE,
    CUSTOMER_ID,
    RecordingClient,
    captured_stdout,
    disagreements,
    existing_cart,
    item,
    migrate,
    new_guest_session,
    record_dynamodb_calls,
    seed_customer_cart,
    seed_guest_cart,
    table_state,
    try_migrate,
    unit_settings,
)

SESSION = "guest-0b6e4a52-5b1f-4d8e-9f3c-1a2b3c4d5e6f"


class SimulatedCrash(BaseException):
    """The Lambda container dies: nothing in the function can catch this."""


def seed_scenario(scenario: str) -> None:
    seed_guest_cart(SESSION, "S1", (item("p1", 2, max_stock=5), item("p2", 1)))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("p1", 4, max_stock=5),))
    if scenario == "multi_store":
        seed_guest_cart(SESSION, "S2", (item("p3", 1),))
        seed_guest_cart(SESSION, "S3", (item("p4", 7),))
        seed_customer_cart(CUSTOMER_ID, "S3", (item("p4", 1), item("p5", 1)))


def request_body(scenario: str) -> dict:
    body = {"guest_session_id": SESSION}
    if scenario == "single_store":
        body["store_id"] = "S1"
    return body


def reference_run(scenario: str, monkeypatch) -> tuple[dict, dict, int]:
    """States before and after a fault-free migration, and how many DynamoDB calls it makes."""
    with mock_aws(), monkeypatch.context() as patch:
        create_tables(clients.dynamodb())
        seed_scenario(scenario)
        initial = table_state()
        recorder = record_dynamodb_calls(patch)
        assert migrate("http_v2", request_body(scenario)).body["status"] == "success"
        calls = len(recorder.calls)  # before the scan below, which is the test's, not the migration's
        return initial, table_state(), calls


ENDPOINT = "https://dynamodb.ap-south-1.amazonaws.com"
THROTTLING_REASONS = ("ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded")


def throttled(operation: str, reason: str = "ThrottlingError") -> ClientError:
    """Throttling as DynamoDB reports it: inside a transaction as a cancellation reason."""
    if operation == "transact_write_items":
        return ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": f"cancelled, [{reason}]"},
                "CancellationReasons": [{"Code": reason, "Message": "throttled"}, {"Code": "None"}],
            },
            "TransactWriteItems",
        )
    return ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}, operation
    )


def fault(mode: str, at_call: int):
    def before(operation, number, _params):
        if number != at_call:
            return
        if mode == "error_before":
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)
        if mode == "throttle_before":
            raise throttled(operation)
        if mode == "timeout_before":  # sent, never applied, no answer: just as ambiguous to the caller
            raise ReadTimeoutError(endpoint_url=ENDPOINT)
        if mode == "crash_before":
            raise SimulatedCrash()

    def after(operation, number, _params):
        if number != at_call:
            return
        if mode == "timeout_after":  # applied by DynamoDB, answer lost on the way back
            raise ReadTimeoutError(endpoint_url=ENDPOINT)
        if mode == "reset_after":
            raise ConnectionClosedError(endpoint_url=ENDPOINT)
        if mode == "crash_after":
            raise SimulatedCrash()

    return {"before": before, "after": after}


@pytest.mark.parametrize("scenario", ["single_store", "multi_store"])
@pytest.mark.parametrize(
    "mode",
    [
        "error_before",
        "throttle_before",
        "timeout_before",
        "timeout_after",
        "reset_after",
        "crash_before",
        "crash_after",
    ],
)
def test_a_fault_at_any_dynamodb_call_loses_and_duplicates_nothing(monkeypatch, scenario, mode):
    initial, final, call_count = reference_run(scenario, monkeypatch)
    assert call_count >= 3

    for at_call in range(1, call_count + 1):
        with mock_aws(), monkeypatch.context() as patch:
            dynamodb = clients.dynamodb()
            create_tables(dynamodb)
            seed_scenario(scenario)
            record_dynamodb_calls(patch, **fault(mode, at_call))
            try:
                faulted = try_migrate("http_v2", request_body(scenario))
            except SimulatedCrash:
                faulted = None
            after_fault = table_state(dynamodb)
            assert after_fault in (initial, final), f"{mode} at call {at_call} left a half-migrated state"
            if faulted is not None:
                assert faulted.answered.status in (200, 503), (at_call, faulted.answered.body)
                # The answer, the events, the audit entry and the carts tell one story.
                assert not disagreements(faulted, after_fault, initial, final), (
                    at_call,
                    faulted.answered.body,
                )

            patch.undo()
            retry = migrate("http_v2", request_body(scenario))

            assert table_state() == final, f"retry after {mode} at call {at_call} did not converge"
            expected = "no_carts_found" if after_fault == final else "success"
            assert retry.body["status"] == expected


def test_threads_racing_on_one_guest_session_migrate_it_exactly_once(aws):
    seed_guest_cart(SESSION, "S1", (item("p1", 2), item("p2", 1)))
    seed_guest_cart(SESSION, "S2", (item("p3", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("p1", 4),))
    racers = 6
    everyone_has_read = threading.Barrier(racers, timeout=10)
    first_write = threading.local()

    def hold_first_write_until_all_have_read(operation, _number, _params):
        if operation == "transact_write_items" and not getattr(first_write, "done", False):
            first_write.done = True
            everyone_has_read.wait()

    # moto applies a transaction by swapping table copies, so concurrent calls into it could
    # interleave; DynamoDB serialises each call, and the lock models exactly that. The race
    # between reading, planning and writing is untouched.
    client = RecordingClient(aws, before=hold_first_write_until_all_have_read, lock=threading.Lock())
    migrator = CartMigrator(
        CartTable(client, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC), sleep=lambda _: None
    )
    request = MigrationRequest(CUSTOMER_ID, SESSION, None, MergeStrategy.MERGE)
    results = []

    def run():
        results.append(migrator.migrate(request))

    with captured_stdout() as lines:
        threads = [threading.Thread(target=run) for _ in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    statuses = sorted(result.status.value for result in results)
    assert statuses == ["no_carts_found"] * (racers - 1) + ["success"]
    assert table_state() == {(CUSTOMER_ID, "S1"): {"p1": 6, "p2": 1}, (CUSTOMER_ID, "S2"): {"p3": 1}}
    assert client.count("transact_write_items") == racers  # all really tried to write
    assert len(lines.of_type("migration_success")) == 1


def test_concurrent_migrations_of_two_sessions_into_one_cart_both_land(aws):
    sessions = [new_guest_session(), new_guest_session()]
    for session in sessions:
        seed_guest_cart(session, "S1", (item("p1", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("p1", 1),))
    both_have_read = threading.Barrier(2, timeout=10)
    first_write = threading.local()

    def hold_first_write(operation, _number, _params):
        if operation == "transact_write_items" and not getattr(first_write, "done", False):
            first_write.done = True
            both_have_read.wait()

    client = RecordingClient(aws, before=hold_first_write, lock=threading.Lock())
    migrator = CartMigrator(
        CartTable(client, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC), sleep=lambda _: None
    )
    results = []
    with captured_stdout():
        threads = [
            threading.Thread(
                target=lambda s=s: results.append(
                    migrator.migrate(MigrationRequest(CUSTOMER_ID, s, "S1", MergeStrategy.MERGE))
                )
            )
            for s in sessions
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert [result.status for result in results] == [MigrationStatus.SUCCESS] * 2
    assert table_state() == {(CUSTOMER_ID, "S1"): {"p1": 3}}
    assert client.count("transact_write_items") == 3  # the loser re-read and retried once


def test_a_guest_cart_edited_between_read_and_write_is_re_read_and_migrated_whole(aws, api, monkeypatch):
    seed_guest_cart(SESSION, "S1", (item("p1", 1),))
    edited = {"done": False}

    def shopper_adds_an_item_first(operation, _number, _params):
        if operation == "transact_write_items" and not edited["done"]:
            edited["done"] = True
            # The shop writes a new version of the cart, through its own client.
            CartTable(aws, CARTS_TABLE).put_guest_cart(
                SESSION, "S1", (item("p1", 1), item("late", 2)), datetime.now(UTC)
            )

    recorder = record_dynamodb_calls(monkeypatch, before=shopper_adds_an_item_first)

    result = migrate(api, {"guest_session_id": SESSION, "store_id": "S1"})

    assert result.body["status"] == "success"
    assert recorder.calls == [
        "update_item",
        "batch_get_item",
        "transact_write_items",
        "batch_get_item",
        "transact_write_items",
    ]
    assert table_state(aws) == {(CUSTOMER_ID, "S1"): {"p1": 1, "late": 2}}


def test_a_cart_that_keeps_changing_gives_up_after_bounded_attempts_with_a_409(aws, api, monkeypatch):
    seed_guest_cart(SESSION, "S1", (item("p1", 1),))
    seed_customer_cart(CUSTOMER_ID, "S1", (item("p2", 1),))

    def another_writer_always_wins(operation, _number, _params):
        if operation == "transact_write_items":
            aws.update_item(
                TableName=CARTS_TABLE,
                Key={"customer_id": {"S": CUSTOMER_ID}, "store_id": {"S": "S1"}},
                UpdateExpression="ADD version :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    recorder = record_dynamodb_calls(monkeypatch, before=another_writer_always_wins)

    result = migrate(api, {"guest_session_id": SESSION, "store_id": "S1"})

    assert result.status == 409
    assert result.body["details"] == [
        {"success": False, "store_id": "S1", "reason": "concurrent_modification"}
    ]
    assert recorder.count("transact_write_items") == MAX_COMMIT_ATTEMPTS
    assert table_state() == {(SESSION, "S1"): {"p1": 1}, (CUSTOMER_ID, "S1"): {"p2": 1}}
    assert result.lines.of_type("migration_failure")[0]["error_type"] == "ConcurrentModification"


def test_more_stores_than_one_transaction_holds_are_migrated_in_atomic_chunks(aws, monkeypatch):
    stores = [f"S{index:03d}" for index in range(60)]
    for store in stores:
        seed_guest_cart(SESSION, store, (item("p", 1),))
    transactions = []

    def fail_the_second_transaction(operation, _number, params):
        if operation == "transact_write_items":
            transactions.append(len(params["TransactItems"]))
            if len(transactions) == 2:
                raise ClientError(
                    {"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation
                )

    with monkeypatch.context() as patch:
        record_dynamodb_calls(patch, before=fail_the_second_transaction)
        partial = migrate("http_v2", {"guest_session_id": SESSION})

    assert partial.status == 200
    assert partial.body["status"] == "partial_failure"
    assert partial.body["migrated_carts"] == 50
    assert transactions == [100, 20]  # two operations per store, at most 100 per transaction
    state = table_state()
    assert sorted(store for owner, store in state if owner == CUSTOMER_ID) == stores[:50]
    assert sorted(store for owner, store in state if owner == SESSION) == stores[50:]
    assert partial.lines.of_type("migration_failure")

    retry = migrate("http_v2", {"guest_session_id": SESSION})

    assert (retry.body["status"], retry.body["migrated_carts"]) == ("success", 10)
    assert sorted(store for owner, store in table_state()) == stores
    assert all(owner == CUSTOMER_ID for owner, _ in table_state())


def test_a_failure_to_read_is_a_failed_migration_with_nothing_changed(aws):
    seed_guest_cart(SESSION, "S1", (item("p", 1),))

    def fail_query(operation, _number, _params):
        if operation == "query":
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)

    client = RecordingClient(aws, before=fail_query)
    migrator = CartMigrator(CartTable(client, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC))

    with captured_stdout():
        result = migrator.migrate(MigrationRequest(CUSTOMER_ID, SESSION, None, MergeStrategy.MERGE))

    assert result.status is MigrationStatus.FAILED
    assert result.storage_error is not None and result.storage_error.operation == "Query"
    assert table_state() == {(SESSION, "S1"): {"p": 1}}


def test_stored_money_is_decimal_and_items_keep_their_shape(aws, api):
    seed_guest_cart(SESSION, "S1", (CartItem("p1", 3, Decimal("19.99"), 10, "Tea 250g"),))

    migrate(api, {"guest_session_id": SESSION})

    (line,) = existing_cart(CUSTOMER_ID, "S1")["items"]
    assert line == {
        "product_id": "p1",
        "quantity": 3,
        "price": Decimal("19.99"),
        "max_stock": 10,
        "name": "Tea 250g",
    }


# --- conservation through DynamoDB, for random carts and every strategy ---------------------------

store_items = st.lists(
    st.builds(
        CartItem,
        product_id=st.sampled_from(["p1", "p2", "p3"]),
        quantity=st.integers(1, 9),
        price=st.decimals(min_value=0, max_value=200, places=2),
        max_stock=st.none() | st.integers(1, 12),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda line: line.product_id,
).map(tuple)
stores_of_carts = st.dictionaries(st.sampled_from(["S1", "S2", "S3"]), store_items, min_size=1, max_size=3)


@settings(unit_settings, max_examples=25)
@given(
    guest=stores_of_carts,
    customer=st.dictionaries(st.sampled_from(["S1", "S2"]), store_items, max_size=2),
    strategy=st.sampled_from(list(MergeStrategy)),
    one_store=st.booleans(),
)
def test_migration_through_dynamodb_conserves_items_for_every_strategy(
    aws, guest, customer, strategy, one_store
):
    for existing in aws.scan(TableName=CARTS_TABLE)["Items"]:
        aws.delete_item(TableName=CARTS_TABLE, Key={k: existing[k] for k in ("customer_id", "store_id")})
    for store, items in guest.items():
        seed_guest_cart(SESSION, store, items)
    for store, items in customer.items():
        seed_customer_cart(CUSTOMER_ID, store, items, updated_at="2025-01-01T00:00:00.000Z")
    target = sorted(guest)[0] if one_store else None
    migrator = CartMigrator(CartTable(aws, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC))

    with captured_stdout():
        result = migrator.migrate(MigrationRequest(CUSTOMER_ID, SESSION, target, strategy))

    assert result.status is MigrationStatus.SUCCESS
    state = table_state()
    for store in set(guest) | set(customer):
        migrated = target is None or store == target
        if store in guest and migrated:
            expected = merge_carts(
                Cart(store, guest[store]), Cart(store, customer.get(store, ())), strategy
            ).items
            assert state[(CUSTOMER_ID, store)] == {line.product_id: line.quantity for line in expected}
            assert (SESSION, store) not in state
        else:
            if store in guest:
                assert state[(SESSION, store)] == {line.product_id: line.quantity for line in guest[store]}
            if store in customer:
                assert state[(CUSTOMER_ID, store)] == {
                    line.product_id: line.quantity for line in customer[store]
                }


def test_failure_reasons_are_reported_per_store(aws):
    seed_guest_cart(SESSION, "S1", (item("p", 1),))
    aws.put_item(
        TableName=CARTS_TABLE,
        Item={"customer_id": {"S": SESSION}, "store_id": {"S": "S2"}, "items": {"S": "not a list"}},
    )
    migrator = CartMigrator(CartTable(aws, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC))

    with captured_stdout():
        result = migrator.migrate(MigrationRequest(CUSTOMER_ID, SESSION, None, MergeStrategy.MERGE))

    assert result.status is MigrationStatus.PARTIAL_FAILURE
    assert [(s.store_id, s.success, s.reason) for s in result.stores] == [
        ("S2", False, FailureReason.INVALID_CART_DATA),
        ("S1", True, None),
    ]


# --- every failure answered and counted ------------------------------------------------------------


def seed_one_store() -> tuple[dict, dict]:
    """Store S1 with a guest and a customer cart: the table before, and after a clean migration."""
    seed_scenario("single_store")
    return table_state(), {(CUSTOMER_ID, "S1"): {"p1": 5, "p2": 1}}


@pytest.mark.parametrize("reason", THROTTLING_REASONS)
def test_throttling_inside_a_transaction_is_a_503_with_retry_after(aws, api, monkeypatch, reason):
    initial, final = seed_one_store()

    def throttle(operation, _number, _params):
        if operation == "transact_write_items":
            raise throttled(operation, reason)

    record_dynamodb_calls(monkeypatch, before=throttle)

    outcome = try_migrate(api, request_body("single_store"))

    assert (outcome.answered.status, outcome.answered.headers["Retry-After"]) == (503, "1")
    assert outcome.lines.of_type("migration_failure")[0]["error_type"] == reason
    assert not disagreements(outcome, table_state(aws), initial, final)
    assert table_state(aws) == initial


@pytest.mark.parametrize("lost", [ReadTimeoutError, ConnectionClosedError])
def test_a_commit_whose_answer_was_lost_is_answered_as_it_happened(aws, api, monkeypatch, lost):
    initial, final = seed_one_store()

    def answer_lost(operation, _number, _params):
        if operation == "transact_write_items":
            raise lost(endpoint_url=ENDPOINT)

    recorder = record_dynamodb_calls(monkeypatch, after=answer_lost)

    outcome = try_migrate(api, request_body("single_store"))

    assert (outcome.answered.status, outcome.answered.body["status"]) == (200, "success")
    assert outcome.lines.of_type("audit_log")[0]["outcome"] == "success"
    assert not disagreements(outcome, table_state(aws), initial, final)
    assert recorder.calls[-1] == "batch_get_item"  # the keys were re-read to find out


def test_a_lost_answer_that_cannot_be_checked_is_a_503_audited_as_unknown(aws, api, monkeypatch):
    initial, final = seed_one_store()
    transaction_sent = []

    def answer_lost_then_reads_fail(operation, _number, _params):
        if operation == "transact_write_items":
            transaction_sent.append(True)
            raise ReadTimeoutError(endpoint_url=ENDPOINT)

    def reads_fail_after_the_transaction(operation, _number, _params):
        if operation == "batch_get_item" and transaction_sent:
            raise ConnectionClosedError(endpoint_url=ENDPOINT)

    with monkeypatch.context() as patch:
        record_dynamodb_calls(
            patch, before=reads_fail_after_the_transaction, after=answer_lost_then_reads_fail
        )
        outcome = try_migrate(api, request_body("single_store"))

    assert (outcome.answered.status, outcome.answered.headers["Retry-After"]) == (503, "1")
    assert "may or may not" in outcome.answered.body["message"]
    assert outcome.lines.of_type("audit_log")[0]["outcome"] == "unknown"
    assert table_state(aws) == final  # it had committed: the retry below finds nothing to move
    assert not disagreements(outcome, table_state(aws), initial, final)
    assert migrate(api, request_body("single_store")).body["status"] == "no_carts_found"


def test_a_bug_in_merge_logic_ends_in_migration_failure_and_an_audit_then_raises(aws, api, monkeypatch):
    initial, final = seed_one_store()

    def buggy_merge(*_args, **_kwargs):
        raise ZeroDivisionError("bug while merging for priya.sharma@example.com")

    monkeypatch.setattr(migration, "merge_carts", buggy_merge)

    outcome = try_migrate(api, request_body("single_store"))

    assert isinstance(outcome.error, handler.UnhandledError)
    (failure,) = outcome.lines.of_type("migration_failure")
    assert failure["error_type"] == "ZeroDivisionError"
    # Re-raised: AWS/Lambda Errors counts it too; the availability SLI subtracts the marked lines once.
    assert failure["reraised"] is True
    assert "bug while merging" in failure["error_message"]
    assert "priya.sharma@example.com" not in outcome.lines.text
    (audit,) = outcome.lines.of_type("audit_log")
    assert (audit["outcome"], audit["error_type"]) == ("failed", "ZeroDivisionError")
    assert not disagreements(outcome, table_state(aws), initial, final)
    assert table_state(aws) == initial


def test_an_unexpected_sdk_error_after_one_chunk_is_audited_as_the_partial_migration_it_was(aws, monkeypatch):
    stores = [f"S{index:03d}" for index in range(60)]
    for store in stores:
        seed_guest_cart(SESSION, store, (item("p", 1),))
    transactions = []

    def unknown_error_on_the_second_transaction(operation, _number, _params):
        if operation == "transact_write_items":
            transactions.append(True)
            if len(transactions) == 2:
                raise KeyError("an SDK error nobody expected")

    record_dynamodb_calls(monkeypatch, before=unknown_error_on_the_second_transaction)

    outcome = try_migrate("http_v2", {"guest_session_id": SESSION})

    assert isinstance(outcome.error, handler.UnhandledError)
    assert outcome.lines.event_types.count("migration_failure") == 1
    assert outcome.lines.of_type("migration_failure")[0]["error_type"] == "KeyError"
    assert outcome.lines.of_type("audit_log")[0]["outcome"] == "partial_failure"
    assert len([owner for owner, _ in table_state(aws) if owner == CUSTOMER_ID]) == 50
