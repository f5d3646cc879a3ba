"""Firehose as Firehose behaves, patched into LocalStack's provider at start-up (``hooks``).

* S3 delivery evaluates ``Prefix`` expressions (``!{timestamp:...}``, ``!{firehose:random-string}``)
  and names objects ``<prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`` with
  ``engines.s3_prefixes``; CreateDeliveryStream and UpdateDestination check the documented prefix
  rules. LocalStack wrote the prefix literally. Timestamps follow the emulator's clock (in the
  destination's ``CustomTimeZone`` when given). Records never fail here (no processor runs), so
  nothing is written under ``ErrorOutputPrefix``; it is checked and evaluated all the same.
* Server-side encryption: CreateDeliveryStream with ``DeliveryStreamEncryptionConfigurationInput``,
  StartDeliveryStreamEncryption and StopDeliveryStreamEncryption record it, and DescribeDeliveryStream
  reports ``DeliveryStreamEncryptionConfiguration`` (``ENABLED`` / ``DISABLED``; the change is immediate,
  without the ENABLING / DISABLING steps). LocalStack ignored the input and answered 501 to the rest.
  Data is stored unencrypted either way: no key is used.

The provider is patched on its class (its dispatch table resolves handlers by name when the service
first loads), so the stock provider and its stores stay in charge of everything else.
"""

from __future__ import annotations

import base64
import datetime
import logging
import zoneinfo

from localstack.aws.api.firehose import (
    DeliveryStreamEncryptionStatus,
    DeliveryStreamType,
    InvalidArgumentException,
    KeyType,
    ResourceNotFoundException,
    StartDeliveryStreamEncryptionOutput,
    StopDeliveryStreamEncryptionOutput,
)
from localstack.aws.connect import connect_to
from localstack.services.firehose.provider import FirehoseProvider
from localstack.utils.aws.arns import s3_bucket_name
from localstack.utils.aws.client_types import ServicePrincipal

from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import s3_prefixes

LOG = logging.getLogger(__name__)

_stock_create = FirehoseProvider.create_delivery_stream
_stock_update_destination = FirehoseProvider.update_destination


def _check_destination(configuration: dict | None) -> None:
    if not configuration:
        return
    try:
        s3_prefixes.check_prefixes(configuration.get("Prefix"), configuration.get("ErrorOutputPrefix"))
    except s3_prefixes.PrefixError as error:
        raise InvalidArgumentException(str(error)) from None


def _encryption_description(configuration: dict) -> dict:
    key_type = configuration.get("KeyType")
    if key_type not in (KeyType.AWS_OWNED_CMK, KeyType.CUSTOMER_MANAGED_CMK):
        raise InvalidArgumentException("KeyType must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.")
    key_arn = configuration.get("KeyARN")
    if key_type == KeyType.CUSTOMER_MANAGED_CMK and not key_arn:
        raise InvalidArgumentException("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
    if key_type == KeyType.AWS_OWNED_CMK and key_arn:
        raise InvalidArgumentException("KeyARN can't be specified when KeyType is AWS_OWNED_CMK.")
    description = {"KeyType": key_type, "Status": DeliveryStreamEncryptionStatus.ENABLED}
    if key_arn:
        description["KeyARN"] = key_arn
    return description


def _refuse_encryption_of_kinesis_source(stream_type: str | None) -> None:
    if stream_type == DeliveryStreamType.KinesisStreamAsSource:
        raise InvalidArgumentException(
            "Server-side encryption is not supported for a delivery stream whose source is a Kinesis "
            "data stream; encrypt the source stream instead."
        )


def create_delivery_stream(self, context, delivery_stream_name, *args, **kwargs):
    _check_destination(kwargs.get("extended_s3_destination_configuration"))
    _check_destination(kwargs.get("s3_destination_configuration"))
    encryption = kwargs.get("delivery_stream_encryption_configuration_input")
    described = None
    if encryption:
        _refuse_encryption_of_kinesis_source(kwargs.get("delivery_stream_type"))
        described = _encryption_description(encryption)
    output = _stock_create(self, context, delivery_stream_name, *args, **kwargs)
    if described:
        stream = self.get_store(context.account_id, context.region).delivery_streams[delivery_stream_name]
        stream["DeliveryStreamEncryptionConfiguration"] = described
    return output


def update_destination(self, context, delivery_stream_name, *args, **kwargs):
    _check_destination(kwargs.get("extended_s3_destination_update"))
    _check_destination(kwargs.get("s3_destination_update"))
    return _stock_update_destination(self, context, delivery_stream_name, *args, **kwargs)


def _stream_or_raise(self, context, delivery_stream_name: str) -> dict:
    stream = self.get_store(context.account_id, context.region).delivery_streams.get(delivery_stream_name)
    if not stream:
        raise ResourceNotFoundException(
            f"Firehose {delivery_stream_name} under account {context.account_id} not found."
        )
    return stream


def start_delivery_stream_encryption(
    self, context, delivery_stream_name, delivery_stream_encryption_configuration_input=None, **kwargs
):
    stream = _stream_or_raise(self, context, delivery_stream_name)
    _refuse_encryption_of_kinesis_source(stream.get("DeliveryStreamType"))
    stream["DeliveryStreamEncryptionConfiguration"] = _encryption_description(
        delivery_stream_encryption_configuration_input or {"KeyType": KeyType.AWS_OWNED_CMK}
    )
    return StartDeliveryStreamEncryptionOutput()


def stop_delivery_stream_encryption(self, context, delivery_stream_name, **kwargs):
    stream = _stream_or_raise(self, context, delivery_stream_name)
    stream["DeliveryStreamEncryptionConfiguration"] = {"Status": DeliveryStreamEncryptionStatus.DISABLED}
    return StopDeliveryStreamEncryptionOutput()


def _arrival(description: dict) -> datetime.datetime:
    zone = description.get("CustomTimeZone")
    moment = datetime.datetime.fromtimestamp(CLOCK.now(), datetime.UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(zone)) if zone and zone != "UTC" else moment


def _record_data(record: dict) -> str | bytes:
    """A record's base64 Data (``data`` in LocalStack's internal records)."""
    data = record.get("Data") or record.get("data")
    if not isinstance(data, str | bytes):
        raise TypeError(f"a Firehose record carries no Data: {sorted(record)}")
    return data


def put_records_to_s3_bucket(self, stream_name: str, records: list[dict], s3_destination_description: dict):
    """Deliver one batch as one object under the evaluated prefix. The stream version in the name
    is 1: LocalStack never increments a stream's VersionId."""
    bucket = s3_bucket_name(s3_destination_description["BucketARN"])
    key = s3_prefixes.object_key(
        s3_destination_description.get("Prefix"),
        stream_name,
        "1",
        _arrival(s3_destination_description),
        s3_destination_description.get("FileExtension", ""),
    )
    if role_arn := s3_destination_description.get("RoleARN"):
        factory = connect_to.with_assumed_role(role_arn=role_arn, service_principal=ServicePrincipal.firehose)
    else:
        factory = connect_to()
    s3 = factory.s3.request_metadata(source_arn=stream_name, service_principal=ServicePrincipal.firehose)
    body = b"".join(base64.b64decode(_record_data(r)) for r in records)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    except Exception:
        LOG.error("Firehose %s could not write s3://%s/%s", stream_name, bucket, key)
        raise


def install() -> None:
    FirehoseProvider.create_delivery_stream = create_delivery_stream
    FirehoseProvider.update_destination = update_destination
    FirehoseProvider.start_delivery_stream_encryption = start_delivery_stream_encryption
    FirehoseProvider.stop_delivery_stream_encryption = stop_delivery_stream_encryption
    FirehoseProvider._put_records_to_s3_bucket = put_records_to_s3_bucket
