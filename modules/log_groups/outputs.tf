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
