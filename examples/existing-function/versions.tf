terraform {
  # An import block whose id is an expression needs Terraform 1.6.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.77, < 7"
    }
  }
}
