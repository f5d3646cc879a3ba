"""DynamoDB's size limits: 400 KB per item, 4 MB and 100 actions per transaction.

A store whose merged cart cannot fit fails alone, with the reason in its `details` entry, and
keeps its guest cart; the other stores migrate. Transactions are packed by bytes as well as by
action count.
"""

from __future__ import annotations

from decimal import Decimal

from cart_migration.storage import (
    ITEM_SIZE_LIMIT_BYTES,
    MAX_TRANSACTION_BYTES,
    from_item,
    item_size,
    to_item,
)
from tests.unit.support import (
    CARTS_TABLE,
    CUSTOMER_ID,
    all_carts,
    existing_cart,
    migrate,
    new_guest_session,
    record_dynamodb_calls,
    seed_raw_cart,
    stored_cart,
    table_state,
)

DYNAMODB_TRANSACTION_LIMIT = 4 * 1024 * 1024


def bulky_line(product_id: str, kilobytes: int) -> dict:
    """A line carrying a large attribute the service does not read (a description, say)."""
    return {
        "product_id": product_id,
        "quantity": 1,
        "price": Decimal("10.00"),
        "description": "x" * (kilobytes * 1024),
    }


def test_the_size_estimate_is_never_below_what_dynamodb_counts(aws):
    attributes = {
        "customer_id": "c",
        "store_id": "S1",
        "items": [bulky_line("p", 2), {"product_id": "q", "quantity": 12345, "price": Decimal("0.01")}],
        "tags": {"a", "bb"},
        "blob": b"\x00" * 10,
        "flag": True,
    }
    # DynamoDB's rules: names and values in UTF-8 bytes, numbers about one byte per two digits
    # plus one, 3 bytes and one per element for lists and maps. The text alone is a floor.
    assert item_size(attributes) >= len(str(to_item(attributes)).encode()) // 2
    assert item_size(attributes) > 2 * 1024 + len("description") + len("items")
    assert item_size({"n": Decimal("12345678901234567890123456789012345678")}) == 1 + 2 + 19


def test_a_store_whose_merged_cart_is_over_the_item_limit_fails_alone_and_keeps_its_guest_cart(aws, api):
    session = new_guest_session()
    # Each cart fits; the merged one (both lines) would be over 400 KB.
    seed_raw_cart(session, "BIG", [bulky_line("guest-line", 250)])
    seed_raw_cart(CUSTOMER_ID, "BIG", [bulky_line("own-line", 250)])
    seed_raw_cart(session, "SMALL", [{"product_id": "p", "quantity": 2, "price": Decimal("5")}])
    before_big = stored_cart(session, "BIG")

    result = migrate(api, {"guest_session_id": session})

    assert result.status == 200
    assert result.body["status"] == "partial_failure"
    details = {entry["store_id"]: entry for entry in result.body["details"]}
    assert details["SMALL"]["success"] is True
    assert (details["BIG"]["success"], details["BIG"]["reason"]) == (False, "cart_too_large")
    assert "400" in details["BIG"]["message"] and "left in place" in details["BIG"]["message"]
    assert stored_cart(session, "BIG") == before_big
    assert existing_cart(CUSTOMER_ID, "BIG")["items"][0]["product_id"] == "own-line"
    assert stored_cart(CUSTOMER_ID, "SMALL") is not None and stored_cart(session, "SMALL") is None
    (failure,) = result.lines.of_type("migration_failure")
    assert failure["error_type"] == "CartTooLarge"
    assert result.lines.of_type("audit_log")[0]["outcome"] == "partial_failure"


def test_a_single_store_too_large_to_merge_is_a_422_that_changes_nothing(aws, api):
    session = new_guest_session()
    seed_raw_cart(session, "S1", [bulky_line("a", 300)])
    seed_raw_cart(CUSTOMER_ID, "S1", [bulky_line("b", 300)])
    before = table_state()

    result = migrate(api, {"guest_session_id": session, "store_id": "S1"})

    assert result.status == 422
    assert result.body["details"][0]["reason"] == "cart_too_large"
    assert table_state() == before
    assert result.lines.of_type("audit_log")[0]["outcome"] == "failed"


def test_transactions_are_packed_by_bytes_as_well_as_by_action_count(aws, monkeypatch):
    session = new_guest_session()
    stores = [f"S{index:02d}" for index in range(14)]
    for store in stores:
        seed_raw_cart(session, store, [bulky_line(f"p-{store}", 300)])
    transactions: list[int] = []

    def measure(operation, _number, params):
        if operation == "transact_write_items":
            written = sum(
                item_size(from_item(action["Put"]["Item"]))
                for action in params["TransactItems"]
                if "Put" in action
            )
            transactions.append(2 * written)  # each Put is matched by the Delete of a guest cart as large

    record_dynamodb_calls(monkeypatch, before=measure)

    result = migrate("http_v2", {"guest_session_id": session})

    assert result.body["status"] == "success"
    assert result.body["migrated_carts"] == len(stores)
    # 14 stores of ~600 KB each would be ~8.6 MB in one transaction: more than DynamoDB takes.
    assert sum(transactions) > DYNAMODB_TRANSACTION_LIMIT
    assert len(transactions) >= 3
    assert all(size <= MAX_TRANSACTION_BYTES < DYNAMODB_TRANSACTION_LIMIT for size in transactions)
    # (A scan would page at 1 MB: look each cart up instead.)
    assert all(stored_cart(CUSTOMER_ID, store) and not stored_cart(session, store) for store in stores)
    # What was written reads back.
    listing = all_carts()
    assert (listing.status, listing.body["total_carts"]) == (200, len(stores))


def test_what_a_migration_writes_is_within_the_item_limit(aws, api):
    session = new_guest_session()
    seed_raw_cart(session, "S1", [bulky_line("a", 190)])
    seed_raw_cart(CUSTOMER_ID, "S1", [bulky_line("b", 190)])

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "success"
    written = aws.get_item(TableName=CARTS_TABLE, Key=to_item({"customer_id": CUSTOMER_ID, "store_id": "S1"}))
    assert item_size(from_item(written["Item"])) < ITEM_SIZE_LIMIT_BYTES
