# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Alarms: the built-in alarms' overrides, extra alarms and how they notify.

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
    treat_missing_data. The watched metric is exactly one of `metric` (a catalogue metric key, e.g. MergeConflictCount),
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
