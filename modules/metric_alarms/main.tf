locals {
  comparison_symbols = {
    GreaterThanThreshold          = ">"
    GreaterThanOrEqualToThreshold = ">="
    LessThanThreshold             = "<"
    LessThanOrEqualToThreshold    = "<="
  }

  # Overrides replace defaults field by field; unset fields keep the default.
  override_values = {
    for k in keys(var.alarms) : k => { for field, value in try(var.alarm_overrides[k], {}) : field => value if value != null }
  }
  merged_alarms = { for k, a in var.alarms : k => merge(a, local.override_values[k]) }
  alarms        = { for k, a in local.merged_alarms : k => a if a.enabled }

  # Consistency between the alarms and the catalogue, reported at plan time by terraform_data.checks.
  unknown_overrides = [for k in keys(var.alarm_overrides) : k if !contains(keys(var.alarms), k)]
  source_errors = [
    for k, a in local.merged_alarms : k
    if length(compact([a.metric == null ? "" : "m", a.metric_name == null ? "" : "n", a.expression == null ? "" : "e"])) != 1
    || (a.metric_name != null) != (a.namespace != null)
    # Each metric of an expression: a catalogue metric, or an AWS metric (namespace + metric_name).
    || anytrue([for q in values(a.expression_metrics) : (q.metric != null) == (q.metric_name != null) || (q.metric_name != null) != (q.namespace != null)])
  ]
  statistic_errors = [
    for k, a in local.merged_alarms : k
    if a.expression == null && (a.statistic == null) == (a.extended_statistic == null)
  ]
  # Alarms on log-derived metrics see one-minute data only: a 10, 20 or 30 s period would be
  # mostly empty periods (and a high-resolution alarm's price).
  high_resolution_errors = [for k, a in local.merged_alarms : "${k} (${a.period} s)" if(a.metric != null || a.expression != null) && a.period < 60]

  unknown_metrics = concat(
    [for m in var.referenced_metrics : "(referenced) ${m}" if !contains(keys(var.metrics), m)],
    flatten([
      for k, a in local.merged_alarms : concat(
        a.metric == null || contains(keys(var.metrics), coalesce(a.metric, "-")) ? [] : ["${k} -> ${a.metric}"],
        [for id, q in a.expression_metrics : "${k} (${id}) -> ${q.metric}" if q.metric != null && !contains(keys(var.metrics), coalesce(q.metric, "-"))],
        [for id, q in a.expression_metrics : "${k} (${id}) -> ${q.metric} with dimensions ${jsonencode(keys(q.dimensions))}" if q.metric != null && contains(keys(var.metrics), coalesce(q.metric, "-")) && try(toset(keys(q.dimensions)) != toset(keys(var.metrics[q.metric].dimensions)), true)],
      )
    ]),
  )
  dimension_errors = [
    for k, a in local.merged_alarms : k
    if a.metric != null && contains(keys(var.metrics), coalesce(a.metric, "-"))
    && try(toset(keys(a.dimensions)) != toset(keys(var.metrics[a.metric].dimensions)), true)
  ]
  priority_errors   = [for k, a in merge(local.merged_alarms, var.composite_alarms) : "${k} (${a.priority})" if !contains(keys(var.actions_by_priority), a.priority)]
  datapoints_errors = [for k, a in local.merged_alarms : k if a.datapoints_to_alarm != null && try(a.datapoints_to_alarm > a.evaluation_periods || a.datapoints_to_alarm < 1, true)]

  descriptions = {
    for k, a in local.alarms : k => join(" ", compact([
      "${a.priority}: ${a.summary}.",
      "Condition: ${a.expression != null ? coalesce(a.expression_label, a.expression) : "${a.metric != null ? a.metric : a.metric_name} ${coalesce(a.statistic, a.extended_statistic, "-")}"} ${local.comparison_symbols[a.comparison_operator]} ${a.threshold} over ${a.datapoints_to_alarm != null ? "${a.datapoints_to_alarm} of ${a.evaluation_periods}" : a.evaluation_periods} period(s) of ${a.period} s.",
      "Respond ${lookup(var.priority_response_times, a.priority, "promptly")}${a.escalation != null ? "; escalate to ${a.escalation}" : ""}.",
      "Response: ${a.response}",
      var.runbook_base_url != null ? "Runbook: ${trimsuffix(var.runbook_base_url, "/")}/${coalesce(a.runbook, k)}.md" : "Runbook: docs/runbooks/${coalesce(a.runbook, k)}.md in ${var.runbook_reference}",
    ]))
  }
  description_errors = [for k, d in merge(local.descriptions, local.composite_descriptions) : k if length(d) > 1024]

  # Composite alarms: the alarms each one names (children and suppressor) decide when it can be created.
  composite_references = {
    for k, c in var.composite_alarms : k => distinct(concat(flatten(c.any_of), c.suppressor == null ? [] : [c.suppressor]))
  }
  composites_by_level = {
    first  = { for k, c in var.composite_alarms : k => c if alltrue([for r in local.composite_references[k] : contains(keys(local.alarms), r)]) }
    nested = { for k, c in var.composite_alarms : k => c if !alltrue([for r in local.composite_references[k] : contains(keys(local.alarms), r)]) }
  }
  composite_errors = flatten([
    for k, refs in local.composite_references : [
      # Unknown names, and composites nested more than one level. One line: checkov's HCL parser
      # does not read an operator at the start of a continuation line.
      for r in refs : "${k} -> ${r}" if(!contains(keys(local.alarms), r) && !contains(keys(local.composites_by_level.first), r)) || (contains(keys(local.composites_by_level.nested), k) && contains(keys(local.composites_by_level.nested), r))
    ]
  ])
  composite_rules = {
    for k, c in var.composite_alarms : k => join(" OR ", [
      for group in c.any_of : length(group) == 1 ? "ALARM(\"${var.alarm_name_prefix}-${group[0]}\")" : "(${join(" AND ", [for a in group : "ALARM(\"${var.alarm_name_prefix}-${a}\")"])})"
    ])
  }
  composite_actions = {
    for k, c in var.composite_alarms : k => c.notify ? concat(var.actions_by_priority[c.priority], c.page ? var.page_actions : []) : []
  }
  composite_descriptions = {
    for k, c in var.composite_alarms : k => join(" ", compact([
      "${c.priority}: ${c.summary}.",
      "ALARM when ${join(" or ", [for group in c.any_of : join(" and ", group)])}.",
      c.suppressor == null ? "" : "Quiet while ${c.suppressor} is in ALARM (waits ${c.suppressor_wait_period} s for it, and ${c.suppressor_extension_period} s after it clears).",
      "Respond ${lookup(var.priority_response_times, c.priority, "promptly")}${c.escalation != null ? "; escalate to ${c.escalation}" : ""}.",
      "Response: ${c.response}",
      var.runbook_base_url != null ? "Runbook: ${trimsuffix(var.runbook_base_url, "/")}/${coalesce(c.runbook, k)}.md" : "Runbook: docs/runbooks/${coalesce(c.runbook, k)}.md in ${var.runbook_reference}",
    ]))
  }
}

# Plan-time checks of the alarm definitions against the catalogue and the other inputs; the alarms
# depend on it. It holds no data, so a second plan shows no change.
resource "terraform_data" "checks" {
  lifecycle {
    precondition {
      condition     = length(local.unknown_metrics) == 0
      error_message = "Alarm(s) name metric(s) the event catalogue lacks: ${join(", ", local.unknown_metrics)}. Catalogue metrics: ${join(", ", keys(var.metrics))}."
    }
    precondition {
      condition     = length(local.unknown_overrides) == 0
      error_message = "alarm_overrides names alarm(s) that do not exist: ${join(", ", local.unknown_overrides)}. Alarms: ${join(", ", keys(var.alarms))}."
    }
    precondition {
      condition     = length(local.source_errors) == 0
      error_message = "Alarm(s) ${join(", ", local.source_errors)} must set exactly one of: metric (catalogue key), namespace + metric_name (AWS metric), expression; and each of their expression_metrics exactly one of metric and namespace + metric_name."
    }
    precondition {
      condition     = length(local.statistic_errors) == 0
      error_message = "Alarm(s) ${join(", ", local.statistic_errors)} must set exactly one of statistic and extended_statistic."
    }
    precondition {
      condition     = length(local.dimension_errors) == 0
      error_message = "Alarm(s) ${join(", ", local.dimension_errors)} must give exactly the dimensions their catalogue metric's filter publishes."
    }
    precondition {
      condition     = length(local.priority_errors) == 0
      error_message = "Alarm(s) with a priority that has no actions: ${join(", ", local.priority_errors)}. Priorities: ${join(", ", keys(var.actions_by_priority))}."
    }
    precondition {
      condition     = length(local.datapoints_errors) == 0
      error_message = "Alarm(s) ${join(", ", local.datapoints_errors)}: datapoints_to_alarm must be between 1 and evaluation_periods."
    }
    precondition {
      condition     = length(local.high_resolution_errors) == 0
      error_message = "Alarm(s) on log-derived metrics with a period under 60 s: ${join(", ", local.high_resolution_errors)}. Metric filters publish one datapoint per minute: use a period of 60 s or a multiple of it."
    }
    precondition {
      condition     = length(local.composite_errors) == 0
      error_message = "Composite alarm(s) name alarms that do not exist or nest too deep: ${join("; ", local.composite_errors)}. A composite may name metric alarms, and composites that name metric alarms only."
    }
    precondition {
      condition     = length(local.description_errors) == 0
      error_message = "Alarm description(s) longer than 1024 characters: ${join(", ", local.description_errors)}."
    }
  }
}

################################################################################
# Metric filters: one per catalogue metric
################################################################################

resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each = var.metrics

  name           = "${var.filter_name_prefix}-${each.key}"
  log_group_name = var.log_group_name
  pattern        = each.value.filter_pattern

  metric_transformation {
    name          = coalesce(each.value.name, each.key)
    namespace     = var.namespace
    value         = each.value.value
    unit          = each.value.unit
    default_value = length(each.value.dimensions) > 0 ? null : each.value.default_value
    dimensions    = length(each.value.dimensions) > 0 ? each.value.dimensions : null
  }
}

################################################################################
# Alarms: catalogue metrics by filter, AWS metrics, metric math
################################################################################

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${var.alarm_name_prefix}-${each.key}"
  alarm_description = local.descriptions[each.key]

  comparison_operator                   = each.value.comparison_operator
  threshold                             = each.value.threshold
  evaluation_periods                    = each.value.evaluation_periods
  datapoints_to_alarm                   = each.value.datapoints_to_alarm
  treat_missing_data                    = each.value.treat_missing_data
  evaluate_low_sample_count_percentiles = each.value.evaluate_low_sample_count_percentiles

  # Single metric: the metric name of a catalogue metric is read from its filter, so the two cannot drift.
  namespace          = each.value.expression != null ? null : (each.value.metric != null ? aws_cloudwatch_log_metric_filter.this[each.value.metric].metric_transformation[0].namespace : each.value.namespace)
  metric_name        = each.value.expression != null ? null : (each.value.metric != null ? aws_cloudwatch_log_metric_filter.this[each.value.metric].metric_transformation[0].name : each.value.metric_name)
  dimensions         = each.value.expression != null || length(each.value.dimensions) == 0 ? null : each.value.dimensions
  statistic          = each.value.expression != null ? null : each.value.statistic
  extended_statistic = each.value.expression != null ? null : each.value.extended_statistic
  period             = each.value.expression != null ? null : each.value.period

  # Metric math over catalogue metrics (names read from their filters) and AWS metrics.
  dynamic "metric_query" {
    for_each = each.value.expression != null ? each.value.expression_metrics : {}

    content {
      id          = metric_query.key
      return_data = false

      metric {
        namespace   = metric_query.value.metric != null ? aws_cloudwatch_log_metric_filter.this[metric_query.value.metric].metric_transformation[0].namespace : metric_query.value.namespace
        metric_name = metric_query.value.metric != null ? aws_cloudwatch_log_metric_filter.this[metric_query.value.metric].metric_transformation[0].name : metric_query.value.metric_name
        dimensions  = length(metric_query.value.dimensions) > 0 ? metric_query.value.dimensions : null
        period      = each.value.period
        stat        = metric_query.value.statistic
      }
    }
  }

  # Intermediate expressions, evaluated for the one that is returned.
  dynamic "metric_query" {
    for_each = each.value.expression != null ? each.value.expression_steps : {}

    content {
      id          = metric_query.key
      expression  = metric_query.value
      return_data = false
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expression != null ? [each.value.expression] : []

    content {
      id          = "result"
      expression  = metric_query.value
      label       = each.value.expression_label
      return_data = true
    }
  }

  actions_enabled = var.actions_enabled
  alarm_actions   = each.value.notify ? var.actions_by_priority[each.value.priority] : []
  ok_actions      = each.value.notify ? var.actions_by_priority[each.value.priority] : []

  tags = merge(var.tags, { Priority = each.value.priority })

  depends_on = [terraform_data.checks]
}

################################################################################
# Composite alarms: one notification per incident. Those that name metric alarms
# only come first; those that name them (as child or suppressor) are created after.
################################################################################

resource "aws_cloudwatch_composite_alarm" "this" {
  for_each = local.composites_by_level.first

  alarm_name        = "${var.alarm_name_prefix}-${each.key}"
  alarm_description = local.composite_descriptions[each.key]
  alarm_rule        = local.composite_rules[each.key]

  actions_enabled = var.actions_enabled
  alarm_actions   = local.composite_actions[each.key]
  ok_actions      = local.composite_actions[each.key]

  dynamic "actions_suppressor" {
    for_each = each.value.suppressor == null ? [] : [each.value]

    content {
      alarm            = "${var.alarm_name_prefix}-${actions_suppressor.value.suppressor}"
      wait_period      = actions_suppressor.value.suppressor_wait_period
      extension_period = actions_suppressor.value.suppressor_extension_period
    }
  }

  tags = merge(var.tags, { Priority = each.value.priority })

  depends_on = [aws_cloudwatch_metric_alarm.this]
}

resource "aws_cloudwatch_composite_alarm" "nested" {
  for_each = local.composites_by_level.nested

  alarm_name        = "${var.alarm_name_prefix}-${each.key}"
  alarm_description = local.composite_descriptions[each.key]
  alarm_rule        = local.composite_rules[each.key]

  actions_enabled = var.actions_enabled
  alarm_actions   = local.composite_actions[each.key]
  ok_actions      = local.composite_actions[each.key]

  dynamic "actions_suppressor" {
    for_each = each.value.suppressor == null ? [] : [each.value]

    content {
      alarm            = "${var.alarm_name_prefix}-${actions_suppressor.value.suppressor}"
      wait_period      = actions_suppressor.value.suppressor_wait_period
      extension_period = actions_suppressor.value.suppressor_extension_period
    }
  }

  tags = merge(var.tags, { Priority = each.value.priority })

  depends_on = [aws_cloudwatch_metric_alarm.this, aws_cloudwatch_composite_alarm.this]
}
