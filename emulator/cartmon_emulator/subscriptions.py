"""Subscription filters deliver, per filter, the events that match its own pattern.

LocalStack's delivery (its patch of moto's ``LogStream.put_log_events``) reuses the events of one
filter for the next: with two filters on a group, the second sees only what the first matched. Here
each filter matches the batch with the real pattern language (``engines.filter_patterns``) and the
matching events go, as CloudWatch Logs sends them, gzip-compressed in one ``DATA_MESSAGE`` to a
Kinesis stream or a Firehose stream ("Using CloudWatch Logs subscription filters"). Lambda
destinations are refused by PutSubscriptionFilter (``logs``): this emulator runs no function.
"""

from __future__ import annotations

import gzip
import json
import logging

from localstack.aws.connect import connect_to
from localstack.utils.aws import arns
from localstack.utils.aws.client_types import ServicePrincipal
from moto.core.utils import unix_time_millis
from moto.logs.models import LogEvent
from moto.logs.models import LogStream as MotoLogStream

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
    else:
        LOG.warning(
            "subscription filter %s: destination %s is not served here", subscription.name, destination
        )
