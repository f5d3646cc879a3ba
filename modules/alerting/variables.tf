# Inputs are validated once, by the root module (the public contract, ../../variables.tf).

variable "name_prefix" {
  description = "Prefix of every name this module gives: topics `<name_prefix>-alerts` (every alarm) and `<name_prefix>-alerts-page` (pages), KMS alias `alias/<name_prefix>-sns`."
  type        = string
}

variable "alerts_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives every alarm (P1-P3). null = the module creates `<name_prefix>-alerts` (the guide's topic)."
  type        = string
  default     = null
}

variable "page_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives the pages (P1) only. null = the module creates `<name_prefix>-alerts-page`."
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
  description = "Email addresses subscribed once each to the alerts topic (every alarm, pages included). Each subscription waits for its owner to confirm it."
  type        = list(string)
  default     = []
}

variable "additional_subscriptions" {
  description = "Further subscriptions, keyed by a name of your choice: topic (alerts or page), protocol (sqs, lambda, https, ...), endpoint, and optionally raw_message_delivery, subscription_role_arn (required for firehose), filter_policy and redrive_policy (JSON)."
  # The root declares the object and validates it (its variable additional_subscriptions, whose
  # optional fields are filled in before they reach this module).
  type    = map(any)
  default = {}
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
