output "topic_arns" {
  description = "ARN of the alert topic per role: alerts (every alarm), page (P1 pages): created here or given."
  value       = local.topic_arns
}

output "topic_names" {
  description = "Name of the alert topic per role (alerts, page)."
  value       = local.topic_names
}

output "created_topic_arns" {
  description = "ARNs of the topics this module created, by role."
  value       = { for s, t in aws_sns_topic.this : s => t.arn }
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the created topics: the key created here, or the key given (resolved to its key ARN when given as an ID or alias); null when no topic is created."
  value       = local.create_kms_key ? aws_kms_key.this[0].arn : length(local.created_topics) == 0 ? null : local.given_kms_key_is_arn ? var.kms_master_key_id : one(data.aws_kms_key.given[*].arn)
}

output "kms_key_alias" {
  description = "Alias of the created KMS key (null when none is created)."
  value       = local.create_kms_key ? aws_kms_alias.this[0].name : null
}

output "email_subscription_arns" {
  description = "Email subscriptions by `alerts:<email>` (the ARN reads `pending confirmation` until the owner confirms)."
  value       = { for k, s in aws_sns_topic_subscription.email : k => s.arn }
}

output "pending_email_confirmations" {
  description = "Email subscriptions that wait for their owner to click the link in the AWS Notification email; alarms reach an address only after that."
  value = {
    for k, s in local.email_subscriptions : k => "${s.email} must confirm the subscription to ${local.topic_names[s.topic]}: open the 'AWS Notification - Subscription Confirmation' email and click 'Confirm subscription'. Until then no alarm reaches this address."
  }
}
