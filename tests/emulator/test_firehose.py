"""Firehose S3 prefixes and server-side encryption, on the running emulator."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

# One worker for the group: S3 prefixes are dated on the emulator clock, which the e2e tests move.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

ROLE = "arn:aws:iam::000000000000:role/firehose"
KEY = "arn:aws:kms:ap-south-1:000000000000:key/11111111-1111-1111-1111-111111111111"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def streams(aws_client):
    """Factory of Firehose streams to a bucket of their own: make(**arguments) -> (name, bucket)."""
    s3, firehose = aws_client("s3"), aws_client("firehose")
    made: list[tuple[str, str]] = []

    def make(destination: dict | None = None, **arguments) -> tuple[str, str]:
        bucket, name = unique("cartmon-fh"), unique("fh")
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        made.append((name, bucket))
        firehose.create_delivery_stream(
            DeliveryStreamName=name,
            ExtendedS3DestinationConfiguration={
                "BucketARN": f"arn:aws:s3:::{bucket}",
                "RoleARN": ROLE,
                **(destination or {}),
            },
            **arguments,
        )
        return name, bucket

    yield make
    for name, bucket in made:
        try:
            firehose.delete_delivery_stream(DeliveryStreamName=name)
        except ClientError:
            pass  # creation was refused
        for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])
        s3.delete_bucket(Bucket=bucket)


def test_prefix_expressions_are_evaluated(aws_client, streams, emulator_clock):
    """Prefix `!{timestamp:...}` and `!{firehose:random-string}` are evaluated at delivery; the object is
    named `<prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
    https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html"""
    name, bucket = streams(
        {
            "Prefix": "events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/r=!{firehose:random-string}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/",
        }
    )
    before = datetime.fromtimestamp(emulator_clock.now(), UTC)
    aws_client("firehose").put_record(DeliveryStreamName=name, Record={"Data": b"cart migrated\n"})
    after = datetime.fromtimestamp(emulator_clock.now(), UTC)
    (key,) = [o["Key"] for o in aws_client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    expected = {f"events/year={m:%Y}/month={m:%m}/day={m:%d}/hour={m:%H}/" for m in (before, after)}
    assert re.sub(r"r=[a-z0-9]{11}/.*", "", key) in expected, key
    assert re.fullmatch(rf"events/.*/r=[a-z0-9]{{11}}/{name}-1-\d{{4}}(-\d\d){{5}}-[0-9a-f-]{{36}}", key), key
    assert "!{" not in key


def test_prefix_rules_are_checked_on_create(streams):
    """Prefix expressions need an ErrorOutputPrefix, which needs `!{firehose:error-output-type}`;
    the emulator refuses dynamic partitioning keys it cannot evaluate.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#prefix-rules"""
    for destination, message in [
        ({"Prefix": "x/!{timestamp:yyyy}/"}, "ErrorOutputPrefix can't be null"),
        ({"Prefix": "x/", "ErrorOutputPrefix": "e/!{timestamp:yyyy}/"}, "error-output-type"),
        (
            {
                "Prefix": "x/!{partitionKeyFromQuery:id}/",
                "ErrorOutputPrefix": "e/!{firehose:error-output-type}/",
            },
            "dynamic partitioning",
        ),
    ]:
        with pytest.raises(ClientError) as refused:
            streams(destination)
        assert refused.value.response["Error"]["Code"] == "InvalidArgumentException"
        assert message in refused.value.response["Error"]["Message"]


def encryption_of(aws_client, name: str) -> dict | None:
    description = aws_client("firehose").describe_delivery_stream(DeliveryStreamName=name)
    return description["DeliveryStreamDescription"].get("DeliveryStreamEncryptionConfiguration")


def test_create_with_encryption_reports_it(aws_client, streams):
    """CreateDeliveryStream with DeliveryStreamEncryptionConfigurationInput: DescribeDeliveryStream reports
    the key type, key ARN and status ENABLED.
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_DeliveryStreamEncryptionConfiguration.html"""
    name, _bucket = streams(
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": KEY}
    )
    assert encryption_of(aws_client, name) == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": KEY,
        "Status": "ENABLED",
    }


def test_start_and_stop_encryption(aws_client, streams):
    """StartDeliveryStreamEncryption enables SSE (status ENABLED), StopDeliveryStreamEncryption disables
    it; a customer managed key needs its ARN; a missing stream is ResourceNotFoundException.
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_StartDeliveryStreamEncryption.html
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_StopDeliveryStreamEncryption.html"""
    firehose = aws_client("firehose")
    name, _bucket = streams()
    assert encryption_of(aws_client, name) in (None, {"Status": "DISABLED"})
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"}
    )
    assert encryption_of(aws_client, name) == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    with pytest.raises(ClientError) as refused:
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName=name,
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"},
        )
    assert refused.value.response["Error"]["Code"] == "InvalidArgumentException"
    firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
    encryption = encryption_of(aws_client, name)
    assert encryption is not None and encryption["Status"] == "DISABLED"
    with pytest.raises(ClientError) as missing:
        firehose.start_delivery_stream_encryption(DeliveryStreamName=unique("missing"))
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
