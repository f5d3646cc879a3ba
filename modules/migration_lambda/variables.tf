# Inputs are validated once, by the root module (the public contract, ../../variables.tf), which
# also checks the inputs that this module needs together (package, log hash key, token key).

variable "function_name" {
  description = "Name of the Lambda function."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the default table and role names."
  type        = string
}

variable "package" {
  description = "Where the deployment zip comes from: `path` (a local zip, e.g. from `make package` or `make release`, or the folder `make release` writes, from whose manifest.json the zip of `architectures` and `jwt_algorithm` is picked) or `s3_bucket` + `s3_key` (optionally `s3_object_version`, and `source_code_hash`, the base64 sha256 that updates the function when it changes). `catalogue_sha256`: the event catalogue the package was built with (the release manifest's); required with S3, and for a local zip null = read from `manifest.json` beside it when it lists the zip."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
    catalogue_sha256  = optional(string)
  })
}

variable "catalogue_sha256" {
  description = "sha256 of the event catalogue this module's filters and alarms are built from; a package built from another catalogue is refused at plan time."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.13"
}

variable "handler" {
  description = "Lambda handler."
  type        = string
  default     = "cart_migration.handler.lambda_handler"
}

variable "architectures" {
  description = "Instruction set of the function: [\"x86_64\"] or [\"arm64\"] (must match the wheels in the package)."
  type        = list(string)
  default     = ["x86_64"]
}

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256
}

variable "timeout" {
  description = "Timeout of the function in seconds."
  type        = number
  default     = 15
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 = unreserved."
  type        = number
  default     = -1
}

variable "log_group_name" {
  description = "Name of the function's log group `/aws/lambda/<function_name>`, created beforehand (by the log_groups module)."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of the function's log group, without `:*`."
  type        = string
}

variable "audit_log_group_name" {
  description = "Name of the audit log group the function writes audit entries to."
  type        = string
}

variable "audit_log_group_arn" {
  description = "ARN of the audit log group, without `:*`."
  type        = string
}

variable "carts_table_name" {
  description = "Name of the carts table. null = `<name_prefix>-carts`."
  type        = string
  default     = null
}

variable "rate_limit_table_name" {
  description = "Name of the rate-limit table. null = `<name_prefix>-rate-limits`."
  type        = string
  default     = null
}

variable "table_kms_key_arn" {
  description = "Customer-managed KMS key for table encryption. null = the AWS-managed DynamoDB key."
  type        = string
  default     = null
}

variable "table_deletion_protection" {
  description = "Protect the tables from deletion."
  type        = bool
  default     = false
}

variable "jwt_algorithm" {
  description = "Algorithm of the bearer tokens the function accepts: HS256 (with jwt_secret) or RS256 (with jwt_public_key)."
  type        = string
  default     = "HS256"
}

variable "jwt_secret" {
  description = "Shared secret of HS256 tokens."
  type        = string
  default     = null
  sensitive   = true
}

variable "jwt_public_key" {
  description = "PEM public key of RS256 tokens."
  type        = string
  default     = null
}

variable "jwt_jwks_url" {
  description = "JWKS URL of RS256 tokens' keys (instead of jwt_public_key); the function selects the key by kid."
  type        = string
  default     = null
}

variable "rate_limit_max_calls" {
  description = "Calls allowed per client per window."
  type        = number
  default     = 5
}

variable "jwt_leeway_seconds" {
  description = "Clock skew, in seconds, allowed for the exp, nbf and iat claims (JWT_LEEWAY_SECONDS)."
  type        = number
  default     = 30
}

variable "jwt_issuer" {
  description = "Required `iss` claim (JWT_ISSUER); null = not checked."
  type        = string
  default     = null
}

variable "jwt_audience" {
  description = "Required `aud` audience (JWT_AUDIENCE); null = tokens must carry no `aud`."
  type        = string
  default     = null
}

variable "read_rate_limit_max_calls" {
  description = "GET /all calls allowed per customer per window (READ_RATE_LIMIT_MAX_CALLS)."
  type        = number
  default     = 60
}

variable "rate_limit_window_seconds" {
  description = "Length of the rate-limit window in seconds."
  type        = number
  default     = 60
}

variable "customer_cart_ttl_days" {
  description = "Days a migrated customer cart lives before its TTL (`expires_at`) expires it; 0 = no expiry."
  type        = number
  default     = 30
}

variable "log_sample_rate" {
  description = "Share (0-1) of the `store_cart_migrated` detail lines that are logged; events alarms count are never sampled."
  type        = number
  default     = 1.0
}

variable "log_hash_key" {
  description = "Key of the keyed hash that pseudonymises identifiers in the logs."
  type        = string
  default     = null
  sensitive   = true
}

variable "jwt_secret_parameter" {
  description = "Name or ARN of the SSM SecureString parameter that holds the HS256 secret, read by the function at cold start (instead of jwt_secret)."
  type        = string
  default     = null
}

variable "log_hash_key_parameter" {
  description = "Name or ARN of the SSM SecureString parameter that holds the log hash key, read by the function at cold start (instead of log_hash_key)."
  type        = string
  default     = null
}

variable "secret_parameters_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the secret parameters; the role may decrypt with it through SSM only. null = the AWS-managed alias/aws/ssm key (its policy already admits the account's principals through SSM)."
  type        = string
  default     = null
}

variable "secrets_max_age_seconds" {
  description = "How long the function keeps a secret read from SSM before reading it again (SECRETS_MAX_AGE_SECONDS)."
  type        = number
  default     = 300
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key that encrypts the function's environment variables at rest. null = Lambda's service key."
  type        = string
  default     = null
}

variable "invoke_source_arns" {
  description = "Callers allowed to invoke the function, by a name of your choice => source ARN (for example an API Gateway execute-api ARN `arn:aws:execute-api:<region>:<account>:<api-id>/*/*/*`): one lambda permission each."
  type        = map(string)
  default     = {}
}

variable "powertools_service_name" {
  description = "POWERTOOLS_SERVICE_NAME of the function (the `service` field of every log line)."
  type        = string
  default     = "cart-migration"
}

variable "environment_variables" {
  description = "Further environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "cors_allowed_origins" {
  description = "Origins the function answers CORS requests for (CORS_ALLOWED_ORIGINS), or [\"*\"]; empty = no CORS headers."
  type        = list(string)
  default     = []
  nullable    = false
}
