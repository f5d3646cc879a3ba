# Inputs of the module, by concern (variables-*.tf; the generated Inputs table lists them all, by
# name). The root is the public contract: it validates every input itself, once, with a message that
# names the variable and says what to fix; the submodules keep only their own invariants.
#
# The function's secrets from SSM, its environment key, and who may invoke it.

variable "jwt_secret_parameter" {
  description = "Name (`/cart-migration/jwt-secret`) or ARN of an SSM SecureString parameter holding the HS256 secret: the function reads it at cold start and caches it (secrets_max_age_seconds), and the role may read exactly this parameter. Use instead of jwt_secret, which sits in the function's environment."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_secret_parameter == null ? true : length(var.jwt_secret_parameter) <= 2048 && can(regex("^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_./-]+|/?[A-Za-z0-9_./-]+)$", var.jwt_secret_parameter))
    error_message = "jwt_secret_parameter must be an SSM parameter name (letters, digits, _ . - /) or a parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }
}

variable "log_hash_key_parameter" {
  description = "Name or ARN of an SSM SecureString parameter holding the log hash key (instead of log_hash_key): read at cold start, cached, and the only parameter besides jwt_secret_parameter the role may read."
  type        = string
  default     = null

  validation {
    condition     = var.log_hash_key_parameter == null ? true : length(var.log_hash_key_parameter) <= 2048 && can(regex("^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_./-]+|/?[A-Za-z0-9_./-]+)$", var.log_hash_key_parameter))
    error_message = "log_hash_key_parameter must be an SSM parameter name (letters, digits, _ . - /) or a parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }
}

variable "secret_parameters_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the secret parameters; the role may decrypt with it through SSM only. null = the parameters use the AWS-managed alias/aws/ssm key."
  type        = string
  default     = null

  validation {
    condition     = var.secret_parameters_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.secret_parameters_kms_key_arn))
    error_message = "secret_parameters_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "secrets_max_age_seconds" {
  description = "Seconds the function keeps a secret read from SSM before reading it again: a rotated value is picked up within this time."
  type        = number
  default     = 300

  validation {
    condition     = var.secrets_max_age_seconds >= 0 && floor(var.secrets_max_age_seconds) == var.secrets_max_age_seconds
    error_message = "secrets_max_age_seconds must be a whole number of seconds, 0 or more."
  }
}

variable "lambda_kms_key_arn" {
  description = "ARN of a customer-managed KMS key that encrypts the function's environment variables. null = Lambda's service key."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.lambda_kms_key_arn))
    error_message = "lambda_kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "lambda_invoke_source_arns" {
  description = "Callers of your own allowed to invoke the created function: a name of your choice => source ARN (for an API of yours, `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/*/*`; a CloudWatch alarm, an EventBridge rule, an S3 bucket, an SNS topic, ...). The permission's principal follows the service (an alarm ARN: lambda.alarms.cloudwatch.amazonaws.com; an S3 bucket also gets this account as source account). Wire an API with output lambda_invoke_arn."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.lambda_invoke_source_arns : can(regex("^[A-Za-z0-9_-]{1,64}$", k)) && can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:", v))])
    error_message = "lambda_invoke_source_arns: each key must be 1 to 64 letters, digits, '-' or '_' and each value an ARN (arn:<partition>:<service>:...)."
  }

  # The services that invoke a function through a permission on it (the principal of each is in
  # modules/migration_lambda, with the page documenting it). The others reach the function another way.
  validation {
    condition = alltrue([for v in values(var.lambda_invoke_source_arns) : contains([
      "execute-api", "cloudwatch", "events", "s3", "sns", "logs", "iot", "elasticloadbalancing", "cognito-idp", "ses", "config", "secretsmanager",
    ], try(split(":", v)[2], ""))])
    error_message = "lambda_invoke_source_arns: a source ARN's service invokes functions without a resource-based permission, or is unknown. Permissions are for execute-api (API Gateway), cloudwatch (alarms), events, s3, sns, logs, iot, elasticloadbalancing, cognito-idp, ses, config and secretsmanager. SQS, Kinesis, DynamoDB streams, MSK and MQ reach the function through an event source mapping (give the function's role access to the source); Step Functions, EventBridge Scheduler and Pipes call it with a role of their own (allow lambda:InvokeFunction in that role)."
  }

  # A CloudWatch caller is an alarm (lambda.alarms.cloudwatch.amazonaws.com invokes for it).
  validation {
    condition     = alltrue([for v in values(var.lambda_invoke_source_arns) : try(split(":", v)[2], "") != "cloudwatch" || can(regex("^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:.+$", v))])
    error_message = "lambda_invoke_source_arns: a CloudWatch source must be an alarm ARN (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>): only alarms invoke functions directly."
  }
}
