# Inputs are validated once, by the root module (the public contract, ../../variables.tf); this
# file keeps the rule for the wiring the root sets itself (log_group_names).

variable "name_prefix" {
  description = "Folder of the saved queries in the Logs Insights console: each is named `<name_prefix>/<query name>`."
  type        = string
}

variable "log_group_names" {
  description = "Log groups the queries run against by default (the function's log group)."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0
    error_message = "log_group_names needs at least one log group."
  }
}

variable "events" {
  description = "The event catalogue's `events` (event type => its fields): the guide's queries take event types and field names from it."
  type        = map(object({ fields = list(string) }))
}

variable "common_fields" {
  description = "The event catalogue's `common_fields`, logged with every event (event_type among them)."
  type        = list(string)
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
