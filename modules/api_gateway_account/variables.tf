variable "role_name" {
  description = "Name of the role API Gateway logs with. null = `apigateway-cloudwatch-logs-<region>`. To adopt a role that exists (the one the main module's former api_manage_account_cloudwatch_role created, `<name_prefix>-api-apigw-cloudwatch`), give its name and import it."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 letters, digits or + = , . @ _ - (an IAM role name), or null."
  }
}

variable "tags" {
  description = "Tags of the role."
  type        = map(string)
  default     = {}
}
