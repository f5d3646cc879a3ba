variable "alert_emails" {
  description = "Email addresses that receive the alerts (each must confirm its subscription)."
  type        = list(string)
  default     = ["oncall@example.com"]
}

variable "pager_https_endpoint" {
  description = "HTTPS endpoint of the pager integration for critical alerts (null = none)."
  type        = string
  default     = null
}

variable "lambda_package_path" {
  description = "Deployment zip, relative to this directory (built by the Makefile)."
  type        = string
  default     = "../../build/cart_migration.zip"
}

variable "jwt_secret_parameter" {
  description = "SSM SecureString parameter that holds the HS256 secret of the bearer tokens."
  type        = string
  default     = "/vyaparai-cart-migration/jwt-secret"
}

variable "log_hash_key_parameter" {
  description = "SSM SecureString parameter that holds the key of the identifier hash in the logs."
  type        = string
  default     = "/vyaparai-cart-migration/log-hash-key"
}
