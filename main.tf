locals {
  # The version this code is (CHANGELOG.md, `make release`): runbook references name it. "-dev"
  # while CHANGELOG.md's Unreleased section holds changes not yet tagged; the repository has no tags
  # yet, so the README pins by commit.
  module_version = "0.3.0-dev"
}

locals {
  # The second PII net's default identifiers (docs/pii.md): what the redactor removes by value (emails,
  # phone numbers, card numbers, IBANs) plus the catalogue's `ip_address`, which the redactor keeps.
  default_data_identifiers = [
    "EmailAddress",
    "PhoneNumber-US", "PhoneNumber-GB", "PhoneNumber-DE", "PhoneNumber-FR", "PhoneNumber-ES", "PhoneNumber-IT", "PhoneNumber-BR",
    "CreditCardNumber", "CreditCardSecurityCode", "CreditCardExpiration",
    "BankAccountNumber-DE", "BankAccountNumber-ES", "BankAccountNumber-FR", "BankAccountNumber-GB", "BankAccountNumber-IT",
    "IpAddress",
  ]
}

# Log classes and data protection across variables, checked at plan.
data "aws_partition" "log_group_checks" {
  lifecycle {
    precondition {
      condition     = !(var.log_data_protection != null && var.audit_log_group_class == "INFREQUENT_ACCESS")
      error_message = "log_data_protection cannot protect the audit log group while audit_log_group_class = \"INFREQUENT_ACCESS\": that class does not support data protection (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html). Keep the audit group STANDARD, or leave log_data_protection null."
    }
    precondition {
      condition     = !(var.log_archive != null && try(var.log_archive.include_audit_log, false) && var.audit_log_group_class == "INFREQUENT_ACCESS")
      error_message = "log_archive cannot archive the audit log group while audit_log_group_class = \"INFREQUENT_ACCESS\": subscription filters are supported only for log groups in the Standard log class (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html). Set log_archive.include_audit_log = false, or keep the audit group STANDARD."
    }
  }
}

module "alerting" {
  source = "./modules/alerting"

  name_prefix                     = var.name_prefix
  alerts_topic_arn                = var.alerts_topic_arn
  page_topic_arn                  = var.page_topic_arn
  kms_master_key_id               = var.kms_master_key_id
  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  alert_emails                    = var.alert_emails
  additional_subscriptions        = var.additional_subscriptions

  tags = var.tags
}

module "log_groups" {
  source = "./modules/log_groups"

  function_name             = var.function_name
  name_prefix               = var.name_prefix
  create_function_log_group = var.create_lambda ? coalesce(var.create_function_log_group, true) : var.create_function_log_group
  retention_in_days         = var.log_retention_in_days
  audit_retention_in_days   = var.audit_log_retention_in_days
  kms_key_id                = var.log_group_kms_key_id
  function_log_group_class  = var.function_log_group_class
  audit_log_group_class     = var.audit_log_group_class
  data_protection = var.log_data_protection == null ? null : merge(var.log_data_protection, {
    data_identifiers = coalesce(var.log_data_protection.data_identifiers, local.default_data_identifiers)
  })

  tags = var.tags
}

module "metric_alarms" {
  source = "./modules/metric_alarms"

  metrics            = merge(local.catalogue.metrics, local.slo_metrics, local.timeout_metric)
  log_group_name     = module.log_groups.function_log_group_name
  namespace          = local.metric_namespace
  filter_name_prefix = var.name_prefix

  alarm_name_prefix   = var.alarm_name_prefix
  alarms              = local.alarms
  alarm_overrides     = local.alarm_overrides_known # unknown keys: refused by terraform_data.input_checks
  composite_alarms    = local.slo_composites
  actions_by_priority = { for priority in keys(var.priority_topics) : priority => [module.alerting.topic_arns.alerts] }
  page_actions        = [module.alerting.topic_arns.page]
  actions_enabled     = var.actions_enabled
  runbook_base_url    = var.runbook_base_url
  runbook_reference   = "terraform-aws-cart-migration-monitoring v${local.module_version}"
  referenced_metrics  = flatten(values(local.dashboard_metric_keys))

  tags = var.tags

  depends_on = [data.aws_partition.slo_checks]
}

module "dashboard" {
  source = "./modules/dashboard"

  dashboard_name          = coalesce(var.dashboard_name, var.alarm_name_prefix)
  namespace               = module.metric_alarms.namespace
  function_name           = var.function_name
  log_group_name          = module.log_groups.function_log_group_name
  outcome_metric_names    = [for k in local.dashboard_metric_keys.outcomes : module.metric_alarms.metric_names[k]]
  rate_limit_metric_names = [for k in local.dashboard_metric_keys.rate_limit : module.metric_alarms.metric_names[k]]
  scenario_metric_names   = [for k in local.dashboard_metric_keys.scenarios : module.metric_alarms.metric_names[k]]

  events               = local.catalogue.events
  common_fields        = local.catalogue.common_fields
  recent_logs_category = local.recent_logs_category

  # What notifies, pages first: the composites that page, the other composites that notify, the
  # metric alarms that notify. The burn-rate windows (inputs of the composites) stay off it.
  alarm_status_names = concat(
    [for c in values(module.metric_alarms.composite_alarms) : c.name if c.notifies && c.page],
    [for c in values(module.metric_alarms.composite_alarms) : c.name if c.notifies && !c.page],
    [for a in values(module.metric_alarms.alarms) : a.name if a.notifies],
  )
  alarm_thresholds = module.metric_alarms.thresholds
}

module "query_definitions" {
  source = "./modules/query_definitions"

  name_prefix        = var.name_prefix
  log_group_names    = [module.log_groups.function_log_group_name]
  events             = local.catalogue.events
  common_fields      = local.catalogue.common_fields
  additional_queries = var.additional_queries
}

module "migration_lambda" {
  source = "./modules/migration_lambda"
  count  = var.create_lambda ? 1 : 0

  function_name = var.function_name
  name_prefix   = var.name_prefix
  package = {
    path              = var.lambda_package_path
    s3_bucket         = var.lambda_package_s3_bucket
    s3_key            = var.lambda_package_s3_key
    s3_object_version = var.lambda_package_s3_object_version
    source_code_hash  = var.lambda_package_source_code_hash
    catalogue_sha256  = var.lambda_package_catalogue_sha256
  }
  catalogue_sha256               = filesha256("${path.module}/lambda_src/cart_migration/event_catalogue.json")
  architectures                  = var.lambda_architectures
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  reserved_concurrent_executions = var.lambda_reserved_concurrent_executions
  environment_variables          = var.lambda_environment_variables

  log_group_name       = module.log_groups.function_log_group_name
  log_group_arn        = module.log_groups.function_log_group_arn
  audit_log_group_name = module.log_groups.audit_log_group_name
  audit_log_group_arn  = module.log_groups.audit_log_group_arn

  carts_table_name          = var.carts_table_name
  rate_limit_table_name     = var.rate_limit_table_name
  table_kms_key_arn         = var.table_kms_key_arn
  table_deletion_protection = var.table_deletion_protection

  jwt_algorithm             = var.jwt_algorithm
  jwt_secret                = var.jwt_secret
  jwt_public_key            = var.jwt_public_key
  jwt_jwks_url              = var.jwt_jwks_url
  jwt_leeway_seconds        = var.jwt_leeway_seconds
  jwt_issuer                = var.jwt_issuer
  jwt_audience              = var.jwt_audience
  rate_limit_max_calls      = var.rate_limit_max_calls
  read_rate_limit_max_calls = var.read_rate_limit_max_calls
  rate_limit_window_seconds = var.rate_limit_window_seconds
  customer_cart_ttl_days    = var.customer_cart_ttl_days
  log_sample_rate           = var.log_sample_rate
  log_hash_key              = var.log_hash_key
  powertools_service_name   = var.powertools_service_name

  jwt_secret_parameter          = var.jwt_secret_parameter
  log_hash_key_parameter        = var.log_hash_key_parameter
  secret_parameters_kms_key_arn = var.secret_parameters_kms_key_arn
  secrets_max_age_seconds       = var.secrets_max_age_seconds
  kms_key_arn                   = var.lambda_kms_key_arn
  invoke_source_arns            = var.lambda_invoke_source_arns
  cors_allowed_origins          = var.cors_allowed_origins

  tags = var.tags
}

module "api_gateway" {
  source = "./modules/api_gateway"
  count  = var.create_api && var.create_lambda ? 1 : 0

  name                         = local.api_name
  function_name                = module.migration_lambda[0].function_name
  function_invoke_arn          = module.migration_lambda[0].invoke_arn
  stage_name                   = var.api_stage_name
  throttling_burst_limit       = var.api_throttling_burst_limit
  throttling_rate_limit        = var.api_throttling_rate_limit
  access_log_retention_in_days = var.api_access_log_retention_in_days
  access_log_kms_key_id        = var.log_group_kms_key_id
  cors_allowed_origins         = var.cors_allowed_origins

  tags = var.tags
}

module "log_archive" {
  source = "./modules/log_archive"
  count  = var.log_archive == null ? 0 : 1

  name_prefix = var.name_prefix
  log_group_names = merge(
    { function = module.log_groups.function_log_group_name },
    var.log_archive.include_audit_log ? { audit = module.log_groups.audit_log_group_name } : {},
  )
  filter_pattern                       = var.log_archive.filter_pattern
  bucket_name                          = var.log_archive.bucket_name
  kms_key_arn                          = var.log_archive.kms_key_arn
  force_destroy                        = var.log_archive.force_destroy
  transition_to_infrequent_access_days = var.log_archive.transition_to_infrequent_access_days
  transition_to_glacier_days           = var.log_archive.transition_to_glacier_days
  expiration_days                      = var.log_archive.expiration_days
  buffering_interval_seconds           = var.log_archive.buffering_interval_seconds
  buffering_size_mb                    = var.log_archive.buffering_size_mb
  encrypt_delivery_stream              = var.log_archive.encrypt_delivery_stream
  error_log_retention_in_days          = var.log_retention_in_days
  error_log_kms_key_id                 = var.log_group_kms_key_id
  alarm_name_prefix                    = var.alarm_name_prefix
  alarm_actions                        = [module.alerting.topic_arns.alerts]
  actions_enabled                      = var.actions_enabled
  alarm_runbook                        = var.runbook_base_url != null ? "${trimsuffix(var.runbook_base_url, "/")}/LogArchiveDelivery.md" : "docs/runbooks/LogArchiveDelivery.md in terraform-aws-cart-migration-monitoring v${local.module_version}"

  tags = var.tags
}

# Checks across inputs, which a variable's own validation cannot make: the module supports
# Terraform 1.5, where a validation sees only its own variable. Like the validations they name the
# root variables and fail the plan before anything is created; the resource holds no data, so a
# second plan shows no change.
resource "terraform_data" "input_checks" {
  lifecycle {
    precondition {
      condition     = length(local.extra_alarms_named_as_built_in) == 0
      error_message = "extra_alarms: ${join(", ", local.extra_alarms_named_as_built_in)} already name(s) an alarm of the module, which an extra alarm would replace: pick another key, or change the built-in alarm with alarm_overrides."
    }
    precondition {
      condition     = length(local.unknown_alarm_overrides) == 0
      error_message = "alarm_overrides names alarm(s) that do not exist: ${join(", ", local.unknown_alarm_override_messages)}. Alarm keys: ${join(", ", sort(keys(local.alarms)))}."
    }
    precondition {
      condition     = length(local.alarm_range_errors) == 0
      error_message = "alarm_overrides / extra_alarms: CloudWatch refuses an alarm whose period x evaluation_periods exceeds 86,400 s (one day) for a period under an hour, or 604,800 s (seven days) otherwise: ${join("; ", local.alarm_range_errors)}. Lower evaluation_periods or the period."
    }
    # Lambda refuses a function whose environment variables exceed 4 KB in all ("Lambda quotas",
    # https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). The module's own
    # variables take up to about 1 KB besides the public key; the rest is lambda_environment_variables'.
    precondition {
      condition     = !var.create_lambda || length(jsonencode(var.lambda_environment_variables)) + (var.jwt_public_key == null ? 0 : length(var.jwt_public_key)) <= 3072
      error_message = "lambda_environment_variables (${length(jsonencode(var.lambda_environment_variables))} bytes as JSON) and jwt_public_key (${(var.jwt_public_key == null ? 0 : length(var.jwt_public_key))} bytes) leave no room in the function's environment, which Lambda limits to 4 KB with the module's own variables (about 1 KB): keep the two under 3 KB together; move large values to SSM parameters."
    }
    precondition {
      condition     = !var.create_lambda || ((var.lambda_package_path != null) != (var.lambda_package_s3_bucket != null || var.lambda_package_s3_key != null) && (var.lambda_package_s3_bucket != null) == (var.lambda_package_s3_key != null))
      error_message = "With create_lambda = true the function needs exactly one package: lambda_package_path (a local zip: `make package` builds build/cart_migration.zip, `make release` the zips in dist/) or both lambda_package_s3_bucket and lambda_package_s3_key (a release zip you uploaded)."
    }
    precondition {
      condition     = !var.create_lambda || var.lambda_package_s3_bucket == null || var.lambda_package_catalogue_sha256 != null
      error_message = "A package from S3 needs lambda_package_catalogue_sha256: copy `catalogue_sha256` from the manifest.json of the release the zip comes from, so the plan can check that the package logs the events this module's filters count."
    }
    precondition {
      condition     = !var.create_lambda || var.log_hash_key != null || var.log_hash_key_parameter != null
      error_message = "log_hash_key (at least 16 characters) or log_hash_key_parameter is required when create_lambda = true: the key hashes customer ids in the function's logs, and the function refuses to start without it."
    }
    precondition {
      condition     = !var.create_lambda || (startswith(var.jwt_algorithm, "HS") ? (var.jwt_secret != null || var.jwt_secret_parameter != null) : (var.jwt_public_key != null || var.jwt_jwks_url != null))
      error_message = "jwt_algorithm ${var.jwt_algorithm} needs ${startswith(var.jwt_algorithm, "HS") ? "jwt_secret (or jwt_secret_parameter)" : "jwt_public_key or jwt_jwks_url"} when create_lambda = true: the function cannot check a token without its key."
    }
    precondition {
      condition     = var.jwt_jwks_url == null || (var.jwt_algorithm == "RS256" && var.jwt_public_key == null)
      error_message = "jwt_jwks_url goes with jwt_algorithm = \"RS256\" and without jwt_public_key: a JWKS publishes public keys, and the function takes its RS256 keys from one place."
    }
  }
}
