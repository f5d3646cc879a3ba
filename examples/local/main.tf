# What the tests and the demo apply against the embedded emulator.
# The provider is an ordinary one: AWS_ENDPOINT_URL routes it to the emulator and
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (test/test) come from the environment.
provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# One SQS queue per alert topic receives what the alarms publish, so the tests and the demo can read
# the notifications. This configuration only subscribes the queues, by name; the tests and the demo
# create them (`cartmon.local.inbox.create_alarm_inboxes`, with a policy that admits only their topic).
# Created here they would hold the apply up by almost a minute: the AWS provider waits for an SQS
# queue's attributes to read back the same six times, five seconds apart, once for the queue and
# again for its policy, and the subscriptions wait for both.
locals {
  # alerts: every alarm; page: the pages only.
  topics                 = ["alerts", "page"]
  alarm_inbox_names      = { for topic in local.topics : topic => "${var.name_prefix}-alarm-inbox-${topic}" }
  alarm_inbox_arn_prefix = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}"
  alarm_inbox_arns       = { for topic, name in local.alarm_inbox_names : topic => "${local.alarm_inbox_arn_prefix}:${name}" }
  tags = {
    Environment = "local"
    Project     = "cart-migration-monitoring"
  }
}

module "monitoring" {
  source = "../.."

  function_name     = var.function_name
  name_prefix       = var.name_prefix
  alarm_name_prefix = var.alarm_name_prefix
  alert_emails      = var.alert_emails
  alarm_overrides   = var.alarm_overrides

  additional_subscriptions = {
    for topic, arn in local.alarm_inbox_arns : "inbox-${topic}" => {
      topic    = topic
      protocol = "sqs"
      endpoint = arn
    }
  }

  create_lambda             = var.create_lambda
  lambda_package_path       = var.lambda_package_path
  jwt_secret                = var.jwt_secret
  log_hash_key              = var.log_hash_key
  rate_limit_max_calls      = var.rate_limit_max_calls
  rate_limit_window_seconds = var.rate_limit_window_seconds
  log_sample_rate           = var.log_sample_rate

  # The emulator's buckets are throwaway: destroy may delete the archived objects.
  log_archive = var.log_archive ? {
    force_destroy              = true
    buffering_interval_seconds = 60
    buffering_size_mb          = 1
  } : null

  tags = local.tags
}
