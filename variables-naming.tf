# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Naming: the function watched, and the prefixes of everything the module creates.

variable "function_name" {
  description = "Name of the cart-migration Lambda function: the alarms watch its AWS/Lambda metrics and the metric filters read its log group `/aws/lambda/<function_name>`. With create_lambda = true the module creates the function under this name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 letters, digits, '-' or '_' (a Lambda function name)."
  }
}

variable "name_prefix" {
  description = "Prefix of the names of topics (`<name_prefix>-alerts`, `<name_prefix>-alerts-page`), the audit log group (`/<name_prefix>/audit`), the KMS alias, metric filters, tables and the saved-query folder. Change it to run a second environment beside the first."
  type        = string
  default     = "vyaparai-cart-migration"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm names (`<alarm_name_prefix>-HighFailureRate`, ...) and the dashboard name (unless dashboard_name)."
  type        = string
  default     = "VyaparAI-CartMigration"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.alarm_name_prefix))
    error_message = "alarm_name_prefix must be 1 to 64 characters of letters, digits, '-' or '_', starting with a letter or digit (it also names the dashboard)."
  }
}

variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard. null = alarm_name_prefix, the guide's `VyaparAI-CartMigration`. Dashboards are global to the account, unlike the alarms: a stack in a second region of the same account must name its own (e.g. `VyaparAI-CartMigration-us-east-1`), or its PutDashboard overwrites the first region's dashboard and the two states replace each other's on every apply."
  type        = string
  default     = null

  validation {
    condition     = var.dashboard_name == null ? true : can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name must be 1 to 255 letters, digits, '-' or '_' (CloudWatch's rule for dashboard names), or null for alarm_name_prefix."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the log-derived metrics. null = the event catalogue's `metric_namespace`."
  type        = string
  default     = null

  # CloudWatch allows letters, digits, . - _ / # : and space in a namespace, at least one of them
  # not a space, and reserves AWS/ (User Guide, "Namespaces"; API reference, Metric). This
  # namespace is also a metric filter's, where CloudWatch Logs' API pattern ([^:*$]*) and the AWS
  # provider refuse ':' anywhere; so ':' is refused here, with the reason.
  validation {
    condition = var.metric_namespace == null ? true : (
      can(regex("^[0-9A-Za-z._/# -]{1,255}$", var.metric_namespace))
      && trimspace(var.metric_namespace) != ""
      && !startswith(var.metric_namespace, "AWS/")
    )
    error_message = "metric_namespace must be 1 to 255 letters, digits, '.', '-', '_', '/', '#' or spaces (not only spaces), and must not start with 'AWS/' (reserved for AWS), e.g. MyCompany/CartMigration. CloudWatch metrics also allow ':', but the namespace of a metric filter (CloudWatch Logs, and the AWS provider) does not."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
