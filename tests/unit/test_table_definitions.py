"""create_tables builds exactly the tables of modules/migration_lambda/tables.json, the one
definition the module's aws_dynamodb_table resources are built from too (tests/infra/test_plan.py
checks the planned side)."""

from __future__ import annotations

import copy

import boto3
import pytest
from moto import mock_aws

from cartmon.local import tables
from tests.unit.support import REGION

NAMES = {"carts": "defs-carts", "rate_limit": "defs-rate-limits", "idempotency": "defs-idempotency"}


def described(dynamodb, name: str) -> dict:
    table = dynamodb.describe_table(TableName=name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    return {
        "hash_key": keys["HASH"],
        "range_key": keys.get("RANGE"),
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]},
        "ttl_attribute": ttl["AttributeName"] if ttl["TimeToLiveStatus"] == "ENABLED" else None,
        "global_secondary_indexes": [
            {
                "name": index["IndexName"],
                "hash_key": next(k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH"),
                "range_key": next(
                    (k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "RANGE"), None
                ),
                "projection_type": index["Projection"]["ProjectionType"],
                "non_key_attributes": index["Projection"].get("NonKeyAttributes"),
            }
            for index in table.get("GlobalSecondaryIndexes", [])
        ],
        "billing_mode": table["BillingModeSummary"]["BillingMode"],
    }


def normalised(definition: dict) -> dict:
    return {
        **definition,
        "global_secondary_indexes": [
            {"range_key": None, "non_key_attributes": None, **index}
            for index in definition["global_secondary_indexes"]
        ],
        "billing_mode": "PAY_PER_REQUEST",
    }


@pytest.fixture
def dynamodb(monkeypatch):
    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def test_create_tables_builds_exactly_the_defined_tables(dynamodb):
    tables.create_tables(dynamodb, NAMES["carts"], NAMES["rate_limit"], NAMES["idempotency"])
    assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(NAMES.values())
    definitions = tables.table_definitions()
    assert set(definitions) == set(NAMES)
    for key, name in NAMES.items():
        assert described(dynamodb, name) == normalised(definitions[key]), key


def test_an_index_added_to_the_definition_is_created(dynamodb, monkeypatch):
    """The definition drives create_tables: a change to it (here a global secondary index) shows."""
    definitions = copy.deepcopy(tables.table_definitions())
    definitions["carts"]["attributes"]["updated_at"] = "N"
    definitions["carts"]["global_secondary_indexes"] = [
        {
            "name": "by-update",
            "hash_key": "store_id",
            "range_key": "updated_at",
            "projection_type": "KEYS_ONLY",
        }
    ]
    monkeypatch.setattr(tables, "table_definitions", lambda: definitions)
    tables.create_tables(dynamodb, NAMES["carts"], NAMES["rate_limit"])
    assert described(dynamodb, NAMES["carts"]) == normalised(definitions["carts"])
