output "cloudwatch_role_arn" {
  description = "ARN of the role API Gateway writes this region's logs with (what `aws apigateway get-account` shows as cloudwatchRoleArn)."
  value       = aws_api_gateway_account.this.cloudwatch_role_arn
}

output "role_name" {
  description = "Name of that role."
  value       = aws_iam_role.this.name
}
