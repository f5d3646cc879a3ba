# kms_master_key_id may be given as a key ID, a key ARN, an alias name or an alias ARN; the
# kms_key_arn output returns the key's ARN in every case (what key policies and IAM statements
# take). A key ARN is returned as given; anything else is looked up (DescribeKey), and only when
# the module creates a topic that uses it.
locals {
  given_kms_key_is_arn = var.kms_master_key_id == null ? false : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_master_key_id))
}

data "aws_kms_key" "given" {
  count = length(local.created_topics) > 0 && var.kms_master_key_id != null && !local.given_kms_key_is_arn ? 1 : 0

  key_id = var.kms_master_key_id
}
