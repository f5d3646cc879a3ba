################################################################################
# A REST API in front of the function: the handler's three routes, proxied as they are
# (AWS_PROXY, payload v1), one stage with JSON access logs and throttling, and a permission
# that lets only this API's stage invoke the function. Authentication stays in the function
# (JWT), which also answers 404 for anything else.
################################################################################

locals {
  # The handler's routes (lambda_src/cart_migration/handler.py), by resource key.
  routes = {
    migrate = { method = "POST", path = "/api/v1/cart/migrate" }
    all     = { method = "GET", path = "/api/v1/cart/all" }
    cleanup = { method = "DELETE", path = "/api/v1/cart/cleanup-guest/{guest_session_id}" }
  }

  route_resource_ids = {
    migrate = aws_api_gateway_resource.migrate.id
    all     = aws_api_gateway_resource.all.id
    cleanup = aws_api_gateway_resource.guest_session.id
  }

  # One JSON object per request; the field names are API Gateway's $context variables, and
  # correlation_id: the request id under the name the function's lines carry it (event_log.py),
  # so one Logs Insights filter on correlation_id finds the request in both log groups.
  access_log_format = jsonencode({
    correlation_id     = "$context.requestId"
    requestId          = "$context.requestId"
    requestTime        = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    status             = "$context.status"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integrationLatency"
    integrationStatus  = "$context.integrationStatus"
    integrationError   = "$context.integration.error"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    errorMessage       = "$context.error.message"
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "Cart migration API (guest carts to customer carts)"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags

  # A replacement (a new name) gets its new API before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "api" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "api"
}

resource "aws_api_gateway_resource" "v1" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.api.id
  path_part   = "v1"
}

resource "aws_api_gateway_resource" "cart" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.v1.id
  path_part   = "cart"
}

resource "aws_api_gateway_resource" "migrate" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.cart.id
  path_part   = "migrate"
}

resource "aws_api_gateway_resource" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.cart.id
  path_part   = "all"
}

resource "aws_api_gateway_resource" "cleanup_guest" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.cart.id
  path_part   = "cleanup-guest"
}

resource "aws_api_gateway_resource" "guest_session" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.cleanup_guest.id
  path_part   = "{guest_session_id}"
}

resource "aws_api_gateway_method" "this" {
  #checkov:skip=CKV_AWS_59:The function verifies the bearer JWT on every route (HS256 or RS256) and answers 401 itself, logging auth_failure events the alarms count; an API Gateway authorizer would verify the same token twice.
  #checkov:skip=CKV2_AWS_53:The function validates every request body and path parameter (validation.py) and logs validation_error events; API Gateway request validation would duplicate it without those events.
  for_each = local.routes

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.route_resource_ids[each.key]
  http_method   = each.value.method
  authorization = "NONE"

  request_parameters = each.key == "cleanup" ? { "method.request.path.guest_session_id" = true } : {}
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.route_resource_ids[each.key]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST" # Lambda is always invoked with POST
  uri                     = var.function_invoke_arn
}

# CORS preflights: OPTIONS on each route's resource, proxied to the function rather than a MOCK
# integration. The function holds the origin list and echoes the one allowed origin a request
# comes from; a MOCK answers with static headers, so it could allow one origin or all of them,
# and the list would live in two places. A preflight costs one short invocation, and browsers
# cache its answer (Access-Control-Max-Age, lambda_src/cart_migration/cors.py).
resource "aws_api_gateway_method" "options" {
  #checkov:skip=CKV_AWS_59:A CORS preflight carries no credentials by the Fetch standard; the function answers it with headers only, no data.
  #checkov:skip=CKV2_AWS_53:A preflight has no body to validate.
  for_each = local.cors_enabled ? local.routes : {}

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.route_resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"

  request_parameters = each.key == "cleanup" ? { "method.request.path.guest_session_id" = true } : {}
}

resource "aws_api_gateway_integration" "options" {
  for_each = aws_api_gateway_method.options

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = each.value.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
}

# The answers API Gateway makes itself never reach the function: its 502 when the function fails or
# answers malformed, its 504 on a timeout, its 429 when the stage throttles, its 403 for a method or
# path it does not serve, its 413 for a body too large. DEFAULT_4XX and DEFAULT_5XX apply to every
# response type not set on its own (none is here), so these two give all of them the CORS headers:
# https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
#
# A gateway response's header is a static value or a value mapped from the request
# (`method.request.header.<name>`, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html);
# it cannot choose among values. So one origin, or "*", is written as it is, and several origins
# echo the caller's Origin header, with `Vary: Origin` so a cache keeps one answer per origin. The
# echo admits any origin, not only the listed ones, and that is acceptable here: these answers
# carry only API Gateway's fixed messages ("Internal server error", "Too Many Requests"...), never
# shop data, no answer says Access-Control-Allow-Credentials, and the token travels in a header a
# page must set itself, so another site's page learns nothing it could not learn by calling the API
# without a browser. The function's own answers, which do hold carts, keep the strict list.
locals {
  cors_enabled = length(var.cors_allowed_origins) > 0
  gateway_response_allow_origin = (
    length(var.cors_allowed_origins) == 1 ? "'${var.cors_allowed_origins[0]}'" : "method.request.header.Origin"
  )
  gateway_response_cors_headers = merge(
    { "gatewayresponse.header.Access-Control-Allow-Origin" = local.gateway_response_allow_origin },
    # "*" is the same for every origin: nothing varies
    contains(var.cors_allowed_origins, "*") ? {} : { "gatewayresponse.header.Vary" = "'Origin'" },
  )
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.cors_enabled ? toset(["DEFAULT_4XX", "DEFAULT_5XX"]) : toset([])

  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = each.key
  response_parameters = local.gateway_response_cors_headers
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A new deployment whenever a route changes; the stage moves to it before the old one goes.
  triggers = {
    routes = sha1(jsonencode([
      local.routes,
      local.route_resource_ids,
      [for k in keys(local.routes) : aws_api_gateway_integration.this[k].uri],
      var.cors_allowed_origins,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.this, aws_api_gateway_integration.options, aws_api_gateway_gateway_response.this]
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_338:Request logs, kept access_log_retention_in_days (30 by default, validated): keeping them a year is a cost and privacy choice left to the caller.
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.access_log_retention_in_days
  kms_key_id        = var.access_log_kms_key_id

  tags = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_73:The function does not trace (no X-Ray in the role); tracing the API alone shows one hop.
  #checkov:skip=CKV_AWS_120:Responses are per customer and change with every migration: a cache would serve stale carts.
  #checkov:skip=CKV2_AWS_51:The backend is a Lambda integration, not an HTTP endpoint that could check a client certificate.
  #checkov:skip=CKV2_AWS_29:A WAF web ACL is account infrastructure the caller owns (associate it with aws_wafv2_web_acl_association); throttling below bounds abuse meanwhile.
  #checkov:skip=CKV2_AWS_4:Execution logging needs the account's CloudWatch role and logs full requests (tokens included); the JSON access log records every request without them.
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  tags = var.tags
}

resource "aws_api_gateway_method_settings" "this" {
  #checkov:skip=CKV_AWS_225:Responses are per customer and change with every migration: a cache would serve stale carts.
  #checkov:skip=CKV_AWS_308:Caching is off (see CKV_AWS_225), so there is no cache to encrypt.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "OFF"
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }
}

# Only this API's stage may invoke the function, on its three routes.
resource "aws_lambda_permission" "this" {
  statement_id  = "AllowApiGateway-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/*/api/v1/cart/*"
}
