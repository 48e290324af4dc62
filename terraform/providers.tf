provider "aws" {
  # null falls back to AWS_REGION / AWS_DEFAULT_REGION or the AWS CLI profile's region.
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}
