# Every input of the module in one file, as registry modules keep them and as the generated Inputs
# table reads them. It runs past 600 lines because the root is the public contract and validates
# every input itself, with a message that names the variable and says what to fix.

################################################################################
# Naming
################################################################################

variable "function_name" {
  description = "Name of the cart-migration Lambda function: the alarms watch its AWS/Lambda metrics and the metric filters read its log group `/aws/lambda/<function_name>`. With create_lambda = true the module creates the function under this name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 letters, digits, '-' or '_' (a Lambda function name)."
  }
}

variable "name_prefix" {
  description = "Prefix of the names of topics (`<name_prefix>-alerts`, `<name_prefix>-alerts-page`), the audit log group (`/<name_prefix>/audit`), the KMS alias, metric filters, tables and the saved-query folder. Change it to run a second environment beside the first."
  type        = string
  default     = "vyaparai-cart-migration"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm names (`<alarm_name_prefix>-HighFailureRate`, ...) and the dashboard name (unless dashboard_name)."
  type        = string
  default     = "VyaparAI-CartMigration"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.alarm_name_prefix))
    error_message = "alarm_name_prefix must be 1 to 64 characters of letters, digits, '-' or '_', starting with a letter or digit (it also names the dashboard)."
  }
}

variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard. null = alarm_name_prefix, the guide's `VyaparAI-CartMigration`. Dashboards are global to the account, unlike the alarms: a stack in a second region of the same account must name its own (e.g. `VyaparAI-CartMigration-us-east-1`), or its PutDashboard overwrites the first region's dashboard and the two states replace each other's on every apply."
  type        = string
  default     = null

  validation {
    condition     = var.dashboard_name == null ? true : can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name must be 1 to 255 letters, digits, '-' or '_' (CloudWatch's rule for dashboard names), or null for alarm_name_prefix."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the log-derived metrics. null = the event catalogue's `metric_namespace`."
  type        = string
  default     = null

  # CloudWatch allows letters, digits, . - _ / # : and space in a namespace, at least one of them
  # not a space, and reserves AWS/ (User Guide, "Namespaces"; API reference, Metric). This
  # namespace is also a metric filter's, where CloudWatch Logs' API pattern ([^:*$]*) and the AWS
  # provider refuse ':' anywhere; so ':' is refused here, with the reason.
  validation {
    condition = var.metric_namespace == null ? true : (
      can(regex("^[0-9A-Za-z._/# -]{1,255}$", var.metric_namespace))
      && trimspace(var.metric_namespace) != ""
      && !startswith(var.metric_namespace, "AWS/")
    )
    error_message = "metric_namespace must be 1 to 255 letters, digits, '.', '-', '_', '/', '#' or spaces (not only spaces), and must not start with 'AWS/' (reserved for AWS), e.g. MyCompany/CartMigration. CloudWatch metrics also allow ':', but the namespace of a metric filter (CloudWatch Logs, and the AWS provider) does not."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

################################################################################
# Alerting: topics, encryption, subscriptions
################################################################################

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

################################################################################
# Log groups
################################################################################

variable "create_function_log_group" {
  description = "Manage the function's log group `/aws/lambda/<function_name>` (its retention and key). null = the module decides: with create_lambda it creates the group; otherwise it creates the group when it does not exist yet (a function that has not logged: the metric filters need it), tagging it `cart-migration-monitoring:log-group` so later plans keep it, and leaves an existing group alone (a function that has run has one, and creating it again fails). To manage an existing group, set true and adopt it with an `import` block (examples/existing-function). With false the group must exist before apply (the plan warns): invoke the function once or create the group."
  type        = bool
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "audit_log_retention_in_days" {
  description = "Retention of the audit log group `/<name_prefix>/audit` (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 90

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit_log_retention_in_days)
    error_message = "audit_log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_group_kms_key_id" {
  description = "ARN of a KMS key that encrypts every log group the module creates: the function's `/aws/lambda/<function_name>` (when the module manages it), the audit group `/<name_prefix>/audit`, with create_api the API's access-log group `/aws/apigateway/<name_prefix>-api/access`, and with log_archive Firehose's error-log group `/aws/kinesisfirehose/<name_prefix>-log-archive`. Its key policy must let logs.<region>.amazonaws.com use it for each of these groups (condition kms:EncryptionContext:aws:logs:arn; examples/complete shows the statement). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_kms_key_id == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_group_kms_key_id))
    error_message = "log_group_kms_key_id must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "function_log_group_class" {
  description = "Log class of the function's log group when the module creates it (`log_group_class`). Only STANDARD: the module's metric filters read this group, and CloudWatch Logs runs no metric filters on the other classes."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"], var.function_log_group_class)
    error_message = "function_log_group_class must be STANDARD, INFREQUENT_ACCESS or DELIVERY (CloudWatch Logs' log classes)."
  }

  validation {
    condition     = var.function_log_group_class == "STANDARD"
    error_message = "function_log_group_class must stay STANDARD: the module's metric filters (every metric of the event catalogue, and the alarms and dashboard built on them) read the function's log group, and CloudWatch Logs runs no metric filters on an INFREQUENT_ACCESS or DELIVERY group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html), so they would get no data. To save on ingestion, set audit_log_group_class = \"INFREQUENT_ACCESS\" instead."
  }
}

variable "audit_log_group_class" {
  description = "Log class of the audit log group `/<name_prefix>/audit` (`log_group_class`): STANDARD, or INFREQUENT_ACCESS (cheaper ingestion; no metric filters, subscription filters, Live Tail or data protection). Changing it replaces the group."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS"], var.audit_log_group_class)
    error_message = "audit_log_group_class must be STANDARD or INFREQUENT_ACCESS (the DELIVERY class keeps events one day and serves only delivery to S3 or Firehose, not an audit trail)."
  }
}

variable "log_data_protection" {
  description = <<-EOT
    A CloudWatch Logs data protection policy on the function and audit log groups: the second PII net,
    behind the function's own redactor (docs/pii.md). null = off (the default). Fields:
    data_identifiers (names of managed data identifiers; null = EmailAddress, PhoneNumber-{US,GB,DE,FR,ES,IT,BR},
    CreditCardNumber, CreditCardSecurityCode, CreditCardExpiration, BankAccountNumber-{DE,ES,FR,GB,IT} and
    IpAddress, the catalogue's `ip_address`), findings_destination_log_group (log group receiving the audit
    findings; null = the module creates `/<name_prefix>/data-protection-findings`), findings_destination_s3_bucket
    and findings_destination_firehose_delivery_stream (further destinations that already exist, or null).
    Readers without `logs:Unmask` see what the identifiers find as asterisks. Costs $0.12 per GB scanned (us-east-1).
  EOT
  type = object({
    data_identifiers                              = optional(list(string))
    findings_destination_log_group                = optional(string)
    findings_destination_s3_bucket                = optional(string)
    findings_destination_firehose_delivery_stream = optional(string)
  })
  default = null

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.data_identifiers == null ? true : length(var.log_data_protection.data_identifiers) > 0 && alltrue([for i in var.log_data_protection.data_identifiers : can(regex("^[A-Za-z]+(-[A-Z]{2})?$", i))])
    error_message = "log_data_protection.data_identifiers must name at least one managed data identifier, by name (EmailAddress, PhoneNumber-US, ...: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/protect-sensitive-log-data-types.html), not by ARN."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_log_group == null ? true : can(regex("^[-._/#A-Za-z0-9]{1,512}$", var.log_data_protection.findings_destination_log_group))
    error_message = "log_data_protection.findings_destination_log_group must be a log group name (1-512 of letters, digits, '-', '_', '.', '/', '#') or null."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_s3_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.log_data_protection.findings_destination_s3_bucket))
    error_message = "log_data_protection.findings_destination_s3_bucket must be an S3 bucket name or null."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_firehose_delivery_stream == null ? true : can(regex("^[a-zA-Z0-9_.-]{1,64}$", var.log_data_protection.findings_destination_firehose_delivery_stream))
    error_message = "log_data_protection.findings_destination_firehose_delivery_stream must be a Firehose stream name (1-64 of letters, digits, '_', '.', '-') or null."
  }
}

################################################################################
# Alarms
################################################################################

variable "actions_enabled" {
  description = "Whether the alarms notify their topics (on ALARM and on OK)."
  type        = bool
  default     = true
}

variable "runbook_base_url" {
  description = "Base URL where you publish the runbook pages (this module's `docs/runbooks/`); each alarm description then links `<runbook_base_url>/<alarm key>.md`. null = each description names its page and this module's version instead, `Runbook: docs/runbooks/<alarm key>.md in terraform-aws-cart-migration-monitoring v<version>`, which is true wherever the module is copied or forked."
  type        = string
  default     = null

  validation {
    condition     = var.runbook_base_url == null ? true : can(regex("^https?://[^ ]+$", var.runbook_base_url))
    error_message = "runbook_base_url must be an http(s) URL without spaces."
  }
}

variable "alarm_overrides" {
  description = <<-EOT
    Per alarm key (HighFailureRate, NoSuccessfulMigrations, ExcessiveRateLimiting, LambdaErrors, LambdaThrottles,
    LowSuccessRate, LatencyMigrateSingleStore, LatencyMigrateMultiStore, LatencyGetAllCarts, LatencyCleanupGuestCart),
    values replacing the defaults: threshold, evaluation_periods, period, datapoints_to_alarm, treat_missing_data,
    enabled (false = the alarm is not created).
  EOT
  type = map(object({
    threshold           = optional(number)
    evaluation_periods  = optional(number)
    period              = optional(number)
    datapoints_to_alarm = optional(number)
    treat_missing_data  = optional(string)
    enabled             = optional(bool)
  }))
  default = {}

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.threshold == null ? true : o.threshold >= 0])
    error_message = "alarm_overrides: threshold must not be negative (the alarms watch counts, percentages and milliseconds)."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.evaluation_periods == null ? true : o.evaluation_periods >= 1 && floor(o.evaluation_periods) == o.evaluation_periods])
    error_message = "alarm_overrides: evaluation_periods must be a whole number of at least 1."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.datapoints_to_alarm == null ? true : o.datapoints_to_alarm >= 1 && floor(o.datapoints_to_alarm) == o.datapoints_to_alarm])
    error_message = "alarm_overrides: datapoints_to_alarm must be a whole number of at least 1."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.period == null ? true : o.period >= 60 && o.period % 60 == 0])
    error_message = "alarm_overrides: period must be a multiple of 60 seconds. Every alarm of this module watches one-minute data (metric filters and AWS/Lambda publish per minute), so a 10, 20 or 30 s period would see mostly empty periods."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.treat_missing_data == null ? true : contains(["breaching", "notBreaching", "ignore", "missing"], o.treat_missing_data)])
    error_message = "alarm_overrides: treat_missing_data must be breaching, notBreaching, ignore or missing."
  }
}

variable "extra_alarms" {
  description = <<-EOT
    Further alarms, keyed by name suffix: each is an entry of the metric_alarms submodule's `alarms`, whose type declares the
    fields and their defaults (modules/metric_alarms/variables.tf; the root passes the entries through as they are, so the two
    cannot drift). Required: priority (P1/P2/P3), summary, response, comparison_operator, threshold, period, evaluation_periods,
    treat_missing_data. The watched metric is exactly one of `metric` (a catalogue metric key, e.g. "MergeConflictCount"),
    `namespace` + `metric_name` (an AWS metric), or `expression` over `expression_metrics` (id => `metric` or `namespace` +
    `metric_name`, `statistic` (default Sum), `dimensions`) and `expression_steps` (id => an intermediate expression).
    `dimensions` (map of name => value): the dimension values of the watched metric; for a catalogue metric they must name
    exactly that metric's dimensions. `notify = false`: the alarm takes no actions (e.g. an input of a composite alarm);
    default true. Also: statistic or extended_statistic, expression_label, datapoints_to_alarm,
    evaluate_low_sample_count_percentiles, escalation, runbook, enabled (default true).
    Metric keys are checked against the event catalogue at plan time; a key may not be a built-in alarm's (change those with
    alarm_overrides).
  EOT
  # `any`: Terraform has no named types, and the submodule's type is the one declaration of an alarm
  # (its optional fields also fill in the built-in alarms). The validations below give every bad
  # value a message naming this variable; try() turns a missing or mistyped field into that message.
  type    = any
  default = {}

  validation {
    condition     = can(keys(var.extra_alarms)) && alltrue([for a in try(values(var.extra_alarms), []) : can(keys(a))])
    error_message = "extra_alarms must be a map of alarms: name suffix => { priority = \"P2\", summary = ..., response = ..., metric = ..., ... }."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : contains(["P1", "P2", "P3"], try(tostring(a.priority), ""))])
    error_message = "extra_alarms: priority must be P1, P2 or P3."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(length(trimspace(a.summary)) > 0 && length(trimspace(a.response)) > 0, false)])
    error_message = "extra_alarms: every alarm needs a summary and a response (non-empty text: they begin its description)."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try((try(a.metric, null) == null && try(a.expression, null) == null) || (a.period >= 60 && a.period % 60 == 0), false)])
    error_message = "extra_alarms: an alarm on a catalogue metric (metric or expression) needs a period that is a multiple of 60 seconds: metric filters publish one datapoint per minute."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(a.threshold >= 0, false)])
    error_message = "extra_alarms: threshold must not be negative."
  }

  validation {
    condition     = alltrue([for k in try(keys(var.extra_alarms), []) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "extra_alarms: every key must be 1 to 64 letters, digits, '-' or '_' (it ends the alarm name and names the runbook page)."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : contains(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"], try(tostring(a.comparison_operator), ""))])
    error_message = "extra_alarms: comparison_operator must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : contains(["breaching", "notBreaching", "ignore", "missing"], try(tostring(a.treat_missing_data), ""))])
    error_message = "extra_alarms: treat_missing_data must be breaching, notBreaching, ignore or missing."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(a.evaluation_periods >= 1 && floor(a.evaluation_periods) == a.evaluation_periods, false)])
    error_message = "extra_alarms: evaluation_periods must be a whole number of at least 1."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(a.datapoints_to_alarm, null) == null ? true : try(a.datapoints_to_alarm >= 1 && floor(a.datapoints_to_alarm) == a.datapoints_to_alarm, false)])
    error_message = "extra_alarms: datapoints_to_alarm must be a whole number of at least 1."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(contains([10, 20, 30], a.period) || (a.period >= 60 && a.period % 60 == 0), false)])
    error_message = "extra_alarms: period must be 10, 20, 30 or a multiple of 60 seconds."
  }

  validation {
    condition = alltrue([for a in try(values(var.extra_alarms), []) : try(alltrue(concat(
      [try(a.statistic, null) == null ? true : contains(["SampleCount", "Average", "Sum", "Minimum", "Maximum"], a.statistic)],
      [for q in values(try(a.expression_metrics, {})) : contains(["SampleCount", "Average", "Sum", "Minimum", "Maximum"], try(q.statistic, "Sum"))],
    )), false)])
    error_message = "extra_alarms: statistic (also in expression_metrics) must be SampleCount, Average, Sum, Minimum or Maximum; percentiles such as p99 go in extended_statistic."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : try(a.evaluate_low_sample_count_percentiles, null) == null ? true : contains(["evaluate", "ignore"], try(tostring(a.evaluate_low_sample_count_percentiles), ""))])
    error_message = "extra_alarms: evaluate_low_sample_count_percentiles must be evaluate or ignore."
  }

  validation {
    condition = alltrue([for a in try(values(var.extra_alarms), []) : try(alltrue([
      for dimensions in concat([try(a.dimensions, {})], [for q in values(try(a.expression_metrics, {})) : try(q.dimensions, {})]) :
      alltrue([for name, value in dimensions : can(tostring(value)) && length(name) > 0])
    ]), false)])
    error_message = "extra_alarms: dimensions (also in expression_metrics) must be a map of dimension name => value, e.g. { operation = \"migrate\" }."
  }

  validation {
    condition     = alltrue([for a in try(values(var.extra_alarms), []) : can(tobool(try(a.notify, true))) && can(tobool(try(a.enabled, true)))])
    error_message = "extra_alarms: notify and enabled must be true or false (notify = false: the alarm takes no actions; enabled = false: it is not created)."
  }
}

variable "no_successful_migrations_waits_for_traffic" {
  description = "false (the guide): NoSuccessfulMigrations treats missing data as breaching, so it goes to ALARM at its first evaluation after deploy (about a minute) when the function has logged nothing yet, and after 30 minutes without a success later, a night without traffic included. true: missing data is missing, so the alarm stays quiet (INSUFFICIENT_DATA) until the function logs its first event and during any later stretch without log events; it still pages when traffic flows for 30 minutes without a success."
  type        = bool
  default     = false
}

################################################################################
# Service-level objectives and their burn-rate alarms
################################################################################

variable "slo_alarms_enabled" {
  description = "Create the SLO burn-rate alarms and the composite alarms that page on them (one page per incident). false = the guide's alarms and the alarms beyond it only."
  type        = bool
  default     = true
}

variable "function_log_format" {
  description = "Log format of the function (its logging_config log_format): JSON or Text. The latency SLOs count timed-out invocations from the platform's report line, whose form depends on it. null: JSON for the module's own function (create_lambda), Text (Lambda's default) for another one."
  type        = string
  default     = null

  validation {
    condition     = var.function_log_format == null || contains(["JSON", "Text"], coalesce(var.function_log_format, "-"))
    error_message = "function_log_format must be JSON or Text (the function's logging_config log_format), or null to let the module choose."
  }
}

variable "availability_slo_percent" {
  description = "Availability SLO: the share of migrations that succeed (migration_success / (migration_success + migration_failure)), in percent. The guide's target: > 99.5 %."
  type        = number
  default     = 99.5

  validation {
    condition     = var.availability_slo_percent > 0 && var.availability_slo_percent < 100
    error_message = "availability_slo_percent must be between 0 and 100, both excluded (e.g. 99.5): 100 leaves no error budget to burn, and the burn-rate thresholds are multiples of the budget."
  }
}

variable "latency_slos" {
  description = "Latency SLO per catalogue operation (migrate_single_store, migrate_multi_store, get_all_carts, cleanup_guest_cart): target_percent of the requests faster than threshold_ms (from performance_metric's duration_ms). Operations left out, and fields left null, take the guide's values: 99 % under the operation's target_ms (300, 500, 200, 150 ms)."
  type = map(object({
    target_percent = optional(number, 99)
    threshold_ms   = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for o in values(var.latency_slos) : o.target_percent > 0 && o.target_percent < 100])
    error_message = "latency_slos: target_percent must be between 0 and 100, both excluded (e.g. 99): 100 leaves no error budget to burn."
  }

  validation {
    condition     = alltrue([for o in values(var.latency_slos) : o.threshold_ms == null ? true : o.threshold_ms > 0 && floor(o.threshold_ms) == o.threshold_ms])
    error_message = "latency_slos: threshold_ms must be a whole number of milliseconds above 0 (the metric filter compares duration_ms with it)."
  }
}

variable "slo_period_days" {
  description = "Period of the SLOs in days: the error budget is (100 - target) % of the requests of this many days. Burn rate 1 spends it in exactly this period."
  type        = number
  default     = 30

  validation {
    condition     = var.slo_period_days >= 1 && var.slo_period_days <= 366 && floor(var.slo_period_days) == var.slo_period_days
    error_message = "slo_period_days must be a whole number of days from 1 to 366."
  }
}

variable "slo_burn_rate_windows" {
  description = <<-EOT
    Multi-window burn-rate alerts (Google SRE Workbook, "Alerting on SLOs"). Each entry alerts when the SLO spends
    budget_consumed_percent of its period's error budget within long_window_minutes, confirmed by short_window_minutes
    (still burning): both windows above burn rate = budget_consumed_percent / 100 x period / long window.
    priority P1 = page (page topic), P2/P3 = ticket (alerts topic). min_events = the pair's minimum-events guard: a window
    with fewer requests is quiet (null = slo_min_events). CloudWatch allows a window (an alarm period) of at most 7 days
    (10080 minutes); the defaults fit, so no window is shortened. The default Quick pair (4x over 5 min, confirmed over
    2 min, at least 100 requests) pages a fast leak or a latency regression within minutes; its own guard keeps the
    few-minute windows of low traffic quiet (docs/alert-quality.md measures it).
  EOT
  type = list(object({
    name                    = string
    priority                = string
    long_window_minutes     = number
    short_window_minutes    = number
    budget_consumed_percent = number
    min_events              = optional(number)
  }))
  default = [
    # 0.0462963 % of a 30-day budget in 5 minutes: burn rate 4 (0.0462963 / 100 x 43,200 / 5, rounded to 4 decimals).
    { name = "Quick", priority = "P1", long_window_minutes = 5, short_window_minutes = 2, budget_consumed_percent = 0.0462963, min_events = 100 },
    { name = "Outage", priority = "P1", long_window_minutes = 15, short_window_minutes = 2, budget_consumed_percent = 0.5 },
    { name = "Fast", priority = "P1", long_window_minutes = 60, short_window_minutes = 5, budget_consumed_percent = 2 },
    { name = "Slow", priority = "P1", long_window_minutes = 360, short_window_minutes = 30, budget_consumed_percent = 5 },
    { name = "Ticket", priority = "P3", long_window_minutes = 4320, short_window_minutes = 360, budget_consumed_percent = 10 },
  ]

  validation {
    condition     = length(var.slo_burn_rate_windows) > 0 && length(distinct([for w in var.slo_burn_rate_windows : w.name])) == length(var.slo_burn_rate_windows) && alltrue([for w in var.slo_burn_rate_windows : can(regex("^[A-Za-z0-9]{1,16}$", w.name))])
    error_message = "slo_burn_rate_windows: give at least one window, each with a distinct name of 1 to 16 letters or digits (it names the alarms)."
  }

  validation {
    condition     = alltrue([for w in var.slo_burn_rate_windows : contains(["P1", "P2", "P3"], w.priority)])
    error_message = "slo_burn_rate_windows: priority must be P1 (page), P2 or P3 (ticket)."
  }

  validation {
    condition     = alltrue([for w in var.slo_burn_rate_windows : floor(w.long_window_minutes) == w.long_window_minutes && floor(w.short_window_minutes) == w.short_window_minutes && w.short_window_minutes >= 1 && w.short_window_minutes < w.long_window_minutes && w.long_window_minutes <= 10080])
    error_message = "slo_burn_rate_windows: windows are whole minutes with 1 <= short_window_minutes < long_window_minutes <= 10080. CloudWatch refuses an alarm whose period x evaluation periods exceeds 7 days (604,800 s), and each window is one alarm period; the metrics have one-minute resolution, so no window is shorter than a minute."
  }

  validation {
    condition     = alltrue([for w in var.slo_burn_rate_windows : w.budget_consumed_percent > 0 && w.budget_consumed_percent <= 100])
    error_message = "slo_burn_rate_windows: budget_consumed_percent must be above 0 and at most 100 (the share of the period's error budget the long window may spend)."
  }

  validation {
    condition     = alltrue([for w in var.slo_burn_rate_windows : w.min_events == null ? true : w.min_events >= 1 && floor(w.min_events) == w.min_events])
    error_message = "slo_burn_rate_windows: min_events must be a whole number of requests of at least 1, or null (left out) to use slo_min_events."
  }
}

variable "slo_min_events" {
  description = "Minimum-events guard: a burn-rate window (of a slo_burn_rate_windows pair without its own min_events) and LowSuccessRate (5 minutes) with fewer requests than this are quiet, so one failure among a few quiet-night requests pages nobody. Below it NoSuccessfulMigrations watches the service."
  type        = number
  default     = 20

  validation {
    condition     = var.slo_min_events >= 1 && floor(var.slo_min_events) == var.slo_min_events
    error_message = "slo_min_events must be a whole number of at least 1."
  }
}

variable "page_suppression" {
  description = "ActionsSuppressor periods of the composite alarms quieted by the availability page: wait_period = seconds a composite waits for the availability page after its own transition before it notifies; extension_period = seconds it stays quiet after the availability page returns to OK."
  type = object({
    wait_period      = optional(number, 120)
    extension_period = optional(number, 1800)
  })
  default = {}

  validation {
    condition     = var.page_suppression.wait_period >= 0 && var.page_suppression.extension_period >= 0
    error_message = "page_suppression: wait_period and extension_period must not be negative."
  }
}

################################################################################
# Log archive to S3
################################################################################

variable "log_archive" {
  description = <<-EOT
    Archive the function's log group (and the audit log group, unless include_audit_log = false) to S3
    through Kinesis Data Firehose (modules/log_archive). null = no archive. Objects land under
    `logs/<function|audit>/year=YYYY/month=MM/day=DD/` in an encrypted, private, versioned bucket that moves
    them to Standard-IA, then Glacier, then deletes them. Fields: bucket_name (null = `<name_prefix>-log-archive-<account id>-<region>`, the prefix cut to fit 63 characters),
    filter_pattern ("" = every event), include_audit_log, transition_to_infrequent_access_days (30),
    transition_to_glacier_days (90), expiration_days (365), kms_key_arn (null = SSE-S3), force_destroy,
    buffering_interval_seconds (300), buffering_size_mb (5), encrypt_delivery_stream (true; false only where
    Firehose server-side encryption cannot be started, as on the embedded emulator).
  EOT
  type = object({
    bucket_name                          = optional(string)
    filter_pattern                       = optional(string, "")
    include_audit_log                    = optional(bool, true)
    transition_to_infrequent_access_days = optional(number, 30)
    transition_to_glacier_days           = optional(number, 90)
    expiration_days                      = optional(number, 365)
    kms_key_arn                          = optional(string)
    force_destroy                        = optional(bool, false)
    buffering_interval_seconds           = optional(number, 300)
    buffering_size_mb                    = optional(number, 5)
    encrypt_delivery_stream              = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.transition_to_infrequent_access_days >= 30 && var.log_archive.transition_to_glacier_days >= var.log_archive.transition_to_infrequent_access_days + 30 && var.log_archive.expiration_days > var.log_archive.transition_to_glacier_days
    error_message = "log_archive: transition_to_infrequent_access_days must be at least 30 (S3's minimum for Standard-IA), transition_to_glacier_days at least 30 days later, and expiration_days after transition_to_glacier_days."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.buffering_interval_seconds >= 60 && var.log_archive.buffering_interval_seconds <= 900 && var.log_archive.buffering_size_mb >= 1 && var.log_archive.buffering_size_mb <= 128
    error_message = "log_archive: buffering_interval_seconds must be 60 to 900 and buffering_size_mb 1 to 128 (Firehose's limits)."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.bucket_name == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.log_archive.bucket_name))
    error_message = "log_archive.bucket_name must be an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-') or null."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_archive.kms_key_arn))
    error_message = "log_archive.kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

################################################################################
# Saved queries
################################################################################

variable "additional_queries" {
  description = "Further saved Logs Insights queries on the function's log group: query name => query string."
  type        = map(string)
  default     = {}

  # A saved query is named `<name_prefix>/<query name>` (at most 255 characters in all).
  validation {
    condition     = alltrue([for name, query in var.additional_queries : length(name) >= 1 && length(name) <= 200 && trimspace(query) != ""])
    error_message = "additional_queries: every query name must be 1 to 200 characters and every query string non-empty."
  }
}

################################################################################
# Optional: the function itself and its tables
################################################################################

variable "create_lambda" {
  description = "Create the cart-migration function, its tables and its role (modules/migration_lambda)."
  type        = bool
  default     = false
}

variable "lambda_package_path" {
  description = "Path of the deployment zip, relative to the working directory: `make package` builds build/cart_migration.zip, `make release` dist/cart_migration-<version>-<arch>.zip. With create_lambda = true, give this or lambda_package_s3_bucket and lambda_package_s3_key."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_path == null ? true : fileexists(var.lambda_package_path)
    error_message = "lambda_package_path must point at an existing deployment zip: build it first (`make package` builds build/cart_migration.zip)."
  }
}

variable "lambda_package_s3_bucket" {
  description = "S3 bucket holding the deployment zip (a release zip you uploaded), instead of lambda_package_path."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_s3_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lambda_package_s3_bucket))
    error_message = "lambda_package_s3_bucket must be an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-') or null."
  }
}

variable "lambda_package_s3_key" {
  description = "S3 key of the deployment zip in lambda_package_s3_bucket."
  type        = string
  default     = null
}

variable "lambda_package_s3_object_version" {
  description = "Object version of the zip in S3 (versioned buckets); null = the latest."
  type        = string
  default     = null
}

variable "lambda_package_source_code_hash" {
  description = "Base64 sha256 of the zip in S3, the release manifest's `sha256_base64`: a new value updates the function's code. Not needed for a local zip."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_source_code_hash == null ? true : can(regex("^[A-Za-z0-9+/]{43}=$", var.lambda_package_source_code_hash))
    error_message = "lambda_package_source_code_hash must be a base64 sha256 (44 characters ending in '='), as in the release manifest's sha256_base64, or null."
  }
}

variable "lambda_package_catalogue_sha256" {
  description = "sha256 of the event catalogue the package was built with: the release manifest's `catalogue_sha256`. Required with an S3 package; for a local zip, null = read from the manifest.json beside it when there is one. A package built from another catalogue than the module's is refused at plan time."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_catalogue_sha256 == null ? true : can(regex("^[0-9a-f]{64}$", var.lambda_package_catalogue_sha256))
    error_message = "lambda_package_catalogue_sha256 must be 64 lowercase hex digits (the manifest's catalogue_sha256) or null."
  }
}

variable "lambda_architectures" {
  description = "Instruction set of the function: [\"x86_64\"] or [\"arm64\"]."
  type        = list(string)
  default     = ["x86_64"]

  validation {
    condition     = length(var.lambda_architectures) == 1 && contains(["x86_64", "arm64"], var.lambda_architectures[0])
    error_message = "lambda_architectures must be [\"x86_64\"] or [\"arm64\"] (the one instruction set the package's wheels were built for)."
  }
}

variable "lambda_memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240 && floor(var.lambda_memory_size) == var.lambda_memory_size
    error_message = "lambda_memory_size must be a whole number of MB between 128 and 10240 (Lambda's limits)."
  }
}

variable "lambda_timeout" {
  description = "Timeout of the function in seconds. At least 3: the function keeps 1 s to answer 503 and write its failure, latency and audit lines before Lambda would kill it, and fits every AWS call in the rest (lambda_src/README.md, \"Deadline\")."
  type        = number
  default     = 15

  validation {
    condition     = var.lambda_timeout <= 900 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "lambda_timeout must be a whole number of seconds, at most 900 (Lambda's limit)."
  }

  # Mirrors MIN_FUNCTION_TIMEOUT_SECONDS in lambda_src/cart_migration/deadline.py.
  validation {
    condition     = var.lambda_timeout >= 3
    error_message = "lambda_timeout must be at least 3 seconds: the function keeps its last second to answer 503 and write the failure, latency and audit lines of a request that ran out of time, and needs 2 s more for one DynamoDB call that can be retried once (two 0.5 s attempts and up to 1 s of the SDK's back-off). Below that every request would run out of time."
  }
}

variable "lambda_reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 = unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.lambda_reserved_concurrent_executions >= -1 && floor(var.lambda_reserved_concurrent_executions) == var.lambda_reserved_concurrent_executions
    error_message = "lambda_reserved_concurrent_executions must be a whole number: -1 (unreserved), 0 (the function is switched off) or more."
  }
}

variable "lambda_environment_variables" {
  description = "Further environment variables of the function. Not the names Lambda reserves (AWS_REGION, AWS_ACCESS_KEY_ID, _HANDLER, ...) nor those the module sets from its own variables (CARTS_TABLE, JWT_*, ...)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.lambda_environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]+$", k))])
    error_message = "lambda_environment_variables: every name must be at least 2 characters, start with a letter and hold only letters, digits and '_' (Lambda's rule for environment variable names)."
  }

  # The keys Lambda reserves ("Defined runtime environment variables", reserved list:
  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
  # CreateFunction and UpdateFunctionConfiguration refuse them, after the plan passed.
  validation {
    condition = length(setintersection([for k in keys(var.lambda_environment_variables) : upper(k)], [
      "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ])) == 0
    error_message = "lambda_environment_variables: a name is one Lambda reserves and sets itself (_HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR): the function cannot be created with it. Remove it; the function reads the region and its credentials from the values Lambda sets."
  }

  # The module sets these from its own inputs (modules/migration_lambda); a value given here
  # would be replaced silently.
  validation {
    condition = length(setintersection(keys(var.lambda_environment_variables), [
      "CARTS_TABLE", "RATE_LIMIT_TABLE", "AUDIT_LOG_GROUP", "JWT_ALGORITHM", "JWT_SECRET", "JWT_SECRET_PARAMETER",
      "JWT_PUBLIC_KEY", "JWT_LEEWAY_SECONDS", "JWT_ISSUER", "JWT_AUDIENCE", "RATE_LIMIT_MAX_CALLS",
      "READ_RATE_LIMIT_MAX_CALLS", "RATE_LIMIT_WINDOW_SECONDS", "CUSTOMER_CART_TTL_DAYS", "LOG_SAMPLE_RATE",
      "LOG_HASH_KEY", "LOG_HASH_KEY_PARAMETER", "SECRETS_MAX_AGE_SECONDS", "POWERTOOLS_SERVICE_NAME",
    ])) == 0
    error_message = "lambda_environment_variables: a name is one the module sets from its own variables (CARTS_TABLE, RATE_LIMIT_TABLE, AUDIT_LOG_GROUP, JWT_*, RATE_LIMIT_*, READ_RATE_LIMIT_MAX_CALLS, CUSTOMER_CART_TTL_DAYS, LOG_SAMPLE_RATE, LOG_HASH_KEY*, SECRETS_MAX_AGE_SECONDS, POWERTOOLS_SERVICE_NAME): set the matching variable (carts_table_name, jwt_secret, log_sample_rate, ...) instead."
  }
}

variable "carts_table_name" {
  description = "Name of the carts table. null = `<name_prefix>-carts`."
  type        = string
  default     = null

  validation {
    condition     = var.carts_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.carts_table_name))
    error_message = "carts_table_name must be 3 to 255 letters, digits, '_', '-' or '.' (a DynamoDB table name) or null."
  }
}

variable "rate_limit_table_name" {
  description = "Name of the rate-limit table. null = `<name_prefix>-rate-limits`."
  type        = string
  default     = null

  validation {
    condition     = var.rate_limit_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.rate_limit_table_name))
    error_message = "rate_limit_table_name must be 3 to 255 letters, digits, '_', '-' or '.' (a DynamoDB table name) or null."
  }
}

variable "table_kms_key_arn" {
  description = "Customer-managed KMS key of the tables; the function's role may use it through DynamoDB only. null = the AWS-managed DynamoDB key."
  type        = string
  default     = null

  validation {
    condition     = var.table_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.table_kms_key_arn))
    error_message = "table_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "table_deletion_protection" {
  description = "Protect the tables from deletion."
  type        = bool
  default     = false
}

variable "jwt_algorithm" {
  description = "Algorithm of the bearer tokens: HS256 with jwt_secret, RS256 with jwt_public_key."
  type        = string
  default     = "HS256"

  validation {
    condition     = contains(["HS256", "RS256"], var.jwt_algorithm)
    error_message = "jwt_algorithm must be HS256 (with jwt_secret) or RS256 (with jwt_public_key): the function supports these two."
  }
}

variable "jwt_secret" {
  description = "Shared secret of HS256 bearer tokens."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secret == null ? true : length(var.jwt_secret) >= 32
    error_message = "jwt_secret must be at least 32 characters: an HS256 key shorter than the hash (256 bits) can be guessed offline from any token (RFC 7518, section 3.2)."
  }

  validation {
    condition     = var.jwt_secret == null ? true : !can(regex("-----BEGIN |ssh-rsa |ssh-ed25519 |ecdsa-sha2-", var.jwt_secret))
    error_message = "jwt_secret holds a public or private key, not a shared secret: for HS256 give the HMAC secret; for tokens signed with an RSA key set jwt_algorithm = \"RS256\" and jwt_public_key."
  }
}

variable "jwt_public_key" {
  description = "PEM public key of RS256 bearer tokens."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_public_key == null ? true : can(regex("-----BEGIN (RSA )?PUBLIC KEY-----", var.jwt_public_key))
    error_message = "jwt_public_key must be a PEM public key (-----BEGIN PUBLIC KEY----- ...); newlines may be written as \\n."
  }
}

variable "jwt_jwks_url" {
  description = "HTTPS URL of the identity provider's JSON Web Key Set (Cognito, Auth0, ...) for RS256 tokens, instead of jwt_public_key: the function picks the key by the token's kid and follows key rotation."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_jwks_url == null ? true : can(regex("^https://[^/?#@\\s]+(/[^\\s]*)?$", var.jwt_jwks_url))
    error_message = "jwt_jwks_url must be an https:// URL such as https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json: keys fetched over plain http could be replaced on the way."
  }
}

variable "rate_limit_max_calls" {
  description = "Migrate and cleanup calls allowed per customer, endpoint and rate-limit window (POST /migrate, DELETE /cleanup-guest)."
  type        = number
  default     = 5

  validation {
    condition     = var.rate_limit_max_calls >= 1 && floor(var.rate_limit_max_calls) == var.rate_limit_max_calls
    error_message = "rate_limit_max_calls must be a whole number of at least 1 (0 would refuse every call)."
  }
}

variable "read_rate_limit_max_calls" {
  description = "GET /api/v1/cart/all calls allowed per customer and rate-limit window: reads have their own quota, as a front end refreshes the cart list far more often than it migrates."
  type        = number
  default     = 60

  validation {
    condition     = var.read_rate_limit_max_calls >= 1 && floor(var.read_rate_limit_max_calls) == var.read_rate_limit_max_calls
    error_message = "read_rate_limit_max_calls must be a whole number, at least 1 (calls per customer per rate_limit_window_seconds)."
  }
}

variable "jwt_leeway_seconds" {
  description = "Clock skew, in seconds, allowed when checking a token's exp, nbf and iat: a token minted slightly ahead of the function's clock still signs in."
  type        = number
  default     = 30

  validation {
    condition     = var.jwt_leeway_seconds >= 0 && var.jwt_leeway_seconds <= 300 && floor(var.jwt_leeway_seconds) == var.jwt_leeway_seconds
    error_message = "jwt_leeway_seconds must be a whole number from 0 to 300: it allows for clock skew, and a larger leeway extends the life of every token."
  }
}

variable "jwt_issuer" {
  description = "When set, tokens must carry this `iss` claim. null = the issuer is not checked."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_issuer == null ? true : length(trimspace(var.jwt_issuer)) > 0 && trimspace(var.jwt_issuer) == var.jwt_issuer
    error_message = "jwt_issuer must be null (no check) or the exact, non-empty issuer string, without surrounding spaces."
  }
}

variable "jwt_audience" {
  description = "When set, tokens must name this audience in their `aud` claim. null = tokens must carry no `aud` claim (a token meant for named audiences is refused, RFC 7519 section 4.1.3)."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_audience == null ? true : length(trimspace(var.jwt_audience)) > 0 && trimspace(var.jwt_audience) == var.jwt_audience
    error_message = "jwt_audience must be null (no check) or the exact, non-empty audience string, without surrounding spaces."
  }
}

variable "rate_limit_window_seconds" {
  description = "Length of the rate-limit window in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.rate_limit_window_seconds >= 1 && floor(var.rate_limit_window_seconds) == var.rate_limit_window_seconds
    error_message = "rate_limit_window_seconds must be a whole number of at least 1."
  }
}

variable "customer_cart_ttl_days" {
  description = "Days a migrated customer cart lives before its TTL expires it (CUSTOMER_CART_TTL_DAYS); 0 = no expiry."
  type        = number
  default     = 30

  validation {
    condition     = var.customer_cart_ttl_days >= 0 && floor(var.customer_cart_ttl_days) == var.customer_cart_ttl_days
    error_message = "customer_cart_ttl_days must be a whole number of days, 0 (no expiry) or more."
  }
}

variable "log_sample_rate" {
  description = "Share (0-1) of the per-store `store_cart_migrated` detail lines the function logs. No metric filter or alarm counts them; every event an alarm counts (`performance_metric` for the latency alarms among them) is always logged, so 0 is safe."
  type        = number
  default     = 1.0

  validation {
    condition     = var.log_sample_rate >= 0 && var.log_sample_rate <= 1
    error_message = "log_sample_rate must be between 0 and 1 (the share of store_cart_migrated lines logged)."
  }
}

variable "log_hash_key" {
  description = "Key of the keyed hash that pseudonymises identifiers in the logs. Required when create_lambda = true unless log_hash_key_parameter is given: the function refuses to start without a key."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.log_hash_key == null ? true : length(var.log_hash_key) >= 16
    error_message = "log_hash_key must be at least 16 characters: a short key lets anyone who reads the logs recover customer ids by brute force."
  }
}

variable "powertools_service_name" {
  description = "POWERTOOLS_SERVICE_NAME of the function."
  type        = string
  default     = "cart-migration"
}

################################################################################
# The function's secrets from SSM, its environment key, and who may invoke it
################################################################################

variable "jwt_secret_parameter" {
  description = "Name (`/cart-migration/jwt-secret`) or ARN of an SSM SecureString parameter holding the HS256 secret: the function reads it at cold start and caches it (secrets_max_age_seconds), and the role may read exactly this parameter. Use instead of jwt_secret, which sits in the function's environment."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_secret_parameter == null ? true : length(var.jwt_secret_parameter) <= 2048 && can(regex("^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_./-]+|/?[A-Za-z0-9_./-]+)$", var.jwt_secret_parameter))
    error_message = "jwt_secret_parameter must be an SSM parameter name (letters, digits, _ . - /) or a parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }
}

variable "log_hash_key_parameter" {
  description = "Name or ARN of an SSM SecureString parameter holding the log hash key (instead of log_hash_key): read at cold start, cached, and the only parameter besides jwt_secret_parameter the role may read."
  type        = string
  default     = null

  validation {
    condition     = var.log_hash_key_parameter == null ? true : length(var.log_hash_key_parameter) <= 2048 && can(regex("^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_./-]+|/?[A-Za-z0-9_./-]+)$", var.log_hash_key_parameter))
    error_message = "log_hash_key_parameter must be an SSM parameter name (letters, digits, _ . - /) or a parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }
}

variable "secret_parameters_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the secret parameters; the role may decrypt with it through SSM only. null = the parameters use the AWS-managed alias/aws/ssm key."
  type        = string
  default     = null

  validation {
    condition     = var.secret_parameters_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.secret_parameters_kms_key_arn))
    error_message = "secret_parameters_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "secrets_max_age_seconds" {
  description = "Seconds the function keeps a secret read from SSM before reading it again: a rotated value is picked up within this time."
  type        = number
  default     = 300

  validation {
    condition     = var.secrets_max_age_seconds >= 0 && floor(var.secrets_max_age_seconds) == var.secrets_max_age_seconds
    error_message = "secrets_max_age_seconds must be a whole number of seconds, 0 or more."
  }
}

variable "lambda_kms_key_arn" {
  description = "ARN of a customer-managed KMS key that encrypts the function's environment variables. null = Lambda's service key."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.lambda_kms_key_arn))
    error_message = "lambda_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "lambda_invoke_source_arns" {
  description = "Callers of your own allowed to invoke the created function: a name of your choice => source ARN (for an API of yours, `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/*/*`; a CloudWatch alarm, an EventBridge rule, an S3 bucket, an SNS topic, ...). The permission's principal follows the service (an alarm ARN: lambda.alarms.cloudwatch.amazonaws.com; an S3 bucket also gets this account as source account). Wire an API with output lambda_invoke_arn."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.lambda_invoke_source_arns : can(regex("^[A-Za-z0-9_-]{1,64}$", k)) && can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:", v))])
    error_message = "lambda_invoke_source_arns: each key must be 1 to 64 letters, digits, '-' or '_' and each value an ARN (arn:<partition>:<service>:...)."
  }

  # The services that invoke a function through a permission on it (the principal of each is in
  # modules/migration_lambda, with the page documenting it). The others reach the function another way.
  validation {
    condition = alltrue([for v in values(var.lambda_invoke_source_arns) : contains([
      "execute-api", "cloudwatch", "events", "s3", "sns", "logs", "iot", "elasticloadbalancing", "cognito-idp", "ses", "config", "secretsmanager",
    ], try(split(":", v)[2], ""))])
    error_message = "lambda_invoke_source_arns: a source ARN's service invokes functions without a resource-based permission, or is unknown. Permissions are for execute-api (API Gateway), cloudwatch (alarms), events, s3, sns, logs, iot, elasticloadbalancing, cognito-idp, ses, config and secretsmanager. SQS, Kinesis, DynamoDB streams, MSK and MQ reach the function through an event source mapping (give the function's role access to the source); Step Functions, EventBridge Scheduler and Pipes call it with a role of their own (allow lambda:InvokeFunction in that role)."
  }

  # A CloudWatch caller is an alarm (lambda.alarms.cloudwatch.amazonaws.com invokes for it).
  validation {
    condition     = alltrue([for v in values(var.lambda_invoke_source_arns) : try(split(":", v)[2], "") != "cloudwatch" || can(regex("^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:.+$", v))])
    error_message = "lambda_invoke_source_arns: a CloudWatch source must be an alarm ARN (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>): only alarms invoke functions directly."
  }
}

################################################################################
# Optional REST API in front of the function (modules/api_gateway)
################################################################################

variable "create_api" {
  description = "Create a REST API with the function's three routes, a stage with JSON access logs and throttling, and a permission for that stage only. Needs create_lambda = true."
  type        = bool
  default     = false
}

variable "api_stage_name" {
  description = "Stage of the REST API; the routes are served under `<api_invoke_url>/api/v1/cart/...`."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.api_stage_name))
    error_message = "api_stage_name must be 1 to 128 letters, digits, '-' or '_'."
  }
}

variable "api_throttling_burst_limit" {
  description = "Requests the API stage accepts in a burst, across all clients."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttling_burst_limit >= 0 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "api_throttling_burst_limit must be a whole number, 0 or more."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady requests per second the API stage accepts, across all clients."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttling_rate_limit >= 0
    error_message = "api_throttling_rate_limit must not be negative."
  }
}

variable "api_access_log_retention_in_days" {
  description = "Retention of the API's access log group `/aws/apigateway/<name_prefix>-api/access` (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.api_access_log_retention_in_days)
    error_message = "api_access_log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "cors_allowed_origins" {
  description = "Origins of shop front ends that may call the API from a browser (CORS), each scheme://host[:port] such as https://shop.example.com, or [\"*\"] for any origin. Empty (the default): no CORS headers and no OPTIONS methods."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : origin == "*" || can(regex("^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$", origin))])
    error_message = "cors_allowed_origins entries must be origins as browsers send them, scheme://host[:port] with no path or trailing slash (https://shop.example.com, http://localhost:3000), or \"*\"."
  }

  validation {
    condition     = !contains(var.cors_allowed_origins, "*") || length(var.cors_allowed_origins) == 1
    error_message = "cors_allowed_origins = [\"*\"] already admits every origin: give either \"*\" alone or a list of origins."
  }
}
