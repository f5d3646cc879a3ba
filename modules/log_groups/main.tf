data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  function_log_group_name = "/aws/lambda/${var.function_name}"
  audit_log_group_name    = "/${var.name_prefix}/audit"

  arn_prefix = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:log-group:"
}

# Lambda creates /aws/lambda/<function> on the function's first invocation, so for a function that
# has ever run the group exists and creating it fails (ResourceAlreadyExistsException); for one that
# has not, the group is missing and the metric filters on it fail (ResourceNotFoundException).
# create_function_log_group = null decides from what is there: a missing group is created here and
# tagged as this module's; a group with that tag is this module's on every later plan (so the
# decision does not flip once the group exists); any other group is left alone. true adopts an
# existing group with an import block (examples/existing-function); false leaves it unmanaged, and
# then it must exist before apply: the check below says so at plan time.
#
# The data sources are plain ones, not scoped to the check block: Terraform defers a check block's
# own data sources to every apply, so every plan of an unchanged stack would show a change.
data "aws_cloudwatch_log_groups" "function" {
  count = var.create_function_log_group == true ? 0 : 1

  log_group_name_prefix = local.function_log_group_name
}

locals {
  managed_tag           = { "cart-migration-monitoring:log-group" = "created-by-module" }
  function_group_exists = contains(try(data.aws_cloudwatch_log_groups.function[0].log_group_names, []), local.function_log_group_name)
  function_group_read   = var.create_function_log_group == null && local.function_group_exists
  function_group_ours   = try(data.aws_cloudwatch_log_group.function[0].tags["cart-migration-monitoring:log-group"], "") == "created-by-module"
  manage_function_group = var.create_function_log_group != null ? var.create_function_log_group : (!local.function_group_exists || local.function_group_ours)
}

# Read only to see the tag of an existing group when the module decides (create_function_log_group = null).
data "aws_cloudwatch_log_group" "function" {
  count = local.function_group_read ? 1 : 0

  name = local.function_log_group_name
}

check "function_log_group_exists" {
  assert {
    condition     = var.create_function_log_group != false ? true : local.function_group_exists
    error_message = "The log group ${local.function_log_group_name} does not exist, and create_function_log_group = false leaves it unmanaged: the metric filters on it will fail to create. Invoke the function once (Lambda creates the group), create the group yourself, or leave create_function_log_group unset (null: the module creates a missing group)."
  }
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_338:Operational logs, kept retention_in_days (30 by default, validated): keeping request logs a year is a cost and privacy choice left to the caller.
  count = local.manage_function_group ? 1 : 0

  name              = local.function_log_group_name
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_id
  log_group_class   = var.function_log_group_class

  # Created by the module when it was missing (create_function_log_group = null): the tag keeps it
  # the module's on later plans, when it exists.
  tags = var.create_function_log_group == null ? merge(var.tags, local.managed_tag) : var.tags
}

resource "aws_cloudwatch_log_group" "audit" {
  #checkov:skip=CKV_AWS_338:Audit retention is the caller's compliance decision (audit_retention_in_days, 90 by default, validated); set 365 or more where the audit trail must be kept a year.
  name              = local.audit_log_group_name
  retention_in_days = var.audit_retention_in_days
  kms_key_id        = var.kms_key_id
  log_group_class   = var.audit_log_group_class

  tags = var.tags
}

# ------------------------------------------------------------------ data protection (the second PII net)
# CloudWatch Logs scans every event ingested by a protected group with the managed data identifiers,
# masks what they find for readers without logs:Unmask, and sends an audit finding per event to the
# findings destinations (docs/pii.md). The policy document's shape: two statements, Audit then
# Deidentify, with the same DataIdentifier array (PutDataProtectionPolicy API reference).

locals {
  create_findings_log_group = var.data_protection != null && try(var.data_protection.findings_destination_log_group, null) == null
  findings_log_group_name   = var.data_protection == null ? null : coalesce(var.data_protection.findings_destination_log_group, "/${var.name_prefix}/data-protection-findings")

  data_identifier_arns = var.data_protection == null ? [] : [
    for name in var.data_protection.data_identifiers : "arn:${data.aws_partition.current.partition}:dataprotection::aws:data-identifier/${name}"
  ]
  findings_destination = var.data_protection == null ? {} : merge(
    { CloudWatchLogs = { LogGroup = local.create_findings_log_group ? aws_cloudwatch_log_group.data_protection_findings[0].name : local.findings_log_group_name } },
    var.data_protection.findings_destination_s3_bucket == null ? {} : { S3 = { Bucket = var.data_protection.findings_destination_s3_bucket } },
    var.data_protection.findings_destination_firehose_delivery_stream == null ? {} : { Firehose = { DeliveryStream = var.data_protection.findings_destination_firehose_delivery_stream } },
  )
  protected_log_groups = var.data_protection == null ? {} : {
    function = local.manage_function_group ? aws_cloudwatch_log_group.function[0].name : local.function_log_group_name
    audit    = aws_cloudwatch_log_group.audit.name
  }
}

resource "aws_cloudwatch_log_group" "data_protection_findings" {
  #checkov:skip=CKV_AWS_338:Findings say where personal data was found (never the data itself); kept as long as the audit trail, audit_retention_in_days.
  count = local.create_findings_log_group ? 1 : 0

  name              = "/${var.name_prefix}/data-protection-findings"
  retention_in_days = var.audit_retention_in_days
  kms_key_id        = var.kms_key_id

  tags = var.tags
}

resource "aws_cloudwatch_log_data_protection_policy" "this" {
  for_each = local.protected_log_groups

  log_group_name = each.value
  policy_document = jsonencode({
    Name    = "${var.name_prefix}-${each.key}-pii"
    Version = "2021-06-01"
    Statement = [
      {
        Sid            = "audit"
        DataIdentifier = local.data_identifier_arns
        Operation      = { Audit = { FindingsDestination = local.findings_destination } }
      },
      {
        Sid            = "redact"
        DataIdentifier = local.data_identifier_arns
        Operation      = { Deidentify = { MaskConfig = {} } }
      },
    ]
  })
}
