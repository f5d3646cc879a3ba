output "function_log_group_name" {
  description = "The adopted log group."
  value       = module.monitoring.log_group_names["function"]
}

output "sns_topic_arns" {
  description = "Alert topic ARN per severity."
  value       = module.monitoring.sns_topic_arns
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = module.monitoring.alarm_names
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = module.monitoring.dashboard_url
}
