# examples/existing-function planned offline as a root module (its import block is allowed only
# there): `terraform test` in this directory; `make tftest` runs it.

mock_provider "aws" {
  # Account, partition, region and policy documents: tests/terraform/mocks/aws.tfmock.hcl.
  source = "../../tests/terraform/mocks"

  # A function that has run: Lambda created its log group.
  mock_data "aws_cloudwatch_log_groups" {
    defaults = {
      log_group_names = ["/aws/lambda/cart-migration", "/aws/lambda/cart-migration-staging"]
    }
  }
}

run "the_log_group_is_imported_and_managed" {
  command = plan

  variables {
    function_name = "cart-migration"
  }

  # What the import reads from the existing group.
  override_resource {
    target = module.monitoring.module.log_groups.aws_cloudwatch_log_group.function[0]
    values = {
      name              = "/aws/lambda/cart-migration"
      arn               = "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/cart-migration"
      retention_in_days = 0
    }
  }

  assert {
    condition     = output.function_log_group_name == "/aws/lambda/cart-migration"
    error_message = "the example adopts /aws/lambda/<function_name>"
  }
  assert {
    condition     = module.monitoring.lambda_function_name == null
    error_message = "the function exists already: the example creates none"
  }
}
