variable "name" {
  description = "Name of the REST API; also names its access log group `/aws/apigateway/<name>/access`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$", var.name))
    error_message = "name must be 1 to 128 letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "function_name" {
  description = "Name of the function the three routes invoke."
  type        = string
}

variable "function_invoke_arn" {
  description = "invoke_arn of that function (the integration URI)."
  type        = string
}

variable "stage_name" {
  description = "Name of the stage; the routes are served under `https://<api>.execute-api.<region>.amazonaws.com/<stage_name>/api/v1/cart/...`."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1 to 128 letters, digits, '-' or '_'."
  }
}

variable "throttling_burst_limit" {
  description = "Requests the stage accepts in a burst, across all clients (API Gateway's token bucket size)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_burst_limit >= 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number, 0 or more."
  }
}

variable "throttling_rate_limit" {
  description = "Steady requests per second the stage accepts, across all clients."
  type        = number
  default     = 50

  validation {
    condition     = var.throttling_rate_limit >= 0
    error_message = "throttling_rate_limit must not be negative."
  }
}

variable "access_log_retention_in_days" {
  description = "Retention of the stage's access log group, one of the values CloudWatch Logs allows (0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_in_days)
    error_message = "access_log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "access_log_kms_key_id" {
  description = "ARN of a KMS key that encrypts the access log group (its policy must admit logs.<region>.amazonaws.com). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "manage_account_cloudwatch_role" {
  description = "Set API Gateway's account-wide CloudWatch Logs role for this region (needed once per account and region before any stage can write access logs). Leave false when the account already has one: there is one per region, and the last writer wins."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
