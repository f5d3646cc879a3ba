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
  description = "Prefix of the alarm names (`<alarm_name_prefix>-HighFailureRate`, ...) and the dashboard name."
  type        = string
  default     = "VyaparAI-CartMigration"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.alarm_name_prefix))
    error_message = "alarm_name_prefix must be 1 to 64 characters of letters, digits, '-' or '_', starting with a letter or digit (it also names the dashboard)."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the log-derived metrics. null = the event catalogue's `metric_namespace`."
  type        = string
  default     = null

  validation {
    condition     = var.metric_namespace == null ? true : can(regex("^[^:]{1,255}$", var.metric_namespace)) && !startswith(var.metric_namespace, "AWS/")
    error_message = "metric_namespace must be 1 to 255 characters without ':' and must not start with 'AWS/' (reserved for AWS)."
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

variable "critical_topic_arn" {
  description = "Former name of page_topic_arn (the topic of P1 alerts); used when page_topic_arn is null."
  type        = string
  default     = null

  validation {
    condition     = var.critical_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.critical_topic_arn))
    error_message = "critical_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition     = var.critical_topic_arn == null ? true : !endswith(var.critical_topic_arn, ".fifo")
    error_message = "critical_topic_arn is a FIFO topic: CloudWatch alarm actions and email subscriptions work with standard topics only, not FIFO (.fifo) topics: give a standard topic."
  }
}

variable "warning_topic_arn" {
  description = "Former name of alerts_topic_arn (it received P2/P3; the alerts topic now receives every alarm); used when alerts_topic_arn is null."
  type        = string
  default     = null

  validation {
    condition     = var.warning_topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.warning_topic_arn))
    error_message = "warning_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition     = var.warning_topic_arn == null ? true : !endswith(var.warning_topic_arn, ".fifo")
    error_message = "warning_topic_arn is a FIFO topic: CloudWatch alarm actions and email subscriptions work with standard topics only, not FIFO (.fifo) topics: give a standard topic."
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
  description = "Further subscriptions keyed by a name of your choice: topic (alerts = every alarm, page = pages only; the former `severity` critical means page, warning means alerts), protocol (sqs, lambda, https, ...), endpoint, optional raw_message_delivery, subscription_role_arn (required for firehose), filter_policy and redrive_policy (JSON strings)."
  type = map(object({
    topic                 = optional(string)
    severity              = optional(string)
    protocol              = string
    endpoint              = string
    raw_message_delivery  = optional(bool, false)
    subscription_role_arn = optional(string)
    filter_policy         = optional(string)
    redrive_policy        = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : (s.topic == null) != (s.severity == null) && contains(["alerts", "page"], coalesce(s.topic, "alerts")) && contains(["critical", "warning"], coalesce(s.severity, "warning"))])
    error_message = "additional_subscriptions: give each subscription topic = alerts or page (or the former severity = critical or warning), not both."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : contains(["sqs", "lambda", "http", "https", "email", "email-json", "sms", "application", "firehose"], s.protocol)])
    error_message = "additional_subscriptions: protocol must be one of sqs, lambda, http, https, email, email-json, sms, application, firehose."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : s.protocol != "firehose" || s.subscription_role_arn != null])
    error_message = "additional_subscriptions: a firehose subscription needs subscription_role_arn, the ARN of a role SNS assumes to write to the delivery stream (firehose:PutRecord, PutRecordBatch, DescribeDeliveryStream, ListDeliveryStreams)."
  }

  validation {
    condition     = alltrue([for s in values(var.additional_subscriptions) : (s.filter_policy == null || can(jsondecode(s.filter_policy))) && (s.redrive_policy == null || can(jsondecode(s.redrive_policy)))])
    error_message = "additional_subscriptions: filter_policy and redrive_policy must be JSON documents (e.g. jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn }))."
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
  description = "Create the function's log group `/aws/lambda/<function_name>`. Set false when it exists and is managed elsewhere."
  type        = bool
  default     = true
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
  description = "ARN of a KMS key that encrypts the log groups (its policy must admit logs.<region>.amazonaws.com). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_kms_key_id == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_group_kms_key_id))
    error_message = "log_group_kms_key_id must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
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
  description = "Base URL of the runbook pages; each alarm description links `<runbook_base_url>/<alarm key>.md`."
  type        = string
  default     = "https://github.com/vyaparai/terraform-aws-cart-migration-monitoring/blob/main/docs/runbooks"

  validation {
    condition     = can(regex("^https?://[^ ]+$", var.runbook_base_url))
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
  description = "Further alarms, keyed by name suffix, in the form of the metric_alarms submodule's `alarms` (e.g. on a catalogue metric: metric = \"MergeConflictCount\"). Their metric keys are checked against the event catalogue at plan time."
  type = map(object({
    priority                              = string
    summary                               = string
    response                              = string
    escalation                            = optional(string)
    runbook                               = optional(string)
    metric                                = optional(string)
    namespace                             = optional(string)
    metric_name                           = optional(string)
    dimensions                            = optional(map(string), {})
    statistic                             = optional(string)
    extended_statistic                    = optional(string)
    expression                            = optional(string)
    expression_label                      = optional(string)
    expression_metrics                    = optional(map(object({ metric = string, statistic = optional(string, "Sum") })), {})
    comparison_operator                   = string
    threshold                             = number
    period                                = number
    evaluation_periods                    = number
    datapoints_to_alarm                   = optional(number)
    treat_missing_data                    = string
    evaluate_low_sample_count_percentiles = optional(string)
    enabled                               = optional(bool, true)
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.extra_alarms) : contains(["P1", "P2", "P3"], a.priority)])
    error_message = "extra_alarms: priority must be P1, P2 or P3."
  }

  validation {
    condition     = alltrue([for a in values(var.extra_alarms) : (a.metric == null && a.expression == null) || (a.period >= 60 && a.period % 60 == 0)])
    error_message = "extra_alarms: an alarm on a catalogue metric (metric or expression) needs a period that is a multiple of 60 seconds: metric filters publish one datapoint per minute."
  }

  validation {
    condition     = alltrue([for a in values(var.extra_alarms) : a.threshold >= 0])
    error_message = "extra_alarms: threshold must not be negative."
  }
}

variable "no_successful_migrations_waits_for_traffic" {
  description = "false (the guide): NoSuccessfulMigrations treats missing data as breaching, so it pages after 30 minutes without any log event: right after deploy, and on a night without traffic. true: missing data is missing, so the alarm stays quiet (INSUFFICIENT_DATA) until the function logs its first event and during any later stretch without log events; it still pages when traffic flows for 30 minutes without a success."
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
    priority P1 = page (page topic), P2/P3 = ticket (alerts topic). CloudWatch allows a window (an alarm period) of at most
    7 days (10080 minutes); the defaults fit, so no window is shortened.
  EOT
  type = list(object({
    name                    = string
    priority                = string
    long_window_minutes     = number
    short_window_minutes    = number
    budget_consumed_percent = number
  }))
  default = [
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
}

variable "slo_min_events" {
  description = "Minimum-events guard: a burn-rate window (and LowSuccessRate) with fewer requests than this is quiet, so one failure among a few quiet-night requests pages nobody. Below it NoSuccessfulMigrations watches the service."
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
# Saved queries
################################################################################

variable "additional_queries" {
  description = "Further saved Logs Insights queries on the function's log group: query name => query string."
  type        = map(string)
  default     = {}
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
  description = "Path of the deployment zip (required when create_lambda = true), relative to the working directory."
  type        = string
  default     = null
}

variable "lambda_architectures" {
  description = "Instruction set of the function: [\"x86_64\"] or [\"arm64\"]."
  type        = list(string)
  default     = ["x86_64"]
}

variable "lambda_memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Timeout of the function in seconds."
  type        = number
  default     = 15
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
  description = "Further environment variables of the function."
  type        = map(string)
  default     = {}
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
  description = "Customer-managed KMS key of the tables. null = the AWS-managed DynamoDB key."
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

variable "rate_limit_max_calls" {
  description = "Calls allowed per client per rate-limit window."
  type        = number
  default     = 5
}

variable "rate_limit_window_seconds" {
  description = "Length of the rate-limit window in seconds."
  type        = number
  default     = 60
}

variable "customer_cart_ttl_days" {
  description = "Days a migrated customer cart lives before its TTL expires it (CUSTOMER_CART_TTL_DAYS); 0 = no expiry."
  type        = number
  default     = 30
}

variable "log_sample_rate" {
  description = "Share (0-1) of sampleable events the function logs."
  type        = number
  default     = 1.0
}

variable "log_hash_key" {
  description = "Key of the keyed hash that pseudonymises identifiers in the logs."
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
