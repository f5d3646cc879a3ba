################################################################################
# The event catalogue is the single source of truth for metric names, filter
# patterns, units and latency targets: the Lambda logs what it lists, the
# metric filters are built from it, and the alarms refer to its metric keys.
################################################################################

locals {
  catalogue = jsondecode(file("${path.module}/lambda_src/cart_migration/event_catalogue.json"))

  metric_namespace = coalesce(var.metric_namespace, local.catalogue.metric_namespace)

  # Catalogue metric keys used below (their names and patterns come from the catalogue via the filters).
  metric_keys = {
    success     = "MigrationSuccessCount"
    failure     = "MigrationFailureCount"
    rate_limit  = "RateLimitExceededCount"
    conflict    = "MergeConflictCount"
    no_guest    = "NoGuestCartsCount"
    performance = "OperationDuration"
  }

  lambda_dimensions = { FunctionName = var.function_name }

  # The REST API's name (create_api): its AWS/ApiGateway metrics carry it as ApiName.
  api_name = "${var.name_prefix}-api"

  # The guide's five alarms (values of its setup script; "any throttle" for LambdaThrottles)
  # with priorities, escalation and responses from its Alert Priority Matrix and Troubleshooting Guide.
  guide_alarms = {
    HighFailureRate = {
      priority            = "P1"
      escalation          = "Engineering team"
      summary             = "Cart migrations are failing"
      response            = "Check logs for error patterns: run the Insights query 'Top Failure Reasons', then check DynamoDB throttling, recent deployments and JWT validation."
      metric              = local.metric_keys.failure
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "GreaterThanThreshold"
      threshold           = 5
      treat_missing_data  = "notBreaching"
    }
    NoSuccessfulMigrations = {
      priority            = "P1"
      escalation          = "Engineering + Ops"
      summary             = "No cart migration has succeeded in 30 minutes"
      response            = "Verify service health, check Lambda logs: is the function invoked, does the API route to it, can its role reach the tables? Test the migration endpoint manually."
      metric              = local.metric_keys.success
      statistic           = "Sum"
      period              = 1800
      evaluation_periods  = 1
      comparison_operator = "LessThanOrEqualToThreshold"
      threshold           = 0
      treat_missing_data  = var.no_successful_migrations_waits_for_traffic ? "missing" : "breaching"
    }
    ExcessiveRateLimiting = {
      priority            = "P2"
      escalation          = "Engineering"
      summary             = "Clients are being rate limited unusually often"
      response            = "Review rate limit settings or investigate abuse: run the Insights query 'Rate Limit Analysis' to find the customers."
      metric              = local.metric_keys.rate_limit
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "GreaterThanThreshold"
      threshold           = 20
      treat_missing_data  = "notBreaching"
    }
    LambdaErrors = {
      priority            = "P2"
      escalation          = "Engineering"
      summary             = "The cart-migration function is raising errors"
      response            = "Check Lambda logs and code errors; review the latest deployment."
      namespace           = "AWS/Lambda"
      metric_name         = "Errors"
      dimensions          = local.lambda_dimensions
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "GreaterThanThreshold"
      threshold           = 5
      treat_missing_data  = "notBreaching"
    }
    LambdaThrottles = {
      priority            = "P3"
      escalation          = "Ops team"
      summary             = "Invocations of the cart-migration function are throttled"
      response            = "Review Lambda concurrency limits (reserved concurrency of the function, account concurrency)."
      namespace           = "AWS/Lambda"
      metric_name         = "Throttles"
      dimensions          = local.lambda_dimensions
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      treat_missing_data  = "notBreaching"
    }
  }

  # Beyond the guide: its success-rate target (alert below 90 %), quiet below the minimum volume
  # (slo_min_events in 5 minutes), so two successes and a failure on a quiet night page nobody.
  success_rate_alarms = {
    LowSuccessRate = {
      priority            = "P1"
      escalation          = "Engineering team"
      summary             = "Migration success rate below 90 % (target > 99.5 %, acceptable > 95 %)"
      response            = "Run the Insights queries 'Migration Success Rate' and 'Top Failure Reasons'; then follow the HighFailureRate runbook."
      expression          = "IF((s + f) >= ${var.slo_min_events}, 100 * s / (s + f), 100)"
      expression_label    = "Migration success rate (%)"
      expression_metrics  = { s = { metric = local.metric_keys.success }, f = { metric = local.metric_keys.failure } }
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "LessThanThreshold"
      threshold           = 90
      treat_missing_data  = "notBreaching"
    }
  }

  # Beyond the guide: its Performance Benchmarks, one p99 alarm per catalogue operation. 2 of 3
  # five-minute periods, and periods with too few samples for a p99 (fewer than 1,000) leave the
  # state as it is: one slow cold start at night is not an alarm.
  latency_alarms = {
    for op, o in local.catalogue.operations : "Latency${join("", [for w in split("_", op) : title(w)])}" => {
      priority            = "P3"
      escalation          = "Engineering team"
      summary             = "p99 latency of '${o.label}' above ${o.alert_ms} ms (target < ${o.target_ms} ms, acceptable < ${o.acceptable_ms} ms)"
      response            = "Run the Insights queries 'Average Migration Response Time' and 'Performance by Merge Strategy'; check DynamoDB latency and throttling, cold starts and the 'Lambda Duration' widget."
      metric              = local.metric_keys.performance
      dimensions          = { for d in keys(try(local.catalogue.metrics[local.metric_keys.performance].dimensions, {})) : d => op }
      extended_statistic  = "p99"
      period              = 300
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      # "ignore" keeps the state for a period without enough samples for a significant p99.
      evaluate_low_sample_count_percentiles = "ignore"
      comparison_operator                   = "GreaterThanThreshold"
      threshold                             = o.alert_ms
      treat_missing_data                    = "notBreaching"
    }
  }

  built_in_alarms                = merge(local.guide_alarms, local.success_rate_alarms, local.latency_alarms, local.burn_rate_alarms)
  extra_alarms_named_as_built_in = sort(setintersection(keys(var.extra_alarms), keys(local.built_in_alarms)))
  alarms                         = merge(local.built_in_alarms, var.extra_alarms)

  # Each alarm as CloudWatch receives it: its definition with alarm_overrides applied (what the
  # checks of terraform_data.input_checks see).
  alarm_overrides_known = { for k, o in var.alarm_overrides : k => o if contains(keys(local.alarms), k) }
  effective_alarms = {
    for k, a in local.alarms : k => merge(a, { for field, value in try(local.alarm_overrides_known[k], {}) : field => value if value != null })
    if try(local.alarm_overrides_known[k].enabled, try(a.enabled, true)) != false
  }

  # PutMetricAlarm refuses an alarm whose period x evaluation_periods exceeds one day (86,400 s)
  # when its period is under an hour, seven days (604,800 s) otherwise (API reference, Period:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
  # The plan passes such an alarm; the apply fails.
  alarm_range_errors = [
    for k, a in local.effective_alarms :
    "${k} (period ${a.period} s x evaluation_periods ${a.evaluation_periods} = ${a.period * a.evaluation_periods} s; at most ${a.period < 3600 ? "86400 s for a period under an hour" : "604800 s"})"
    if try(a.period * a.evaluation_periods > (a.period < 3600 ? 86400 : 604800), false)
  ]

  # An alarm_overrides key that names no alarm, with the closest alarm name: the one sharing the
  # longest prefix or suffix with it (case ignored), when they share at least three characters.
  unknown_alarm_overrides = [for k in sort(keys(var.alarm_overrides)) : k if !contains(keys(local.alarms), k)]
  alarm_override_suggestions = {
    for k in local.unknown_alarm_overrides : k => {
      for name in keys(local.alarms) : name => max(
        length([for i in range(1, min(length(k), length(name)) + 1) : i if substr(lower(k), 0, i) == substr(lower(name), 0, i)]),
        length([for i in range(1, min(length(k), length(name)) + 1) : i if substr(lower(k), length(k) - i, i) == substr(lower(name), length(name) - i, i)]),
      )
    }
  }
  unknown_alarm_override_messages = [
    for k, scores in local.alarm_override_suggestions : (
      max(values(scores)...) >= 3
      ? "${k} (did you mean ${sort([for name, score in scores : name if score == max(values(scores)...)])[0]}?)"
      : k
    )
  ]

  # The guide's "Recent Migration Logs" widget shows the events of this catalogue category.
  recent_logs_category = "migration"

  # The guide's dashboard widgets that show custom metrics.
  dashboard_metric_keys = {
    outcomes   = [local.metric_keys.success, local.metric_keys.failure]
    rate_limit = [local.metric_keys.rate_limit]
    scenarios  = [local.metric_keys.conflict, local.metric_keys.no_guest]
  }
}
