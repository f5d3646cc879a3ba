variable "function_name" {
  description = "Name of the Lambda function."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 letters, digits, '-' or '_' (a Lambda function name)."
  }
}

variable "name_prefix" {
  description = "Prefix of the default table and role names."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "package" {
  description = "Where the deployment zip comes from: `path` (a local zip, e.g. from `make package` or `make release`) or `s3_bucket` + `s3_key` (optionally `s3_object_version`, and `source_code_hash`, the base64 sha256 that updates the function when it changes). `catalogue_sha256`: the event catalogue the package was built with (the release manifest's); required with S3, and for a local zip null = read from `manifest.json` beside it when it lists the zip."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
    catalogue_sha256  = optional(string)
  })

  validation {
    condition     = (var.package.path != null) != (var.package.s3_bucket != null || var.package.s3_key != null) && (var.package.s3_bucket != null) == (var.package.s3_key != null)
    error_message = "The function needs exactly one package: lambda_package_path (a local zip: `make package` builds build/cart_migration.zip, `make release` the zips in dist/) or both lambda_package_s3_bucket and lambda_package_s3_key (a release zip you uploaded)."
  }

  validation {
    condition     = var.package.path == null ? true : fileexists(var.package.path)
    error_message = "lambda_package_path must point at an existing deployment zip: build it first (`make package` builds build/cart_migration.zip, `make release` the zips in dist/)."
  }

  validation {
    condition     = var.package.s3_bucket == null || var.package.catalogue_sha256 != null
    error_message = "A package from S3 needs lambda_package_catalogue_sha256: copy `catalogue_sha256` from the manifest.json of the release the zip comes from, so the plan can check that the package logs the events this module's filters count."
  }
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

  validation {
    condition     = length(var.architectures) == 1 && contains(["x86_64", "arm64"], var.architectures[0])
    error_message = "architectures must be [\"x86_64\"] or [\"arm64\"]."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout of the function in seconds."
  type        = number
  default     = 15

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
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

  validation {
    condition     = contains(["HS256", "RS256"], var.jwt_algorithm)
    error_message = "jwt_algorithm must be HS256 (with jwt_secret) or RS256 (with jwt_public_key): the function supports these two."
  }
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

variable "rate_limit_max_calls" {
  description = "Calls allowed per client per window."
  type        = number
  default     = 5

  validation {
    condition     = var.rate_limit_max_calls >= 1
    error_message = "rate_limit_max_calls must be at least 1."
  }
}

variable "rate_limit_window_seconds" {
  description = "Length of the rate-limit window in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.rate_limit_window_seconds >= 1
    error_message = "rate_limit_window_seconds must be at least 1."
  }
}

variable "customer_cart_ttl_days" {
  description = "Days a migrated customer cart lives before its TTL (`expires_at`) expires it; 0 = no expiry."
  type        = number
  default     = 30

  validation {
    condition     = var.customer_cart_ttl_days >= 0 && floor(var.customer_cart_ttl_days) == var.customer_cart_ttl_days
    error_message = "customer_cart_ttl_days must be a whole number of days, 0 or more."
  }
}

variable "log_sample_rate" {
  description = "Share (0-1) of sampleable events that are logged."
  type        = number
  default     = 1.0

  validation {
    condition     = var.log_sample_rate >= 0 && var.log_sample_rate <= 1
    error_message = "log_sample_rate must be between 0 and 1."
  }
}

variable "log_hash_key" {
  description = "Key of the keyed hash that pseudonymises identifiers in the logs."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.log_hash_key == null ? false : length(var.log_hash_key) >= 16
    error_message = "log_hash_key is required, at least 16 characters: without it the function hashes customer ids in its logs with a public development key, and anyone who reads the logs can recover them by brute force."
  }
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
