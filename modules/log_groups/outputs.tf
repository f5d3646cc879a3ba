output "function_log_group_name" {
  description = "Name of the function's log group (depends on its creation when the module creates it)."
  value       = local.manage_function_group ? aws_cloudwatch_log_group.function[0].name : local.function_log_group_name
}

output "function_log_group_arn" {
  description = "ARN of the function's log group, without the trailing `:*` (built from the name so that it is known at plan time)."
  value       = "${local.arn_prefix}${local.manage_function_group ? aws_cloudwatch_log_group.function[0].name : local.function_log_group_name}"
}

output "audit_log_group_name" {
  description = "Name of the audit log group."
  value       = aws_cloudwatch_log_group.audit.name
}

output "audit_log_group_arn" {
  description = "ARN of the audit log group, without the trailing `:*` (built from the name so that it is known at plan time)."
  value       = "${local.arn_prefix}${aws_cloudwatch_log_group.audit.name}"
}

output "log_group_names" {
  description = "Log group names by role: function, audit."
  value = {
    function = local.manage_function_group ? aws_cloudwatch_log_group.function[0].name : local.function_log_group_name
    audit    = aws_cloudwatch_log_group.audit.name
  }
}

output "function_log_group_managed" {
  description = "Whether this module manages (creates or adopts) the function's log group."
  value       = local.manage_function_group
}

output "log_group_arns" {
  description = "Log group ARNs by role, without the trailing `:*`: function, audit."
  value = {
    function = "${local.arn_prefix}${local.manage_function_group ? aws_cloudwatch_log_group.function[0].name : local.function_log_group_name}"
    audit    = "${local.arn_prefix}${aws_cloudwatch_log_group.audit.name}"
  }
}

output "data_protection_findings_log_group_name" {
  description = "Log group receiving the data protection audit findings; null without a data protection policy."
  value       = local.create_findings_log_group ? aws_cloudwatch_log_group.data_protection_findings[0].name : local.findings_log_group_name
}

output "log_group_classes" {
  description = "Log class by role (function, audit); the function's is null when this module does not manage its group."
  value = {
    function = local.manage_function_group ? aws_cloudwatch_log_group.function[0].log_group_class : null
    audit    = aws_cloudwatch_log_group.audit.log_group_class
  }
}

output "data_protection_policy_documents" {
  description = "The data protection policy document by protected log group role (function, audit); empty without a policy."
  value       = { for role, policy in aws_cloudwatch_log_data_protection_policy.this : role => policy.policy_document }
}
