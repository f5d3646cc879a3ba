"""Subscription filters deliver, per filter, the events that match its own pattern.

LocalStack's delivery (its patch of moto's ``LogStream.put_log_events``) reuses the events of one
filter for the next: with two filters on a group, the second sees only what the first matched. Here
each filter matches the batch with the real pattern language (``engines.filter_patterns``) and the
matching events go, as CloudWatch Logs sends them, gzip-compressed in one ``DATA_MESSAGE`` to a
Kinesis stream or a Firehose stream ("Using CloudWatch Logs subscription filters"). A Lambda
destination gets the event CloudWatch Logs invokes it with (``{"awslogs": {"data": <base64 of the
gzip>}}``), recorded in ``deliveries`` for the harness's local runtime to take: this emulator runs
no function. PutSubscriptionFilter (``logs``) checks the function and its permission first.
"""

from __future__ import annotations

import base64
import fnmatch
import gzip
import json
import logging

from localstack.aws.api import RequestContext
from localstack.aws.api.logs import InvalidParameterException
from localstack.aws.connect import connect_to
from localstack.utils.aws import arns
from localstack.utils.aws.client_types import ServicePrincipal
from moto.core.utils import unix_time_millis
from moto.logs.exceptions import ResourceAlreadyExistsException
from moto.logs.models import LogEvent
from moto.logs.models import LogGroup as MotoLogGroup
from moto.logs.models import LogStream as MotoLogStream

from cartmon_emulator import deliveries
from cartmon_emulator.engines import filter_patterns

LOG = logging.getLogger(__name__)


def put_log_events(self: MotoLogStream, log_events: list[dict]) -> str:
    """Store the events (as moto does) and deliver each subscription filter's matches."""
    self.last_ingestion_time = int(unix_time_millis())
    self.stored_bytes += sum(len(event["message"]) for event in log_events)
    stored = [LogEvent(self.last_ingestion_time, event) for event in log_events]
    self.events += stored
    self.upload_sequence_token += 1
    for subscription in list(self.log_group.subscription_filters.values()):
        pattern = filter_patterns.compile_pattern(subscription.filter_pattern or "")
        matching = [event for event in stored if pattern.matches(event.message)]
        if matching and subscription.destination_arn:
            try:
                _deliver(self, subscription, matching)
            except Exception:
                LOG.exception("subscription filter %s could not deliver", subscription.name)
    return f"{self.upload_sequence_token:056d}"


# Set on the class directly: LocalStack's patch helper finds the owner of an already-patched method by
# its qualified name, which now points into LocalStack's module, so a second patch would miss the class.
MotoLogStream.put_log_events = put_log_events


def create_log_stream(self: MotoLogGroup, log_stream_name: str) -> None:
    """Create the stream once; a second create of the same name is ResourceAlreadyExistsException.

    LocalStack's patch of this method indexes the group's subscription filters (a dict view) after
    the stream is stored, so on a group with a subscription filter the call failed with an internal
    error and the client's retry then met the stream it had just created.
    """
    if log_stream_name in self.streams:
        raise ResourceAlreadyExistsException()
    stream = MotoLogStream(log_group=self, name=log_stream_name)
    first_filter = next(iter(self.subscription_filters.values()), None)
    stream.filter_pattern = first_filter.filter_pattern if first_filter else None  # as LocalStack keeps it
    self.streams[log_stream_name] = stream


MotoLogGroup.create_log_stream = create_log_stream


def _deliver(stream: MotoLogStream, subscription, events: list[LogEvent]) -> None:
    message = {
        "messageType": "DATA_MESSAGE",
        "owner": stream.account_id,
        "logGroup": stream.log_group.name,
        "logStream": stream.log_stream_name,
        "subscriptionFilters": [subscription.name],
        "logEvents": [
            {"id": str(e.event_id), "timestamp": e.timestamp, "message": e.message} for e in events
        ],
    }
    payload = gzip.compress(json.dumps(message, separators=(",", ":")).encode())
    destination = subscription.destination_arn
    target = arns.parse_arn(destination)
    if subscription.role_arn:
        factory = connect_to.with_assumed_role(
            role_arn=subscription.role_arn,
            service_principal=ServicePrincipal.logs,
            region_name=target["region"],
        )
    else:
        factory = connect_to(aws_access_key_id=target["account"], region_name=target["region"])
    source = arns.log_group_arn(stream.log_group.name, stream.account_id, stream.region)
    if target["service"] == "firehose":
        client = factory.firehose.request_metadata(source_arn=source, service_principal=ServicePrincipal.logs)
        client.put_record(DeliveryStreamName=arns.firehose_name(destination), Record={"Data": payload})
    elif target["service"] == "kinesis":
        client = factory.kinesis.request_metadata(source_arn=source, service_principal=ServicePrincipal.logs)
        client.put_record(
            StreamName=arns.kinesis_stream_name(destination), Data=payload, PartitionKey=stream.log_group.name
        )
    elif target["service"] == "lambda":
        event = {"awslogs": {"data": base64.b64encode(payload).decode()}}
        deliveries.record("logs-subscription", destination, source, event)
    else:
        LOG.warning(
            "subscription filter %s: destination %s is not served here", subscription.name, destination
        )


def _put_subscription_filter(
    self: MotoLogGroup, filter_name, filter_pattern, destination_arn, role_arn
) -> None:
    """moto's, except that updating one of two filters by its name is not "over the limit".

    "Each log group can have up to two subscription filters associated with it. If you are updating an
    existing filter, you must specify the correct name in filterName."
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html
    """
    if filter_name in self.subscription_filters:
        self.subscription_filters[filter_name].update(filter_pattern, destination_arn, role_arn)
        return
    _moto_put_subscription_filter(self, filter_name, filter_pattern, destination_arn, role_arn)


_moto_put_subscription_filter = MotoLogGroup.put_subscription_filter
MotoLogGroup.put_subscription_filter = _put_subscription_filter

LAMBDA_PERMISSION_MISSING = (
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute "
    "your function."
)
LOGS_PRINCIPALS = ("logs.amazonaws.com", "logs.{region}.amazonaws.com", "*")
INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:*", "*")


def check_lambda_destination(context: RequestContext, log_group_name: str, function_arn: str) -> None:
    """The function exists in the caller's account and its resource-based policy lets CloudWatch Logs
    invoke it for this log group; else InvalidParameterException, as CloudWatch Logs answers.

    AWS tests the permission when the filter is put ("Grant CloudWatch Logs the permission to execute
    your function", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample).
    """
    target = arns.parse_arn(function_arn)
    if target["account"] != context.account_id:
        raise InvalidParameterException(LAMBDA_PERMISSION_MISSING)
    client = connect_to(aws_access_key_id=target["account"], region_name=target["region"]).lambda_
    try:
        client.get_function(FunctionName=function_arn)
        policy = json.loads(client.get_policy(FunctionName=function_arn)["Policy"])
    except Exception:
        raise InvalidParameterException(LAMBDA_PERMISSION_MISSING) from None
    source_arn = arns.log_group_arn(log_group_name, context.account_id, context.region) + ":*"
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    if not any(_admits_logs(s, target["region"], source_arn, context.account_id) for s in statements):
        raise InvalidParameterException(LAMBDA_PERMISSION_MISSING)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _admits_logs(statement: dict, region: str, source_arn: str, account_id: str) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    services = (
        _as_list(principal.get("Service") or principal.get("AWS"))
        if isinstance(principal, dict)
        else [principal]
    )
    if not any(p.format(region=region) in services for p in LOGS_PRINCIPALS):
        return False
    if not any(a in _as_list(statement.get("Action")) for a in INVOKE_ACTIONS):
        return False
    for _operator, conditions in (statement.get("Condition") or {}).items():
        for key, expected in conditions.items():
            key = key.lower()
            if key == "aws:sourcearn":
                # the log group's ARN with its trailing ":*", as AWS compares it (ArnLike/ArnEquals)
                if not any(fnmatch.fnmatchcase(source_arn, e) for e in _as_list(expected)):
                    return False
            elif key == "aws:sourceaccount" and account_id not in _as_list(expected):
                return False
    return True
