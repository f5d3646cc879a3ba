"""The function's DynamoDB tables, created as modules/migration_lambda declares them.

The unit tests, the bench and the idempotency tests create them on an endpoint of their own (moto or
the emulator) instead of applying the module.
"""

from __future__ import annotations

from typing import Any


def create_tables(
    dynamodb: Any, carts_table: str, rate_limit_table: str, idempotency_table: str | None = None
) -> None:
    """The function's tables as modules/migration_lambda declares them: keys, on-demand, TTL."""
    if idempotency_table is not None:
        dynamodb.create_table(
            TableName=idempotency_table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        dynamodb.get_waiter("table_exists").wait(
            TableName=idempotency_table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=idempotency_table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
        )
    dynamodb.create_table(
        TableName=carts_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "store_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "customer_id", "KeyType": "HASH"},
            {"AttributeName": "store_id", "KeyType": "RANGE"},
        ],
    )
    dynamodb.create_table(
        TableName=rate_limit_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "rate_key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "rate_key", "KeyType": "HASH"}],
    )
    for table in (carts_table, rate_limit_table):
        dynamodb.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
