# Everything the module offers, for a real account in ap-south-1.
provider "aws" {
  region = "ap-south-1"
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# A customer-managed key for the log groups (CloudWatch Logs must be admitted by its policy).
data "aws_iam_policy_document" "logs_key" {
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; CloudWatch Logs is held to this account's log groups by the encryption-context condition.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only: AWS requires "*" in a key policy.
  #checkov:skip=CKV_AWS_109:kms:* for the account root is AWS's default key statement; without it the key becomes unmanageable.
  statement {
    sid       = "AllowAccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "AllowCloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.id}.amazonaws.com"]
    }

    # Exactly the log groups the module encrypts with log_group_kms_key_id (its description names
    # them): CloudWatch Logs passes the group's ARN as encryption context
    # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [for name in local.encrypted_log_groups : "arn:aws:logs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:log-group:${name}"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description         = "Encrypts the cart-migration log groups"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.logs_key.json

  tags = local.tags
}

locals {
  function_name = "vyaparai-cart-migration"
  name_prefix   = "vyaparai-cart-migration"

  # The groups log_group_kms_key_id covers with create_lambda, create_api and log_archive, as below.
  encrypted_log_groups = [
    "/aws/lambda/${local.function_name}",
    "/${local.name_prefix}/audit",
    "/aws/apigateway/${local.name_prefix}-api/access",
    "/aws/kinesisfirehose/${local.name_prefix}-log-archive",
  ]

  tags = {
    Environment = "production"
    Project     = "cart-migration-monitoring"
    Owner       = "engineering"
  }
}

module "monitoring" {
  source = "../.."

  function_name     = local.function_name
  name_prefix       = local.name_prefix
  alarm_name_prefix = "VyaparAI-CartMigration"
  # Dashboards are global to the account: the same stack in a second region names its own, e.g.
  # dashboard_name = "VyaparAI-CartMigration-${data.aws_region.current.id}"

  # Alerting: topics and their KMS key are created; every alarm goes to the alerts topic (the emails),
  # the P1 composite pages also to the page topic (the pager).
  alert_emails = var.alert_emails
  additional_subscriptions = var.pager_https_endpoint == null ? {} : {
    pager = {
      topic    = "page" # pages only: one per incident
      protocol = "https"
      endpoint = var.pager_https_endpoint
    }
  }
  priority_topics = {
    P1 = "critical"
    P2 = "warning"
    P3 = "warning"
  }

  # Logs.
  log_retention_in_days       = 30
  audit_log_retention_in_days = 90
  log_group_kms_key_id        = aws_kms_key.logs.arn

  # Alarms: guide defaults, with a few adjustments.
  # Where you publish docs/runbooks; without it each description names its page and the module version.
  runbook_base_url = var.runbook_base_url
  alarm_overrides = {
    ExcessiveRateLimiting = { evaluation_periods = 2, datapoints_to_alarm = 2 }
    LatencyGetAllCarts    = { treat_missing_data = "ignore" }
  }
  extra_alarms = {
    MergeConflictSpike = {
      priority            = "P3"
      escalation          = "Engineering team"
      summary             = "Unusually many cart merge conflicts"
      response            = "Run the Insights query 'Merge Strategy Distribution'; check whether a client sends duplicate guest carts."
      metric              = "MergeConflictCount"
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      comparison_operator = "GreaterThanThreshold"
      threshold           = 50
      treat_missing_data  = "notBreaching"
      runbook             = "HighFailureRate"
    }
  }

  additional_queries = {
    "Auth Failures by Reason" = "fields @timestamp, reason | filter event_type = \"auth_failure\" | stats count(*) as failures by reason | sort failures desc"
  }

  # The function, its tables and role.
  create_lambda             = true
  lambda_package_path       = var.lambda_package_path
  lambda_memory_size        = 512
  lambda_timeout            = 15
  table_deletion_protection = true
  jwt_algorithm             = "HS256"
  # The secrets stay out of the function's configuration: SecureString parameters you create
  # (README), read by the function at cold start; the role may read exactly these two.
  jwt_secret_parameter      = var.jwt_secret_parameter
  log_hash_key_parameter    = var.log_hash_key_parameter
  rate_limit_max_calls      = 5
  rate_limit_window_seconds = 60
  log_sample_rate           = 1.0
  powertools_service_name   = "cart-migration"

  # A REST API in front of the function: the three routes, JSON access logs, throttling.
  create_api                 = true
  api_stage_name             = "live"
  api_throttling_burst_limit = 100
  api_throttling_rate_limit  = 50

  # Logs to S3 through Firehose: Standard-IA after 30 days, Glacier after 90, deleted after two years.
  log_archive = {
    expiration_days = 730
  }

  tags = local.tags
}
