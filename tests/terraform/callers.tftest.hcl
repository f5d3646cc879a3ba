# Offline plans of what shops' callers need: CORS, JWKS keys, the idempotency table, the access
# log's correlation id. Run by `make tftest` with the other files here.

mock_provider "aws" {
  source = "./tests/terraform/mocks"

  mock_data "aws_cloudwatch_log_groups" {
    defaults = {
      log_group_names = ["/aws/lambda/cart-migration"]
    }
  }
}

variables {
  function_name       = "cart-migration"
  lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
  jwt_secret          = "a-shared-secret-of-at-least-32-characters"
  log_hash_key        = "a-log-hash-key-long-enough"
  create_lambda       = true
  create_api          = true
}

run "no_cors_by_default_and_the_idempotency_table_with_the_function" {
  command = plan

  assert {
    condition     = length(module.api_gateway[0].options_routes) == 0 && !contains(module.migration_lambda[0].environment_variable_names, "CORS_ALLOWED_ORIGINS")
    error_message = "without cors_allowed_origins there is no OPTIONS method and no CORS setting"
  }
  assert {
    condition     = module.migration_lambda[0].idempotency_table_name == "vyaparai-cart-migration-idempotency" && contains(module.migration_lambda[0].environment_variable_names, "IDEMPOTENCY_TABLE")
    error_message = "the function gets its idempotency table"
  }
  assert {
    condition     = contains(module.api_gateway[0].access_log_fields, "correlation_id")
    error_message = "the access log carries correlation_id, the name the function's lines use"
  }
  assert {
    condition     = length(module.api_gateway[0].gateway_response_cors_headers) == 0
    error_message = "without cors_allowed_origins API Gateway's own answers carry no CORS header either"
  }
}

run "cors_origins_give_options_methods_and_the_setting" {
  command = plan

  variables {
    cors_allowed_origins = ["https://shop.example.com", "http://localhost:3000"]
  }

  assert {
    condition     = join(" | ", module.api_gateway[0].options_routes) == "OPTIONS /api/v1/cart/all | OPTIONS /api/v1/cart/cleanup-guest/{guest_session_id} | OPTIONS /api/v1/cart/migrate"
    error_message = "OPTIONS on each route's resource"
  }
  assert {
    condition     = contains(module.migration_lambda[0].environment_variable_names, "CORS_ALLOWED_ORIGINS")
    error_message = "the function knows the origins"
  }
  assert {
    condition = jsonencode(module.api_gateway[0].gateway_response_cors_headers) == jsonencode({
      for type in ["DEFAULT_4XX", "DEFAULT_5XX"] : type => {
        "gatewayresponse.header.Access-Control-Allow-Origin" = "method.request.header.Origin"
        "gatewayresponse.header.Vary"                        = "'Origin'"
      }
    })
    error_message = "with several origins API Gateway's own 4XX and 5XX answers echo the caller's Origin, with Vary: Origin"
  }
}

run "one_origin_also_reaches_api_gateways_own_answers" {
  command = plan

  variables {
    cors_allowed_origins = ["https://shop.example.com"]
  }

  assert {
    condition = jsonencode(module.api_gateway[0].gateway_response_cors_headers) == jsonencode({
      for type in ["DEFAULT_4XX", "DEFAULT_5XX"] : type => {
        "gatewayresponse.header.Access-Control-Allow-Origin" = "'https://shop.example.com'"
        "gatewayresponse.header.Vary"                        = "'Origin'"
      }
    })
    error_message = "API Gateway's own 4XX and 5XX answers (throttling, a failed function) carry the one origin"
  }
}

run "any_origin_reaches_api_gateways_own_answers_as_a_star" {
  command = plan

  variables {
    cors_allowed_origins = ["*"]
  }

  assert {
    condition = jsonencode(module.api_gateway[0].gateway_response_cors_headers) == jsonencode({
      for type in ["DEFAULT_4XX", "DEFAULT_5XX"] : type => {
        "gatewayresponse.header.Access-Control-Allow-Origin" = "'*'"
      }
    })
    error_message = "with [\"*\"] API Gateway's own answers say '*' and nothing varies by origin"
  }
  assert {
    condition     = length(module.api_gateway[0].options_routes) == 3
    error_message = "any origin still gets the preflight routes"
  }
}

run "jwks_url_for_rs256" {
  command = plan

  variables {
    jwt_algorithm = "RS256"
    jwt_secret    = null
    jwt_jwks_url  = "https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_Example/.well-known/jwks.json"
  }

  assert {
    condition     = contains(module.migration_lambda[0].environment_variable_names, "JWT_JWKS_URL") && !contains(module.migration_lambda[0].environment_variable_names, "JWT_PUBLIC_KEY")
    error_message = "the JWKS URL reaches the function"
  }
}

run "bad_cors_origins_and_jwks_urls_are_refused" {
  command = plan

  variables {
    cors_allowed_origins = ["https://shop.example.com/", "*"]
    jwt_jwks_url         = "http://idp.example.com/jwks.json"
  }

  expect_failures = [var.cors_allowed_origins, var.jwt_jwks_url]
}

run "a_jwks_url_with_hs256_is_refused" {
  command = plan

  variables {
    jwt_jwks_url = "https://idp.example.com/jwks.json"
  }

  expect_failures = [terraform_data.input_checks]
}
