output "metric_filter_names" {
  description = "Metric filter name per catalogue metric."
  value       = { for k, f in aws_cloudwatch_log_metric_filter.this : k => f.name }
}

output "metric_names" {
  description = "Metric name per catalogue metric, as published by its filter."
  value       = { for k, f in aws_cloudwatch_log_metric_filter.this : k => f.metric_transformation[0].name }
}

output "namespace" {
  description = "Namespace of the metrics the filters publish."
  value       = var.namespace
}

output "alarm_arns" {
  description = "Alarm ARN by alarm name (metric and composite alarms)."
  value       = { for a in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_composite_alarm.this), values(aws_cloudwatch_composite_alarm.nested)) : a.alarm_name => a.arn }
}

output "alarm_names" {
  description = "Names of the alarms (metric and composite alarms)."
  value       = [for a in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_composite_alarm.this), values(aws_cloudwatch_composite_alarm.nested)) : a.alarm_name]
}

output "alarms" {
  description = "Per alarm key: name, ARN and priority."
  value = {
    for k, a in aws_cloudwatch_metric_alarm.this : k => {
      name     = a.alarm_name
      arn      = a.arn
      priority = local.alarms[k].priority
      notifies = local.alarms[k].notify
      type     = "metric"
    }
  }
}

output "composite_alarms" {
  description = "Per composite alarm key: name, ARN, priority, whether it pages, its rule."
  value = {
    for k, a in merge(aws_cloudwatch_composite_alarm.this, aws_cloudwatch_composite_alarm.nested) : k => {
      name     = a.alarm_name
      arn      = a.arn
      priority = var.composite_alarms[k].priority
      page     = var.composite_alarms[k].page
      notifies = var.composite_alarms[k].notify
      rule     = a.alarm_rule
      type     = "composite"
    }
  }
}

output "thresholds" {
  description = "Per alarm on one catalogue metric without dimensions: its metric name, statistic, period, comparison (>, >=, <, <=) and threshold (the dashboard draws them as threshold lines)."
  value = {
    for k, a in local.alarms : k => {
      metric_name = aws_cloudwatch_log_metric_filter.this[a.metric].metric_transformation[0].name
      statistic   = coalesce(a.statistic, a.extended_statistic)
      period      = a.period
      comparison  = local.comparison_symbols[a.comparison_operator]
      threshold   = a.threshold
    } if a.metric != null && length(a.dimensions) == 0 && contains(keys(aws_cloudwatch_log_metric_filter.this), coalesce(a.metric, "-"))
  }
}
