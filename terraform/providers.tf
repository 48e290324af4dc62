provider "aws" {
  # null falls back to AWS_REGION / AWS_DEFAULT_REGION or the AWS CLI profile's region.
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# CloudFront takes certificates only from ACM in us-east-1, whatever the stack's Region: the page's
# certificate for domain_name (with route53_zone_id) is requested there. Nothing else uses it.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}
