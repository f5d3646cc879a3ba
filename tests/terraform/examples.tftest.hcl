# Offline plans of every example, as `run` blocks on each example's directory, with the same
# mocked AWS provider as root.tftest.hcl (it replaces the examples' own provider blocks).

mock_provider "aws" {
  # Account, partition, region and policy documents: tests/terraform/mocks/aws.tfmock.hcl.
  source = "./tests/terraform/mocks"

  # A function that has run: Lambda created its log group.
  mock_data "aws_cloudwatch_log_groups" {
    defaults = {
      log_group_names = ["/aws/lambda/cart-migration", "/aws/lambda/cart-migration-staging"]
    }
  }
}

run "local_example" {
  command = plan

  module {
    source = "./examples/local"
  }

  variables {
    lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
  }

  assert {
    condition     = output.log_group_names.function == "/aws/lambda/vyaparai-cart-migration"
    error_message = "the local example creates the function and so its log group"
  }
}

run "local_example_with_the_log_archive" {
  command = plan

  module {
    source = "./examples/local"
  }

  variables {
    lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
    log_archive         = true
  }

  assert {
    condition     = output.log_archive_bucket_name == "vyaparai-cart-migration-log-archive-123456789012-ap-south-1"
    error_message = "log_archive = true in the local example gives the module its archive, named for the account and region (bucket names are global)"
  }
}

run "complete_example" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
  }

  assert {
    condition     = alltrue([for e in var.alert_emails : endswith(e, "@example.com")])
    error_message = "the example's default addresses are reserved example addresses"
  }
}

run "api_gateway_account_module_is_per_region_and_protected" {
  command = plan

  module {
    source = "./modules/api_gateway_account"
  }

  assert {
    condition     = output.role_name == "apigateway-cloudwatch-logs-ap-south-1"
    error_message = "the role's name carries the region: IAM names are account-wide"
  }
}
