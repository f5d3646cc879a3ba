terraform {
  # import blocks whose id is an expression: Terraform 1.6; `removed` blocks (see README): 1.7.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.77, < 7"
    }
  }
}
