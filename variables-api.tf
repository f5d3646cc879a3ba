# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Optional REST API in front of the function (modules/api_gateway).

variable "create_api" {
  description = "Create a REST API with the function's three routes, a stage with JSON access logs and throttling, and a permission for that stage only. Needs create_lambda = true."
  type        = bool
  default     = false
}

variable "api_stage_name" {
  description = "Stage of the REST API; the routes are served under `<api_invoke_url>/api/v1/cart/...`."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.api_stage_name))
    error_message = "api_stage_name must be 1 to 128 letters, digits, '-' or '_'."
  }
}

variable "api_throttling_burst_limit" {
  description = "Requests the API stage accepts in a burst, across all clients."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttling_burst_limit >= 0 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "api_throttling_burst_limit must be a whole number, 0 or more."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady requests per second the API stage accepts, across all clients."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttling_rate_limit >= 0
    error_message = "api_throttling_rate_limit must not be negative."
  }
}

variable "api_access_log_retention_in_days" {
  description = "Retention of the API's access log group `/aws/apigateway/<name_prefix>-api/access` (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.api_access_log_retention_in_days)
    error_message = "api_access_log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "cors_allowed_origins" {
  description = "Origins of shop front ends that may call the API from a browser (CORS), each scheme://host[:port] such as https://shop.example.com, or [\"*\"] for any origin. Empty (the default): no CORS headers and no OPTIONS methods."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : origin == "*" || can(regex("^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$", origin))])
    error_message = "cors_allowed_origins entries must be origins as browsers send them, scheme://host[:port] with no path or trailing slash (https://shop.example.com, http://localhost:3000), or \"*\"."
  }

  validation {
    condition     = !contains(var.cors_allowed_origins, "*") || length(var.cors_allowed_origins) == 1
    error_message = "cors_allowed_origins = [\"*\"] already admits every origin: give either \"*\" alone or a list of origins."
  }
}
