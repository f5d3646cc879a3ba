variable "region" {
  description = "Region of the provider (the emulator answers for any)."
  type        = string
  default     = "ap-south-1"
}

variable "function_name" {
  description = "Name of the cart-migration function."
  type        = string
  default     = "vyaparai-cart-migration"
}

variable "name_prefix" {
  description = "Prefix of topics, log groups, queues, tables; change it to apply a second copy beside the first."
  type        = string
  default     = "vyaparai-cart-migration"
}

variable "alarm_name_prefix" {
  description = "Prefix of alarm and dashboard names."
  type        = string
  default     = "VyaparAI-CartMigration"
}

variable "alert_emails" {
  description = "Email subscribers (the emulator never sends mail)."
  type        = list(string)
  default     = ["oncall@example.com"]
}

variable "alarm_overrides" {
  description = "Per-alarm overrides, passed to the module as they are: the module's alarm_overrides declares their type and checks them."
  # any: the object type is declared once, by the module (variables-alarms.tf).
  type    = any
  default = {}
}

variable "create_lambda" {
  description = "Create the function, its tables and its role."
  type        = bool
  default     = true
}

variable "lambda_package_path" {
  description = "Deployment zip, relative to this directory (built by the Makefile)."
  type        = string
  default     = "../../build/cart_migration.zip"
}

variable "jwt_secret" {
  description = "HS256 secret of the test tokens (local only)."
  type        = string
  default     = "local-test-secret-not-for-production"
  sensitive   = true
}

variable "log_hash_key" {
  description = "Key of the identifier hash in the logs (local only)."
  type        = string
  default     = "local-test-log-hash-key"
  sensitive   = true
}

variable "rate_limit_max_calls" {
  description = "Calls allowed per client per window."
  type        = number
  default     = 5
}

variable "rate_limit_window_seconds" {
  description = "Rate-limit window in seconds."
  type        = number
  default     = 60
}

variable "log_sample_rate" {
  description = "Share of sampleable events logged."
  type        = number
  default     = 1.0
}

variable "log_archive" {
  description = "Archive the function's and the audit log group to S3 through Firehose (modules/log_archive)."
  type        = bool
  default     = false
}
