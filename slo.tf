################################################################################
# Service-level objectives, their burn-rate alarms, and the composite alarms
# that page on them (Google SRE Workbook, "Alerting on SLOs": multiwindow,
# multi-burn-rate alerts; CloudWatch Application Signals computes burn rates the
# same way: error rate over the look-back window / (100 % - goal)).
#
# Each window is one metric-math alarm whose period is the window: CloudWatch
# evaluates it every minute over the last <window> of one-minute data. Its
# expression is the share of bad requests (%) in the window, 0 below the
# minimum-events guard of its window pair (the pair's min_events, else
# slo_min_events); its threshold is burn rate x error budget (%), derived here
# from the SLO inputs, never written by hand.
################################################################################

locals {
  slo_period_minutes = var.slo_period_days * 1440

  slis = local.catalogue.slis

  # The latency SLO of each catalogue operation: the guide's values unless overridden.
  latency_slos = {
    for op, o in local.catalogue.operations : op => {
      target_percent = try(var.latency_slos[op].target_percent, local.slis.latency.target_percent)
      threshold_ms   = coalesce(try(var.latency_slos[op].threshold_ms, null), o.target_ms)
      label          = o.label
    }
  }

  # Log-derived slow-request counts: one filter per operation, its threshold from the SLO.
  slow_metric_key = { for op in keys(local.latency_slos) : op => "${local.slis.latency.slow_metric}.${op}" }
  slo_metrics = {
    for op, slo in local.latency_slos : local.slow_metric_key[op] => {
      name           = local.slis.latency.slow_metric
      description    = "${local.slis.latency.slow_metric_description} (${op} slower than ${slo.threshold_ms} ms)"
      event_type     = local.slis.latency.event_type
      filter_pattern = "{ $.event_type = \"${local.slis.latency.event_type}\" && $.${local.slis.latency.operation_field} = \"${op}\" && $.${local.slis.latency.duration_field} > ${slo.threshold_ms} }"
      value          = "1"
      unit           = "Count"
      default_value  = null
      dimensions     = local.catalogue.metrics[local.slis.latency.all_metric].dimensions
    } if var.slo_alarms_enabled
  }

  operation_dimension = one(keys(local.catalogue.metrics[local.slis.latency.all_metric].dimensions))

  # Invocations Lambda stopped at the function timeout: no line of the function says so, the platform's
  # report line does, in the form of the function's log format (docs/slo-arithmetic.md).
  timeout_metric = { for name in [local.slis.timeouts.metric] : name => {
    description    = local.slis.timeouts.description
    event_type     = null
    filter_pattern = local.slis.timeouts.filter_patterns[local.function_log_format]
    value          = "1"
    unit           = "Count"
    default_value  = 0
    dimensions     = {}
  } if var.slo_alarms_enabled }

  # The function's log format: the module's own function logs JSON; another function is asked about
  # (Lambda's default is Text).
  function_log_format = coalesce(var.function_log_format, var.create_lambda ? "JSON" : "Text")

  # What AWS publishes about the requests the function never answered itself. The API metrics only
  # when the module owns the REST API (its name and stage are known here).
  api_owned = var.create_api && var.create_lambda
  unanswered_metrics = merge(
    {
      errors    = { namespace = "AWS/Lambda", metric_name = "Errors", statistic = "Sum", dimensions = local.lambda_dimensions }
      throttles = { namespace = "AWS/Lambda", metric_name = "Throttles", statistic = "Sum", dimensions = local.lambda_dimensions }
    },
    local.api_owned ? {
      api_errors = { namespace = "AWS/ApiGateway", metric_name = "5XXError", statistic = "Sum", dimensions = { ApiName = local.api_name, Stage = var.api_stage_name } }
    } : {},
  )
  # bad: every request without a good answer, each once. A failure the handler logs and re-raises is in
  # both MigrationFailureCount and Errors: only the Errors beyond those (timeouts, crashes, init
  # failures) are added, never below 0. With the API, its 5XX include the function's own 5xx answers,
  # its errors and throttles: the larger of the two counts is the bad requests (docs/slo-arithmetic.md).
  availability_steps = merge(
    { unanswered = "IF(errors > reraised, errors - reraised, 0)" },
    local.api_owned ? {
      function_bad = "failed + unanswered + throttles"
      bad          = "MAX([function_bad, api_errors])"
      } : {
      bad = "failed + unanswered + throttles"
    },
  )

  # Per SLO: its budget (%), what is counted, and the expression of the bad share (%); %d is the
  # minimum-events guard, filled in per window pair.
  slos = merge(
    {
      Availability = {
        name           = "Availability"
        target_percent = var.availability_slo_percent
        what           = "migrations"
        runbook        = "AvailabilityBurnRate"
        expression     = "IF(good + bad >= %d, 100 * bad / (good + bad), 0)"
        label          = "requests without a good answer (%)"
        metrics = merge(
          {
            good     = { metric = local.slis.availability.good_metric, namespace = null, metric_name = null, statistic = "Sum", dimensions = {} }
            failed   = { metric = local.slis.availability.bad_metric, namespace = null, metric_name = null, statistic = "Sum", dimensions = {} }
            reraised = { metric = local.slis.availability.reraised_metric, namespace = null, metric_name = null, statistic = "Sum", dimensions = {} }
          },
          { for id, m in local.unanswered_metrics : id => merge(m, { metric = null }) },
        )
        steps = local.availability_steps
      }
    },
    {
      for op, slo in local.latency_slos : "Latency${join("", [for w in split("_", op) : title(w)])}" => {
        name           = "Latency of '${slo.label}'"
        target_percent = slo.target_percent
        what           = "'${slo.label}' requests under ${slo.threshold_ms} ms"
        runbook        = "LatencyBurnRate"
        # A timed-out request left no performance_metric line and its operation is unknown: it is charged
        # as one slow request to every operation's SLO (docs/slo-arithmetic.md).
        expression = "IF(all + timeouts >= %d, 100 * (slow + timeouts) / (all + timeouts), 0)"
        label      = "'${slo.label}' requests slower than ${slo.threshold_ms} ms or timed out (%)"
        metrics = {
          all      = { metric = local.slis.latency.all_metric, namespace = null, metric_name = null, statistic = local.slis.latency.all_statistic, dimensions = { (local.operation_dimension) = op } }
          slow     = { metric = local.slow_metric_key[op], namespace = null, metric_name = null, statistic = "Sum", dimensions = { (local.operation_dimension) = op } }
          timeouts = { metric = local.slis.timeouts.metric, namespace = null, metric_name = null, statistic = "Sum", dimensions = {} }
        }
        steps = {}
      }
    },
  )

  # Burn rate of each window pair: the share of the period's budget it may spend, scaled to the long window.
  # Its guard: the pair's own min_events (short windows need more requests to tell a leak from noise), else
  # the module's slo_min_events.
  burn_windows = {
    for w in var.slo_burn_rate_windows : w.name => merge(w, {
      burn_rate  = tonumber(format("%.4f", w.budget_consumed_percent / 100 * local.slo_period_minutes / w.long_window_minutes))
      min_events = coalesce(w.min_events, var.slo_min_events)
      page       = w.priority == "P1"
      spans      = { long = w.long_window_minutes, short = w.short_window_minutes }
    })
  }

  # The part of an alarm name that gives its window: the largest whole unit (5m, 1h, 3d), so the names
  # stay short and a reader sees the window without converting minutes.
  window_label = {
    for m in distinct(flatten([for w in var.slo_burn_rate_windows : [w.long_window_minutes, w.short_window_minutes]])) :
    tostring(m) => m % 1440 == 0 ? "${m / 1440}d" : (m % 60 == 0 ? "${m / 60}h" : "${m}m")
  }

  # The threshold on the bad share (%) of each SLO's window pairs: burn rate x error budget. One rule for
  # the alarms below and the `slos` output, which reports the thresholds the alarms use.
  burn_thresholds = {
    for s, slo in local.slos : s => {
      for wname, w in local.burn_windows : wname => tonumber(format("%.6f", w.burn_rate * (100 - slo.target_percent)))
    }
  }

  # Each window of each pair, keyed by its part of the alarm names (Fast1h, Fast5m): a pair alarms only
  # when both its long and its short window burn, and CloudWatch evaluates one period per alarm, so each
  # window is an alarm of its own with the pair's burn rate and guard.
  burn_window_spans = merge([
    for wname, w in local.burn_windows : {
      for span, minutes in w.spans : "${wname}${local.window_label[tostring(minutes)]}" => {
        pair  = wname
        span  = span
        label = local.window_label[tostring(minutes)]
        # The window is the alarm's period: CloudWatch evaluates it every minute over the last <window>.
        period = minutes * 60
      }
    }
  ]...)

  # Every SLO with every window, keyed by the alarm's name (<SLO>Burn<pair><window>): each SLO has its own
  # budget and SLI, so each gets all the windows.
  burn_rate_alarm_inputs = merge([
    for s in keys(local.slos) : {
      for key, window in local.burn_window_spans : "${s}Burn${key}" => merge(window, { slo = s })
    }
  ]...)

  # One metric-math alarm per SLO, window pair and span (long, short).
  burn_rate_alarms = {
    for k, a in local.burn_rate_alarm_inputs : k => {
      priority            = local.burn_windows[a.pair].priority
      summary             = "${local.slos[a.slo].name} SLO (${local.slos[a.slo].target_percent} % of ${local.slos[a.slo].what} over ${var.slo_period_days} days): error budget burning at ${local.burn_windows[a.pair].burn_rate}x or faster over the last ${a.label} (${a.span} window of the ${a.pair} pair)"
      response            = "Input of the composite alarm ${a.slo}${local.burn_windows[a.pair].page ? "Page" : "Ticket"}, which notifies; look there and at this SLO's other windows. Quiet below ${local.burn_windows[a.pair].min_events} requests in the window."
      runbook             = local.slos[a.slo].runbook
      expression          = format(local.slos[a.slo].expression, local.burn_windows[a.pair].min_events)
      expression_label    = "${local.slos[a.slo].label} over ${a.label}"
      expression_metrics  = local.slos[a.slo].metrics
      expression_steps    = local.slos[a.slo].steps
      period              = a.period
      evaluation_periods  = 1
      comparison_operator = "GreaterThanThreshold"
      threshold           = local.burn_thresholds[a.slo][a.pair]
      treat_missing_data  = "notBreaching"
      notify              = false
    } if var.slo_alarms_enabled
  }

  page_windows   = [for wname, w in local.burn_windows : wname if w.page]
  ticket_windows = [for wname, w in local.burn_windows : wname if !w.page]
  # A ticket composite takes the most urgent priority among the ticket windows.
  ticket_priority = length(local.ticket_windows) > 0 ? sort([for wname in local.ticket_windows : local.burn_windows[wname].priority])[0] : "P3"

  pair = {
    for s in keys(local.slos) : s => {
      for wname, w in local.burn_windows : wname => [for span in ["long", "short"] : "${s}Burn${wname}${local.window_label[tostring(w.spans[span])]}"]
    }
  }

  latency_slo_keys = [for s in keys(local.slos) : s if s != "Availability"]

  page_on = { for p, topic in var.priority_topics : p => topic == "critical" }

  suppressed_by_availability = {
    suppressor                  = "AvailabilityPage"
    suppressor_wait_period      = var.page_suppression.wait_period
    suppressor_extension_period = var.page_suppression.extension_period
  }

  no_successful_migrations_enabled = try(var.alarm_overrides.NoSuccessfulMigrations.enabled, null) != false

  has_pages   = var.slo_alarms_enabled && length(local.page_windows) > 0
  has_tickets = var.slo_alarms_enabled && length(local.ticket_windows) > 0

  # Every composite in one shape; `enabled` picks those that exist with these inputs.
  composite_defaults = {
    escalation                  = null
    page                        = false
    notify                      = true
    suppressor                  = null
    suppressor_wait_period      = 120
    suppressor_extension_period = 600
  }
  latency_per_operation = merge(
    { for s in local.latency_slo_keys : "${s}Page" => merge(local.composite_defaults, {
      enabled  = local.has_pages
      priority = "P1"
      summary  = "Latency SLO burning fast: ${local.slos[s].label}"
      response = "Input of LatencyPage, which notifies."
      runbook  = "LatencyPage"
      any_of   = [for wname in local.page_windows : local.pair[s][wname]]
      notify   = false
    }) },
    { for s in local.latency_slo_keys : "${s}Ticket" => merge(local.composite_defaults, {
      enabled  = local.has_tickets
      priority = local.ticket_priority
      summary  = "Latency SLO burning: ${local.slos[s].label}"
      response = "Input of LatencyTicket, which notifies."
      runbook  = "LatencyTicket"
      any_of   = [for wname in local.ticket_windows : local.pair[s][wname]]
      notify   = false
    }) },
  )
  notifying_composites = {
    AvailabilityPage = merge(local.composite_defaults, {
      enabled    = local.has_pages
      priority   = "P1"
      escalation = "Engineering team"
      summary    = "Page: migrations fail fast enough to spend the availability error budget (${var.availability_slo_percent} % over ${var.slo_period_days} days) early"
      response   = "One incident, one page: the latency and no-success pages stay quiet while this one is in ALARM. Run 'Top Failure Reasons', then follow the HighFailureRate runbook."
      runbook    = "AvailabilityPage"
      any_of     = [for wname in local.page_windows : local.pair.Availability[wname]]
      page       = local.page_on.P1
    })
    LatencyPage = merge(local.composite_defaults, local.suppressed_by_availability, {
      enabled    = local.has_pages && length(local.latency_slo_keys) > 0
      priority   = "P1"
      escalation = "Engineering team"
      summary    = "Page: requests are slow enough to spend a latency error budget early"
      response   = "The children in ALARM name the operation. Run 'Average Migration Response Time'; check DynamoDB latency and throttling, cold starts and the latest deployment."
      runbook    = "LatencyPage"
      any_of     = [for s in local.latency_slo_keys : ["${s}Page"]]
      page       = local.page_on.P1
    })
    NoSuccessfulMigrationsPage = merge(local.composite_defaults, local.suppressed_by_availability, {
      enabled    = local.has_pages && local.no_successful_migrations_enabled
      priority   = "P1"
      escalation = "Engineering + Ops"
      summary    = "Page: no migration has succeeded in 30 minutes (the guide's NoSuccessfulMigrations), unless the availability page is already out"
      response   = "Follow the NoSuccessfulMigrations runbook: is the function invoked, does the API route to it, can it reach its tables?"
      runbook    = "NoSuccessfulMigrations"
      any_of     = [["NoSuccessfulMigrations"]]
      page       = local.page_on.P1
    })
    AvailabilityTicket = merge(local.composite_defaults, local.has_pages ? local.suppressed_by_availability : local.no_suppressor, {
      enabled  = local.has_tickets
      priority = local.ticket_priority
      summary  = "Ticket: the availability error budget is being spent faster than the SLO allows"
      response = "Not urgent: find the slow leak with 'Top Failure Reasons' over the last days and plan the fix."
      runbook  = "AvailabilityTicket"
      any_of   = [for wname in local.ticket_windows : local.pair.Availability[wname]]
      page     = local.page_on[local.ticket_priority]
    })
    LatencyTicket = merge(local.composite_defaults, local.has_pages ? local.suppressed_by_availability : local.no_suppressor, {
      enabled  = local.has_tickets && length(local.latency_slo_keys) > 0
      priority = local.ticket_priority
      summary  = "Ticket: requests are slow often enough to spend a latency error budget within the SLO period"
      response = "Not urgent: the children in ALARM name the operation; compare 'Performance by Merge Strategy' with last week."
      runbook  = "LatencyTicket"
      any_of   = [for s in local.latency_slo_keys : ["${s}Ticket"]]
      page     = local.page_on[local.ticket_priority]
    })
  }
  no_suppressor = {
    suppressor                  = null
    suppressor_wait_period      = 120
    suppressor_extension_period = 600
  }
  slo_composites = { for k, c in merge(local.latency_per_operation, local.notifying_composites) : k => c if c.enabled }

  # Burn-rate thresholds above 100 % can never be reached: the SLO's budget is too large for that burn rate.
  unreachable_windows        = [for k, a in local.burn_rate_alarms : "${k} (${a.threshold} %)" if a.threshold >= 100]
  unknown_latency_operations = [for op in keys(var.latency_slos) : op if !contains(keys(local.catalogue.operations), op)]
}

# Plan-time checks of the SLO inputs against each other and the catalogue.
data "aws_partition" "slo_checks" {
  lifecycle {
    precondition {
      condition     = length(local.unknown_latency_operations) == 0
      error_message = "latency_slos names operation(s) the event catalogue lacks: ${join(", ", local.unknown_latency_operations)}. Operations: ${join(", ", keys(local.catalogue.operations))}."
    }
    precondition {
      condition     = length(local.unreachable_windows) == 0
      error_message = "slo_burn_rate_windows: burn rate x error budget reaches 100 % or more for ${join(", ", local.unreachable_windows)}; such an alarm can never fire. Raise the SLO target, lower budget_consumed_percent, or lengthen long_window_minutes."
    }
  }
}
