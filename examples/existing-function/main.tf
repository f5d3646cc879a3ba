# Monitoring for a cart-migration function that already runs: the common case.
#
# Lambda created /aws/lambda/<function_name> when the function first ran, so the module cannot
# create it (ResourceAlreadyExistsException). The import block below adopts the existing group
# into the module on the first apply, which then sets the guide's 30-day retention on it; its
# log events are untouched. Before `terraform destroy`, release the group so that the function's
# logs survive (README.md, "Removing the monitoring").
provider "aws" {
  region = var.region
}

import {
  to = module.monitoring.module.log_groups.aws_cloudwatch_log_group.function[0]
  id = "/aws/lambda/${var.function_name}"
}

module "monitoring" {
  source = "../.."

  function_name     = var.function_name
  name_prefix       = var.name_prefix
  alarm_name_prefix = var.alarm_name_prefix
  alert_emails      = var.alert_emails

  # Manage the adopted group: the guide keeps function logs 30 days.
  create_function_log_group = true
  log_retention_in_days     = 30
}
