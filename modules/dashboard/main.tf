data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region = data.aws_region.current.id

  # The console lives on another host in China and GovCloud; the isolated partitions have none
  # reachable from here, so the URL is null there.
  console_hosts = {
    aws          = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }
  console_host = lookup(local.console_hosts, data.aws_partition.current.partition, null)

  lambda_metric = ["AWS/Lambda"]
  lambda_dims   = ["FunctionName", var.function_name]

  # "Recent Migration Logs": the catalogue's events of one category, with the fields every one of
  # them logs. Field names come from lookups, so one the catalogue drops fails the plan.
  common_field      = { for f in var.common_fields : f => f }
  recent_log_events = sort([for name, spec in var.events : name if spec.category == var.recent_logs_category])
  recent_log_field  = { for f in setintersection([for name in local.recent_log_events : var.events[name].fields]...) : f => f }
  recent_logs_stages = [
    "SOURCE '${var.log_group_name}'",
    "fields @timestamp, ${local.common_field.event_type}, ${local.common_field.message}, ${local.recent_log_field.customer_id}",
    "filter ${local.common_field.event_type} in [${join(", ", formatlist("\"%s\"", local.recent_log_events))}]",
    "sort @timestamp desc",
    "limit ${var.recent_logs_limit}",
  ]
  recent_logs_query = join(" | ", local.recent_logs_stages)

  # The alarm-status widget takes the top rows; every other widget sits below it.
  status_height = length(var.alarm_status_names) > 0 ? 3 : 0
  # Built from the names (known at plan time, unlike the alarms' arn attributes), so that the
  # dashboard body can be reviewed in the plan.
  alarm_status_arns = [
    for name in var.alarm_status_names :
    "arn:${data.aws_partition.current.partition}:cloudwatch:${local.region}:${data.aws_caller_identity.current.account_id}:alarm:${name}"
  ]

  # Threshold lines: an alarm's threshold drawn on the widgets that plot its metric with its
  # statistic and period (a 30-minute Sum's threshold means nothing on a 5-minute Sum).
  threshold_lines = {
    for metric in distinct(concat(var.outcome_metric_names, var.rate_limit_metric_names, var.scenario_metric_names)) : metric => [
      for key, alarm in var.alarm_thresholds : {
        label = "${key} ${alarm.comparison} ${alarm.threshold}"
        value = alarm.threshold
        color = "#d13212"
      } if alarm.metric_name == metric && alarm.statistic == "Sum" && alarm.period == var.period
    ]
  }

  # Only the widgets with a line get an annotations property.
  annotations = {
    for widget, metrics in {
      outcome_metric_names    = var.outcome_metric_names
      rate_limit_metric_names = var.rate_limit_metric_names
      scenario_metric_names   = var.scenario_metric_names
    } : widget => { for key, lines in { annotations = flatten([for m in metrics : local.threshold_lines[m]]) } : key => { horizontal = lines } if length(lines) > 0 }
  }

  custom_metric_widget = {
    view    = "timeSeries"
    stacked = false
    region  = local.region
    period  = var.period
    stat    = "Sum"
  }

  status_widgets = length(local.alarm_status_arns) == 0 ? [] : [
    {
      type = "alarm", x = 0, y = 0, width = 24, height = local.status_height
      properties = {
        title  = "Pages and tickets"
        alarms = local.alarm_status_arns
        sortBy = "stateUpdatedTimestamp"
      }
    },
  ]

  widgets = concat(local.status_widgets, [for widget in local.body_widgets : merge(widget, { y = widget.y + local.status_height })])

  body_widgets = concat([
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = merge(local.custom_metric_widget, {
        title   = "Migration Success vs Failure"
        metrics = [for m in var.outcome_metric_names : [var.namespace, m]]
        yAxis   = { left = { label = "Count", showUnits = false, min = 0 } }
      }, local.annotations["outcome_metric_names"])
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = merge(local.custom_metric_widget, {
        title   = "Rate Limiting Events"
        metrics = [for m in var.rate_limit_metric_names : [var.namespace, m]]
        yAxis   = { left = { label = "Count", showUnits = false, min = 0 } }
      }, local.annotations["rate_limit_metric_names"])
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = merge(local.custom_metric_widget, {
        title   = "Merge Conflicts & No Guest Carts"
        metrics = [for m in var.scenario_metric_names : [var.namespace, m]]
        yAxis   = { left = { label = "Count", showUnits = false, min = 0 } }
      }, local.annotations["scenario_metric_names"])
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title   = "Lambda Duration"
        view    = "timeSeries"
        stacked = false
        region  = local.region
        period  = var.period
        yAxis   = { left = { label = "Milliseconds", showUnits = false, min = 0 } }
        metrics = [
          for stat in ["Average", "Minimum", "Maximum"] :
          concat(local.lambda_metric, ["Duration"], local.lambda_dims, [{ stat = stat, label = stat }])
        ]
      }
    },
    ], [
    # One number each for the whole time range, side by side.
    for index, metric in ["Invocations", "Errors", "Throttles"] : {
      type = "metric", x = 8 * index, y = 12, width = 8, height = 4
      properties = {
        title                = "Total ${metric}"
        view                 = "singleValue"
        region               = local.region
        period               = var.period
        stat                 = "Sum"
        setPeriodToTimeRange = true
        metrics              = [concat(local.lambda_metric, [metric], local.lambda_dims)]
      }
    }
    ], [
    {
      type = "log", x = 0, y = 16, width = 24, height = 8
      properties = {
        title  = "Recent Migration Logs"
        region = local.region
        view   = "table"
        query  = local.recent_logs_query
      }
    },
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({ widgets = local.widgets })

  lifecycle {
    precondition {
      condition     = length(var.outcome_metric_names) > 0 && length(var.rate_limit_metric_names) > 0 && length(var.scenario_metric_names) > 0
      error_message = "Every custom-metric widget needs at least one metric."
    }
    precondition {
      condition     = length(local.recent_log_events) > 0
      error_message = "The event catalogue has no event of category '${var.recent_logs_category}' for the 'Recent Migration Logs' widget."
    }
  }
}
