variable "name_prefix" {
  description = "Prefix of every name this module gives: topics `<name_prefix>-alerts` (every alarm) and `<name_prefix>-alerts-page` (pages), KMS alias `alias/<name_prefix>-sns`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "alerts_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives every alarm (P1-P3). null = the module creates `<name_prefix>-alerts` (the guide's topic)."
  type        = string
  default     = null

  validation {
    condition     = var.alerts_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alerts_topic_arn))
    error_message = "alerts_topic_arn must be the ARN of a standard SNS topic (arn:<partition>:sns:<region>:<account>:<name>, not .fifo) or null."
  }
}

variable "page_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives the pages (P1) only. null = the module creates `<name_prefix>-alerts-page`."
  type        = string
  default     = null

  validation {
    condition     = var.page_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.page_topic_arn))
    error_message = "page_topic_arn must be the ARN of a standard SNS topic (arn:<partition>:sns:<region>:<account>:<name>, not .fifo) or null."
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
  description = "Email addresses subscribed once each to the alerts topic (every alarm, pages included). Each subscription waits for its owner to confirm it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", e))])
    error_message = "Every entry of alert_emails must be an email address like oncall@example.com."
  }

  validation {
    condition     = length(distinct([for e in var.alert_emails : lower(e)])) == length(var.alert_emails)
    error_message = "alert_emails lists an address twice (addresses compare without case): list each address once."
  }
}

variable "additional_subscriptions" {
  description = "Further subscriptions, keyed by a name of your choice: topic (alerts or page), protocol (sqs, lambda, https, ...), endpoint, and optionally raw_message_delivery, subscription_role_arn (required for firehose), filter_policy and redrive_policy (JSON)."
  type = map(object({
    topic                 = string
    protocol              = string
    endpoint              = string
    raw_message_delivery  = optional(bool, false)
    subscription_role_arn = optional(string)
    filter_policy         = optional(string)
    redrive_policy        = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["alerts", "page"], s.topic)])
    error_message = "additional_subscriptions: topic must be alerts or page."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["sqs", "lambda", "http", "https", "email", "email-json", "sms", "application", "firehose"], s.protocol)])
    error_message = "additional_subscriptions: protocol must be one of sqs, lambda, http, https, email, email-json, sms, application, firehose."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : s.protocol != "firehose" || s.subscription_role_arn != null])
    error_message = "additional_subscriptions: a firehose subscription needs subscription_role_arn (a role SNS assumes to write to the delivery stream)."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
