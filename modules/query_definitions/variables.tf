variable "name_prefix" {
  description = "Folder of the saved queries in the Logs Insights console: each is named `<name_prefix>/<query name>`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 40 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "log_group_names" {
  description = "Log groups the queries run against by default (the function's log group)."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0
    error_message = "log_group_names needs at least one log group."
  }
}

variable "include_guide_queries" {
  description = "Save the seven queries of the monitoring guide."
  type        = bool
  default     = true
}

variable "additional_queries" {
  description = "Further saved queries: query name => Logs Insights query string."
  type        = map(string)
  default     = {}
}
