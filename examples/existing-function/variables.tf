variable "region" {
  description = "Region of the function."
  type        = string
  default     = "ap-south-1"
}

variable "function_name" {
  description = "Name of the existing cart-migration function (its log group `/aws/lambda/<function_name>` exists: Lambda created it on the first invocation)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of topics, the audit log group, metric filters and saved queries."
  type        = string
  default     = "vyaparai-cart-migration"
}

variable "alarm_name_prefix" {
  description = "Prefix of alarm and dashboard names."
  type        = string
  default     = "VyaparAI-CartMigration"
}

variable "alert_emails" {
  description = "Addresses that receive the alerts (each must confirm its subscription)."
  type        = list(string)
  default     = []
}
