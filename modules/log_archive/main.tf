data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # At most 37 + 13 + 12 = 62 characters; bucket names take no '_' and no capitals.
  bucket_name = coalesce(var.bucket_name, "${lower(replace(substr(var.name_prefix, 0, 37), "_", "-"))}-log-archive-${local.account_id}")
  use_kms     = var.kms_key_arn != null

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
  name               = "${substr(var.name_prefix, 0, 40)}-log-archive-firehose"
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
    compression_format = "UNCOMPRESSED"
    kms_key_arn        = var.kms_key_arn
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.firehose]
}

################################################################################
# Subscription filters: CloudWatch Logs sends each log group's events to its stream
################################################################################

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
  name               = "${substr(var.name_prefix, 0, 40)}-log-archive-logs"
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
