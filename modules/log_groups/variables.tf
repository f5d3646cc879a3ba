# Inputs are validated once, by the root module (the public contract, ../../variables.tf).

variable "function_name" {
  description = "Name of the Lambda function whose log group `/aws/lambda/<function_name>` this module manages."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the audit log group `/<name_prefix>/audit`."
  type        = string
}

variable "create_function_log_group" {
  description = "Manage the function's log group. true = create it, or adopt an existing one with an import block. false = the group exists and is managed elsewhere (or by nobody); its name is still returned. null = create it when it does not exist yet (tagged as this module's, and kept on later plans), leave an existing group alone."
  type        = bool
  default     = null
}

variable "retention_in_days" {
  description = "Retention of the function's log group, one of the values CloudWatch Logs allows (0 = never expire)."
  type        = number
  default     = 30
}

variable "audit_retention_in_days" {
  description = "Retention of the audit log group, one of the values CloudWatch Logs allows (0 = never expire)."
  type        = number
  default     = 90
}

variable "kms_key_id" {
  description = "ARN of a KMS key that encrypts both log groups (its policy must admit logs.<region>.amazonaws.com). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
