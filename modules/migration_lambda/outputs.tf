output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's role."
  value       = aws_iam_role.this.arn
}

output "carts_table_name" {
  description = "Name of the carts table."
  value       = aws_dynamodb_table.carts.name
}

output "carts_table_arn" {
  description = "ARN of the carts table."
  value       = aws_dynamodb_table.carts.arn
}

output "rate_limit_table_name" {
  description = "Name of the rate-limit table."
  value       = aws_dynamodb_table.rate_limit.name
}

output "rate_limit_table_arn" {
  description = "ARN of the rate-limit table."
  value       = aws_dynamodb_table.rate_limit.arn
}

output "invoke_arn" {
  description = "ARN to use as an API Gateway integration URI (`invoke_arn` of the function)."
  value       = aws_lambda_function.this.invoke_arn
}

output "environment_variable_names" {
  description = "Names of the function's environment variables (the values may be secret; the names are not)."
  value       = nonsensitive(sort(keys(local.environment)))
}

output "architectures" {
  description = "Instruction set of the function."
  value       = var.architectures
}

output "role_name" {
  description = "Name of the function's role."
  value       = aws_iam_role.this.name
}

output "logging_config" {
  description = "Log format, levels and log group of the function, as set (so that a console change shows as drift)."
  value       = one(aws_lambda_function.this.logging_config)
}

output "idempotency_table_name" {
  description = "Name of the table that keeps the answers of requests sent with an Idempotency-Key (24 hours, TTL)."
  value       = aws_dynamodb_table.idempotency.name
}

output "invoke_permissions" {
  description = "The permission of each caller in invoke_source_arns: the principal that invokes for it and the source account it must come from (null = scoped by source ARN alone)."
  value       = { for k, p in aws_lambda_permission.this : k => { principal = p.principal, source_account = p.source_account } }
}

output "package_file" {
  description = "The local deployment zip the function is created from: the one given, or the one picked from a release folder's manifest.json; null for a package from S3."
  value       = local.package_from_s3 ? null : local.package_path
}
