# Offline plans of the root module: a mocked AWS provider, no credentials, no emulator, seconds.
# Run by `make tftest` (part of `make test`) as `terraform test -test-directory=tests/terraform`.

mock_provider "aws" {
  # Account, partition, region and policy documents: tests/terraform/mocks/aws.tfmock.hcl.
  source = "./tests/terraform/mocks"

  # A function that has run: Lambda created its log group.
  mock_data "aws_cloudwatch_log_groups" {
    defaults = {
      log_group_names = ["/aws/lambda/cart-migration", "/aws/lambda/cart-migration-staging"]
    }
  }
}

variables {
  function_name       = "cart-migration"
  lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
  jwt_secret          = "a-shared-secret-of-at-least-32-characters"
  log_hash_key        = "a-log-hash-key-long-enough"
}

run "existing_function_log_group_is_left_alone_by_default" {
  command = plan

  assert {
    condition     = module.log_groups.function_log_group_managed == false
    error_message = "with create_lambda = false the function's log group exists already: the module must not create it"
  }
  assert {
    condition     = output.log_group_names.function == "/aws/lambda/cart-migration"
    error_message = "the function's log group name is still returned (the filters read it)"
  }
  assert {
    condition     = output.lambda_function_name == null && output.lambda_invoke_arn == null && output.api_invoke_url == null
    error_message = "no function and no API unless asked for"
  }
}

run "adopting_the_log_group_is_managing_it" {
  command = plan

  variables {
    create_function_log_group = true
  }

  assert {
    condition     = module.log_groups.function_log_group_managed
    error_message = "create_function_log_group = true manages the group (created or imported)"
  }
}

run "a_created_function_gets_its_log_group" {
  command = plan

  variables {
    create_lambda = true
  }

  assert {
    condition     = module.log_groups.function_log_group_managed
    error_message = "the module creates the group of the function it creates"
  }
  assert {
    condition     = tolist(module.migration_lambda[0].architectures) == tolist(["x86_64"])
    error_message = "x86_64 by default"
  }
  assert {
    condition     = contains(module.migration_lambda[0].environment_variable_names, "JWT_SECRET") && !contains(module.migration_lambda[0].environment_variable_names, "JWT_SECRET_PARAMETER")
    error_message = "plain values stay possible (local use)"
  }
}

run "the_shortest_timeout_and_the_logging_config_are_planned" {
  command = plan

  variables {
    create_lambda  = true
    lambda_timeout = 3
  }

  assert {
    condition     = module.migration_lambda[0].logging_config.log_format == "JSON" && module.migration_lambda[0].logging_config.application_log_level == "INFO" && module.migration_lambda[0].logging_config.system_log_level == "INFO"
    error_message = "the logging config is explicit (JSON, INFO, INFO): Lambda's application log level above INFO drops the events the alarms count, and a system level above INFO drops the timeout reports"
  }
  assert {
    condition     = module.migration_lambda[0].logging_config.log_group == "/aws/lambda/cart-migration"
    error_message = "the function logs to the group the metric filters read"
  }
}

run "arm64" {
  command = plan

  variables {
    create_lambda        = true
    lambda_architectures = ["arm64"]
  }

  assert {
    condition     = tolist(module.migration_lambda[0].architectures) == tolist(["arm64"])
    error_message = "the function runs on arm64 (package it with make package ARCH=arm64)"
  }
}

run "existing_topics" {
  command = plan

  variables {
    page_topic_arn   = "arn:aws:sns:ap-south-1:123456789012:pager"
    alerts_topic_arn = "arn:aws:sns:ap-south-1:123456789012:team"
  }

  assert {
    condition     = output.sns_topic_arns.page == "arn:aws:sns:ap-south-1:123456789012:pager" && output.sns_topic_arns.alerts == "arn:aws:sns:ap-south-1:123456789012:team"
    error_message = "the given topics are used as they are"
  }
  assert {
    condition     = output.sns_topic_arns.critical == output.sns_topic_arns.page && output.sns_topic_arns.warning == output.sns_topic_arns.alerts
    error_message = "the guide's keys critical and warning name the page and the alerts topic"
  }
  assert {
    condition     = output.kms_key_arn == null
    error_message = "no topic created, no key"
  }
}

run "topic_key_given_as_an_alias_is_returned_as_a_key_arn" {
  command = plan

  variables {
    alerts_topic_arn  = "arn:aws:sns:ap-south-1:123456789012:team"
    kms_master_key_id = "alias/cart-alerts"
  }

  override_data {
    target = module.alerting.data.aws_kms_key.given[0]
    values = {
      arn = "arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "kms_key_arn is the key's ARN, not the alias"
  }
}

run "dashboard_url_follows_the_partition" {
  command = plan

  override_data {
    target = module.dashboard.data.aws_partition.current
    values = {
      partition = "aws-cn"
    }
  }

  assert {
    condition     = startswith(output.dashboard_url, "https://console.amazonaws.cn/cloudwatch/home?region=ap-south-1#dashboards:name=")
    error_message = "China's console is console.amazonaws.cn"
  }
}

run "secrets_by_parameter" {
  command = plan

  variables {
    create_lambda                 = true
    jwt_secret                    = null
    log_hash_key                  = null
    jwt_secret_parameter          = "/cart-migration/jwt-secret"
    log_hash_key_parameter        = "arn:aws:ssm:ap-south-1:123456789012:parameter/cart-migration/log-hash-key"
    secret_parameters_kms_key_arn = "arn:aws:kms:ap-south-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    lambda_kms_key_arn            = "arn:aws:kms:ap-south-1:123456789012:key/ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition     = !contains(module.migration_lambda[0].environment_variable_names, "JWT_SECRET") && !contains(module.migration_lambda[0].environment_variable_names, "LOG_HASH_KEY")
    error_message = "no secret in the function's environment"
  }
  assert {
    condition     = contains(module.migration_lambda[0].environment_variable_names, "JWT_SECRET_PARAMETER") && contains(module.migration_lambda[0].environment_variable_names, "LOG_HASH_KEY_PARAMETER")
    error_message = "the function is told where its secrets are"
  }
}

run "api" {
  command = plan

  variables {
    create_lambda = true
    create_api    = true
  }

  assert {
    condition     = join(" | ", module.api_gateway[0].routes) == "DELETE /api/v1/cart/cleanup-guest/{guest_session_id} | GET /api/v1/cart/all | POST /api/v1/cart/migrate"
    error_message = "the API serves the handler's three routes"
  }
  assert {
    condition     = module.api_gateway[0].access_log_group_name == "/aws/apigateway/vyaparai-cart-migration-api/access"
    error_message = "access logs go to a log group of their own"
  }
}

run "own_api_wiring" {
  command = plan

  variables {
    create_lambda             = true
    lambda_invoke_source_arns = { shop = "arn:aws:execute-api:ap-south-1:123456789012:abcdef1234/live/*/*" }
  }

  assert {
    condition     = output.api_invoke_url == null
    error_message = "no API of the module's own"
  }
}

# ------------------------------------------------------------------ refused inputs

run "a_timeout_too_short_to_answer_before_it_is_refused" {
  command = plan

  variables {
    create_lambda  = true
    lambda_timeout = 2
  }

  expect_failures = [var.lambda_timeout]
}

run "api_without_the_function_is_refused" {
  command = plan

  variables {
    create_api = true
  }

  expect_failures = [output.api_invoke_url]
}

run "bad_secret_parameter_names_are_refused" {
  command = plan

  variables {
    jwt_secret_parameter   = "not a parameter name!"
    log_hash_key_parameter = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:x"
  }

  expect_failures = [var.jwt_secret_parameter, var.log_hash_key_parameter]
}

run "bad_keys_and_callers_are_refused" {
  command = plan

  variables {
    secret_parameters_kms_key_arn = "alias/ssm"
    lambda_kms_key_arn            = "alias/lambda"
    table_kms_key_arn             = "alias/dynamodb"
    lambda_invoke_source_arns     = { "bad name" = "execute-api" }
    secrets_max_age_seconds       = -1
  }

  expect_failures = [
    var.secret_parameters_kms_key_arn,
    var.lambda_kms_key_arn,
    var.table_kms_key_arn,
    var.lambda_invoke_source_arns,
    var.secrets_max_age_seconds,
  ]
}

run "bad_api_settings_are_refused" {
  command = plan

  variables {
    api_stage_name                   = "live stage"
    api_throttling_burst_limit       = 1.5
    api_throttling_rate_limit        = -1
    api_access_log_retention_in_days = 10
  }

  expect_failures = [
    var.api_stage_name,
    var.api_throttling_burst_limit,
    var.api_throttling_rate_limit,
    var.api_access_log_retention_in_days,
  ]
}

run "bad_names_retention_and_keys_are_refused" {
  command = plan

  variables {
    function_name         = "cart migration"
    name_prefix           = "-prefix"
    log_retention_in_days = 10
    kms_master_key_id     = "alias/aws/sns"
    log_group_kms_key_id  = "alias/logs"
    jwt_secret            = "short"
    log_hash_key          = "short"
    jwt_algorithm         = "none"
  }

  expect_failures = [
    var.function_name,
    var.name_prefix,
    var.log_retention_in_days,
    var.kms_master_key_id,
    var.log_group_kms_key_id,
    var.jwt_secret,
    var.log_hash_key,
    var.jwt_algorithm,
  ]
}

run "bad_topic_arns_and_emails_are_refused" {
  command = plan

  variables {
    page_topic_arn   = "pager"
    alerts_topic_arn = "arn:aws:sqs:ap-south-1:123456789012:team"
    alert_emails     = ["not-an-address"]
  }

  expect_failures = [var.page_topic_arn, var.alerts_topic_arn, var.alert_emails]
}

run "bad_naming_routing_and_table_settings_are_refused" {
  command = plan

  variables {
    alarm_name_prefix                     = "-Alarms"
    metric_namespace                      = "AWS/CartMigration"
    kms_key_deletion_window_in_days       = 3
    additional_subscriptions              = { pager = { topic = "urgent", protocol = "https", endpoint = "https://pager.example.com" } }
    priority_topics                       = { P1 = "critical", P2 = "warning" }
    audit_log_retention_in_days           = 2
    runbook_base_url                      = "ftp://runbooks"
    alarm_overrides                       = { HighFailureRate = { threshold = -1 } }
    lambda_reserved_concurrent_executions = -5
    carts_table_name                      = "carts table!"
    rate_limit_table_name                 = "rl"
    jwt_public_key                        = "ssh-rsa AAAAB3Nza"
    extra_alarms = {
      Bad = {
        priority            = "P9"
        summary             = "bad"
        response            = "none"
        metric              = "MigrationFailureCount"
        statistic           = "Sum"
        comparison_operator = "GreaterThanThreshold"
        threshold           = 1
        period              = 300
        evaluation_periods  = 1
        treat_missing_data  = "notBreaching"
      }
    }
  }

  expect_failures = [
    var.alarm_name_prefix,
    var.metric_namespace,
    var.kms_key_deletion_window_in_days,
    var.additional_subscriptions,
    var.priority_topics,
    var.audit_log_retention_in_days,
    var.runbook_base_url,
    var.alarm_overrides,
    var.lambda_reserved_concurrent_executions,
    var.carts_table_name,
    var.rate_limit_table_name,
    var.jwt_public_key,
    var.extra_alarms,
  ]
}

# extra_alarms takes every field of the metric_alarms submodule's alarm type (which declares it
# once): dimensions reach the alarm, notify = false leaves it without actions.
run "extra_alarm_dimensions_and_notify_reach_the_alarm" {
  command = plan

  variables {
    extra_alarms = {
      SlowCleanup = {
        priority            = "P3"
        summary             = "slow guest cart cleanup"
        response            = "look at the cleanup latency"
        metric              = "OperationDuration"
        dimensions          = { Operation = "cleanup_guest_cart" }
        extended_statistic  = "p90"
        comparison_operator = "GreaterThanThreshold"
        threshold           = 800
        period              = 300
        evaluation_periods  = 3
        treat_missing_data  = "notBreaching"
        notify              = false
      }
    }
  }

  # OperationDuration is published per Operation: the submodule refuses an alarm on it whose
  # dimensions are not exactly {Operation}, so this plan passes only if they reach the submodule.
  assert {
    condition     = local.effective_alarms["SlowCleanup"].dimensions == { Operation = "cleanup_guest_cart" }
    error_message = "the extra alarm's dimensions must reach the alarms module"
  }

  assert {
    condition     = !module.metric_alarms.alarms["SlowCleanup"].notifies && module.metric_alarms.alarms["HighFailureRate"].notifies
    error_message = "notify = false must leave the extra alarm without actions (and the built-in alarms with theirs)"
  }
}

run "extra_alarms_with_missing_or_mistyped_fields_are_refused" {
  command = plan

  variables {
    extra_alarms = {
      NoSummary = {
        priority            = "P2"
        response            = "r"
        metric              = "MigrationFailureCount"
        statistic           = "Sum"
        comparison_operator = "GreaterThanThreshold"
        threshold           = 1
        period              = 300
        evaluation_periods  = 1
        treat_missing_data  = "notBreaching"
        dimensions          = { Operation = ["a", "b"] }
        notify              = "sometimes"
      }
    }
  }

  expect_failures = [var.extra_alarms]
}

run "bad_slo_window_guard_is_refused" {
  command = plan

  variables {
    slo_burn_rate_windows = [
      { name = "Quick", priority = "P1", long_window_minutes = 5, short_window_minutes = 2, budget_consumed_percent = 0.05, min_events = 0 },
    ]
  }

  expect_failures = [var.slo_burn_rate_windows]
}

run "a_pair_guard_replaces_slo_min_events_in_its_own_alarms_only" {
  command = plan

  variables {
    slo_min_events = 30
    slo_burn_rate_windows = [
      { name = "Quick", priority = "P1", long_window_minutes = 5, short_window_minutes = 2, budget_consumed_percent = 0.05, min_events = 150 },
      { name = "Fast", priority = "P1", long_window_minutes = 60, short_window_minutes = 5, budget_consumed_percent = 2 },
    ]
  }

  assert {
    condition     = output.slos.objectives.Availability.windows.Quick.min_events == 150 && output.slos.objectives.Availability.windows.Fast.min_events == 30
    error_message = "a pair's min_events is its guard; a pair without one takes slo_min_events"
  }
  assert {
    condition     = strcontains(local.burn_rate_alarms.AvailabilityBurnQuick2m.expression, ">= 150,") && strcontains(local.burn_rate_alarms.AvailabilityBurnFast5m.expression, ">= 30,")
    error_message = "each window alarm's expression carries its own pair's guard"
  }
}

# ------------------------------------------------------------------ log classes and data protection

run "data_protection_is_off_by_default_and_classes_are_standard" {
  command = plan

  variables {
    create_lambda = true
  }

  assert {
    condition     = length(module.log_groups.data_protection_policy_documents) == 0 && output.data_protection_findings_log_group_name == null
    error_message = "log_data_protection is off by default"
  }
  assert {
    condition     = module.log_groups.log_group_classes == { function = "STANDARD", audit = "STANDARD" }
    error_message = "both groups are STANDARD by default"
  }
}

run "data_protection_on_an_infrequent_access_audit_group_is_refused" {
  command = plan

  variables {
    create_lambda         = true
    audit_log_group_class = "INFREQUENT_ACCESS"
    log_data_protection   = {}
  }

  expect_failures = [data.aws_partition.log_group_checks]
}

run "data_protection_policy_document" {
  command = plan

  variables {
    create_lambda       = true
    log_data_protection = { findings_destination_s3_bucket = "cart-pii-findings" }
  }

  assert {
    condition     = toset(keys(module.log_groups.data_protection_policy_documents)) == toset(["function", "audit"])
    error_message = "the function and audit groups both get a policy"
  }
  assert {
    condition     = jsondecode(module.log_groups.data_protection_policy_documents["function"]).Statement[0].DataIdentifier == jsondecode(module.log_groups.data_protection_policy_documents["function"]).Statement[1].DataIdentifier
    error_message = "the Audit and Deidentify statements name the same identifiers, as AWS requires"
  }
  assert {
    condition = alltrue([for name in ["EmailAddress", "PhoneNumber-US", "PhoneNumber-GB", "CreditCardNumber", "IpAddress"] :
      contains(jsondecode(module.log_groups.data_protection_policy_documents["audit"]).Statement[0].DataIdentifier, "arn:aws:dataprotection::aws:data-identifier/${name}")
    ])
    error_message = "emails, phone numbers, card numbers and the catalogue's ip_address are protected by default"
  }
  assert {
    condition     = jsondecode(module.log_groups.data_protection_policy_documents["audit"]).Statement[0].Operation.Audit.FindingsDestination == { CloudWatchLogs = { LogGroup = "/vyaparai-cart-migration/data-protection-findings" }, S3 = { Bucket = "cart-pii-findings" } }
    error_message = "findings go to the module's findings log group and to the given bucket"
  }
  assert {
    condition     = output.data_protection_findings_log_group_name == "/vyaparai-cart-migration/data-protection-findings"
    error_message = "the findings log group is returned"
  }
}

run "log_classes_that_starve_the_metric_filters_are_refused" {
  command = plan

  variables {
    function_log_group_class = "INFREQUENT_ACCESS"
    audit_log_group_class    = "DELIVERY"
    log_data_protection      = { data_identifiers = ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"], findings_destination_s3_bucket = "Bad_Bucket" }
  }

  expect_failures = [var.function_log_group_class, var.audit_log_group_class, var.log_data_protection]
}

run "archiving_an_infrequent_access_audit_group_is_refused" {
  command = plan

  variables {
    audit_log_group_class = "INFREQUENT_ACCESS"
    log_archive           = {}
  }

  expect_failures = [data.aws_partition.log_group_checks]
}

run "an_infrequent_access_audit_group_without_archive_or_protection" {
  command = plan

  variables {
    audit_log_group_class = "INFREQUENT_ACCESS"
    log_archive           = { include_audit_log = false }
  }

  assert {
    condition     = module.log_groups.log_group_classes.audit == "INFREQUENT_ACCESS"
    error_message = "the audit group takes the class asked for"
  }
}

# The SLIs count every request where the user is (docs/slo-arithmetic.md).
run "availability_counts_unanswered_requests_of_an_existing_function" {
  command = plan

  assert {
    condition = (
      local.burn_rate_alarms.AvailabilityBurnFast1h.expression_steps.unanswered == "IF(errors > reraised, errors - reraised, 0)"
      && local.burn_rate_alarms.AvailabilityBurnFast1h.expression_steps.bad == "failed + unanswered + throttles"
      && !contains(keys(local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics), "api_errors")
    )
    error_message = "without the API: bad = logged failures + the Errors the function did not log + throttles"
  }
  assert {
    condition = (
      local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics.errors.namespace == "AWS/Lambda"
      && local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics.errors.metric_name == "Errors"
      && local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics.throttles.metric_name == "Throttles"
      && local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics.throttles.dimensions.FunctionName == "cart-migration"
      && local.burn_rate_alarms.AvailabilityBurnFast1h.expression_metrics.reraised.metric == "MigrationFailureReraisedCount"
    )
    error_message = "the function's AWS/Lambda Errors and Throttles, by FunctionName, and the re-raised failures"
  }
  assert {
    condition     = module.metric_alarms.metric_filter_names.TimedOutInvocationCount == "${var.name_prefix}-TimedOutInvocationCount" && local.function_log_format == "Text" && local.timeout_metric.TimedOutInvocationCount.filter_pattern == "\"Task timed out after\""
    error_message = "a function the module does not create logs in Lambda's default format, Text"
  }
}

run "with_the_api_its_own_5xx_count_once" {
  command = plan

  variables {
    create_lambda  = true
    create_api     = true
    api_stage_name = "prod"
  }

  assert {
    condition = (
      local.burn_rate_alarms.AvailabilityBurnQuick2m.expression_steps.bad == "MAX([function_bad, api_errors])"
      && local.burn_rate_alarms.AvailabilityBurnQuick2m.expression_metrics.api_errors.metric_name == "5XXError"
      && local.burn_rate_alarms.AvailabilityBurnQuick2m.expression_metrics.api_errors.dimensions.ApiName == "${var.name_prefix}-api"
      && local.burn_rate_alarms.AvailabilityBurnQuick2m.expression_metrics.api_errors.dimensions.Stage == "prod"
    )
    error_message = "with the module's REST API: its 5XXError by ApiName and Stage, the larger count of the two sides"
  }
  assert {
    condition     = local.function_log_format == "JSON" && strcontains(local.timeout_metric.TimedOutInvocationCount.filter_pattern, "platform.report")
    error_message = "the module's own function logs JSON: timeouts from its platform.report lines"
  }
  assert {
    condition     = strcontains(local.burn_rate_alarms.LatencyGetAllCartsBurnFast1h.expression, "100 * (slow + timeouts) / (all + timeouts)")
    error_message = "a timed-out invocation counts as a slow request of every operation"
  }
}

run "bad_function_log_format_is_refused" {
  command = plan

  variables {
    function_log_format = "json"
  }

  expect_failures = [var.function_log_format]
}


# ------------------------------------------------------------------ rules AWS checks only at apply

run "alarm_evaluation_range_of_an_override_is_refused" {
  command = plan

  variables {
    alarm_overrides = { HighFailureRate = { evaluation_periods = 300 } }
  }

  expect_failures = [terraform_data.input_checks]
}

run "alarm_evaluation_range_of_an_extra_alarm_is_refused" {
  command = plan

  variables {
    extra_alarms = {
      WeeklyConflicts = {
        priority            = "P3"
        summary             = "conflicts"
        response            = "look"
        metric              = "MergeConflictCount"
        statistic           = "Sum"
        comparison_operator = "GreaterThanThreshold"
        threshold           = 1
        period              = 3600
        evaluation_periods  = 169
        treat_missing_data  = "notBreaching"
      }
    }
  }

  expect_failures = [terraform_data.input_checks]
}

run "alarm_evaluation_range_at_the_limits_plans" {
  command = plan

  variables {
    alarm_overrides = {
      HighFailureRate        = { evaluation_periods = 288 }                  # 300 s x 288 = one day
      NoSuccessfulMigrations = { period = 3600, evaluation_periods = 168 }   # one hour x 168 = seven days
      LambdaErrors           = { evaluation_periods = 300, enabled = false } # not created: not checked
    }
  }

  assert {
    condition     = length(local.alarm_range_errors) == 0
    error_message = "one day for periods under an hour and seven days otherwise are allowed"
  }
}

run "unknown_alarm_override_key_suggests_the_closest_alarm" {
  command = plan

  variables {
    alarm_overrides = { HighFailRate = { threshold = 3 }, lambdathrottles = { threshold = 1 }, Zzz = { threshold = 1 } }
  }

  expect_failures = [terraform_data.input_checks]

  assert {
    condition     = local.unknown_alarm_override_messages == ["HighFailRate (did you mean HighFailureRate?)", "Zzz", "lambdathrottles (did you mean LambdaThrottles?)"]
    error_message = "each unknown key gets the closest alarm name, when one is close"
  }
}

run "reserved_and_module_environment_names_are_refused" {
  command = plan

  variables {
    create_lambda                = true
    lambda_environment_variables = { AWS_REGION = "us-east-1", CARTS_TABLE = "other" }
  }

  expect_failures = [var.lambda_environment_variables]
}

run "invoke_permissions_use_each_service_principal" {
  command = plan

  variables {
    create_lambda = true
    lambda_invoke_source_arns = {
      alarm  = "arn:aws:cloudwatch:ap-south-1:123456789012:alarm:cart-errors"
      bucket = "arn:aws:s3:::cart-uploads"
      api    = "arn:aws:execute-api:ap-south-1:123456789012:abcdef1234/live/*/*"
      rule   = "arn:aws:events:ap-south-1:123456789012:rule/nightly"
    }
  }

  assert {
    condition     = module.migration_lambda[0].invoke_permissions.alarm.principal == "lambda.alarms.cloudwatch.amazonaws.com" && module.migration_lambda[0].invoke_permissions.alarm.source_account == "123456789012"
    error_message = "CloudWatch alarms invoke as lambda.alarms.cloudwatch.amazonaws.com"
  }
  assert {
    condition     = module.migration_lambda[0].invoke_permissions.bucket.principal == "s3.amazonaws.com" && module.migration_lambda[0].invoke_permissions.bucket.source_account == "123456789012"
    error_message = "a bucket ARN carries no account: the permission names the source account"
  }
  assert {
    condition     = module.migration_lambda[0].invoke_permissions.api.principal == "apigateway.amazonaws.com" && module.migration_lambda[0].invoke_permissions.rule.principal == "events.amazonaws.com" && module.migration_lambda[0].invoke_permissions.api.source_account == null
    error_message = "API Gateway and EventBridge keep their principals, scoped by source ARN"
  }
}

run "callers_that_need_no_permission_are_refused" {
  command = plan

  variables {
    create_lambda             = true
    lambda_invoke_source_arns = { queue = "arn:aws:sqs:ap-south-1:123456789012:jobs", dashboard = "arn:aws:cloudwatch::123456789012:dashboard/x" }
  }

  expect_failures = [var.lambda_invoke_source_arns]
}

# ------------------------------------------------------------------ a second region of the same account

run "a_second_region_names_its_own_dashboard" {
  command = plan

  variables {
    dashboard_name = "VyaparAI-CartMigration-us-east-1"
  }

  assert {
    condition     = output.dashboard_name == "VyaparAI-CartMigration-us-east-1" && startswith(output.alarm_names[0], "VyaparAI-CartMigration-")
    error_message = "dashboard_name names the account-global dashboard; the regional alarms keep alarm_name_prefix"
  }
}

run "the_dashboard_keeps_the_guide_name_by_default" {
  command = plan

  assert {
    condition     = output.dashboard_name == "VyaparAI-CartMigration"
    error_message = "the guide's dashboard name is the default"
  }
}

run "account_wide_names_carry_the_region" {
  command = plan

  variables {
    create_lambda = true
    log_archive   = {}
  }

  override_data {
    target = module.migration_lambda[0].data.aws_region.current
    values = { id = "us-east-1", name = "us-east-1" }
  }
  override_data {
    target = module.log_archive[0].data.aws_region.current
    values = { id = "us-east-1", name = "us-east-1" }
  }

  assert {
    condition     = output.lambda_role_name == "cart-migration-role-us-east-1"
    error_message = "the function's role carries the region (IAM names are account-wide)"
  }
  assert {
    condition     = output.log_archive_bucket_name == "vyaparai-cart-migration-log-archive-123456789012-us-east-1"
    error_message = "the archive bucket carries the region (bucket names are global)"
  }
}

# ------------------------------------------------------------------ the README's first snippet on a new account

run "a_function_that_has_not_logged_gets_its_log_group" {
  command = plan

  override_data {
    target = module.log_groups.data.aws_cloudwatch_log_groups.function[0]
    values = { log_group_names = [] }
  }

  assert {
    condition     = module.log_groups.function_log_group_managed
    error_message = "a missing group is created, or the metric filters on it fail at apply (ResourceNotFoundException)"
  }
}

run "the_group_the_module_created_stays_its_own" {
  command = plan

  override_data {
    target = module.log_groups.data.aws_cloudwatch_log_group.function[0]
    values = { tags = { "cart-migration-monitoring:log-group" = "created-by-module" } }
  }

  assert {
    condition     = module.log_groups.function_log_group_managed
    error_message = "once created, the group exists: its tag keeps the decision from flipping (which would delete it)"
  }
}

run "an_environment_beyond_lambdas_4_kb_is_refused" {
  command = plan

  variables {
    create_lambda                = true
    lambda_environment_variables = { FEATURE_FLAGS = join(",", [for i in range(600) : "flag${i}"]) }
  }

  expect_failures = [terraform_data.input_checks]
}
