# Inputs the caller writes (alarm overrides, extra alarms, namespace, prefixes) are validated once,
# by the root module (../../variables.tf). This file keeps what the root cannot see: the rules
# for the catalogue's metrics. Checks across inputs are preconditions in main.tf.

variable "metrics" {
  description = "Metrics extracted from the logs by metric filters, keyed by metric name (or by a key of their own when `name` gives the metric name, so that several filters can publish one metric under different dimension values): the `metrics` map of the event catalogue (filter_pattern, value, unit, default_value or dimensions) plus the SLO filters."
  type = map(object({
    name           = optional(string)
    description    = optional(string)
    event_type     = optional(string)
    filter_pattern = string
    value          = string
    unit           = optional(string, "None")
    default_value  = optional(number)
    dimensions     = optional(map(string), {})
  }))

  validation {
    condition     = alltrue([for m in values(var.metrics) : !(length(m.dimensions) > 0 && m.default_value != null)])
    error_message = "A metric filter cannot have both dimensions and a default value: remove default_value from every catalogue metric that has dimensions."
  }

  validation {
    condition     = alltrue([for m in values(var.metrics) : length(m.dimensions) <= 3])
    error_message = "A metric filter can have at most 3 dimensions."
  }

  validation {
    condition     = alltrue([for k in keys(var.metrics) : can(regex("^[A-Za-z0-9_.-]{1,255}$", k))])
    error_message = "Metric names (the keys of metrics) must be 1 to 255 letters, digits, '.', '_' or '-'."
  }

  validation {
    condition     = alltrue([for m in values(var.metrics) : length(trimspace(m.filter_pattern)) > 0 && can(regex("^([0-9.]+|\\$\\..+)$", m.value))])
    error_message = "Every metric needs a non-empty filter_pattern and a value that is a number or a JSON selector like $.duration_ms."
  }

  validation {
    condition = alltrue([for m in values(var.metrics) : contains([
      "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
      "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
      "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
      "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    ], m.unit)])
    error_message = "Every metric unit must be a CloudWatch unit (Count, Milliseconds, Seconds, Percent, None, ...)."
  }
}

variable "log_group_name" {
  description = "Log group the metric filters read (the function's `/aws/lambda/<function_name>`)."
  type        = string
}

variable "namespace" {
  description = "CloudWatch namespace of the metrics the filters publish."
  type        = string
}

variable "filter_name_prefix" {
  description = "Metric filter names are `<filter_name_prefix>-<metric name>`."
  type        = string
}

variable "alarm_name_prefix" {
  description = "Alarm names are `<alarm_name_prefix>-<alarm key>`."
  type        = string
}

variable "alarms" {
  description = <<-EOT
    Alarms keyed by the suffix of their name. Each watches exactly one of:
    `metric` (a key of `metrics`: the metric name is taken from its filter), `namespace` + `metric_name` (an AWS metric such as AWS/Lambda Errors),
    or `expression` over `expression_metrics` (id => `metric`, a catalogue metric key, or `namespace` + `metric_name`, an AWS metric
    such as AWS/Lambda Errors; statistic, dimensions) and `expression_steps` (id => an intermediate expression over those ids,
    not returned: CloudWatch allows 10 metrics and 10 expressions in one alarm).
    `priority` (P1/P2/P3) picks the actions; `summary`, `response`, `escalation` and the runbook link make up the description.
    `notify = false`: no actions (an input of composite alarms, which notify instead).
  EOT
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
    expression_metrics                    = optional(map(object({ metric = optional(string), namespace = optional(string), metric_name = optional(string), statistic = optional(string, "Sum"), dimensions = optional(map(string), {}) })), {})
    expression_steps                      = optional(map(string), {})
    comparison_operator                   = string
    threshold                             = number
    period                                = number
    evaluation_periods                    = number
    datapoints_to_alarm                   = optional(number)
    treat_missing_data                    = string
    evaluate_low_sample_count_percentiles = optional(string)
    enabled                               = optional(bool, true)
    notify                                = optional(bool, true)
  }))
}

variable "alarm_overrides" {
  description = "Per alarm key, values that replace the alarm's defaults: threshold, evaluation_periods, period, datapoints_to_alarm, treat_missing_data, enabled (false = the alarm is not created). A null value keeps the default."
  # The root declares and validates the object (its variable alarm_overrides); this module applies
  # whatever fields it is given.
  type    = map(any)
  default = {}
}

variable "composite_alarms" {
  description = <<-EOT
    Composite alarms keyed by the suffix of their name. `any_of` is a list of groups of alarm keys: the composite is in ALARM
    when every alarm of at least one group is (`(ALARM(a) AND ALARM(b)) OR ...`). A key names a metric alarm of `alarms`, or a
    composite whose own groups and suppressor name metric alarms only (one level of nesting). `page = true` adds `page_actions`.
    `suppressor` (an alarm key): while it is in ALARM this composite sends nothing; it waits `suppressor_wait_period` seconds for the
    suppressor after its own transition and keeps quiet `suppressor_extension_period` seconds after the suppressor leaves ALARM.
  EOT
  type = map(object({
    priority                    = string
    summary                     = string
    response                    = string
    escalation                  = optional(string)
    runbook                     = optional(string)
    any_of                      = list(list(string))
    page                        = optional(bool, false)
    notify                      = optional(bool, true)
    suppressor                  = optional(string)
    suppressor_wait_period      = optional(number, 120)
    suppressor_extension_period = optional(number, 600)
  }))
  default = {}

  validation {
    condition     = alltrue([for k, c in var.composite_alarms : can(regex("^[A-Za-z0-9_-]{1,64}$", k)) && length(c.any_of) > 0 && alltrue([for g in c.any_of : length(g) > 0])])
    error_message = "Composite alarm keys must be 1 to 64 letters, digits, '-' or '_', and each needs at least one non-empty group in any_of."
  }

  validation {
    condition     = alltrue([for c in values(var.composite_alarms) : c.suppressor_wait_period >= 0 && c.suppressor_extension_period >= 0])
    error_message = "Composite alarms: suppressor_wait_period and suppressor_extension_period must not be negative."
  }
}

variable "page_actions" {
  description = "ARNs notified (on ALARM and on OK) by the composite alarms with `page = true`, in addition to their priority's actions."
  type        = list(string)
  default     = []
}

variable "referenced_metrics" {
  description = "Catalogue metric keys used outside this module (e.g. by the dashboard): checked at plan time like the alarms' metrics."
  type        = list(string)
  default     = []
}

variable "actions_by_priority" {
  description = "ARNs notified on ALARM and on return to OK, per priority (P1, P2, P3)."
  type        = map(list(string))
}

variable "actions_enabled" {
  description = "Whether the alarms notify their actions."
  type        = bool
  default     = true
}

variable "priority_response_times" {
  description = "Response time per priority (the Alert Priority Matrix), written into each alarm description."
  type        = map(string)
  default = {
    P1 = "< 15 min"
    P2 = "< 1 hour"
    P3 = "< 4 hours"
  }
}

variable "runbook_base_url" {
  description = "Base URL of the runbook pages; each alarm links `<runbook_base_url>/<runbook or alarm key>.md`. null = each description names its page `docs/runbooks/<key>.md in <runbook_reference>`."
  type        = string
  default     = null
}

variable "runbook_reference" {
  description = "Where the runbook pages are when runbook_base_url is null: the module and the version whose `docs/runbooks/` hold them."
  type        = string
  default     = "the cart-migration-monitoring module"
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
