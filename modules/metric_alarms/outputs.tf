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
  description = "Alarm ARN by alarm name."
  value       = { for a in aws_cloudwatch_metric_alarm.this : a.alarm_name => a.arn }
}

output "alarm_names" {
  description = "Names of the alarms."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}

output "alarms" {
  description = "Per alarm key: name, ARN and priority."
  value = {
    for k, a in aws_cloudwatch_metric_alarm.this : k => {
      name     = a.alarm_name
      arn      = a.arn
      priority = local.alarms[k].priority
    }
  }
}
