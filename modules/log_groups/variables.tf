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

variable "function_log_group_class" {
  description = "Log class of the function's log group when this module creates it (`log_group_class`)."
  type        = string
  default     = "STANDARD"
}

variable "audit_log_group_class" {
  description = "Log class of the audit log group (`log_group_class`)."
  type        = string
  default     = "STANDARD"
}

variable "data_protection" {
  description = "A data protection policy on both groups: the managed data identifiers (by name) and where the audit findings go (a log group name, null = `/<name_prefix>/data-protection-findings` created here; an S3 bucket and a Firehose stream, or null). null = no policy."
  type = object({
    data_identifiers                              = list(string)
    findings_destination_log_group                = optional(string)
    findings_destination_s3_bucket                = optional(string)
    findings_destination_firehose_delivery_stream = optional(string)
  })
  default = null
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
