"""DynamoDB and CloudWatch Logs calls per migration, beside the original system's per-store pattern."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cartmon.dev.bench.call_meter import MeterReading
from cartmon.dev.bench.fixtures import Bench, new_customer, new_session
from cartmon.dev.bench.settings import (
    Settings,
)


def original_migrate(
    client: Any, table: str, customer_id: str, guest_session_id: str, store_id: str | None
) -> int:
    """The original system's pattern, for comparison only: per store, read the guest cart, read the
    customer cart, delete the guest cart, then put the merged customer cart; no transaction (a
    crash between the delete and the put loses the cart). Without a store id, the session's stores
    are listed first with a Query. Its rate limit lived in memory: no DynamoDB call."""
    from cart_migration.merge import MergeStrategy, merge_carts
    from cart_migration.storage import StoredCart, cart_attributes, from_item, iso_timestamp, key_of, to_item

    if store_id is not None:
        stores = [store_id]
    else:
        stores = []
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "customer_id = :owner",
            "ExpressionAttributeValues": {":owner": {"S": guest_session_id}},
            "ProjectionExpression": "store_id",
        }
        while True:
            page = client.query(**params)
            stores += [item["store_id"]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    migrated = 0
    for store in stores:
        guest = client.get_item(TableName=table, Key=key_of(guest_session_id, store)).get("Item")
        if guest is None:
            continue
        customer = client.get_item(TableName=table, Key=key_of(customer_id, store)).get("Item")
        guest_cart = StoredCart(from_item(guest)).cart()
        customer_cart = StoredCart(from_item(customer)).cart() if customer else None
        outcome = merge_carts(guest_cart, customer_cart, MergeStrategy.MERGE)
        now = datetime.now(UTC)
        attributes = cart_attributes(customer_id, store, outcome.items, now)
        attributes.update(migrated_from=guest_session_id, migration_timestamp=iso_timestamp(now))
        client.delete_item(TableName=table, Key=key_of(guest_session_id, store))
        client.put_item(TableName=table, Item=to_item(attributes))
        migrated += 1
    return migrated


def measure_roundtrips(bench: Bench, settings: Settings) -> dict[str, Any]:
    bench.purge()
    # A first migration opens the audit log stream (CreateLogStream once per container): not counted.
    warm_session, warm_customer = new_session(), new_customer("warm")
    bench.seed(warm_session, None, 1, 1)
    bench.invoke(bench.event("migrate_single_store", bench.token(warm_customer), warm_session, "store-000"))

    cells = []
    for stores in settings.roundtrip_stores:
        for items in settings.roundtrip_items:
            operation = "migrate_single_store" if stores == 1 else "migrate_multi_store"
            ours: list[MeterReading] = []
            original: list[MeterReading] = []
            for _ in range(settings.roundtrip_reps):
                bench.purge()
                session, customer = new_session(), new_customer("rt")
                # One-item customer carts: a merge in every store, and a table half the size for
                # the emulator's table-copying transactions.
                store_ids = bench.seed(session, customer, stores, items, customer_items=1)
                store_id = store_ids[0] if stores == 1 else None
                call = bench.invoke(bench.event(operation, bench.token(customer), session, store_id))
                migrated = call.body.get("migrated_carts")
                if call.status != 200 or migrated != stores:
                    raise RuntimeError(f"migration of {stores} stores answered {call.status}: {call.body}")
                ours.append(call.aws)

                bench.purge()
                session, customer = new_session(), new_customer("orig")
                bench.seed(session, customer, stores, items, customer_items=1)
                with bench.meter.measure() as seen:
                    moved = original_migrate(bench.dynamodb, bench.carts_table, customer, session, store_id)
                if moved != stores:
                    raise RuntimeError(f"the original pattern moved {moved} of {stores} stores")
                original.append(seen)
            bench.purge()
            cells.append(
                {
                    "stores": stores,
                    "items": items,
                    "request": "one store" if stores == 1 else "all stores",
                    "ours": {
                        "dynamodb": ours[0].count("dynamodb"),
                        "dynamodb_operations": ours[0].operations("dynamodb"),
                        "logs": ours[0].count("logs"),
                        "logs_operations": ours[0].operations("logs"),
                        "round_trips": max(reading.round_trips() for reading in ours),
                        "stable": all(reading.calls == ours[0].calls for reading in ours),
                    },
                    "original": {
                        "dynamodb": original[0].count("dynamodb"),
                        "dynamodb_operations": original[0].operations("dynamodb"),
                        "round_trips": max(reading.round_trips() for reading in original),
                        "stable": all(reading.calls == original[0].calls for reading in original),
                    },
                }
            )
    return {"reps": settings.roundtrip_reps, "cells": cells}
