variable "name_prefix" {
  description = "Prefix of every name this module gives: topics `<name_prefix>-alerts` (critical) and `<name_prefix>-alerts-warning` (warning), KMS alias `alias/<name_prefix>-sns`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "critical_topic_arn" {
  description = "ARN of an existing SNS topic for critical (P1) alerts. null = the module creates `<name_prefix>-alerts`."
  type        = string
  default     = null

  validation {
    condition     = var.critical_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.critical_topic_arn))
    error_message = "critical_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }
}

variable "warning_topic_arn" {
  description = "ARN of an existing SNS topic for warning (P2/P3) alerts. null = the module creates `<name_prefix>-alerts-warning`."
  type        = string
  default     = null

  validation {
    condition     = var.warning_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.warning_topic_arn))
    error_message = "warning_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }
}

variable "kms_master_key_id" {
  description = "Customer-managed KMS key (ID, ARN or alias) that encrypts the topics the module creates. null = the module creates a key. Its policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*."
  type        = string
  default     = null

  validation {
    condition     = var.kms_master_key_id == null ? true : !can(regex("(^|:)alias/aws/sns$", var.kms_master_key_id))
    error_message = "kms_master_key_id must not be the AWS-managed key alias/aws/sns: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key (its policy cannot admit cloudwatch.amazonaws.com, so notifications are dropped silently). Leave it null to let the module create a customer-managed key, or give a customer-managed key whose policy lets cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created KMS key is deleted (7-30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "alert_emails" {
  description = "Email addresses subscribed to both the critical and the warning topic. Each subscription waits for its owner to confirm it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", e))])
    error_message = "Every entry of alert_emails must be an email address like oncall@example.com."
  }
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

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["critical", "warning"], s.severity)])
    error_message = "additional_subscriptions: severity must be critical or warning."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["sqs", "lambda", "http", "https", "email", "email-json", "sms", "application", "firehose"], s.protocol)])
    error_message = "additional_subscriptions: protocol must be one of sqs, lambda, http, https, email, email-json, sms, application, firehose."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
