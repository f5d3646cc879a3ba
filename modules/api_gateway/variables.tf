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

variable "cors_gateway_response_origin" {
  description = "Access-Control-Allow-Origin of the answers API Gateway makes itself (its 4XX and 5XX gateway responses: throttling, a failed function): one origin or \"*\". null = none (a gateway response cannot echo one of several origins)."
  type        = string
  default     = null
}

variable "cors_enabled" {
  description = "Define OPTIONS on each route's resource, proxied to the function, which answers CORS preflights for its allowed origins."
  type        = bool
  default     = false
}
