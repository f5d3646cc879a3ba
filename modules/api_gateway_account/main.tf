################################################################################
# API Gateway's CloudWatch Logs role for one account and region: the setting every REST API of
# the region logs through (there is one per region; CloudFormation allows one
# AWS::ApiGateway::Account per region for that reason). Apply this module once per region, in a
# root of its own, never as part of an application stack: destroying it would stop the execution
# and access logs of every API in the region (provider 5.x leaves the setting pointing at a
# deleted role, 6.x resets it). Both the role and the setting are protected from destroy.
################################################################################

data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # IAM role names are account-wide: the region keeps the roles of two regions apart.
  role_name = coalesce(var.role_name, "apigateway-cloudwatch-logs-${data.aws_region.current.id}")
}

# The trust policy AWS documents for this role: apigateway.amazonaws.com as trusted entity, no
# condition ("Permissions for CloudWatch logging",
# https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). API Gateway's
# pages name no aws:SourceAccount or aws:SourceArn for this AssumeRole, so none is added: a key it
# does not send would deny the role and silence the logs.
data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.role_name
  description        = "API Gateway writes the execution and access logs of every REST API in ${data.aws_region.current.id} with this role"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.this.arn

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [aws_iam_role_policy_attachment.this]
}
