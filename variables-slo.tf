# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Service-level objectives and their burn-rate alarms (slo.tf builds them).

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
