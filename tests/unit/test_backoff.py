"""Keys DynamoDB leaves unprocessed are asked for again after a jittered, capped, growing wait."""

from __future__ import annotations

import random
from typing import Any

import pytest

from cart_migration import storage
from cart_migration.dynamo import StorageError
from cart_migration.storage import CartTable, key_of


class DeferringClient:
    """BatchGetItem that leaves every key unprocessed ``deferrals`` times, then answers."""

    def __init__(self, deferrals: int) -> None:
        self.deferrals = deferrals
        self.calls = 0

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.calls += 1
        if self.calls <= self.deferrals:
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return {"Responses": {"carts": []}, "UnprocessedKeys": {}}


def waits_for(deferrals: int, seed: int) -> list[float]:
    waits: list[float] = []
    table = CartTable(DeferringClient(deferrals), "carts", sleep=waits.append)
    storage.backoff_jitter.seed(seed)
    table.get_many([("guest-a", "S1")])
    return waits


def test_each_wait_is_random_below_its_exponential_ceiling():
    deferrals = storage.MAX_UNPROCESSED_ATTEMPTS - 1
    waits = waits_for(deferrals=deferrals, seed=7)

    ceilings = [
        min(storage.BACKOFF_CAP_SECONDS, storage.BACKOFF_BASE_SECONDS * 2**n) for n in range(deferrals)
    ]
    assert len(waits) == deferrals
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True))
    assert waits != ceilings  # not the bare exponential series


def test_two_throttled_functions_do_not_retry_in_step():
    assert waits_for(deferrals=3, seed=1) != waits_for(deferrals=3, seed=2)


def test_keys_still_unprocessed_after_every_attempt_are_a_storage_error(monkeypatch):
    monkeypatch.setattr(storage, "backoff_jitter", random.Random(0))
    table = CartTable(DeferringClient(deferrals=10**6), "carts", sleep=lambda _: None)

    with pytest.raises(StorageError):
        table.get_many([("guest-a", "S1")])


def test_the_key_shape_is_what_batch_get_item_sends():
    assert key_of("guest-a", "S1") == {"customer_id": {"S": "guest-a"}, "store_id": {"S": "S1"}}
