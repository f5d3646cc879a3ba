"""Plan-level checks of what a registry user relies on: tags everywhere, the outputs a caller
expects, the log archive's bucket and streams, and the release package's catalogue check."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from cartmon.project import CATALOGUE_PATH

# One worker for the group: one `terraform plan` per configuration, shared by the plan tests.
pytestmark = pytest.mark.xdist_group("plan")

TAGS = {"Team": "payments", "CostCentre": "cc-42"}
CATALOGUE_SHA256 = hashlib.sha256(CATALOGUE_PATH.read_bytes()).hexdigest()


def release_folder(folder, package, catalogue_sha256: str, architecture: str = "x86_64"):
    """A dist/-like folder: the zip and a manifest.json naming it, as `make release` writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    zip_path = folder / f"cart_migration-0.2.0-{architecture}.zip"
    shutil.copy2(package, zip_path)
    manifest = {
        "version": "0.2.0",
        "catalogue_sha256": catalogue_sha256,
        "packages": {architecture: {"file": zip_path.name, "sha256": "-", "sha256_base64": "-", "size": 0}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return zip_path


BASE = {
    "function_name": "registry-cart-migration",
    "name_prefix": "registry-cart",
    "alarm_name_prefix": "Registry-Cart",
    "create_lambda": "true",
    "jwt_secret": "x" * 32,
    "log_hash_key": "y" * 16,
}


@pytest.fixture(scope="module")
def full_plan(root_tf, lambda_package, tmp_path_factory):
    """Every optional part on: the function from a release folder, the log archive, tags."""
    zip_path = release_folder(tmp_path_factory.mktemp("release"), lambda_package, CATALOGUE_SHA256)
    return root_tf.plan(
        output=True,
        tf_vars={**BASE, "lambda_package_path": str(zip_path), "log_archive": {}, "tags": TAGS},
    )


def after(plan) -> dict[str, dict]:
    return {
        address: change["change"]["after"]
        for address, change in plan.resource_changes.items()
        if change["mode"] == "managed"
    }


def test_every_resource_that_takes_tags_gets_them(full_plan):
    # A resource type that takes tags plans a `tags` attribute (null when none are set).
    taggable = {address: values for address, values in after(full_plan).items() if "tags" in values}
    assert len(taggable) >= 20, sorted(taggable)
    types = {full_plan.resource_changes[a]["type"] for a in taggable}
    assert {
        "aws_s3_bucket",
        "aws_kinesis_firehose_delivery_stream",
        "aws_iam_role",
        "aws_lambda_function",
        "aws_dynamodb_table",
        "aws_sns_topic",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
    } <= types
    for address, values in taggable.items():
        assert TAGS.items() <= (values["tags"] or {}).items(), f"{address} lacks the caller's tags"


def test_outputs_a_caller_expects(full_plan):
    outputs = full_plan.outputs
    changes = full_plan.output_changes
    for name in (
        "log_group_arns",
        "carts_table_arn",
        "rate_limit_table_arn",
        "lambda_role_name",
        "dashboard_arn",
    ):
        assert name in changes, name
    arns = outputs["log_group_arns"]
    assert set(arns) == {"function", "audit"}
    assert arns["function"].endswith(":log-group:/aws/lambda/registry-cart-migration")
    assert arns["audit"].endswith(":log-group:/registry-cart/audit")
    # IAM names are account-wide: the role and the bucket carry the region.
    region = outputs["sns_topic_arns"]["alerts"].split(":")[3]
    assert outputs["lambda_role_name"] == f"registry-cart-migration-role-{region}"
    assert outputs["kms_key_alias"] == "alias/registry-cart-sns"
    assert outputs["event_catalogue_sha256"] == CATALOGUE_SHA256
    assert outputs["log_archive_bucket_name"].startswith("registry-cart-log-archive-")
    assert outputs["log_archive_bucket_name"].endswith(f"-{region}")


def test_log_archive_bucket_is_private_encrypted_and_expires(full_plan):
    values = after(full_plan)
    prefix = "module.log_archive[0]."
    block = values[f"{prefix}aws_s3_bucket_public_access_block.this"]
    assert all(
        block[k]
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    sse = values[f"{prefix}aws_s3_bucket_server_side_encryption_configuration.this"]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    rules = {r["id"]: r for r in values[f"{prefix}aws_s3_bucket_lifecycle_configuration.this"]["rule"]}
    logs = rules["archive-to-colder-storage-then-expire"]
    assert [(t["days"], t["storage_class"]) for t in logs["transition"]] == [
        (30, "STANDARD_IA"),
        (90, "GLACIER"),
    ]
    assert logs["expiration"][0]["days"] == 365
    assert (
        values[f"{prefix}aws_s3_bucket_versioning.this"]["versioning_configuration"][0]["status"] == "Enabled"
    )
    # The TLS-only policy names the bucket's ARN, known after apply (test_log_archive checks it there).
    assert f"{prefix}aws_s3_bucket_policy.this" in values
    ownership = values[f"{prefix}aws_s3_bucket_ownership_controls.this"]["rule"][0]["object_ownership"]
    assert ownership == "BucketOwnerEnforced"


def test_log_archive_streams_partition_by_source_and_date(full_plan):
    values = after(full_plan)
    streams = {
        a.split('"')[1]: v for a, v in values.items() if "aws_kinesis_firehose_delivery_stream.this" in a
    }
    assert set(streams) == {"function", "audit"}
    for key, stream in streams.items():
        s3 = stream["extended_s3_configuration"][0]
        assert (
            s3["prefix"]
            == f"logs/{key}/year=!{{timestamp:yyyy}}/month=!{{timestamp:MM}}/day=!{{timestamp:dd}}/"
        )
        assert s3["compression_format"] == "UNCOMPRESSED", "CloudWatch Logs delivers gzip already"
        assert s3["file_extension"] == ".gz", "the objects are gzip: they are named so"
        logging = s3["cloudwatch_logging_options"][0]
        assert logging["enabled"] is True
        assert logging["log_group_name"] == "/aws/kinesisfirehose/registry-cart-log-archive"
        assert logging["log_stream_name"] == f"S3Delivery-{key}"
        assert stream["server_side_encryption"][0]["enabled"] is True
    alarms = {
        a.split('"')[1]: v
        for a, v in values.items()
        if a.startswith("module.log_archive[0].aws_cloudwatch_metric_alarm.this")
    }
    assert set(alarms) == {"function", "audit"}, "a delivery alarm per stream"
    for key, alarm in alarms.items():
        assert alarm["metric_name"] == "DeliveryToS3.DataFreshness"
        assert alarm["dimensions"] == {"DeliveryStreamName": f"registry-cart-log-archive-{key}"}
        assert alarm["alarm_actions"], "it notifies the alerts topic"
    filters = {
        v["log_group_name"]: v for a, v in values.items() if "aws_cloudwatch_log_subscription_filter" in a
    }
    assert set(filters) == {"/aws/lambda/registry-cart-migration", "/registry-cart/audit"}
    assert all(f["filter_pattern"] == "" for f in filters.values())


def test_a_package_built_from_another_catalogue_is_refused(root_tf, plan_error, lambda_package, tmp_path):
    zip_path = release_folder(tmp_path / "dist", lambda_package, "0" * 64)
    error = plan_error(root_tf, {**BASE, "lambda_package_path": str(zip_path)})
    assert "built with another event catalogue" in error
    assert CATALOGUE_SHA256 in error


def test_an_s3_package_needs_its_catalogue_hash(root_tf, plan_error):
    error = plan_error(
        root_tf, {**BASE, "lambda_package_s3_bucket": "artefacts", "lambda_package_s3_key": "cart.zip"}
    )
    assert "needs lambda_package_catalogue_sha256" in error


def test_an_s3_package_with_the_module_catalogue_plans(root_tf):
    plan = root_tf.plan(
        output=True,
        tf_vars={
            **BASE,
            "lambda_package_s3_bucket": "artefacts",
            "lambda_package_s3_key": "cart-migration/cart_migration-0.2.0-x86_64.zip",
            "lambda_package_source_code_hash": "vKXbNkIsjBgh5lvx4+sPKEZzFNy+7YCN8UKXNQcdEt0=",
            "lambda_package_catalogue_sha256": CATALOGUE_SHA256,
        },
    )
    (function,) = [v for a, v in after(plan).items() if a.endswith("aws_lambda_function.this")]
    assert function["s3_bucket"] == "artefacts"
    assert function["s3_key"] == "cart-migration/cart_migration-0.2.0-x86_64.zip"
    assert function["filename"] is None
    assert function["source_code_hash"] == "vKXbNkIsjBgh5lvx4+sPKEZzFNy+7YCN8UKXNQcdEt0="


def test_the_function_needs_a_package(root_tf, plan_error):
    error = " ".join(plan_error(root_tf, dict(BASE)).replace("\\n", " ").replace("│", " ").split())
    assert "With create_lambda = true the function needs exactly one package: lambda_package_path" in error
    assert "make release" in error
