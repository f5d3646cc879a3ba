output "dashboard_name" {
  description = "Name of the dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_arn" {
  description = "ARN of the dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_arn
}

output "dashboard_url" {
  description = "Console URL of the dashboard, on the console of the partition (aws, aws-cn, aws-us-gov); null in a partition without a public console."
  value       = local.console_host == null ? null : "https://${local.console_host}/cloudwatch/home?region=${local.region}#dashboards:name=${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "recent_logs_query" {
  description = "Logs Insights query of the 'Recent Migration Logs' widget."
  value       = local.recent_logs_query
}
