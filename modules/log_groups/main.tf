data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  function_log_group_name = "/aws/lambda/${var.function_name}"
  audit_log_group_name    = "/${var.name_prefix}/audit"

  arn_prefix = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:"
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_338:Operational logs, kept retention_in_days (30 by default, validated): keeping request logs a year is a cost and privacy choice left to the caller.
  count = var.create_function_log_group ? 1 : 0

  name              = local.function_log_group_name
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_id

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "audit" {
  #checkov:skip=CKV_AWS_338:Audit retention is the caller's compliance decision (audit_retention_in_days, 90 by default, validated); set 365 or more where the audit trail must be kept a year.
  name              = local.audit_log_group_name
  retention_in_days = var.audit_retention_in_days
  kms_key_id        = var.kms_key_id

  tags = var.tags
}
