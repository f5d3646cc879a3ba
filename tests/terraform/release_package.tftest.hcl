# Offline plans of the function created from `make release`'s artefacts: given the release folder,
# the module picks the zip of its architecture and jwt_algorithm; given one zip, it refuses a zip of
# another architecture or algorithm and names the one to use. Run by `make tftest`.
#
# tests/terraform/fixtures/release stands in for dist/: stand-in zips and a manifest.json of the
# shape bootstrap/release.py writes (tests/harness/test_release.py keeps the two alike), without a
# catalogue_sha256, so that the catalogue check (tests/infra/test_registry_plan.py) stays out of it.

mock_provider "aws" {
  source = "./tests/terraform/mocks"

  mock_data "aws_cloudwatch_log_groups" {
    defaults = {
      log_group_names = ["/aws/lambda/cart-migration"]
    }
  }
}

variables {
  function_name = "cart-migration"
  create_lambda = true
  jwt_secret    = "a-shared-secret-of-at-least-32-characters"
  log_hash_key  = "a-log-hash-key-long-enough"
}

run "the_release_folder_gives_an_hs256_function_the_zip_without_pyjwt" {
  command = plan

  variables {
    lambda_package_path = "tests/terraform/fixtures/release"
  }

  assert {
    condition     = module.migration_lambda[0].package_file == "tests/terraform/fixtures/release/cart_migration-1.2.3-x86_64-hs256.zip"
    error_message = "jwt_algorithm HS256 on x86_64 (the defaults) takes the x86_64 HS256 zip"
  }
  assert {
    condition     = contains(module.migration_lambda[0].environment_variable_names, "JWT_ALGORITHM") && contains(module.migration_lambda[0].environment_variable_names, "JWT_SECRET")
    error_message = "the environment is the same whichever way the zip is given"
  }
}

run "the_release_folder_gives_an_rs256_arm64_function_its_zip" {
  command = plan

  variables {
    lambda_package_path  = "tests/terraform/fixtures/release/"
    lambda_architectures = ["arm64"]
    jwt_algorithm        = "RS256"
    jwt_secret           = null
    jwt_jwks_url         = "https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_Example/.well-known/jwks.json"
  }

  assert {
    condition     = module.migration_lambda[0].package_file == "tests/terraform/fixtures/release/cart_migration-1.2.3-arm64.zip"
    error_message = "RS256 on arm64 takes the arm64 RS256 zip (a trailing slash on the folder is fine)"
  }
  assert {
    condition     = tolist(module.migration_lambda[0].architectures) == tolist(["arm64"])
    error_message = "the function runs on the zip's architecture"
  }
}

run "the_zip_of_the_configured_algorithm_plans" {
  command = plan

  variables {
    lambda_package_path = "tests/terraform/fixtures/release/cart_migration-1.2.3-x86_64-hs256.zip"
  }

  assert {
    condition     = module.migration_lambda[0].package_file == "tests/terraform/fixtures/release/cart_migration-1.2.3-x86_64-hs256.zip"
    error_message = "a zip given by name is used as given"
  }
}

run "a_zip_without_a_manifest_is_not_checked" {
  command = plan

  variables {
    lambda_package_path = "tests/terraform/fixtures/lambda-stand-in.zip"
    jwt_algorithm       = "RS256"
    jwt_secret          = null
    jwt_jwks_url        = "https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_Example/.well-known/jwks.json"
  }

  assert {
    condition     = module.migration_lambda[0].package_file == "tests/terraform/fixtures/lambda-stand-in.zip"
    error_message = "`make package`'s zips have no manifest: nothing to compare with"
  }
}

# ------------------------------------------------------------------ refused
# The refusals are preconditions of the function, inside modules/migration_lambda: `expect_failures`
# reaches only objects of the module a run plans, so these runs plan that module itself, with the
# inputs the root gives it.

run "the_rs256_zip_for_an_hs256_function_is_refused" {
  command = plan

  module {
    source = "./modules/migration_lambda"
  }

  variables {
    name_prefix          = "cart-migration"
    catalogue_sha256     = "0000000000000000000000000000000000000000000000000000000000000000"
    log_group_name       = "/aws/lambda/cart-migration"
    log_group_arn        = "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/cart-migration"
    audit_log_group_name = "/cart-migration/audit"
    audit_log_group_arn  = "arn:aws:logs:ap-south-1:123456789012:log-group:/cart-migration/audit"
    jwt_algorithm        = "HS256"
    package              = { path = "tests/terraform/fixtures/release/cart_migration-1.2.3-x86_64.zip" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "the_hs256_zip_for_an_rs256_function_is_refused" {
  command = plan

  module {
    source = "./modules/migration_lambda"
  }

  variables {
    name_prefix          = "cart-migration"
    catalogue_sha256     = "0000000000000000000000000000000000000000000000000000000000000000"
    log_group_name       = "/aws/lambda/cart-migration"
    log_group_arn        = "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/cart-migration"
    audit_log_group_name = "/cart-migration/audit"
    audit_log_group_arn  = "arn:aws:logs:ap-south-1:123456789012:log-group:/cart-migration/audit"
    jwt_algorithm        = "RS256"
    jwt_secret           = null
    jwt_jwks_url         = "https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_Example/.well-known/jwks.json"
    package              = { path = "tests/terraform/fixtures/release/cart_migration-1.2.3-x86_64-hs256.zip" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_zip_of_another_architecture_is_refused" {
  command = plan

  module {
    source = "./modules/migration_lambda"
  }

  variables {
    name_prefix          = "cart-migration"
    catalogue_sha256     = "0000000000000000000000000000000000000000000000000000000000000000"
    log_group_name       = "/aws/lambda/cart-migration"
    log_group_arn        = "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/cart-migration"
    audit_log_group_name = "/cart-migration/audit"
    audit_log_group_arn  = "arn:aws:logs:ap-south-1:123456789012:log-group:/cart-migration/audit"
    jwt_algorithm        = "HS256"
    package              = { path = "tests/terraform/fixtures/release/cart_migration-1.2.3-arm64-hs256.zip" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_release_folder_without_the_zip_of_this_configuration_is_refused" {
  command = plan

  module {
    source = "./modules/migration_lambda"
  }

  variables {
    name_prefix          = "cart-migration"
    catalogue_sha256     = "0000000000000000000000000000000000000000000000000000000000000000"
    log_group_name       = "/aws/lambda/cart-migration"
    log_group_arn        = "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/cart-migration"
    audit_log_group_name = "/cart-migration/audit"
    audit_log_group_arn  = "arn:aws:logs:ap-south-1:123456789012:log-group:/cart-migration/audit"
    jwt_algorithm        = "HS256"
    architectures        = ["ppc64le"]
    package              = { path = "tests/terraform/fixtures/release" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_folder_without_a_manifest_is_refused" {
  command = plan

  variables {
    lambda_package_path = "tests/terraform/fixtures"
  }

  expect_failures = [var.lambda_package_path]
}
