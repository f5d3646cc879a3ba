# Inputs are validated once, by the root module (the public contract, ../../variables.tf).

variable "name_prefix" {
  description = "Prefix of every name this module gives: topics `<name_prefix>-alerts` (critical) and `<name_prefix>-alerts-warning` (warning), KMS alias `alias/<name_prefix>-sns`."
  type        = string
}

variable "critical_topic_arn" {
  description = "ARN of an existing SNS topic for critical (P1) alerts. null = the module creates `<name_prefix>-alerts`."
  type        = string
  default     = null
}

variable "warning_topic_arn" {
  description = "ARN of an existing SNS topic for warning (P2/P3) alerts. null = the module creates `<name_prefix>-alerts-warning`."
  type        = string
  default     = null
}

variable "kms_master_key_id" {
  description = "Customer-managed KMS key (ID, ARN or alias) that encrypts the topics the module creates. null = the module creates a key. Its policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*."
  type        = string
  default     = null
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created KMS key is deleted (7-30 days)."
  type        = number
  default     = 30
}

variable "alert_emails" {
  description = "Email addresses subscribed to both the critical and the warning topic. Each subscription waits for its owner to confirm it."
  type        = list(string)
  default     = []
}

variable "additional_subscriptions" {
  description = "Further subscriptions, keyed by a name of your choice: severity (critical or warning), protocol (sqs, lambda, https, ...), endpoint, and optionally raw_message_delivery."
  type = map(object({
    severity             = string
    protocol             = string
    endpoint             = string
    raw_message_delivery = optional(bool, false)
  }))
  default = {}
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
