# The AWS provider's data sources as every offline plan of this repository sees them: one account,
# partition and region. Loaded by the mock_provider blocks of the *.tftest.hcl files (source = ...).

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/test"
    user_id    = "AIDATEST"
  }
}
mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}
mock_data "aws_region" {
  defaults = {
    id   = "ap-south-1"
    name = "ap-south-1"
  }
}
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}
