"""The CloudWatch Logs plugin against CloudWatch Logs' documented behaviour, on the running emulator."""

from __future__ import annotations

import gzip
import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cartmon.project import REGION

# One worker for the group: it moves the emulator clock (PutLogEvents' window).
pytestmark = pytest.mark.xdist_group("stack-and-clock")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# The role CloudWatch Logs assumes to put records into Kinesis and Firehose (not checked by the emulator).
LOGS_ROLE = "arn:aws:iam::000000000000:role/cloudwatch-logs-delivery"
TRANSFORMATION = {"metricName": "Errors", "metricNamespace": "CartmonLogsTest", "metricValue": "1"}


@pytest.fixture
def log_group(aws_client):
    logs = aws_client("logs")
    name = f"/cartmon/test/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s1")
    yield name
    logs.delete_log_group(logGroupName=name)


def put_events(aws_client, group: str, *messages: str) -> None:
    now = int(time.time() * 1000)
    aws_client("logs").put_log_events(
        logGroupName=group,
        logStreamName="s1",
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )


def error_of(call, **arguments) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"filterName": "f" * 513}, "filterName"),
        ({"filterPattern": "x" * 1025}, "filterPattern"),
        (
            {"metricTransformations": [TRANSFORMATION, {**TRANSFORMATION, "metricName": "Other"}]},
            "metricTransformations",
        ),
        ({"filterName": "a:b"}, "filterName"),
    ],
)
def test_put_metric_filter_parameter_constraints(aws_client, log_group, overrides, field):
    """PutMetricFilter: filterName 1-512 characters matching [^:*]*, filterPattern at most 1024
    characters, metricTransformations exactly 1 item; else InvalidParameterException.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html"""
    arguments = {
        "logGroupName": log_group,
        "filterName": "f",
        "filterPattern": "ERROR",
        "metricTransformations": [TRANSFORMATION],
        **overrides,
    }
    code, message = error_of(aws_client("logs").put_metric_filter, **arguments)
    assert code == "InvalidParameterException"
    assert f"at '{field}' failed to satisfy constraint" in message


def test_delete_metric_filter_with_an_over_long_name(aws_client, log_group):
    """DeleteMetricFilter: filterName is 1-512 characters; a longer one is an InvalidParameterException.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteMetricFilter.html"""
    code, _ = error_of(aws_client("logs").delete_metric_filter, logGroupName=log_group, filterName="f" * 513)
    assert code == "InvalidParameterException"


def test_namespace_with_a_colon_is_accepted(aws_client, log_group):
    """CloudWatch namespaces may contain ':' ("Namespaces": alphanumerics, . - _ / # : and space).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace"""
    logs = aws_client("logs")
    logs.put_metric_filter(
        logGroupName=log_group,
        filterName="colon",
        filterPattern="ERROR",
        metricTransformations=[{**TRANSFORMATION, "metricNamespace": "Cart:Migration"}],
    )
    filters = logs.describe_metric_filters(logGroupName=log_group)["metricFilters"]
    assert filters[0]["metricTransformations"][0]["metricNamespace"] == "Cart:Migration"
    code, _ = error_of(
        logs.put_metric_filter,
        logGroupName=log_group,
        filterName="leading",
        filterPattern="ERROR",
        metricTransformations=[{**TRANSFORMATION, "metricNamespace": ":Cart"}],
    )
    assert code == "InvalidParameterException"


def test_metric_filter_count(aws_client, log_group):
    """DescribeLogGroups reports metricFilterCount, the number of metric filters of the group.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html"""
    logs = aws_client("logs")
    for name in ("one", "two"):
        logs.put_metric_filter(
            logGroupName=log_group,
            filterName=name,
            filterPattern="ERROR",
            metricTransformations=[TRANSFORMATION],
        )
    group = logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"][0]
    assert group["metricFilterCount"] == 2


def test_create_existing_log_group_is_refused(aws_client, log_group):
    """CreateLogGroup of a group that exists: ResourceAlreadyExistsException.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"""
    code, _ = error_of(aws_client("logs").create_log_group, logGroupName=log_group)
    assert code == "ResourceAlreadyExistsException"


def test_filter_log_events_applies_the_pattern(aws_client, log_group):
    """FilterLogEvents returns only the events matching filterPattern (the same pattern language as metric
    filters). https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html"""
    put_events(
        aws_client, log_group, '{"event": "migration_failed", "ms": 30}', '{"event": "migrated", "ms": 900}'
    )
    logs = aws_client("logs")
    matched = logs.filter_log_events(logGroupName=log_group, filterPattern='{ $.event = "migration_failed" }')
    assert [json.loads(e["message"])["event"] for e in matched["events"]] == ["migration_failed"]
    slow = logs.filter_log_events(logGroupName=log_group, filterPattern="{ $.ms > 100 }")
    assert [json.loads(e["message"])["ms"] for e in slow["events"]] == [900]
    code, _ = error_of(logs.filter_log_events, logGroupName=log_group, filterPattern="{ $.ms > }")
    assert code == "InvalidParameterException"


def test_describe_queries_lists_started_queries(aws_client, log_group):
    """DescribeQueries lists the queries that StartQuery started, with their status.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeQueries.html"""
    logs = aws_client("logs")
    put_events(aws_client, log_group, "hello")
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=log_group,
        startTime=now - 600,
        endTime=now + 600,
        queryString="fields @message | limit 5",
    )["queryId"]
    listed = logs.describe_queries(logGroupName=log_group)["queries"]
    assert [(q["queryId"], q["status"], q["logGroupName"]) for q in listed] == [
        (query_id, "Complete", log_group)
    ]
    assert listed[0]["queryString"] == "fields @message | limit 5"


@pytest.fixture
def firehose_to_s3(aws_client):
    """Factory of Firehose streams writing to a bucket of their own; returns (stream ARN, read())."""
    s3, firehose = aws_client("s3"), aws_client("firehose")
    made: list[tuple[str, str]] = []

    def make():
        bucket, stream = unique("cartmon-logs"), unique("logs-to-s3")
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        arn = firehose.create_delivery_stream(
            DeliveryStreamName=stream,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "BucketARN": f"arn:aws:s3:::{bucket}",
                "RoleARN": "arn:aws:iam::000000000000:role/firehose",
            },
        )["DeliveryStreamARN"]
        made.append((bucket, stream))

        def read() -> list[dict]:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            return [
                json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read())) for k in keys
            ]

        return arn, read

    yield make
    for bucket, stream in made:
        firehose.delete_delivery_stream(DeliveryStreamName=stream)
        for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])
        s3.delete_bucket(Bucket=bucket)


def test_subscription_filter_to_firehose_delivers_matching_events_to_s3(
    aws_client, log_group, firehose_to_s3
):
    """A subscription filter sends the matching events, gzip-compressed, to a Firehose stream, which
    delivers them to its S3 bucket. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#FirehoseExample"""
    logs = aws_client("logs")
    arn, read = firehose_to_s3()
    logs.put_subscription_filter(
        logGroupName=log_group,
        filterName="errors",
        filterPattern="ERROR",
        destinationArn=arn,
        roleArn=LOGS_ROLE,
    )
    put_events(aws_client, log_group, "ERROR cart lost", "INFO all good")
    (payload,) = read()
    assert payload["messageType"] == "DATA_MESSAGE"
    assert payload["logGroup"] == log_group and payload["subscriptionFilters"] == ["errors"]
    assert [e["message"] for e in payload["logEvents"]] == ["ERROR cart lost"]


def test_two_subscription_filters_each_match_the_whole_batch(aws_client, log_group, firehose_to_s3):
    """A log group can have two subscription filters; each delivers the events matching its own pattern
    (LocalStack's delivery hands the second filter only what the first matched).
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html"""
    logs = aws_client("logs")
    (errors_arn, read_errors), (all_arn, read_all) = firehose_to_s3(), firehose_to_s3()
    logs.put_subscription_filter(
        logGroupName=log_group,
        filterName="errors",
        filterPattern="ERROR",
        destinationArn=errors_arn,
        roleArn=LOGS_ROLE,
    )
    logs.put_subscription_filter(
        logGroupName=log_group, filterName="all", filterPattern="", destinationArn=all_arn, roleArn=LOGS_ROLE
    )
    put_events(aws_client, log_group, "ERROR cart lost", "INFO all good")
    assert [e["message"] for p in read_errors() for e in p["logEvents"]] == ["ERROR cart lost"]
    assert [e["message"] for p in read_all() for e in p["logEvents"]] == ["ERROR cart lost", "INFO all good"]


def test_create_log_stream_on_a_subscribed_group_succeeds_once(
    aws_client, aws_endpoint, log_group, firehose_to_s3
):
    """CreateLogStream succeeds for a new stream whatever the group's subscription filters, and answers
    ResourceAlreadyExistsException only when the stream already exists.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html"""
    logs = aws_client("logs")
    arn, _read = firehose_to_s3()
    logs.put_subscription_filter(
        logGroupName=log_group, filterName="all", filterPattern="", destinationArn=arn, roleArn=LOGS_ROLE
    )
    # no retries: a failed first attempt must not hide behind the retry that finds the stream
    no_retries = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=aws_endpoint,
        config=Config(retries={"total_max_attempts": 1}),
    )
    assert (
        no_retries.create_log_stream(logGroupName=log_group, logStreamName="s2")["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 200
    )
    code, _message = error_of(no_retries.create_log_stream, logGroupName=log_group, logStreamName="s2")
    assert code == "ResourceAlreadyExistsException"
    streams = logs.describe_log_streams(logGroupName=log_group)["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == ["s1", "s2"]


def test_put_log_events_judges_too_new_and_too_old_on_the_emulator_clock(
    aws_client, log_group, emulator_clock
):
    """PutLogEvents accepts events up to 2 hours after "now" (PutLogEvents, Amazon CloudWatch Logs API
    Reference: "None of the log events in the batch can be more than 2 hours in the future"). On the
    emulator "now" is its clock: once a test has moved it forward, events stamped on it still arrive."""
    logs = aws_client("logs")
    emulator_now = emulator_clock.advance(2.5 * 3600)
    on_the_clock = logs.put_log_events(
        logGroupName=log_group,
        logStreamName="s1",
        logEvents=[{"timestamp": int(emulator_now * 1000), "message": "stamped on the emulator clock"}],
    )
    assert "rejectedLogEventsInfo" not in on_the_clock
    too_new = logs.put_log_events(
        logGroupName=log_group,
        logStreamName="s1",
        logEvents=[
            {"timestamp": int((emulator_now + 3 * 3600) * 1000), "message": "three hours ahead of it"}
        ],
    )
    assert too_new["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}
    stored = logs.get_log_events(logGroupName=log_group, logStreamName="s1", startFromHead=True)["events"]
    assert [e["message"] for e in stored] == ["stamped on the emulator clock"]
