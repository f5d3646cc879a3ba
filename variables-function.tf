# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Optional: the function itself and its tables (modules/migration_lambda).

variable "create_lambda" {
  description = "Create the cart-migration function, its tables and its role (modules/migration_lambda)."
  type        = bool
  default     = false
}

variable "lambda_package_path" {
  description = "Path of the deployment zip, relative to the working directory: `make package` builds build/cart_migration.zip, `make release` dist/cart_migration-<version>-<arch>[-hs256].zip. Or the release folder (dist): the module picks the zip its manifest.json lists for lambda_architectures and jwt_algorithm. A zip whose manifest names another architecture or JWT algorithm is refused at plan time. With create_lambda = true, give this or lambda_package_s3_bucket and lambda_package_s3_key."
  type        = string
  default     = null

  validation {
    # fileexists() fails on a folder: try() makes that false, and a folder counts with its manifest.json.
    condition     = var.lambda_package_path == null ? true : try(fileexists(var.lambda_package_path), false) || try(fileexists("${trimsuffix(var.lambda_package_path, "/")}/manifest.json"), false)
    error_message = "lambda_package_path must point at an existing deployment zip, or at a folder `make release` wrote (with its manifest.json): build it first (`make package` builds build/cart_migration.zip, `make release` the folder dist/)."
  }
}

variable "lambda_package_s3_bucket" {
  description = "S3 bucket holding the deployment zip (a release zip you uploaded), instead of lambda_package_path."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_s3_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lambda_package_s3_bucket))
    error_message = "lambda_package_s3_bucket must be an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-') or null."
  }
}

variable "lambda_package_s3_key" {
  description = "S3 key of the deployment zip in lambda_package_s3_bucket."
  type        = string
  default     = null
}

variable "lambda_package_s3_object_version" {
  description = "Object version of the zip in S3 (versioned buckets); null = the latest."
  type        = string
  default     = null
}

variable "lambda_package_source_code_hash" {
  description = "Base64 sha256 of the zip in S3, the release manifest's `sha256_base64`: a new value updates the function's code. Not needed for a local zip."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_source_code_hash == null ? true : can(regex("^[A-Za-z0-9+/]{43}=$", var.lambda_package_source_code_hash))
    error_message = "lambda_package_source_code_hash must be a base64 sha256 (44 characters ending in '='), as in the release manifest's sha256_base64, or null."
  }
}

variable "lambda_package_catalogue_sha256" {
  description = "sha256 of the event catalogue the package was built with: the release manifest's `catalogue_sha256`. Required with an S3 package; for a local zip, null = read from the manifest.json beside it when there is one. A package built from another catalogue than the module's is refused at plan time."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_catalogue_sha256 == null ? true : can(regex("^[0-9a-f]{64}$", var.lambda_package_catalogue_sha256))
    error_message = "lambda_package_catalogue_sha256 must be 64 lowercase hex digits (the manifest's catalogue_sha256) or null."
  }
}

variable "lambda_architectures" {
  description = "Instruction set of the function: [\"x86_64\"] or [\"arm64\"]."
  type        = list(string)
  default     = ["x86_64"]

  validation {
    condition     = length(var.lambda_architectures) == 1 && contains(["x86_64", "arm64"], var.lambda_architectures[0])
    error_message = "lambda_architectures must be [\"x86_64\"] or [\"arm64\"] (the one instruction set the package's wheels were built for)."
  }
}

variable "lambda_memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240 && floor(var.lambda_memory_size) == var.lambda_memory_size
    error_message = "lambda_memory_size must be a whole number of MB between 128 and 10240 (Lambda's limits)."
  }
}

variable "lambda_timeout" {
  description = "Timeout of the function in seconds. At least 3: the function keeps 1 s to answer 503 and write its failure, latency and audit lines before Lambda would kill it, and fits every AWS call in the rest (lambda_src/README.md, \"Deadline\")."
  type        = number
  default     = 15

  validation {
    condition     = var.lambda_timeout <= 900 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "lambda_timeout must be a whole number of seconds, at most 900 (Lambda's limit)."
  }

  # Mirrors MIN_FUNCTION_TIMEOUT_SECONDS in lambda_src/cart_migration/deadline.py.
  validation {
    condition     = var.lambda_timeout >= 3
    error_message = "lambda_timeout must be at least 3 seconds: the function keeps its last second to answer 503 and write the failure, latency and audit lines of a request that ran out of time, and needs 2 s more for one DynamoDB call that can be retried once (two 0.5 s attempts and up to 1 s of the SDK's back-off). Below that every request would run out of time."
  }
}

variable "lambda_reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 = unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.lambda_reserved_concurrent_executions >= -1 && floor(var.lambda_reserved_concurrent_executions) == var.lambda_reserved_concurrent_executions
    error_message = "lambda_reserved_concurrent_executions must be a whole number: -1 (unreserved), 0 (the function is switched off) or more."
  }
}

variable "lambda_environment_variables" {
  description = "Further environment variables of the function. Not the names Lambda reserves (AWS_REGION, AWS_ACCESS_KEY_ID, _HANDLER, ...) nor those the module sets from its own variables (CARTS_TABLE, JWT_*, ...)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.lambda_environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]+$", k))])
    error_message = "lambda_environment_variables: every name must be at least 2 characters, start with a letter and hold only letters, digits and '_' (Lambda's rule for environment variable names)."
  }

  # The keys Lambda reserves ("Defined runtime environment variables", reserved list:
  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
  # CreateFunction and UpdateFunctionConfiguration refuse them, after the plan passed.
  validation {
    condition = length(setintersection([for k in keys(var.lambda_environment_variables) : upper(k)], [
      "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ])) == 0
    error_message = "lambda_environment_variables: a name is one Lambda reserves and sets itself (_HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR): the function cannot be created with it. Remove it; the function reads the region and its credentials from the values Lambda sets."
  }

  # The module sets these from its own inputs (modules/migration_lambda); a value given here
  # would be replaced silently.
  validation {
    condition = length(setintersection(keys(var.lambda_environment_variables), [
      "CARTS_TABLE", "RATE_LIMIT_TABLE", "AUDIT_LOG_GROUP", "JWT_ALGORITHM", "JWT_SECRET", "JWT_SECRET_PARAMETER",
      "JWT_PUBLIC_KEY", "JWT_LEEWAY_SECONDS", "JWT_ISSUER", "JWT_AUDIENCE", "RATE_LIMIT_MAX_CALLS",
      "READ_RATE_LIMIT_MAX_CALLS", "RATE_LIMIT_WINDOW_SECONDS", "CUSTOMER_CART_TTL_DAYS", "LOG_SAMPLE_RATE",
      "LOG_HASH_KEY", "LOG_HASH_KEY_PARAMETER", "SECRETS_MAX_AGE_SECONDS", "POWERTOOLS_SERVICE_NAME",
    ])) == 0
    error_message = "lambda_environment_variables: a name is one the module sets from its own variables (CARTS_TABLE, RATE_LIMIT_TABLE, AUDIT_LOG_GROUP, JWT_*, RATE_LIMIT_*, READ_RATE_LIMIT_MAX_CALLS, CUSTOMER_CART_TTL_DAYS, LOG_SAMPLE_RATE, LOG_HASH_KEY*, SECRETS_MAX_AGE_SECONDS, POWERTOOLS_SERVICE_NAME): set the matching variable (carts_table_name, jwt_secret, log_sample_rate, ...) instead."
  }
}

variable "carts_table_name" {
  description = "Name of the carts table. null = `<name_prefix>-carts`."
  type        = string
  default     = null

  validation {
    condition     = var.carts_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.carts_table_name))
    error_message = "carts_table_name must be 3 to 255 letters, digits, '_', '-' or '.' (a DynamoDB table name) or null."
  }
}

variable "rate_limit_table_name" {
  description = "Name of the rate-limit table. null = `<name_prefix>-rate-limits`."
  type        = string
  default     = null

  validation {
    condition     = var.rate_limit_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.rate_limit_table_name))
    error_message = "rate_limit_table_name must be 3 to 255 letters, digits, '_', '-' or '.' (a DynamoDB table name) or null."
  }
}

variable "table_kms_key_arn" {
  description = "Customer-managed KMS key of the tables; the function's role may use it through DynamoDB only. null = the AWS-managed DynamoDB key."
  type        = string
  default     = null

  validation {
    condition     = var.table_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.table_kms_key_arn))
    error_message = "table_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "table_deletion_protection" {
  description = "Protect the tables from deletion."
  type        = bool
  default     = false
}

variable "jwt_algorithm" {
  description = "Algorithm of the bearer tokens: HS256 with jwt_secret, RS256 with jwt_public_key."
  type        = string
  default     = "HS256"

  validation {
    condition     = contains(["HS256", "RS256"], var.jwt_algorithm)
    error_message = "jwt_algorithm must be HS256 (with jwt_secret) or RS256 (with jwt_public_key): the function supports these two."
  }
}

variable "jwt_secret" {
  description = "Shared secret of HS256 bearer tokens."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secret == null ? true : length(var.jwt_secret) >= 32
    error_message = "jwt_secret must be at least 32 characters: an HS256 key shorter than the hash (256 bits) can be guessed offline from any token (RFC 7518, section 3.2)."
  }

  validation {
    condition     = var.jwt_secret == null ? true : !can(regex("-----BEGIN |ssh-rsa |ssh-ed25519 |ecdsa-sha2-", var.jwt_secret))
    error_message = "jwt_secret holds a public or private key, not a shared secret: for HS256 give the HMAC secret; for tokens signed with an RSA key set jwt_algorithm = \"RS256\" and jwt_public_key."
  }
}

variable "jwt_public_key" {
  description = "PEM public key of RS256 bearer tokens."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_public_key == null ? true : can(regex("-----BEGIN (RSA )?PUBLIC KEY-----", var.jwt_public_key))
    error_message = "jwt_public_key must be a PEM public key (-----BEGIN PUBLIC KEY----- ...); newlines may be written as \\n."
  }
}

variable "jwt_jwks_url" {
  description = "HTTPS URL of the identity provider's JSON Web Key Set (Cognito, Auth0, ...) for RS256 tokens, instead of jwt_public_key: the function picks the key by the token's kid and follows key rotation."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_jwks_url == null ? true : can(regex("^https://[^/?#@\\s]+(/[^\\s]*)?$", var.jwt_jwks_url))
    error_message = "jwt_jwks_url must be an https:// URL such as https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json: keys fetched over plain http could be replaced on the way."
  }
}

variable "rate_limit_max_calls" {
  description = "Migrate and cleanup calls allowed per customer, endpoint and rate-limit window (POST /migrate, DELETE /cleanup-guest)."
  type        = number
  default     = 5

  validation {
    condition     = var.rate_limit_max_calls >= 1 && floor(var.rate_limit_max_calls) == var.rate_limit_max_calls
    error_message = "rate_limit_max_calls must be a whole number of at least 1 (0 would refuse every call)."
  }
}

variable "read_rate_limit_max_calls" {
  description = "GET /api/v1/cart/all calls allowed per customer and rate-limit window: reads have their own quota, as a front end refreshes the cart list far more often than it migrates."
  type        = number
  default     = 60

  validation {
    condition     = var.read_rate_limit_max_calls >= 1 && floor(var.read_rate_limit_max_calls) == var.read_rate_limit_max_calls
    error_message = "read_rate_limit_max_calls must be a whole number, at least 1 (calls per customer per rate_limit_window_seconds)."
  }
}

variable "jwt_leeway_seconds" {
  description = "Clock skew, in seconds, allowed when checking a token's exp, nbf and iat: a token minted slightly ahead of the function's clock still signs in."
  type        = number
  default     = 30

  validation {
    condition     = var.jwt_leeway_seconds >= 0 && var.jwt_leeway_seconds <= 300 && floor(var.jwt_leeway_seconds) == var.jwt_leeway_seconds
    error_message = "jwt_leeway_seconds must be a whole number from 0 to 300: it allows for clock skew, and a larger leeway extends the life of every token."
  }
}

variable "jwt_issuer" {
  description = "When set, tokens must carry this `iss` claim. null = the issuer is not checked."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_issuer == null ? true : length(trimspace(var.jwt_issuer)) > 0 && trimspace(var.jwt_issuer) == var.jwt_issuer
    error_message = "jwt_issuer must be null (no check) or the exact, non-empty issuer string, without surrounding spaces."
  }
}

variable "jwt_audience" {
  description = "When set, tokens must name this audience in their `aud` claim. null = tokens must carry no `aud` claim (a token meant for named audiences is refused, RFC 7519 section 4.1.3)."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_audience == null ? true : length(trimspace(var.jwt_audience)) > 0 && trimspace(var.jwt_audience) == var.jwt_audience
    error_message = "jwt_audience must be null (no check) or the exact, non-empty audience string, without surrounding spaces."
  }
}

variable "rate_limit_window_seconds" {
  description = "Length of the rate-limit window in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.rate_limit_window_seconds >= 1 && floor(var.rate_limit_window_seconds) == var.rate_limit_window_seconds
    error_message = "rate_limit_window_seconds must be a whole number of at least 1."
  }
}

variable "customer_cart_ttl_days" {
  description = "Days a migrated customer cart lives before its TTL expires it (CUSTOMER_CART_TTL_DAYS); 0 = no expiry."
  type        = number
  default     = 30

  validation {
    condition     = var.customer_cart_ttl_days >= 0 && floor(var.customer_cart_ttl_days) == var.customer_cart_ttl_days
    error_message = "customer_cart_ttl_days must be a whole number of days, 0 (no expiry) or more."
  }
}

variable "log_sample_rate" {
  description = "Share (0-1) of the per-store `store_cart_migrated` detail lines the function logs. No metric filter or alarm counts them; every event an alarm counts (`performance_metric` for the latency alarms among them) is always logged, so 0 is safe."
  type        = number
  default     = 1.0

  validation {
    condition     = var.log_sample_rate >= 0 && var.log_sample_rate <= 1
    error_message = "log_sample_rate must be between 0 and 1 (the share of store_cart_migrated lines logged)."
  }
}

variable "log_hash_key" {
  description = "Key of the keyed hash that pseudonymises identifiers in the logs. Required when create_lambda = true unless log_hash_key_parameter is given: the function refuses to start without a key."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.log_hash_key == null ? true : length(var.log_hash_key) >= 16
    error_message = "log_hash_key must be at least 16 characters: a short key lets anyone who reads the logs recover customer ids by brute force."
  }
}

variable "powertools_service_name" {
  description = "POWERTOOLS_SERVICE_NAME of the function."
  type        = string
  default     = "cart-migration"
}
