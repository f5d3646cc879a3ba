data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Keys, attribute types, TTL attribute and indexes of the three tables: the one definition, which
  # the harness's create_tables reads too (harness/cartmon/local/tables.py).
  tables = jsondecode(file("${path.module}/tables.json")).tables

  carts_table_name      = coalesce(var.carts_table_name, "${var.name_prefix}-carts")
  rate_limit_table_name = coalesce(var.rate_limit_table_name, "${var.name_prefix}-rate-limits")

  # Built from known parts so that the role policy is known (and reviewable) at plan time.
  table_arn_prefix      = "arn:${data.aws_partition.current.partition}:dynamodb:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:table/"
  carts_table_arn       = "${local.table_arn_prefix}${aws_dynamodb_table.carts.name}"
  rate_limit_table_arn  = "${local.table_arn_prefix}${aws_dynamodb_table.rate_limit.name}"
  idempotency_table_arn = "${local.table_arn_prefix}${aws_dynamodb_table.idempotency.name}"

  uses_shared_secret = startswith(var.jwt_algorithm, "HS")
  region             = data.aws_region.current.id

  # Secrets read from SSM at cold start (lambda_src/cart_migration/secrets.py), by ARN in the
  # policy: a name becomes arn:...:parameter/<name without its leading slash>.
  secret_parameters = {
    for k, v in {
      JWT_SECRET   = local.uses_shared_secret ? var.jwt_secret_parameter : null
      LOG_HASH_KEY = var.log_hash_key_parameter
    } : k => v if v != null
  }
  parameter_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${local.region}:${data.aws_caller_identity.current.account_id}:parameter/"
  secret_parameter_arns = {
    for k, v in local.secret_parameters : k => startswith(v, "arn:") ? v : "${local.parameter_arn_prefix}${trimprefix(v, "/")}"
  }

  # The package: a local zip (hashed here), a release folder (the zip its manifest lists for this
  # architecture and jwt_algorithm), or an S3 object (hashed by the caller's release manifest).
  package_given   = var.package.path
  package_from_s3 = var.package.s3_bucket != null
  # fileexists() fails on a folder (try: false); a folder counts when `make release`'s manifest.json is in it.
  release_folder = local.package_given == null ? null : try(fileexists(local.package_given), false) ? null : fileexists("${trimsuffix(local.package_given, "/")}/manifest.json") ? trimsuffix(local.package_given, "/") : null
  # `make release` writes manifest.json beside its zips; it names each zip, its architecture and JWT
  # algorithm, and the catalogue it was built with.
  manifest_path = local.package_given == null ? null : local.release_folder != null ? "${local.release_folder}/manifest.json" : "${dirname(local.package_given)}/manifest.json"
  manifest      = local.manifest_path == null ? null : fileexists(local.manifest_path) ? jsondecode(file(local.manifest_path)) : null
  manifest_packages = [
    for key, package in try(local.manifest.packages, {}) : merge(package, {
      # Releases before the HS256 zips keyed their (RS256) zips by architecture and named no algorithm.
      architecture  = try(package.architecture, key)
      jwt_algorithm = try(package.jwt_algorithm, null)
    })
  ]
  # The zip of this architecture and jwt_algorithm in the manifest: the one to use.
  matching_package = one([
    for package in local.manifest_packages : package
    if package.architecture == var.architectures[0] && package.jwt_algorithm == var.jwt_algorithm
  ])
  package_path = local.release_folder == null ? local.package_given : local.matching_package == null ? null : "${local.release_folder}/${local.matching_package.file}"
  manifest_entry = local.package_path == null ? null : one([
    for package in local.manifest_packages : package if try(package.file, null) == basename(local.package_path)
  ])
  # A manifest counts only when it lists this zip: a stale one beside another zip says nothing about it.
  package_catalogue_sha256 = var.package.catalogue_sha256 != null ? var.package.catalogue_sha256 : local.manifest_entry == null ? null : try(local.manifest.catalogue_sha256, null)
  package_catalogue_source = var.package.catalogue_sha256 != null ? "lambda_package_catalogue_sha256" : local.manifest_path
  # What to say when the zip given is not the one for this configuration.
  zip_to_use = local.matching_package == null ? "the ${var.jwt_algorithm} zip for ${var.architectures[0]} (`make release` writes it)" : "${dirname(coalesce(local.package_path, "."))}/${local.matching_package.file}"

  environment = merge(var.environment_variables, {
    for k, v in {
      CARTS_TABLE               = aws_dynamodb_table.carts.name
      RATE_LIMIT_TABLE          = aws_dynamodb_table.rate_limit.name
      IDEMPOTENCY_TABLE         = aws_dynamodb_table.idempotency.name
      AUDIT_LOG_GROUP           = var.audit_log_group_name
      JWT_ALGORITHM             = var.jwt_algorithm
      JWT_SECRET                = local.uses_shared_secret && var.jwt_secret_parameter == null ? var.jwt_secret : null
      JWT_SECRET_PARAMETER      = lookup(local.secret_parameters, "JWT_SECRET", null)
      JWT_PUBLIC_KEY            = local.uses_shared_secret ? null : var.jwt_public_key
      JWT_JWKS_URL              = local.uses_shared_secret ? null : var.jwt_jwks_url
      JWT_LEEWAY_SECONDS        = tostring(var.jwt_leeway_seconds)
      JWT_ISSUER                = var.jwt_issuer
      JWT_AUDIENCE              = var.jwt_audience
      RATE_LIMIT_MAX_CALLS      = tostring(var.rate_limit_max_calls)
      READ_RATE_LIMIT_MAX_CALLS = tostring(var.read_rate_limit_max_calls)
      RATE_LIMIT_WINDOW_SECONDS = tostring(var.rate_limit_window_seconds)
      CUSTOMER_CART_TTL_DAYS    = tostring(var.customer_cart_ttl_days)
      LOG_SAMPLE_RATE           = tostring(var.log_sample_rate)
      LOG_HASH_KEY              = var.log_hash_key_parameter == null ? var.log_hash_key : null
      LOG_HASH_KEY_PARAMETER    = var.log_hash_key_parameter
      SECRETS_MAX_AGE_SECONDS   = length(local.secret_parameters) > 0 ? tostring(var.secrets_max_age_seconds) : null
      POWERTOOLS_SERVICE_NAME   = var.powertools_service_name
      CORS_ALLOWED_ORIGINS      = length(var.cors_allowed_origins) > 0 ? join(",", var.cors_allowed_origins) : null
    } : k => v if v != null
  })
}

################################################################################
# Tables
################################################################################

resource "aws_dynamodb_table" "carts" {
  name                        = local.carts_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.tables.carts.hash_key
  range_key                   = local.tables.carts.range_key
  deletion_protection_enabled = var.table_deletion_protection

  dynamic "attribute" {
    for_each = local.tables.carts.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.tables.carts.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = try(global_secondary_index.value.range_key, null)
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = try(global_secondary_index.value.non_key_attributes, null)
    }
  }

  ttl {
    attribute_name = local.tables.carts.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.table_kms_key_arn
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "rate_limit" {
  #checkov:skip=CKV_AWS_28:Counters of the current rate-limit window, expired by TTL one window later: a backup could only restore stale counters.
  name                        = local.rate_limit_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.tables.rate_limit.hash_key
  range_key                   = local.tables.rate_limit.range_key
  deletion_protection_enabled = var.table_deletion_protection

  dynamic "attribute" {
    for_each = local.tables.rate_limit.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.tables.rate_limit.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = try(global_secondary_index.value.range_key, null)
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = try(global_secondary_index.value.non_key_attributes, null)
    }
  }

  ttl {
    attribute_name = local.tables.rate_limit.ttl_attribute
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.table_kms_key_arn
  }

  tags = var.tags
}

# Answers of migrate and cleanup requests sent with an Idempotency-Key header, as Powertools'
# Idempotency utility stores them (lambda_src/cart_migration/idempotency.py): key `id`, expired
# by TTL on `expiration` 24 hours after the request.
resource "aws_dynamodb_table" "idempotency" {
  #checkov:skip=CKV_AWS_28:Replay records that expire by TTL within 24 hours: a backup could only restore answers no retry may get any more.
  name                        = "${var.name_prefix}-idempotency"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.tables.idempotency.hash_key
  range_key                   = local.tables.idempotency.range_key
  deletion_protection_enabled = var.table_deletion_protection

  dynamic "attribute" {
    for_each = local.tables.idempotency.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.tables.idempotency.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = try(global_secondary_index.value.range_key, null)
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = try(global_secondary_index.value.non_key_attributes, null)
    }
  }

  ttl {
    attribute_name = local.tables.idempotency.ttl_attribute
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.table_kms_key_arn
  }

  tags = var.tags
}

################################################################################
# Role: its own tables and its own log groups, nothing else
################################################################################

# The execution role's trust policy as Lambda documents it, without conditions ("Defining Lambda
# function permissions with an execution role",
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html): Lambda's pages
# name no aws:SourceAccount or aws:SourceArn for this AssumeRole, and a key the call lacks would
# keep the function from starting.
data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# Exactly the calls the function makes (lambda_src/README.md, "IAM"), each on the one table it
# makes them on.
data "aws_iam_policy_document" "this" {
  statement {
    sid    = "CartsTable"
    effect = "Allow"
    # TransactWriteItems is authorised per item as PutItem, DeleteItem and ConditionCheckItem.
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [local.carts_table_arn]
  }

  statement {
    sid       = "RateLimitTable"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [local.rate_limit_table_arn]
  }

  # Powertools' DynamoDBPersistenceLayer: a conditional PutItem, GetItem when the record exists,
  # UpdateItem to store the answer, DeleteItem when the request failed.
  statement {
    sid       = "IdempotencyTable"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [local.idempotency_table_arn]
  }

  statement {
    sid       = "OwnLogGroups"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arn}:*", "${var.audit_log_group_arn}:*"]
  }

  # Tables encrypted with a customer key: DynamoDB uses the key on the caller's behalf, so the
  # caller needs it, and only through DynamoDB in this region.
  dynamic "statement" {
    for_each = var.table_kms_key_arn == null ? [] : [var.table_kms_key_arn]
    content {
      sid       = "TableKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com"]
      }
    }
  }

  # Exactly the secret parameters the function reads, and nothing else of SSM.
  dynamic "statement" {
    for_each = length(local.secret_parameter_arns) == 0 ? [] : [sort(values(local.secret_parameter_arns))]
    content {
      sid       = "SecretParameters"
      effect    = "Allow"
      actions   = ["ssm:GetParameter"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(local.secret_parameter_arns) == 0 || var.secret_parameters_kms_key_arn == null ? [] : [var.secret_parameters_kms_key_arn]
    content {
      sid       = "SecretParametersKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
    }
  }

  # Environment variables encrypted with a customer key: the function decrypts them at init.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "EnvironmentKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "this" {
  # IAM role names are account-wide and function names regional: the region keeps the roles of the
  # same function in two regions apart (EntityAlreadyExists otherwise); cut to IAM's 64 characters.
  name               = "${substr(var.function_name, 0, 64 - length("-role-${local.region}"))}-role-${local.region}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${substr(var.function_name, 0, 57)}-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway, which returns the error to the client; a dead-letter queue only receives failed asynchronous invocations.
  #checkov:skip=CKV_AWS_117:Reaches only DynamoDB and CloudWatch Logs, through their public endpoints with IAM; a VPC would add NAT or endpoints and no control over that traffic.
  #checkov:skip=CKV_AWS_272:The zip is built reproducibly and pinned by source_code_hash; code signing needs an AWS Signer profile the caller owns, outside this module.
  #checkov:skip=CKV_AWS_173:The two secrets can live in SSM SecureString parameters (jwt_secret_parameter, log_hash_key_parameter), leaving no secret in the environment; a customer key for the rest (kms_key_arn) is the caller's choice.
  #checkov:skip=CKV_AWS_50:The function does not trace (no Powertools Tracer in the zip); X-Ray would need xray:PutTraceSegments on Resource "*", a wildcard the role avoids.
  function_name = var.function_name
  description   = "Cart migration API (guest carts to customer carts)"
  role          = aws_iam_role.this.arn
  runtime       = var.runtime
  handler       = var.handler
  architectures = var.architectures
  # Without any package the root's input checks refuse the plan and say which variable to set; the
  # placeholder keeps the provider's own "one of filename, image_uri, s3_bucket" from preempting them.
  filename                       = local.package_from_s3 ? null : coalesce(local.package_path, "no-package-given.zip")
  s3_bucket                      = var.package.s3_bucket
  s3_key                         = var.package.s3_key
  s3_object_version              = var.package.s3_object_version
  source_code_hash               = local.package_from_s3 ? var.package.source_code_hash : local.package_path == null ? null : filebase64sha256(local.package_path) # null: refused by the root's input checks
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.environment
  }

  # Set explicitly, so that a change made in the console shows as drift at the next plan.
  # JSON: Lambda's own lines become JSON objects (a timeout is a `platform.report` event with
  # "status": "timeout"), which metric filters can match by field. application_log_level INFO:
  # Lambda drops application lines below it, and the alarms count INFO events; the function refuses
  # to start above INFO (lambda_src/cart_migration/log_levels.py). system_log_level INFO, not WARN:
  # the platform report of a timed-out invocation is an INFO system event, and WARN would drop it.
  logging_config {
    log_format            = "JSON"
    application_log_level = "INFO"
    system_log_level      = "INFO"
    log_group             = var.log_group_name
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.package_catalogue_sha256 == null || local.package_catalogue_sha256 == var.catalogue_sha256
      error_message = "The package was built with another event catalogue (sha256 ${coalesce(local.package_catalogue_sha256, "-")}, from ${coalesce(local.package_catalogue_source, "-")}) than this module's (sha256 ${var.catalogue_sha256}): its events would not match the metric filters. Use the release zip of the same ref as the module (`make release` at that tag writes it to dist/)."
    }
    precondition {
      condition     = local.release_folder == null || local.matching_package != null
      error_message = "The release folder ${coalesce(local.release_folder, "-")} lists no zip for lambda_architectures ${jsonencode(var.architectures)} and jwt_algorithm ${var.jwt_algorithm} in its manifest.json (it lists: ${join(", ", [for p in local.manifest_packages : "${try(p.file, "-")} (${p.architecture}, ${coalesce(p.jwt_algorithm, "no algorithm named")})"])}): run `make release` at the module's ref and point lambda_package_path at its dist/ folder."
    }
    precondition {
      condition     = local.manifest_entry == null || try(local.manifest_entry.architecture, "") == var.architectures[0]
      error_message = "The package ${coalesce(local.package_path, "-")} is built for ${try(local.manifest_entry.architecture, "-")} (manifest.json beside it), but lambda_architectures is ${jsonencode(var.architectures)}: use ${local.zip_to_use}, or change lambda_architectures."
    }
    precondition {
      condition     = try(local.manifest_entry.jwt_algorithm, null) == null || try(local.manifest_entry.jwt_algorithm, null) == var.jwt_algorithm
      error_message = "The package ${coalesce(local.package_path, "-")} is built for jwt_algorithm ${coalesce(try(local.manifest_entry.jwt_algorithm, null), "-")} (manifest.json beside it), but jwt_algorithm is ${var.jwt_algorithm}: use ${local.zip_to_use}, or set lambda_package_path to the release folder and the module picks it."
    }
    precondition {
      condition     = var.log_group_name == "/aws/lambda/${var.function_name}"
      error_message = "log_group_name must be /aws/lambda/${var.function_name}: the function writes there and the metric filters read there."
    }
  }

  # The log group must exist (with its retention) before the function can log, and the
  # role must be able to write to it: the policy refers to the log groups' ARNs.
  depends_on = [aws_iam_role_policy.this]
}

# The service principal that invokes a function, by the service of the caller's ARN: not always
# <service>.amazonaws.com. Each as the service's own "invoke Lambda" page documents it:
# API Gateway (execute-api ARNs) https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
# CloudWatch alarms https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html
# EventBridge rules https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
# S3 notifications https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
# SNS https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
# CloudWatch Logs subscriptions https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
# IoT rules https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html
# ALB target groups https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
# Cognito user pool triggers https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
# SES receipt rules https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html
# AWS Config rules https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html
# Secrets Manager rotation https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
# Services that poll (SQS, Kinesis, DynamoDB streams, MSK, MQ) or call with a role of their own
# (Step Functions, EventBridge Scheduler, Pipes) need no permission here; the root refuses them
# in lambda_invoke_source_arns with that reason.
locals {
  invoke_principals = {
    "execute-api"        = "apigateway.amazonaws.com"
    cloudwatch           = "lambda.alarms.cloudwatch.amazonaws.com"
    events               = "events.amazonaws.com"
    s3                   = "s3.amazonaws.com"
    sns                  = "sns.amazonaws.com"
    logs                 = "logs.amazonaws.com"
    iot                  = "iot.amazonaws.com"
    elasticloadbalancing = "elasticloadbalancing.amazonaws.com"
    "cognito-idp"        = "cognito-idp.amazonaws.com"
    ses                  = "ses.amazonaws.com"
    config               = "config.amazonaws.com"
    secretsmanager       = "secretsmanager.amazonaws.com"
  }
  # S3 bucket ARNs carry no account, so only SourceAccount ties the permission to the bucket's
  # owner; the CloudWatch and SES pages add it too. Other services' pages scope by SourceArn alone.
  source_account_services = ["s3", "cloudwatch", "ses"]

  invoke_sources = {
    for k, arn in var.invoke_source_arns : k => {
      arn     = arn
      service = element(split(":", arn), 2)
      account = element(split(":", arn), 4)
    }
  }
}

# One permission per caller given (an API of the caller's own, an EventBridge rule, ...), scoped
# to its source ARN; the optional API of modules/api_gateway brings its own.
resource "aws_lambda_permission" "this" {
  for_each = local.invoke_sources

  statement_id   = "AllowInvoke-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = lookup(local.invoke_principals, each.value.service, "${each.value.service}.amazonaws.com")
  source_arn     = each.value.arn
  source_account = contains(local.source_account_services, each.value.service) ? coalesce(each.value.account, data.aws_caller_identity.current.account_id) : null

  lifecycle {
    precondition {
      condition     = contains(keys(local.invoke_principals), each.value.service)
      error_message = "invoke_source_arns.${each.key}: the service ${each.value.service} does not invoke a function through a resource-based permission (services that do: ${join(", ", sort(keys(local.invoke_principals)))})."
    }
  }
}
