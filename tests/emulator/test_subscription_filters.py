"""Subscription filters as CloudWatch Logs accepts them, Lambda destinations included, on the running emulator.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from cartmon.local.runtime import LocalLambda
from cartmon.project import REGION, EmulatorDeliveries, emulator_now

# One worker for the group: events stamped on the emulator clock, which the e2e tests move.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

PERMISSION_MISSING = (
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute "
    "your function."
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **arguments) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def log_group(aws_client):
    logs = aws_client("logs")
    name = f"/cartmon/test/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s1")
    yield name
    logs.delete_log_group(logGroupName=name)


@pytest.fixture
def function(aws_client):
    """Factory of Lambda functions (managed by the emulator, never run by it); returns the ARN."""
    iam, lambda_ = aws_client("iam"), aws_client("lambda")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_name = unique("shipper-role")
    role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handle(event, context):\n    return event\n")
    made: list[str] = []

    def make() -> str:
        name = unique("log-shipper")
        made.append(name)
        return lambda_.create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role_arn,
            Handler="handler.handle",
            Code={"ZipFile": archive.getvalue()},
        )["FunctionArn"]

    yield make
    for name in made:
        lambda_.delete_function(FunctionName=name)
    iam.delete_role(RoleName=role_name)


def allow_logs(aws_client, function_arn: str, log_group: str) -> None:
    aws_client("lambda").add_permission(
        FunctionName=function_arn,
        StatementId=unique("logs"),
        Action="lambda:InvokeFunction",
        Principal="logs.amazonaws.com",
        SourceArn=f"arn:aws:logs:{REGION}:000000000000:log-group:{log_group}:*",
        SourceAccount="000000000000",
    )


def subscribe(aws_client, log_group: str, name: str, destination: str, **extra):
    return aws_client("logs").put_subscription_filter(
        logGroupName=log_group, filterName=name, filterPattern="ERROR", destinationArn=destination, **extra
    )


def test_lambda_destination_needs_the_function_and_its_permission_for_logs(aws_client, log_group, function):
    """A function that does not exist, or whose resource-based policy does not let logs.amazonaws.com
    invoke it for this log group, is an InvalidParameterException; roleArn is not used with Lambda."""
    logs = aws_client("logs")
    missing = f"arn:aws:lambda:{REGION}:000000000000:function:{unique('nobody')}"
    assert error_of(subscribe, aws_client=aws_client, log_group=log_group, name="f", destination=missing) == (
        "InvalidParameterException",
        PERMISSION_MISSING,
    )
    arn = function()
    assert error_of(subscribe, aws_client=aws_client, log_group=log_group, name="f", destination=arn) == (
        "InvalidParameterException",
        PERMISSION_MISSING,
    )
    allow_logs(aws_client, arn, f"{log_group}-other")  # a permission for another log group does not count
    assert error_of(subscribe, aws_client=aws_client, log_group=log_group, name="f", destination=arn)[1] == (
        PERMISSION_MISSING
    )
    allow_logs(aws_client, arn, log_group)
    code, message = error_of(
        subscribe,
        aws_client=aws_client,
        log_group=log_group,
        name="f",
        destination=arn,
        roleArn="arn:aws:iam::000000000000:role/any",
    )
    assert (code, message) == (
        "InvalidParameterException",
        "destinationArn for vendor lambda cannot be used with roleArn",
    )
    subscribe(aws_client, log_group, "f", arn)
    (described,) = logs.describe_subscription_filters(logGroupName=log_group)["subscriptionFilters"]
    assert described["destinationArn"] == arn and described["filterPattern"] == "ERROR"


def test_lambda_destination_batches_wait_for_the_local_runtime(aws_client, aws_endpoint, log_group, function):
    """The matching events of a batch become one invocation with CloudWatch Logs' event:
    {"awslogs": {"data": base64(gzip(DATA_MESSAGE))}}, listed (not an error) until a runtime takes it."""
    arn = function()
    allow_logs(aws_client, arn, log_group)
    subscribe(aws_client, log_group, "errors", arn)
    now = int(emulator_now(aws_endpoint) * 1000)
    aws_client("logs").put_log_events(
        logGroupName=log_group,
        logStreamName="s1",
        logEvents=[
            {"timestamp": now, "message": "ERROR cart lost"},
            {"timestamp": now + 1, "message": "INFO ok"},
        ],
    )
    deliveries = EmulatorDeliveries(aws_endpoint)
    (delivery,) = deliveries.pending(arn)
    assert delivery["source"] == "logs-subscription"
    assert delivery["sourceArn"] == f"arn:aws:logs:{REGION}:000000000000:log-group:{log_group}"
    payload = json.loads(gzip.decompress(base64.b64decode(delivery["event"]["awslogs"]["data"])))
    assert payload["messageType"] == "DATA_MESSAGE"
    assert (payload["owner"], payload["logGroup"], payload["logStream"]) == ("000000000000", log_group, "s1")
    assert payload["subscriptionFilters"] == ["errors"]
    assert [(e["timestamp"], e["message"]) for e in payload["logEvents"]] == [(now, "ERROR cart lost")]
    assert [d["id"] for d in deliveries.take(arn)] == [delivery["id"]]
    assert deliveries.pending(arn) == []


def test_two_subscription_filters_per_log_group(aws_client, log_group, function):
    """Up to two filters per log group; a third is LimitExceededException; updating one of the two by
    its name is allowed."""
    arn = function()
    allow_logs(aws_client, arn, log_group)
    subscribe(aws_client, log_group, "first", arn)
    subscribe(aws_client, log_group, "second", arn)
    assert error_of(subscribe, aws_client=aws_client, log_group=log_group, name="third", destination=arn)[
        0
    ] == ("LimitExceededException")
    aws_client("logs").put_subscription_filter(
        logGroupName=log_group, filterName="first", filterPattern="WARN", destinationArn=arn
    )
    filters = aws_client("logs").describe_subscription_filters(logGroupName=log_group)["subscriptionFilters"]
    assert {f["filterName"]: f["filterPattern"] for f in filters} == {"first": "WARN", "second": "ERROR"}


@pytest.mark.parametrize("service", ["kinesis", "firehose"])
def test_kinesis_and_firehose_destinations_need_the_role(aws_client, log_group, service):
    """CloudWatch Logs delivers to Kinesis and Firehose with the roleArn it assumes; without one it
    cannot deliver (InvalidParameterException)."""
    destination = {
        "kinesis": f"arn:aws:kinesis:{REGION}:000000000000:stream/{unique('s')}",
        "firehose": f"arn:aws:firehose:{REGION}:000000000000:deliverystream/{unique('s')}",
    }[service]
    code, message = error_of(
        subscribe, aws_client=aws_client, log_group=log_group, name="f", destination=destination
    )
    assert code == "InvalidParameterException"
    assert message.startswith("Could not deliver message to specified")


def test_the_local_runtime_runs_the_recorded_batches_once(aws_client, aws_endpoint, log_group, function):
    """The harness's LocalLambda takes the batches recorded for its function and invokes its handler with
    each, as Lambda would; a second run finds nothing left."""
    arn = function()
    allow_logs(aws_client, arn, log_group)
    subscribe(aws_client, log_group, "errors", arn)
    now = int(emulator_now(aws_endpoint) * 1000)
    aws_client("logs").put_log_events(
        logGroupName=log_group, logStreamName="s1", logEvents=[{"timestamp": now, "message": "ERROR lost"}]
    )
    shipper_logs = f"/aws/lambda/{arn.rsplit(':', 1)[-1]}"
    aws_client("logs").create_log_group(logGroupName=shipper_logs)
    received: list[dict] = []
    try:
        runtime = LocalLambda(
            function_name=arn.rsplit(":", 1)[-1],
            log_group=shipper_logs,
            logs_client=aws_client("logs"),
            cloudwatch_client=aws_client("cloudwatch"),
            environment={},
            handler=lambda event, _context: received.append(event) or {"statusCode": 200},
        )
        invocations = runtime.run_deliveries(aws_endpoint, arn)
        assert [i.error for i in invocations] == [None]
        (event,) = received
        payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
        assert [e["message"] for e in payload["logEvents"]] == ["ERROR lost"]
        assert runtime.run_deliveries(aws_endpoint, arn) == []
    finally:
        aws_client("logs").delete_log_group(logGroupName=shipper_logs)
