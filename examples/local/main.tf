# What the tests and the demo apply against the embedded emulator.
# The provider is an ordinary one: AWS_ENDPOINT_URL routes it to the emulator and
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (test/test) come from the environment.
provider "aws" {
  region = var.region
}

locals {
  # alerts: every alarm; page: the pages only.
  topics = ["alerts", "page"]
  tags = {
    Environment = "local"
    Project     = "cart-migration-monitoring"
  }
}

# One queue per topic (alerts, page) receives what the alarms publish, so tests can read the notifications.
resource "aws_sqs_queue" "alarm_inbox" {
  for_each = toset(local.topics)

  name                    = "${var.name_prefix}-alarm-inbox-${each.key}"
  sqs_managed_sse_enabled = true

  tags = local.tags
}

data "aws_iam_policy_document" "alarm_inbox" {
  for_each = toset(local.topics)

  statement {
    sid       = "AllowAlertTopic"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.alarm_inbox[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [module.monitoring.sns_topic_arns[each.key]]
    }
  }
}

resource "aws_sqs_queue_policy" "alarm_inbox" {
  for_each = toset(local.topics)

  queue_url = aws_sqs_queue.alarm_inbox[each.key].id
  policy    = data.aws_iam_policy_document.alarm_inbox[each.key].json
}

module "monitoring" {
  source = "../.."

  function_name     = var.function_name
  name_prefix       = var.name_prefix
  alarm_name_prefix = var.alarm_name_prefix
  alert_emails      = var.alert_emails
  alarm_overrides   = var.alarm_overrides

  additional_subscriptions = {
    for s in local.topics : "inbox-${s}" => {
      topic    = s
      protocol = "sqs"
      endpoint = aws_sqs_queue.alarm_inbox[s].arn
    }
  }

  create_lambda             = var.create_lambda
  lambda_package_path       = var.lambda_package_path
  jwt_secret                = var.jwt_secret
  log_hash_key              = var.log_hash_key
  rate_limit_max_calls      = var.rate_limit_max_calls
  rate_limit_window_seconds = var.rate_limit_window_seconds
  log_sample_rate           = var.log_sample_rate

  # The emulator's buckets are throwaway: destroy may delete the archived objects. The emulator
  # cannot start Firehose server-side encryption (StartDeliveryStreamEncryption); the bucket is encrypted.
  log_archive = var.log_archive ? {
    force_destroy              = true
    buffering_interval_seconds = 60
    buffering_size_mb          = 1
    encrypt_delivery_stream    = false
  } : null

  tags = local.tags
}
