locals {
  # The guide's queries, rewritten against the JSON fields the function logs
  # (Logs Insights discovers them), using only fields/filter/stats/sort/limit.
  guide_queries = {
    "Migration Success Rate" = [
      "fields @timestamp, event_type",
      "filter event_type in [\"migration_success\", \"migration_failure\"]",
      "stats count(*) as total, sum(strcontains(event_type, \"success\")) as success, sum(strcontains(event_type, \"failure\")) as failed by bin(5m)",
    ]
    "Top Failure Reasons" = [
      "fields @timestamp, error_type, error_message",
      "filter event_type = \"migration_failure\"",
      "stats count(*) as failures by error_type, error_message",
      "sort failures desc",
      "limit 10",
    ]
    "Average Migration Response Time" = [
      "fields @timestamp, duration_ms",
      "filter event_type = \"migration_success\"",
      "stats avg(duration_ms) as avg_ms, max(duration_ms) as max_ms, min(duration_ms) as min_ms by bin(5m)",
    ]
    "Merge Strategy Distribution" = [
      "fields @timestamp, merge_strategy",
      "filter event_type = \"migration_start\"",
      "stats count(*) as migrations by merge_strategy",
      "sort migrations desc",
    ]
    "Customers with Multiple Migrations" = [
      "fields @timestamp, customer_id",
      "filter event_type = \"migration_success\"",
      "stats count(*) as migration_count by customer_id",
      "filter migration_count > 5",
      "sort migration_count desc",
    ]
    "Rate Limit Analysis" = [
      "fields @timestamp, customer_id",
      "filter event_type = \"rate_limit_exceeded\"",
      "stats count(*) as rate_limit_hits by customer_id, bin(1h)",
      "sort rate_limit_hits desc",
    ]
    "Performance by Merge Strategy" = [
      "fields @timestamp, merge_strategy, duration_ms",
      "filter event_type = \"migration_success\"",
      "stats avg(duration_ms) as avg_duration, pct(duration_ms, 99) as p99_duration, count(*) as migrations by merge_strategy",
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
