"""The log archive on the emulator: a line the function writes arrives in the S3 bucket.

The session's feature stack (tests/feature_stack.py: the root module with the log archive on, under
names of its own) is the one archived, so the e2e stack is untouched. The real handler runs one
migration with the deployed function's environment; its log lines go to
the function's log group (and its audit entry to the audit group), whose subscription filters
send them through Firehose to the bucket, under `logs/<function|audit>/year=/month=/day=/`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import time
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base

from cartmon.local.runtime import LocalLambda
from cartmon.local.traffic import Shop
from tests.feature_stack import JWT_SECRET

# One worker for the group: the root with every optional feature on, applied once (tests/feature_stack.py).
pytestmark = pytest.mark.xdist_group("feature-stack")

DELIVERY_WAIT_SECONDS = 120


@pytest.fixture(scope="module")
def archive_stack(feature_stack):
    return feature_stack


class TolerantLogs:
    """The logs client, except that CreateLogStream answering ResourceAlreadyExists is taken as
    done: LocalStack creates the stream and then answers so when the group has a subscription
    filter (its create_log_stream patch). AWS creates it and answers 200; the audit writer of the
    function already treats the answer the same way."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def create_log_stream(self, **kwargs):
        try:
            return self._client.create_log_stream(**kwargs)
        except self._client.exceptions.ResourceAlreadyExistsException:
            return {}


@pytest.fixture(scope="module")
def archive_runtime(archive_stack, aws_client, emulator_clock):
    """The deployed function's environment, as is, in a local runtime of its own: its secrets come
    from SSM through the Powertools Parameters cache, as on Lambda."""
    from cart_migration import clients, handler
    from cart_migration.audit import AuditLogWriter

    saved_environment = dict(os.environ)
    clients.reset()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()  # a provider built by another suite may hold another endpoint
    # A container of its own: the audit writer's stream belongs to the group an earlier runtime used.
    saved_writer = handler.audit_writer
    handler.audit_writer = AuditLogWriter(lambda: clients.logs())
    environment = aws_client("lambda").get_function_configuration(
        FunctionName=archive_stack["lambda_function_name"]
    )["Environment"]["Variables"]
    for name in ("JWT_SECRET", "LOG_HASH_KEY"):
        os.environ.pop(name, None)
    runtime = LocalLambda(
        function_name=archive_stack["lambda_function_name"],
        log_group=archive_stack["log_group_names"]["function"],
        logs_client=TolerantLogs(aws_client("logs")),
        cloudwatch_client=aws_client("cloudwatch"),
        environment=environment,
        clock=emulator_clock.now,
    )
    yield runtime
    handler.audit_writer = saved_writer
    os.environ.clear()
    os.environ.update(saved_environment)
    clients.reset()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()


def archived_messages(s3, bucket: str, prefix: str) -> list[str]:
    """Every log message in the archived objects under prefix: CloudWatch Logs' gzip-compressed
    JSON batches as AWS delivers them (or plain JSON, should the emulator store them decompressed)."""
    messages = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            data = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            text, decoder, index = data.decode(), json.JSONDecoder(), 0
            while index < len(text):
                if text[index].isspace():
                    index += 1
                    continue
                batch, index = decoder.raw_decode(text, index)
                if batch.get("messageType") == "DATA_MESSAGE":
                    messages += [event["message"] for event in batch["logEvents"]]
    return messages


def wait_for(s3, bucket: str, prefix: str, wanted) -> list[str]:
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    while True:
        messages = archived_messages(s3, bucket, prefix)
        if any(wanted(m) for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(2)


def event_type(message: str) -> str | None:
    try:
        return json.loads(message).get("event_type")
    except (ValueError, AttributeError):
        return None


def test_a_migration_logged_by_the_function_arrives_in_the_bucket(
    archive_stack, archive_runtime, aws_client, emulator_clock
):
    runtime = archive_runtime
    bucket = archive_stack["log_archive_bucket_name"]
    assert bucket, "log_archive = true creates the bucket"
    # The emulator dates the objects on its clock, which the e2e tests in the other worker may move
    # forward meanwhile: the delivery's date is one of the dates the clock shows around it.
    shown_before = emulator_clock.now()
    Shop(runtime, JWT_SECRET, archive_stack["carts_table_name"]).successful_migrations(1)

    s3 = aws_client("s3")
    function_messages = wait_for(s3, bucket, "logs/function/", lambda m: event_type(m) == "migration_success")
    assert "migration_success" in {event_type(m) for m in function_messages}, function_messages[:5]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="logs/function/").get("Contents", [])]
    # Partitioned by the UTC date: `year=YYYY/month=MM/day=DD/` as Firehose expands the prefix on AWS;
    # LocalStack's Firehose appends `YYYY/MM/DD/HH/` to the unexpanded prefix instead.
    days = {datetime.fromtimestamp(moment, UTC).date() for moment in (shown_before, emulator_clock.now())}
    dated = re.compile(
        "|".join(rf"(year=)?{day:%Y}/(month=)?{day:%m}/(day=)?{day:%d}/" for day in sorted(days))
    )
    assert keys and all(dated.search(k) for k in keys), keys

    audit_messages = wait_for(s3, bucket, "logs/audit/", lambda m: bool(m.strip()))
    assert audit_messages, "the audit entry reaches the archive through the audit group's filter"


def test_the_archive_bucket_is_locked_down(archive_stack, aws_client):
    s3 = aws_client("s3")
    bucket = archive_stack["log_archive_bucket_name"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert [t["StorageClass"] for t in rules["archive-to-colder-storage-then-expire"]["Transitions"]] == [
        "STANDARD_IA",
        "GLACIER",
    ]
    filters = aws_client("logs").describe_subscription_filters(
        logGroupName=archive_stack["log_group_names"]["function"]
    )["subscriptionFilters"]
    assert [f["destinationArn"] for f in filters] == [
        archive_stack["log_archive_delivery_stream_arns"]["function"]
    ]
