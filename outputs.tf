output "sns_topic_arns" {
  description = "Alert topic ARN by role: alerts (every alarm, P1-P3; the guide's topic), page (pages only); critical and warning are their former names (critical = page, warning = alerts)."
  value       = merge(module.alerting.topic_arns, { critical = module.alerting.topic_arns.page, warning = module.alerting.topic_arns.alerts })
}

output "sns_topic_names" {
  description = "Alert topic name by role (alerts, page; critical = page, warning = alerts)."
  value       = merge(module.alerting.topic_names, { critical = module.alerting.topic_names.page, warning = module.alerting.topic_names.alerts })
}

output "kms_key_arn" {
  description = "KMS key that encrypts the created topics (created here or given; null when no topic is created)."
  value       = module.alerting.kms_key_arn
}

output "pending_email_confirmations" {
  description = "Email subscriptions (by `<severity>:<email>`) that await confirmation by their owner; no alarm reaches an address before it is confirmed."
  value       = module.alerting.pending_email_confirmations
}

output "alarm_arns" {
  description = "Alarm ARN by alarm name."
  value       = module.metric_alarms.alarm_arns
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = module.metric_alarms.alarm_names
}

output "alarms" {
  description = "Per metric alarm key: name, ARN, priority, whether it notifies (burn-rate windows do not: their composite alarms do)."
  value       = module.metric_alarms.alarms
}

output "composite_alarms" {
  description = "Per composite alarm key: name, ARN, priority, whether it pages, its rule."
  value       = module.metric_alarms.composite_alarms
}

output "slos" {
  description = "The SLOs and the burn-rate thresholds derived from them: per SLO its target (%) and per window pair the burn rate, the share of the error budget its long window may spend (budget_consumed_percent, as given), the windows (minutes), the threshold on the bad share (%) and the minimum-events guard (requests per window). min_events: slo_min_events, the guard of the pairs without their own and of LowSuccessRate."
  value = {
    period_days = var.slo_period_days
    min_events  = var.slo_min_events
    objectives = {
      for s, slo in local.slos : s => {
        target_percent = slo.target_percent
        windows = {
          for wname, w in local.burn_windows : wname => {
            priority                = w.priority
            burn_rate               = w.burn_rate
            budget_consumed_percent = w.budget_consumed_percent
            long_window_minutes     = w.long_window_minutes
            short_window_minutes    = w.short_window_minutes
            threshold_percent       = local.burn_thresholds[s][wname]
            min_events              = w.min_events
          }
        }
      }
    }
  }
}

output "metric_namespace" {
  description = "Namespace of the log-derived metrics."
  value       = module.metric_alarms.namespace
}

output "metric_filter_names" {
  description = "Metric filter name per catalogue metric."
  value       = module.metric_alarms.metric_filter_names
}

output "metric_names" {
  description = "Metric name per catalogue metric, as published by its filter."
  value       = module.metric_alarms.metric_names
}

output "log_group_names" {
  description = "Log group names: function, audit."
  value       = module.log_groups.log_group_names
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.dashboard.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = module.dashboard.dashboard_url
}

output "query_definition_ids" {
  description = "Saved Logs Insights query ID by query name."
  value       = module.query_definitions.query_definition_ids
}

output "query_definition_names" {
  description = "Full saved query name (`<name_prefix>/<name>`) by query name."
  value       = module.query_definitions.query_definition_names
}

output "lambda_function_name" {
  description = "Name of the created function (null unless create_lambda)."
  value       = one(module.migration_lambda[*].function_name)
}

output "lambda_function_arn" {
  description = "ARN of the created function (null unless create_lambda)."
  value       = one(module.migration_lambda[*].function_arn)
}

output "lambda_role_arn" {
  description = "ARN of the created function's role (null unless create_lambda)."
  value       = one(module.migration_lambda[*].role_arn)
}

output "carts_table_name" {
  description = "Name of the carts table (null unless create_lambda)."
  value       = one(module.migration_lambda[*].carts_table_name)
}

output "rate_limit_table_name" {
  description = "Name of the rate-limit table (null unless create_lambda)."
  value       = one(module.migration_lambda[*].rate_limit_table_name)
}

output "lambda_invoke_arn" {
  description = "Integration URI of the created function, to wire an API of your own to it (null unless create_lambda); allow that API with lambda_invoke_source_arns."
  value       = one(module.migration_lambda[*].invoke_arn)
}

output "api_invoke_url" {
  description = "Base URL of the REST API stage (null unless create_api); the routes are <api_invoke_url>/api/v1/cart/migrate, /all and /cleanup-guest/{guest_session_id}."
  value       = one(module.api_gateway[*].invoke_url)

  precondition {
    condition     = !var.create_api || var.create_lambda
    error_message = "create_api = true needs create_lambda = true: the API fronts the function this module creates. To put an API of your own in front of an existing function, leave create_api false."
  }
}

output "api_id" {
  description = "ID of the REST API (null unless create_api)."
  value       = one(module.api_gateway[*].rest_api_id)
}

output "api_execution_arn" {
  description = "Execution ARN of the REST API (null unless create_api)."
  value       = one(module.api_gateway[*].execution_arn)
}

output "api_access_log_group_name" {
  description = "Log group of the API's JSON access logs (null unless create_api)."
  value       = one(module.api_gateway[*].access_log_group_name)
}

output "log_group_arns" {
  description = "Log group ARNs (without the trailing `:*`): function, audit."
  value       = module.log_groups.log_group_arns
}

output "data_protection_findings_log_group_name" {
  description = "Log group receiving the data protection policy's audit findings (log_data_protection); null when log_data_protection is off."
  value       = module.log_groups.data_protection_findings_log_group_name
}

output "kms_key_alias" {
  description = "Alias of the KMS key the module created for the topics (null when it creates none)."
  value       = module.alerting.kms_key_alias
}

output "dashboard_arn" {
  description = "ARN of the CloudWatch dashboard."
  value       = module.dashboard.dashboard_arn
}

output "lambda_role_name" {
  description = "Name of the created function's role, to attach further policies (null unless create_lambda)."
  value       = one(module.migration_lambda[*].role_name)
}

output "carts_table_arn" {
  description = "ARN of the carts table (null unless create_lambda)."
  value       = one(module.migration_lambda[*].carts_table_arn)
}

output "rate_limit_table_arn" {
  description = "ARN of the rate-limit table (null unless create_lambda)."
  value       = one(module.migration_lambda[*].rate_limit_table_arn)
}

output "event_catalogue_sha256" {
  description = "sha256 of the event catalogue the filters and alarms are built from; the manifest.json of a matching release package (`make release`) names the same hash."
  value       = filesha256("${path.module}/lambda_src/cart_migration/event_catalogue.json")
}

output "log_archive_bucket_name" {
  description = "Bucket of the log archive (null unless log_archive is set)."
  value       = one(module.log_archive[*].bucket_name)
}

output "log_archive_bucket_arn" {
  description = "ARN of the log archive bucket (null unless log_archive is set)."
  value       = one(module.log_archive[*].bucket_arn)
}

output "log_archive_delivery_stream_arns" {
  description = "Firehose delivery stream ARN by archived log group (function, audit); null unless log_archive is set."
  value       = one(module.log_archive[*].delivery_stream_arns)
}
