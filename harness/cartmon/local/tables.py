"""The function's DynamoDB tables, created as modules/migration_lambda declares them.

The unit tests, the bench and the idempotency tests create them on an endpoint of their own (moto or
the emulator) instead of applying the module. Both read the one definition, tables.json.
"""

from __future__ import annotations

import json
from typing import Any

from cartmon.project import ROOT

TABLES_PATH = ROOT / "modules" / "migration_lambda" / "tables.json"


def table_definitions() -> dict[str, dict[str, Any]]:
    """The tables' keys, attribute types, TTL attribute and indexes, by the key main.tf gives each.

    One definition for both: modules/migration_lambda builds its aws_dynamodb_table resources
    from the same file.
    """
    tables: dict[str, dict[str, Any]] = json.loads(TABLES_PATH.read_text())["tables"]
    return tables


def create_table_request(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """The CreateTable parameters of one definition of tables.json (on-demand, as the module's)."""

    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        return keys + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    request: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in definition["attributes"].items()
        ],
        "KeySchema": key_schema(definition["hash_key"], definition.get("range_key")),
    }
    indexes = [
        {
            "IndexName": index["name"],
            "KeySchema": key_schema(index["hash_key"], index.get("range_key")),
            "Projection": {
                "ProjectionType": index["projection_type"],
                **(
                    {"NonKeyAttributes": index["non_key_attributes"]}
                    if index.get("non_key_attributes")
                    else {}
                ),
            },
        }
        for index in definition["global_secondary_indexes"]
    ]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    return request


def create_tables(
    dynamodb: Any, carts_table: str, rate_limit_table: str, idempotency_table: str | None = None
) -> None:
    """The function's tables as modules/migration_lambda declares them (tables.json): keys, on-demand, TTL."""
    definitions = table_definitions()
    names = {"carts": carts_table, "rate_limit": rate_limit_table, "idempotency": idempotency_table}
    created = {key: name for key, name in names.items() if name is not None}
    for key, name in created.items():
        dynamodb.create_table(**create_table_request(name, definitions[key]))
    for key, name in created.items():
        dynamodb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": definitions[key]["ttl_attribute"]},
        )
