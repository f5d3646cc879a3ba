data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # alerts: every alarm (P1-P3), the guide's topic; page: the pages only (P1 composite alarms), for pagers.
  roles = ["alerts", "page"]

  given_topic_arns = {
    alerts = var.alerts_topic_arn
    page   = var.page_topic_arn
  }

  default_topic_names = {
    alerts = "${var.name_prefix}-alerts"
    page   = "${var.name_prefix}-alerts-page"
  }

  # Topics the module creates: those the caller did not give.
  created_topics = { for r in local.roles : r => local.default_topic_names[r] if local.given_topic_arns[r] == null }

  # Built from the topic's name (known at plan time, and a reference to the topic) so that
  # alarm actions can be reviewed in the plan.
  topic_arns = {
    for r in local.roles : r => local.given_topic_arns[r] != null ? local.given_topic_arns[r] : "arn:${local.partition}:sns:${local.region}:${local.account_id}:${aws_sns_topic.this[r].name}"
  }

  topic_names = {
    for r in local.roles : r => local.given_topic_arns[r] != null ? element(split(":", local.given_topic_arns[r]), 5) : local.default_topic_names[r]
  }

  create_kms_key = length(local.created_topics) > 0 && var.kms_master_key_id == null
  kms_key_id     = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_master_key_id

  # Each address once, on the guide's topic: it receives every alarm, pages included.
  email_subscriptions = { for email in var.alert_emails : "alerts:${email}" => { topic = "alerts", email = email } }
}

################################################################################
# KMS key: CloudWatch alarms can publish to an encrypted topic only when the key
# policy lets cloudwatch.amazonaws.com use the key (never the AWS-managed
# alias/aws/sns, whose policy cannot be changed).
################################################################################

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; the statements are limited by principal and condition.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only: AWS requires "*" in a key policy.
  #checkov:skip=CKV_AWS_109:kms:* for the account root is AWS's default key statement; without it the key becomes unmanageable, and IAM policies still decide who in the account may use it.
  count = local.create_kms_key ? 1 : 0

  statement {
    sid       = "AllowAccountAdministration"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # The statement SNS documents for CloudWatch as an event source of an encrypted topic, without
  # conditions ("Enable compatibility between event sources from AWS services and encrypted topics",
  # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
  # No AWS page says this KMS request carries aws:SourceAccount or aws:SourceArn: a condition on a
  # key it lacks would deny the key and drop every notification silently. The topic policy below
  # scopes who may publish.
  statement {
    sid       = "AllowCloudWatchAlarmsToUseTheKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Encrypts the ${var.name_prefix} alert topics; usable by CloudWatch alarms"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name_prefix}-sns"
  target_key_id = aws_kms_key.this[0].key_id
}

################################################################################
# Topics: alerts (every alarm, P1-P3) and page (P1 pages only)
################################################################################

resource "aws_sns_topic" "this" {
  for_each = local.created_topics

  name              = each.value
  kms_master_key_id = local.kms_key_id

  tags = merge(var.tags, { Receives = each.key == "alerts" ? "every alarm P1 P2 P3" : "pages P1" })
}

data "aws_iam_policy_document" "topic" {
  for_each = local.created_topics

  # What the default topic policy grants, restricted to the account itself.
  statement {
    sid    = "AllowAccountOwnerManagement"
    effect = "Allow"
    actions = [
      "SNS:GetTopicAttributes",
      "SNS:SetTopicAttributes",
      "SNS:AddPermission",
      "SNS:RemovePermission",
      "SNS:DeleteTopic",
      "SNS:Subscribe",
      "SNS:ListSubscriptionsByTopic",
      "SNS:Publish",
    ]
    resources = ["arn:${local.partition}:sns:${local.region}:${local.account_id}:${each.value}"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AllowCloudWatchAlarmsToPublish"
    effect    = "Allow"
    actions   = ["SNS:Publish"]
    resources = ["arn:${local.partition}:sns:${local.region}:${local.account_id}:${each.value}"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    # CloudWatch publishes as the alarm: aws:SourceArn is the alarm's ARN, which also names this
    # account (AWS Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch
    # alarm trigger?", https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
    # No page documents aws:SourceAccount for this call, so it is not required.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  for_each = local.created_topics

  arn    = aws_sns_topic.this[each.key].arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}

################################################################################
# Subscriptions
################################################################################

resource "aws_sns_topic_subscription" "email" {
  for_each = local.email_subscriptions

  topic_arn = local.topic_arns[each.value.topic]
  protocol  = "email"
  endpoint  = each.value.email
}

resource "aws_sns_topic_subscription" "additional" {
  for_each = var.additional_subscriptions

  topic_arn             = local.topic_arns[each.value.topic]
  protocol              = each.value.protocol
  endpoint              = each.value.endpoint
  raw_message_delivery  = each.value.raw_message_delivery
  subscription_role_arn = each.value.subscription_role_arn
  filter_policy         = each.value.filter_policy
  redrive_policy        = each.value.redrive_policy
}
