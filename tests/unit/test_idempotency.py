"""Safe retries: an Idempotency-Key on migrate and cleanup replays the first answer for 24 hours
without touching carts; the same key with another request is a 422."""

from __future__ import annotations

import time
import uuid

import pytest

from cart_migration import clients
from cartmon.local.tables import create_tables
from tests.unit.support import (
    api_event,
    bearer,
    invoke,
    item,
    make_token,
    new_guest_session,
    seed_guest_cart,
    stored_cart,
)

IDEMPOTENCY_TABLE = "unit-idempotency"
DAY_SECONDS = 24 * 60 * 60


@pytest.fixture
def idempotency_table(aws, monkeypatch):
    create_tables(clients.dynamodb(), "unit-unused-carts", "unit-unused-limits", IDEMPOTENCY_TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE)
    return IDEMPOTENCY_TABLE


def migrate(api: str, body: dict, key: str | None, token: str | None = None):
    headers = bearer(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return invoke(api_event(api, "POST", "/api/v1/cart/migrate", body, headers))


def cleanup(api: str, session: str, key: str | None, token: str | None = None):
    headers = bearer(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=headers))


def rate_counters() -> list[dict]:
    return clients.dynamodb().scan(TableName="unit-rate-limits")["Items"]


def test_a_retried_migration_gets_the_first_answer_and_touches_no_cart(idempotency_table, api):
    session, key = new_guest_session(), str(uuid.uuid4())
    seed_guest_cart(session, "S1", (item("p1", 2),))
    body = {"guest_session_id": session, "store_id": "S1"}
    first = migrate(api, body, key)
    assert first.status == 200 and first.body["status"] == "success"
    # A guest cart that appears after the first answer: a retry that ran would migrate it.
    seed_guest_cart(session, "S1", (item("p9", 1),))
    counters = rate_counters()

    retry = migrate(api, body, key)

    assert (retry.status, retry.body) == (first.status, first.body)
    assert stored_cart(session, "S1") is not None  # the new guest cart is where it was
    assert rate_counters() == counters  # a replay uses no quota
    assert retry.lines.of_type("migration_start") == []


def test_without_the_header_a_retry_runs_again(idempotency_table, api):
    session = new_guest_session()
    seed_guest_cart(session, "S1", (item("p1", 2),))
    body = {"guest_session_id": session}

    assert migrate(api, body, None).body["status"] == "success"
    assert migrate(api, body, None).body["status"] == "no_carts_found"


@pytest.mark.parametrize(
    "change",
    [
        {"guest_session_id": "guest-another-session"},
        {"store_id": "S2"},
        {"merge_strategy": "keep_newest"},
    ],
)
def test_the_same_key_with_another_request_is_a_422(idempotency_table, api, change):
    session, key = new_guest_session(), str(uuid.uuid4())
    seed_guest_cart(session, "S1", (item("p1", 2),))
    seed_guest_cart("guest-another-session", "S1", (item("p1", 2),))
    assert migrate(api, {"guest_session_id": session}, key).status == 200

    reused = migrate(api, {"guest_session_id": session, **change}, key)

    assert reused.status == 422
    assert "Idempotency-Key" in reused.body["message"]
    assert stored_cart("guest-another-session", "S1") is not None


def test_keys_are_per_customer(idempotency_table, api):
    key = str(uuid.uuid4())
    sessions = [new_guest_session(), new_guest_session()]
    for session in sessions:
        seed_guest_cart(session, "S1", (item("p1", 1),))

    answers = [
        migrate(api, {"guest_session_id": session}, key, make_token(customer_id=customer))
        for session, customer in zip(sessions, ("customer-a", "customer-b"), strict=True)
    ]

    assert [answer.body["status"] for answer in answers] == ["success", "success"]


def test_a_retried_cleanup_gets_the_first_answer(idempotency_table, api):
    session, key = new_guest_session(), str(uuid.uuid4())
    seed_guest_cart(session, "S1", (item("p1", 1),))
    first = cleanup(api, session, key)
    seed_guest_cart(session, "S2", (item("p1", 1),))

    retry = cleanup(api, session, key)
    other_session = cleanup(api, new_guest_session(), key)

    assert first.body["deleted_carts"] == retry.body["deleted_carts"] == 1
    assert stored_cart(session, "S2") is not None
    assert other_session.status == 422


def test_the_first_answer_is_kept_24_hours(idempotency_table, api):
    key = str(uuid.uuid4())
    before = time.time()
    migrate(api, {"guest_session_id": new_guest_session()}, key)

    (record,) = clients.dynamodb().scan(TableName=idempotency_table)["Items"]

    assert int(before) + DAY_SECONDS <= int(record["expiration"]["N"]) <= time.time() + DAY_SECONDS + 1
    assert record["status"]["S"] == "COMPLETED"
    # No customer id or client key in the table: both are inside a hash.
    assert "user-" not in str(record) and key not in str(record)


def test_an_answer_to_retry_is_not_kept(idempotency_table, api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "1")
    token = make_token(customer_id=f"limited-{uuid.uuid4().hex[:8]}")
    assert migrate(api, {"guest_session_id": new_guest_session()}, str(uuid.uuid4()), token).status == 200
    key, body = str(uuid.uuid4()), {"guest_session_id": new_guest_session()}
    assert migrate(api, body, key, token).status == 429

    monkeypatch.setenv("RATE_LIMIT_MAX_CALLS", "100")
    retry = migrate(api, body, key, token)

    assert retry.status == 200  # ran anew: the 429 was not stored as the key's answer


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9"])
def test_an_unusable_key_is_a_400(idempotency_table, api, key):
    result = migrate(api, {"guest_session_id": new_guest_session()}, key)

    assert result.status == 400
    assert [line["field"] for line in result.lines.of_type("validation_error")] == ["Idempotency-Key"]
