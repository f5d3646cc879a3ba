locals {
  # The catalogue's events, each as its type and a lookup of the fields it logs (its own and the
  # common ones). The queries name events and fields only through these lookups, so an event or
  # a field the catalogue does not have fails the plan instead of saving a query that finds nothing.
  event = {
    for name, spec in var.events : name => {
      type  = name
      field = { for f in concat(var.common_fields, spec.fields) : f => f }
    }
  }
  common_field     = { for f in var.common_fields : f => f }
  event_type_field = local.common_field.event_type

  started      = local.event.migration_start
  succeeded    = local.event.migration_success
  failed       = local.event.migration_failure
  rate_limited = local.event.rate_limit_exceeded

  # The guide's queries, rewritten against the JSON fields the function logs
  # (Logs Insights discovers them), using only fields/filter/stats/sort/limit.
  guide_queries = {
    "Migration Success Rate" = [
      "fields @timestamp, ${local.event_type_field}",
      "filter ${local.event_type_field} in [\"${local.succeeded.type}\", \"${local.failed.type}\"]",
      "stats count(*) as total, sum(strcontains(${local.event_type_field}, \"${local.succeeded.type}\")) as success, sum(strcontains(${local.event_type_field}, \"${local.failed.type}\")) as failed by bin(5m)",
    ]
    "Top Failure Reasons" = [
      "fields @timestamp, ${local.failed.field.error_type}, ${local.failed.field.error_message}",
      "filter ${local.event_type_field} = \"${local.failed.type}\"",
      "stats count(*) as failures by ${local.failed.field.error_type}, ${local.failed.field.error_message}",
      "sort failures desc",
      "limit 10",
    ]
    "Average Migration Response Time" = [
      "fields @timestamp, ${local.succeeded.field.duration_ms}",
      "filter ${local.event_type_field} = \"${local.succeeded.type}\"",
      "stats avg(${local.succeeded.field.duration_ms}) as avg_ms, max(${local.succeeded.field.duration_ms}) as max_ms, min(${local.succeeded.field.duration_ms}) as min_ms by bin(5m)",
    ]
    "Merge Strategy Distribution" = [
      "fields @timestamp, ${local.started.field.merge_strategy}",
      "filter ${local.event_type_field} = \"${local.started.type}\"",
      "stats count(*) as migrations by ${local.started.field.merge_strategy}",
      "sort migrations desc",
    ]
    "Customers with Multiple Migrations" = [
      "fields @timestamp, ${local.succeeded.field.customer_id}",
      "filter ${local.event_type_field} = \"${local.succeeded.type}\"",
      "stats count(*) as migration_count by ${local.succeeded.field.customer_id}",
      "filter migration_count > 5",
      "sort migration_count desc",
    ]
    "Rate Limit Analysis" = [
      "fields @timestamp, ${local.rate_limited.field.customer_id}",
      "filter ${local.event_type_field} = \"${local.rate_limited.type}\"",
      "stats count(*) as rate_limit_hits by ${local.rate_limited.field.customer_id}, bin(1h)",
      "sort rate_limit_hits desc",
    ]
    "Performance by Merge Strategy" = [
      "fields @timestamp, ${local.succeeded.field.merge_strategy}, ${local.succeeded.field.duration_ms}",
      "filter ${local.event_type_field} = \"${local.succeeded.type}\"",
      "stats avg(${local.succeeded.field.duration_ms}) as avg_duration, pct(${local.succeeded.field.duration_ms}, 99) as p99_duration, count(*) as migrations by ${local.succeeded.field.merge_strategy}",
      "sort avg_duration desc",
    ]
  }

  queries = merge(
    var.include_guide_queries ? { for name, stages in local.guide_queries : name => join("\n| ", stages) } : {},
    var.additional_queries,
  )
}

resource "aws_cloudwatch_query_definition" "this" {
  for_each = local.queries

  name            = "${var.name_prefix}/${each.key}"
  log_group_names = var.log_group_names
  query_string    = each.value
}
