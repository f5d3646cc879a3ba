variable "name" {
  description = "Name of the REST API; also names its access log group `/aws/apigateway/<name>/access`."
  type        = string
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
}

variable "throttling_burst_limit" {
  description = "Requests the stage accepts in a burst, across all clients (API Gateway's token bucket size)."
  type        = number
  default     = 100
}

variable "throttling_rate_limit" {
  description = "Steady requests per second the stage accepts, across all clients."
  type        = number
  default     = 50
}

variable "access_log_retention_in_days" {
  description = "Retention of the stage's access log group, one of the values CloudWatch Logs allows (0 = never expire)."
  type        = number
  default     = 30
}

variable "access_log_kms_key_id" {
  description = "ARN of a KMS key that encrypts the access log group (its policy must admit logs.<region>.amazonaws.com). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "cors_allowed_origins" {
  description = "Origins of the browser front ends that may call the API (the root's validated `cors_allowed_origins`: origins, or [\"*\"] alone). Non-empty: OPTIONS on each route's resource, proxied to the function, which answers preflights; and CORS headers on the answers API Gateway makes itself (its DEFAULT_4XX and DEFAULT_5XX gateway responses). Empty: neither."
  type        = list(string)
  default     = []
  nullable    = false
}
