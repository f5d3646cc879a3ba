variable "alert_emails" {
  description = "Email addresses that receive the alerts (each must confirm its subscription)."
  type        = list(string)
  default     = ["engineering@vyaparai.com"]
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

variable "jwt_secret" {
  description = "HS256 secret of the bearer tokens."
  type        = string
  sensitive   = true
}

variable "log_hash_key" {
  description = "Key of the identifier hash in the logs."
  type        = string
  sensitive   = true
}

variable "runbook_base_url" {
  description = "Where you publish the runbook pages (docs/runbooks); null = descriptions name the page and module version."
  type        = string
  default     = null
}
