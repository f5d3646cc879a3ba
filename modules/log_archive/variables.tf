variable "name_prefix" {
  description = "Prefix of the names this module gives: bucket `<name_prefix>-log-archive-<account id>-<region>` (lowercased and cut to fit 63 characters, unless bucket_name), delivery streams `<name_prefix>-log-archive-<key>`, roles `<name_prefix>-log-archive-{firehose,logs}-<region>` (cut to fit 64), the error log group `/aws/kinesisfirehose/<name_prefix>-log-archive` and subscription filters."
  type        = string
}

variable "log_group_names" {
  description = "Log groups to archive, by a short name of your choice (function, audit): each gets a delivery stream and a subscription filter to it, and its objects land under `logs/<key>/`."
  type        = map(string)

  validation {
    condition     = length(var.log_group_names) > 0 && alltrue([for k in keys(var.log_group_names) : can(regex("^[a-z0-9_-]{1,32}$", k))])
    error_message = "log_group_names needs at least one log group, keyed by 1 to 32 lowercase letters, digits, '-' or '_'."
  }
}

variable "filter_pattern" {
  description = "Subscription filter pattern: which log events are archived (\"\" = all)."
  type        = string
  default     = ""
}

variable "bucket_name" {
  description = "Name of the archive bucket. null = `<name_prefix>-log-archive-<account id>-<region>` (lowercased, '_' as '-')."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with the archived logs in it."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key for the bucket (SSE-KMS with a bucket key) and the delivery stream. null = SSE-S3 (AES-256) and Firehose's AWS-owned key."
  type        = string
  default     = null
}

variable "encrypt_delivery_stream" {
  description = "Encrypt records at rest while Firehose buffers them (server-side encryption of the delivery streams). Switch off only where the API cannot do it (the embedded emulator lacks StartDeliveryStreamEncryption)."
  type        = bool
  default     = true
}

variable "transition_to_infrequent_access_days" {
  description = "Days after which archived objects move to S3 Standard-IA (at least 30)."
  type        = number
  default     = 30
}

variable "transition_to_glacier_days" {
  description = "Days after which archived objects move to S3 Glacier Flexible Retrieval."
  type        = number
  default     = 90
}

variable "expiration_days" {
  description = "Days after which archived objects are deleted."
  type        = number
  default     = 365
}

variable "buffering_interval_seconds" {
  description = "Seconds Firehose buffers before it writes an object (60-900)."
  type        = number
  default     = 300
}

variable "buffering_size_mb" {
  description = "MiB Firehose buffers before it writes an object (1-128)."
  type        = number
  default     = 5
}

variable "error_log_retention_in_days" {
  description = "Retention of Firehose's error log group, one of the values CloudWatch Logs allows (0 = never expire)."
  type        = number
  default     = 30
}

variable "error_log_kms_key_id" {
  description = "ARN of a KMS key that encrypts Firehose's error log group (its policy must admit logs.<region>.amazonaws.com for that group). null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "alarm_name_prefix" {
  description = "Prefix of the delivery alarms' names, `<alarm_name_prefix>-LogArchiveDelivery-<key>`."
  type        = string
  default     = "LogArchive"
}

variable "alarm_actions" {
  description = "ARNs notified when a delivery alarm changes state (the alerts topic)."
  type        = list(string)
  default     = []
}

variable "actions_enabled" {
  description = "Whether the delivery alarms notify alarm_actions."
  type        = bool
  default     = true
}

variable "alarm_runbook" {
  description = "Where the delivery alarm's description points for its runbook."
  type        = string
  default     = "docs/runbooks/LogArchiveDelivery.md"
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
