data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # Bucket names are global and IAM role names account-wide: both carry the account's region, so
  # the same inputs apply in a second region without EntityAlreadyExists or BucketAlreadyOwnedByYou.
  # The prefix is cut so that the name stays within S3's 63 and IAM's 64 characters; bucket names
  # take no '_' and no capitals.
  bucket_suffix = "-log-archive-${local.account_id}-${local.region}"
  bucket_name   = coalesce(var.bucket_name, "${lower(replace(substr(var.name_prefix, 0, 63 - length(local.bucket_suffix)), "_", "-"))}${local.bucket_suffix}")
  role_suffixes = {
    firehose = "-log-archive-firehose-${local.region}"
    logs     = "-log-archive-logs-${local.region}"
  }
  role_names = { for k, suffix in local.role_suffixes : k => "${substr(var.name_prefix, 0, 64 - length(suffix))}${suffix}" }

  # Firehose's own error log (delivery failures: S3 access denied, KMS, ...): one group, a stream per
  # delivery stream.
  error_log_group_name = "/aws/kinesisfirehose/${var.name_prefix}-log-archive"
  error_log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.error_log_group_name}"
  use_kms              = var.kms_key_arn != null

  # Partitioned by source and UTC date, Hive style, so Athena or S3 Select can prune by day.
  object_prefixes = {
    for key in keys(var.log_group_names) : key => "logs/${key}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
  }
  stream_names = { for key in keys(var.log_group_names) : key => "${var.name_prefix}-log-archive-${key}" }
  stream_arns  = { for key, name in local.stream_names : key => "arn:${local.partition}:firehose:${local.region}:${local.account_id}:deliverystream/${name}" }
}

################################################################################
# Bucket: private, encrypted, TLS only, lifecycle to colder storage and expiry
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Written only by Firehose with its own role; server access logs would need a second bucket, and CloudTrail data events are the account owner's choice.
  #checkov:skip=CKV_AWS_144:An archive of logs that CloudWatch Logs keeps in-region too; cross-region replication doubles storage and is the caller's compliance decision.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to new archive objects; event notifications would have no subscriber.
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES-256) by default, SSE-KMS with a bucket key when kms_key_arn is set; a customer key is the caller's choice.
  bucket        = local.bucket_name
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.use_kms ? "aws:kms" : "AES256"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = local.use_kms
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "archive-to-colder-storage-then-expire"
    status = "Enabled"

    filter {
      prefix = "logs/"
    }

    transition {
      days          = var.transition_to_infrequent_access_days
      storage_class = "STANDARD_IA"
    }

    transition {
      days          = var.transition_to_glacier_days
      storage_class = "GLACIER"
    }

    expiration {
      days = var.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "expire-delivery-errors"
    status = "Enabled"

    filter {
      prefix = "errors/"
    }

    expiration {
      days = var.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Versioning first: noncurrent-version rules need it.
  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  # A bucket policy put before the public access block can be refused as public.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# Firehose: one delivery stream per log group, writing to the bucket
################################################################################

# Firehose's documented trust policy for an S3 destination: sts:ExternalId is the account ID
# ("Grant Firehose access to an Amazon S3 destination",
# https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3).
data "aws_iam_policy_document" "firehose_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "firehose" {
  statement {
    sid    = "WriteArchive"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
      "s3:PutObject",
    ]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
  }

  statement {
    sid       = "WriteErrorLog"
    effect    = "Allow"
    actions   = ["logs:PutLogEvents"]
    resources = ["${local.error_log_group_arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = local.use_kms ? [1] : []

    content {
      sid       = "EncryptArchive"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = local.role_names.firehose
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "firehose" {
  name   = "write-log-archive"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_kinesis_firehose_delivery_stream" "this" {
  #checkov:skip=CKV_AWS_241:Encrypted at rest always: with the caller's key when log_archive.kms_key_arn is set, else Firehose's AWS-owned key; a customer key is the caller's choice, as for the bucket.
  for_each = local.stream_names

  name        = each.value
  destination = "extended_s3"

  dynamic "server_side_encryption" {
    for_each = var.encrypt_delivery_stream ? [1] : []

    content {
      enabled  = true
      key_type = local.use_kms ? "CUSTOMER_MANAGED_CMK" : "AWS_OWNED_CMK"
      key_arn  = var.kms_key_arn
    }
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = aws_s3_bucket.this.arn
    prefix              = local.object_prefixes[each.key]
    error_output_prefix = "errors/${each.key}/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
    buffering_interval  = var.buffering_interval_seconds
    buffering_size      = var.buffering_size_mb
    # CloudWatch Logs delivers gzip-compressed batches already; compressing again would nest gzip.
    # The objects are gzip all the same, so they are named so (the default is no extension).
    compression_format = "UNCOMPRESSED"
    file_extension     = ".gz"
    kms_key_arn        = var.kms_key_arn

    # Delivery errors (S3 or KMS access denied, ...) go to Firehose's error log, the only place that
    # says why; the alarm below says that delivery fell behind.
    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose_errors.name
      log_stream_name = aws_cloudwatch_log_stream.this[each.key].name
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.firehose]
}

resource "aws_cloudwatch_log_group" "firehose_errors" {
  #checkov:skip=CKV_AWS_338:Delivery error records, kept error_log_retention_in_days (the function's log retention): long enough to diagnose a failed delivery.
  name              = local.error_log_group_name
  retention_in_days = var.error_log_retention_in_days
  kms_key_id        = var.error_log_kms_key_id

  tags = var.tags
}

resource "aws_cloudwatch_log_stream" "this" {
  for_each = local.stream_names

  name           = "S3Delivery-${each.key}"
  log_group_name = aws_cloudwatch_log_group.firehose_errors.name
}

# Firehose retries a failed S3 delivery for up to 24 hours and then writes the records under
# errors/; meanwhile DeliveryToS3.DataFreshness (the age of the oldest record not yet delivered)
# grows. Above one buffering interval plus 15 minutes, delivery is failing, not buffering
# (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html).
resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.stream_names

  alarm_name          = "${var.alarm_name_prefix}-LogArchiveDelivery-${each.key}"
  alarm_description   = "P3: The ${each.key} log archive is not reaching S3 (Firehose stream ${each.value}). Condition: DeliveryToS3.DataFreshness Maximum > ${var.buffering_interval_seconds + 900} s over 3 period(s) of 300 s. Response: read the error log ${local.error_log_group_name} (stream S3Delivery-${each.key}) for the S3 or KMS error, then fix the role, bucket policy or key policy. Runbook: ${var.alarm_runbook}"
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.DataFreshness"
  dimensions          = { DeliveryStreamName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.buffering_interval_seconds + 900
  # Firehose publishes the metric only while records flow: no data is no backlog.
  treat_missing_data = "notBreaching"

  actions_enabled = var.actions_enabled
  alarm_actions   = var.alarm_actions
  ok_actions      = var.alarm_actions

  tags = merge(var.tags, { Priority = "P3" })

  depends_on = [aws_kinesis_firehose_delivery_stream.this]
}

################################################################################
# Subscription filters: CloudWatch Logs sends each log group's events to its stream
################################################################################

# CloudWatch Logs' documented trust policy for a subscription to Firehose: aws:SourceArn is a log
# group of this account and region ("Subscription filters with Amazon Data Firehose", step
# "Create the IAM role", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#FirehoseExample).
data "aws_iam_policy_document" "logs_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["logs.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:*"]
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "PutToArchiveStreams"
    effect    = "Allow"
    actions   = ["firehose:PutRecord", "firehose:PutRecordBatch"]
    resources = values(local.stream_arns)
  }
}

resource "aws_iam_role" "logs" {
  name               = local.role_names.logs
  assume_role_policy = data.aws_iam_policy_document.logs_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "logs" {
  name   = "put-to-log-archive"
  role   = aws_iam_role.logs.id
  policy = data.aws_iam_policy_document.logs.json
}

resource "aws_cloudwatch_log_subscription_filter" "this" {
  for_each = var.log_group_names

  name            = "${var.name_prefix}-log-archive"
  log_group_name  = each.value
  filter_pattern  = var.filter_pattern
  destination_arn = aws_kinesis_firehose_delivery_stream.this[each.key].arn
  role_arn        = aws_iam_role.logs.arn

  depends_on = [aws_iam_role_policy.logs]
}
