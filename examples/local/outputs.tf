output "sns_topic_arns" {
  description = "Alert topic ARN by role (alerts, page)."
  value       = module.monitoring.sns_topic_arns
}

output "alarm_inbox_queue_names" {
  description = "Name of the SQS queue subscribed to each topic (alerts, page); the tests and the demo create the queues, not this configuration."
  value       = local.alarm_inbox_names
}

output "alarm_inbox_queue_arns" {
  description = "ARN of the SQS queue subscribed to each topic (alerts, page)."
  value       = local.alarm_inbox_arns
}

output "kms_key_arn" {
  description = "KMS key of the topics."
  value       = module.monitoring.kms_key_arn
}

output "pending_email_confirmations" {
  description = "Email subscriptions awaiting confirmation."
  value       = module.monitoring.pending_email_confirmations
}

output "alarm_arns" {
  description = "Alarm ARN by alarm name."
  value       = module.monitoring.alarm_arns
}

output "alarm_names" {
  description = "Alarm names."
  value       = module.monitoring.alarm_names
}

output "alarms" {
  description = "Per alarm key: name, ARN, priority."
  value       = module.monitoring.alarms
}

output "metric_namespace" {
  description = "Namespace of the log-derived metrics."
  value       = module.monitoring.metric_namespace
}

output "metric_filter_names" {
  description = "Metric filter name per catalogue metric."
  value       = module.monitoring.metric_filter_names
}

output "metric_names" {
  description = "Metric name per catalogue metric."
  value       = module.monitoring.metric_names
}

output "log_group_names" {
  description = "Log group names: function, audit."
  value       = module.monitoring.log_group_names
}

output "dashboard_name" {
  description = "Dashboard name."
  value       = module.monitoring.dashboard_name
}

output "query_definition_ids" {
  description = "Saved query ID by name."
  value       = module.monitoring.query_definition_ids
}

output "query_definition_names" {
  description = "Full saved query name by query name."
  value       = module.monitoring.query_definition_names
}

output "lambda_function_name" {
  description = "Function name (null unless create_lambda)."
  value       = module.monitoring.lambda_function_name
}

output "lambda_function_arn" {
  description = "Function ARN (null unless create_lambda)."
  value       = module.monitoring.lambda_function_arn
}

output "carts_table_name" {
  description = "Carts table (null unless create_lambda)."
  value       = module.monitoring.carts_table_name
}

output "rate_limit_table_name" {
  description = "Rate-limit table (null unless create_lambda)."
  value       = module.monitoring.rate_limit_table_name
}

output "composite_alarms" {
  description = "Per composite alarm key: name, ARN, priority, whether it pages, its rule."
  value       = module.monitoring.composite_alarms
}

output "slos" {
  description = "The SLOs and the burn-rate thresholds derived from them."
  value       = module.monitoring.slos
}

output "log_archive_bucket_name" {
  description = "Bucket of the log archive (null unless log_archive)."
  value       = module.monitoring.log_archive_bucket_name
}

output "log_archive_delivery_stream_arns" {
  description = "Firehose delivery stream ARN by archived log group (null unless log_archive)."
  value       = module.monitoring.log_archive_delivery_stream_arns
}

output "log_group_arns" {
  description = "Log group ARNs: function, audit."
  value       = module.monitoring.log_group_arns
}

output "event_catalogue_sha256" {
  description = "sha256 of the module's event catalogue."
  value       = module.monitoring.event_catalogue_sha256
}
