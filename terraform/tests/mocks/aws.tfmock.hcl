# Shared by every tests/*.tftest.hcl file. A mock provider invents random strings for computed
# attributes; the provider validates some of them as ARNs during apply, and the assertions need
# fixed values to compare with, so these are ARN- and URL-shaped and predictable.

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "abc123"
    api_endpoint  = "wss://abc123.execute-api.eu-central-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:eu-central-1:123456789012:abc123"
  }
}

mock_resource "aws_apigatewayv2_stage" {
  defaults = {
    invoke_url    = "wss://abc123.execute-api.eu-central-1.amazonaws.com/prod"
    execution_arn = "arn:aws:execute-api:eu-central-1:123456789012:abc123/prod"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/awsome-chat-chat"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/awsome-chat-connections"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/awsome-chat-fn-mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-central-1:123456789012:function:awsome-chat-chat"
    invoke_arn = "arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:123456789012:function:awsome-chat-chat/invocations"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    id                          = "awsome-chat-site-mock"
    arn                         = "arn:aws:s3:::awsome-chat-site-mock"
    bucket_regional_domain_name = "awsome-chat-site-mock.s3.eu-central-1.amazonaws.com"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    id          = "E2MOCKDISTRIB"
    arn         = "arn:aws:cloudfront::123456789012:distribution/E2MOCKDISTRIB"
    domain_name = "d1mock.cloudfront.net"
    # CloudFront's one hosted zone, the same for every distribution.
    hosted_zone_id = "Z2FDTNDATAQYW2"
  }
}

mock_resource "aws_cloudfront_origin_access_control" {
  defaults = {
    id = "E3MOCKOAC"
  }
}

mock_resource "aws_cloudfront_response_headers_policy" {
  defaults = {
    id = "mock-headers-policy-id"
  }
}

mock_resource "aws_s3_bucket_website_configuration" {
  defaults = {
    website_endpoint = "awsome-chat-site-mock.s3-website.eu-central-1.amazonaws.com"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

# `acl` is optional and computed, so the mock would invent a value. This sentinel is no canned
# ACL: an object still carrying it is one the configuration gave no ACL.
mock_resource "aws_s3_object" {
  defaults = {
    acl = "(not set by the configuration)"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn   = "arn:aws:sns:eu-central-1:123456789012:awsome-chat-alarms"
    owner = "123456789012"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:awsome-chat-mock"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-central-1"
  }
}

# The custom domain's pieces (domain.tf). The provider validates certificate ARNs during apply;
# tests/domain-zone.tftest.hcl gives each provider's certificates their own ARN and record.
mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    domain_validation_options = [{
      domain_name           = "chat.example.com"
      resource_record_name  = "_mock.chat.example.com."
      resource_record_type  = "CNAME"
      resource_record_value = "_mock.acm-validations.aws."
    }]
  }
}

mock_resource "aws_apigatewayv2_domain_name" {
  defaults = {
    domain_name_configuration = {
      target_domain_name = "d-mock123456.execute-api.eu-central-1.amazonaws.com"
      hosted_zone_id     = "Z1U9ULNL0V5AJ3"
    }
  }
}

mock_data "aws_route53_zone" {
  defaults = {
    name = "example.com"
  }
}

# Sign-in (auth_mode): the Cognito user pool, its app client, and the $connect authorizer. The
# pool's endpoint is what the provider derives from the Region and the id.
mock_resource "aws_cognito_user_pool" {
  defaults = {
    id       = "eu-central-1_AbCdEf123"
    arn      = "arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_AbCdEf123"
    endpoint = "cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbCdEf123"
  }
}

mock_resource "aws_cognito_user_pool_client" {
  defaults = {
    id = "1example23456789abcdefghij"
  }
}

mock_resource "aws_apigatewayv2_authorizer" {
  defaults = {
    id = "authz1"
  }
}
