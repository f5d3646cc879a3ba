output "sns_topic_arns" {
  description = "Alert topic ARN per severity."
  value       = module.monitoring.sns_topic_arns
}

output "pending_email_confirmations" {
  description = "Email subscriptions awaiting confirmation: confirm them, or no alarm reaches the address."
  value       = module.monitoring.pending_email_confirmations
}

output "alarm_names" {
  description = "Alarm names."
  value       = module.monitoring.alarm_names
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = module.monitoring.dashboard_url
}

output "query_definition_ids" {
  description = "Saved query ID by name."
  value       = module.monitoring.query_definition_ids
}

output "lambda_function_arn" {
  description = "ARN of the function."
  value       = module.monitoring.lambda_function_arn
}

output "carts_table_name" {
  description = "Carts table."
  value       = module.monitoring.carts_table_name
}

output "api_invoke_url" {
  description = "Base URL of the REST API stage; the routes are under <api_invoke_url>/api/v1/cart/."
  value       = module.monitoring.api_invoke_url
}

output "api_access_log_group_name" {
  description = "Log group of the API's JSON access logs."
  value       = module.monitoring.api_access_log_group_name
}
