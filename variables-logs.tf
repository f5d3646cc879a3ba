# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# Logs: the log groups, the log archive to S3 and the saved queries.

################################################################################
# Log groups
################################################################################

variable "create_function_log_group" {
  description = "Manage the function's log group `/aws/lambda/<function_name>` (its retention and key). null = the module decides: with create_lambda it creates the group; otherwise it creates the group when it does not exist yet (a function that has not logged: the metric filters need it), tagging it `cart-migration-monitoring:log-group` so later plans keep it, and leaves an existing group alone (a function that has run has one, and creating it again fails). To manage an existing group, set true and adopt it with an `import` block (examples/existing-function). With false the group must exist before apply (the plan warns): invoke the function once or create the group."
  type        = bool
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "audit_log_retention_in_days" {
  description = "Retention of the audit log group `/<name_prefix>/audit` (a value CloudWatch Logs allows; 0 = never expire)."
  type        = number
  default     = 90

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit_log_retention_in_days)
    error_message = "audit_log_retention_in_days must be one of the values CloudWatch Logs allows: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_group_kms_key_id" {
  description = "ARN of a KMS key that encrypts every log group the module creates: the function's `/aws/lambda/<function_name>` (when the module manages it), the audit group `/<name_prefix>/audit`, with create_api the API's access-log group `/aws/apigateway/<name_prefix>-api/access`, and with log_archive Firehose's error-log group `/aws/kinesisfirehose/<name_prefix>-log-archive`. Its key policy must let logs.<region>.amazonaws.com use it for each of these groups (condition kms:EncryptionContext:aws:logs:arn; examples/complete shows the statement). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_kms_key_id == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_group_kms_key_id))
    error_message = "log_group_kms_key_id must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "function_log_group_class" {
  description = "Log class of the function's log group when the module creates it (`log_group_class`). Only STANDARD: the module's metric filters read this group, and CloudWatch Logs runs no metric filters on the other classes."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"], var.function_log_group_class)
    error_message = "function_log_group_class must be STANDARD, INFREQUENT_ACCESS or DELIVERY (CloudWatch Logs' log classes)."
  }

  validation {
    condition     = var.function_log_group_class == "STANDARD"
    error_message = "function_log_group_class must stay STANDARD: the module's metric filters (every metric of the event catalogue, and the alarms and dashboard built on them) read the function's log group, and CloudWatch Logs runs no metric filters on an INFREQUENT_ACCESS or DELIVERY group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html), so they would get no data. To save on ingestion, set audit_log_group_class = \"INFREQUENT_ACCESS\" instead."
  }
}

variable "audit_log_group_class" {
  description = "Log class of the audit log group `/<name_prefix>/audit` (`log_group_class`): STANDARD, or INFREQUENT_ACCESS (cheaper ingestion; no metric filters, subscription filters, Live Tail or data protection). Changing it replaces the group."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS"], var.audit_log_group_class)
    error_message = "audit_log_group_class must be STANDARD or INFREQUENT_ACCESS (the DELIVERY class keeps events one day and serves only delivery to S3 or Firehose, not an audit trail)."
  }
}

variable "log_data_protection" {
  description = <<-EOT
    A CloudWatch Logs data protection policy on the function and audit log groups: the second PII net,
    behind the function's own redactor (docs/pii.md). null = off (the default). Fields:
    data_identifiers (names of managed data identifiers; null = EmailAddress, PhoneNumber-{US,GB,DE,FR,ES,IT,BR},
    CreditCardNumber, CreditCardSecurityCode, CreditCardExpiration, BankAccountNumber-{DE,ES,FR,GB,IT} and
    IpAddress, the catalogue's `ip_address`), findings_destination_log_group (log group receiving the audit
    findings; null = the module creates `/<name_prefix>/data-protection-findings`), findings_destination_s3_bucket
    and findings_destination_firehose_delivery_stream (further destinations that already exist, or null).
    Readers without `logs:Unmask` see what the identifiers find as asterisks. Costs $0.12 per GB scanned (us-east-1).
  EOT
  type = object({
    data_identifiers                              = optional(list(string))
    findings_destination_log_group                = optional(string)
    findings_destination_s3_bucket                = optional(string)
    findings_destination_firehose_delivery_stream = optional(string)
  })
  default = null

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.data_identifiers == null ? true : length(var.log_data_protection.data_identifiers) > 0 && alltrue([for i in var.log_data_protection.data_identifiers : can(regex("^[A-Za-z]+(-[A-Z]{2})?$", i))])
    error_message = "log_data_protection.data_identifiers must name at least one managed data identifier, by name (EmailAddress, PhoneNumber-US, ...: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/protect-sensitive-log-data-types.html), not by ARN."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_log_group == null ? true : can(regex("^[-._/#A-Za-z0-9]{1,512}$", var.log_data_protection.findings_destination_log_group))
    error_message = "log_data_protection.findings_destination_log_group must be a log group name (1-512 of letters, digits, '-', '_', '.', '/', '#') or null."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_s3_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.log_data_protection.findings_destination_s3_bucket))
    error_message = "log_data_protection.findings_destination_s3_bucket must be an S3 bucket name or null."
  }

  validation {
    condition     = var.log_data_protection == null ? true : var.log_data_protection.findings_destination_firehose_delivery_stream == null ? true : can(regex("^[a-zA-Z0-9_.-]{1,64}$", var.log_data_protection.findings_destination_firehose_delivery_stream))
    error_message = "log_data_protection.findings_destination_firehose_delivery_stream must be a Firehose stream name (1-64 of letters, digits, '_', '.', '-') or null."
  }
}

################################################################################
# Log archive to S3
################################################################################

variable "log_archive" {
  description = <<-EOT
    Archive the function's log group (and the audit log group, unless include_audit_log = false) to S3
    through Kinesis Data Firehose (modules/log_archive). null = no archive. Objects land under
    `logs/<function|audit>/year=YYYY/month=MM/day=DD/` in an encrypted, private, versioned bucket that moves
    them to Standard-IA, then Glacier, then deletes them. Fields: bucket_name (null = `<name_prefix>-log-archive-<account id>-<region>`, the prefix cut to fit 63 characters),
    filter_pattern ("" = every event), include_audit_log, transition_to_infrequent_access_days (30),
    transition_to_glacier_days (90), expiration_days (365), kms_key_arn (null = SSE-S3), force_destroy,
    buffering_interval_seconds (300), buffering_size_mb (5), encrypt_delivery_stream (true; false only where
    Firehose server-side encryption cannot be started, as on the embedded emulator).
  EOT
  type = object({
    bucket_name                          = optional(string)
    filter_pattern                       = optional(string, "")
    include_audit_log                    = optional(bool, true)
    transition_to_infrequent_access_days = optional(number, 30)
    transition_to_glacier_days           = optional(number, 90)
    expiration_days                      = optional(number, 365)
    kms_key_arn                          = optional(string)
    force_destroy                        = optional(bool, false)
    buffering_interval_seconds           = optional(number, 300)
    buffering_size_mb                    = optional(number, 5)
    encrypt_delivery_stream              = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.transition_to_infrequent_access_days >= 30 && var.log_archive.transition_to_glacier_days >= var.log_archive.transition_to_infrequent_access_days + 30 && var.log_archive.expiration_days > var.log_archive.transition_to_glacier_days
    error_message = "log_archive: transition_to_infrequent_access_days must be at least 30 (S3's minimum for Standard-IA), transition_to_glacier_days at least 30 days later, and expiration_days after transition_to_glacier_days."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.buffering_interval_seconds >= 60 && var.log_archive.buffering_interval_seconds <= 900 && var.log_archive.buffering_size_mb >= 1 && var.log_archive.buffering_size_mb <= 128
    error_message = "log_archive: buffering_interval_seconds must be 60 to 900 and buffering_size_mb 1 to 128 (Firehose's limits)."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.bucket_name == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.log_archive.bucket_name))
    error_message = "log_archive.bucket_name must be an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-') or null."
  }

  validation {
    condition     = var.log_archive == null ? true : var.log_archive.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_archive.kms_key_arn))
    error_message = "log_archive.kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

################################################################################
# Saved queries
################################################################################

variable "additional_queries" {
  description = "Further saved Logs Insights queries on the function's log group: query name => query string."
  type        = map(string)
  default     = {}

  # A saved query is named `<name_prefix>/<query name>` (at most 255 characters in all).
  validation {
    condition     = alltrue([for name, query in var.additional_queries : length(name) >= 1 && length(name) <= 200 && trimspace(query) != ""])
    error_message = "additional_queries: every query name must be 1 to 200 characters and every query string non-empty."
  }
}
