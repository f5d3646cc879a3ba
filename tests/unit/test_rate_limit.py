"""The DynamoDB fixed-window limiter: one conditional write per call, shared by all containers."""

from __future__ import annotations

from cart_migration import rate_limit, storage
from tests.unit.support import CARTS_TABLE, RATE_LIMIT_TABLE, RecordingClient

WINDOW = 60
LIMIT = 5
T0 = 1_763_721_000.0  # a window boundary: 1_763_721_000 is divisible by 60


def consume(client, customer="user-1", endpoint="POST /api/v1/cart/migrate", now=T0):
    return rate_limit.consume(client, RATE_LIMIT_TABLE, endpoint, customer, LIMIT, WINDOW, now)


def test_the_test_tables_have_the_keys_and_ttl_the_lambda_uses(aws):
    carts = aws.describe_table(TableName=CARTS_TABLE)["Table"]["KeySchema"]
    limits = aws.describe_table(TableName=RATE_LIMIT_TABLE)["Table"]["KeySchema"]

    assert carts == [
        {"AttributeName": storage.PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": storage.SORT_KEY, "KeyType": "RANGE"},
    ]
    assert limits == [{"AttributeName": rate_limit.RATE_KEY, "KeyType": "HASH"}]
    for table in (CARTS_TABLE, RATE_LIMIT_TABLE):
        ttl = aws.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == storage.EXPIRES_AT == rate_limit.EXPIRES_AT


def test_the_limit_holds_within_a_window_and_resets_in_the_next(aws):
    decisions = [consume(aws, now=T0 + second) for second in range(LIMIT + 2)]

    assert [d.allowed for d in decisions] == [True] * LIMIT + [False, False]
    assert decisions[LIMIT].retry_after_seconds == WINDOW - LIMIT
    assert consume(aws, now=T0 + WINDOW).allowed


def test_retry_after_is_at_least_one_second_at_the_end_of_a_window(aws):
    for _ in range(LIMIT):
        consume(aws, now=T0 + 59.9)

    assert consume(aws, now=T0 + 59.9).retry_after_seconds == 1


def test_each_call_is_exactly_one_conditional_update(aws):
    client = RecordingClient(aws)

    for _ in range(LIMIT + 1):
        consume(client)

    assert client.calls == ["update_item"] * (LIMIT + 1)


def test_the_counter_item_expires_after_its_window(aws):
    consume(aws)

    (counter,) = aws.scan(TableName=RATE_LIMIT_TABLE)["Items"]
    assert counter["rate_key"]["S"] == f"POST /api/v1/cart/migrate#user-1#{int(T0 // WINDOW)}"
    assert int(counter["expires_at"]["N"]) == T0 + 2 * WINDOW
    assert counter["call_count"]["N"] == "1"


def test_customers_do_not_share_a_window(aws):
    for _ in range(LIMIT):
        consume(aws, customer="user-1")

    assert not consume(aws, customer="user-1").allowed
    assert consume(aws, customer="user-2").allowed


def test_a_refused_call_does_not_count(aws):
    for _ in range(LIMIT + 3):
        consume(aws)

    (counter,) = aws.scan(TableName=RATE_LIMIT_TABLE)["Items"]
    assert counter["call_count"]["N"] == str(LIMIT)
