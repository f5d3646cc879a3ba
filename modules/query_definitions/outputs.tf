output "query_definition_ids" {
  description = "Saved query ID by query name (without the folder)."
  value       = { for k, q in aws_cloudwatch_query_definition.this : k => q.query_definition_id }
}

output "query_definition_names" {
  description = "Full saved query name (`<folder>/<name>`) by query name."
  value       = { for k, q in aws_cloudwatch_query_definition.this : k => q.name }
}

output "query_strings" {
  description = "Query string by query name."
  value       = local.queries
}
