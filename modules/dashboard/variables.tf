# Inputs are validated once, by the root module (the public contract, ../../variables.tf); this
# file keeps the rules for the settings the root does not pass (period, recent_logs_limit).

variable "dashboard_name" {
  description = "Name of the dashboard."
  type        = string
}

variable "namespace" {
  description = "Namespace of the custom (log-derived) metrics."
  type        = string
}

variable "function_name" {
  description = "Lambda function whose AWS/Lambda metrics the dashboard shows."
  type        = string
}

variable "log_group_name" {
  description = "Log group the 'Recent Migration Logs' widget queries."
  type        = string
}

variable "outcome_metric_names" {
  description = "Custom metrics of the 'Migration Success vs Failure' widget."
  type        = list(string)
}

variable "rate_limit_metric_names" {
  description = "Custom metrics of the 'Rate Limiting Events' widget."
  type        = list(string)
}

variable "scenario_metric_names" {
  description = "Custom metrics of the 'Merge Conflicts & No Guest Carts' widget."
  type        = list(string)
}

variable "events" {
  description = "The event catalogue's `events` (event type => its fields and category): the 'Recent Migration Logs' widget shows those of `recent_logs_category`."
  type        = map(object({ fields = list(string), category = string }))
}

variable "common_fields" {
  description = "The event catalogue's `common_fields`, logged with every event (event_type and message among them)."
  type        = list(string)
}

variable "recent_logs_category" {
  description = "Catalogue category of the events the 'Recent Migration Logs' widget shows."
  type        = string
}

variable "period" {
  description = "Period (seconds) of the metric widgets."
  type        = number
  default     = 300

  validation {
    condition     = var.period >= 60 && var.period % 60 == 0
    error_message = "period must be a multiple of 60 seconds."
  }
}

variable "recent_logs_limit" {
  description = "Number of log entries the 'Recent Migration Logs' widget shows."
  type        = number
  default     = 20

  validation {
    condition     = var.recent_logs_limit >= 1 && var.recent_logs_limit <= 10000
    error_message = "recent_logs_limit must be between 1 and 10000."
  }
}

variable "alarm_status_names" {
  description = "Names of the alarms of the 'Pages and tickets' alarm-status widget at the top, in this order (the pages, then the tickets), in this account and region; empty: no such widget. CloudWatch shows at most 100."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.alarm_status_names) <= 100
    error_message = "An alarm-status widget shows at most 100 alarms."
  }
}

variable "alarm_thresholds" {
  description = "Per alarm key, the alarm on one custom metric: metric_name, statistic, period (s), comparison (>, >=, <, <=), threshold. Each becomes a horizontal annotation on the widgets that plot that metric with the same statistic and period."
  type = map(object({
    metric_name = string
    statistic   = string
    period      = number
    comparison  = string
    threshold   = number
  }))
  default = {}
}
