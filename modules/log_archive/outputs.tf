output "bucket_name" {
  description = "Name of the archive bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the archive bucket."
  value       = aws_s3_bucket.this.arn
}

output "delivery_stream_names" {
  description = "Firehose delivery stream name by log group key."
  value       = { for k, s in aws_kinesis_firehose_delivery_stream.this : k => s.name }
}

output "delivery_stream_arns" {
  description = "Firehose delivery stream ARN by log group key."
  value       = { for k, s in aws_kinesis_firehose_delivery_stream.this : k => s.arn }
}

output "subscription_filter_names" {
  description = "Subscription filter name by log group key."
  value       = { for k, f in aws_cloudwatch_log_subscription_filter.this : k => f.name }
}

output "object_prefixes" {
  description = "S3 prefix pattern of the archived objects by log group key (Firehose fills in the UTC date at delivery)."
  value       = local.object_prefixes
}
