# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Alerting: the SNS topics, their encryption and subscriptions.

variable "alerts_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives every alarm (P1-P3). null = the module creates `<name_prefix>-alerts`, the topic the guide subscribes people to."
  type        = string
  default     = null

  validation {
    condition     = var.alerts_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.alerts_topic_arn))
    error_message = "alerts_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition     = var.alerts_topic_arn == null ? true : !endswith(var.alerts_topic_arn, ".fifo")
    error_message = "alerts_topic_arn is a FIFO topic: CloudWatch alarm actions and email subscriptions work with standard topics only, not FIFO (.fifo) topics: give a standard topic."
  }
}

variable "page_topic_arn" {
  description = "ARN of an existing standard SNS topic that receives the pages only: the P1 composite alarms, one notification per incident. null = the module creates `<name_prefix>-alerts-page`."
  type        = string
  default     = null

  validation {
    condition     = var.page_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.page_topic_arn))
    error_message = "page_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition     = var.page_topic_arn == null ? true : !endswith(var.page_topic_arn, ".fifo")
    error_message = "page_topic_arn is a FIFO topic: CloudWatch alarm actions and email subscriptions work with standard topics only, not FIFO (.fifo) topics: give a standard topic."
  }
}

variable "kms_master_key_id" {
  description = "Customer-managed KMS key (ID, ARN or alias) for the topics the module creates. null = the module creates a key (rotation on) whose policy lets CloudWatch use it. Never alias/aws/sns."
  type        = string
  default     = null

  validation {
    condition     = var.kms_master_key_id == null ? true : !can(regex("(^|:)alias/aws/sns$", var.kms_master_key_id))
    error_message = "kms_master_key_id must not be the AWS-managed key alias/aws/sns: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key (its policy cannot admit cloudwatch.amazonaws.com, so notifications are dropped silently). Leave it null to let the module create a customer-managed key, or give a customer-managed key whose policy lets cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period (7-30 days) before the created KMS key is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "alert_emails" {
  description = "Email addresses subscribed, once each, to the alerts topic (every alarm, pages included). Each must confirm its subscription (see output pending_email_confirmations)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", e))])
    error_message = "Every entry of alert_emails must be an email address like oncall@example.com."
  }

  validation {
    condition     = length(distinct([for e in var.alert_emails : lower(e)])) == length(var.alert_emails)
    error_message = "alert_emails lists an address more than once (addresses compare without case): list each address once; it receives every alarm through the alerts topic."
  }
}

variable "additional_subscriptions" {
  description = "Further subscriptions keyed by a name of your choice: topic (alerts = every alarm, the default; page = pages only), protocol (sqs, lambda, https, ...), endpoint, optional raw_message_delivery, subscription_role_arn (required for firehose), filter_policy and redrive_policy (JSON strings)."
  type = map(object({
    topic                 = optional(string, "alerts")
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
    error_message = "additional_subscriptions: topic must be alerts (every alarm) or page (pages only)."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : s.protocol != "firehose" || s.subscription_role_arn != null])
    error_message = "additional_subscriptions: a firehose subscription needs subscription_role_arn, the ARN of a role SNS assumes to write to the delivery stream (firehose:PutRecord, PutRecordBatch, DescribeDeliveryStream, ListDeliveryStreams)."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : (s.filter_policy == null || can(jsondecode(s.filter_policy))) && (s.redrive_policy == null || can(jsondecode(s.redrive_policy)))])
    error_message = "additional_subscriptions: filter_policy and redrive_policy must be JSON documents (e.g. jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn }))."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["sqs", "lambda", "http", "https", "email", "email-json", "sms", "application", "firehose"], s.protocol)])
    error_message = "additional_subscriptions: protocol must be one of the SNS protocols sqs, lambda, http, https, email, email-json, sms, application, firehose."
  }
}

variable "priority_topics" {
  description = "Per alarm priority, `critical` = its composite alarms page (notify the page topic as well as the alerts topic) or `warning` = they notify the alerts topic only. Metric alarms always notify the alerts topic only: pages come from the composite alarms, one per incident."
  type        = map(string)
  default = {
    P1 = "critical"
    P2 = "warning"
    P3 = "warning"
  }

  validation {
    condition     = alltrue([for p, s in var.priority_topics : contains(["P1", "P2", "P3"], p) && contains(["critical", "warning"], s)]) && length(var.priority_topics) == 3
    error_message = "priority_topics must map each of P1, P2, P3 to critical or warning."
  }
}
