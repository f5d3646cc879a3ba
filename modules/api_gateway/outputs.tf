output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the REST API (the prefix of the source ARNs of its calls)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "Base URL of the stage; the routes are <invoke_url>/api/v1/cart/migrate, /api/v1/cart/all and /api/v1/cart/cleanup-guest/{guest_session_id}."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "routes" {
  description = "The routes, as `METHOD path`."
  value       = sort([for r in values(local.routes) : "${r.method} ${r.path}"])
}

output "access_log_group_name" {
  description = "Log group of the stage's access logs (JSON, one line per request)."
  value       = aws_cloudwatch_log_group.access.name
}

output "options_routes" {
  description = "The CORS preflight routes (OPTIONS on each route's resource), empty without CORS."
  value       = sort([for k, m in aws_api_gateway_method.options : "OPTIONS ${local.routes[k].path}"])
}

output "access_log_fields" {
  description = "Field names of the stage's JSON access log lines (correlation_id joins them to the function's lines)."
  value       = sort(keys(jsondecode(local.access_log_format)))
}

output "gateway_response_cors_headers" {
  description = "The CORS headers of API Gateway's own answers, by gateway response type, as mapped (a quoted static value, or `method.request.header.Origin` for the caller's origin); empty without CORS."
  value       = { for type, response in aws_api_gateway_gateway_response.this : type => response.response_parameters }
}
